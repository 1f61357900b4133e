// A report thread: opens its own connection to the server's database (once, kept for the life of
// the thread) and renders one report at a time, handing the file back without copying it.
import { parentPort } from 'node:worker_threads';
import { openStore, type Store, type StoreConfig } from '../store/db.ts';
import { refreshConfig } from './config.ts';
import { renderFilesHere, type ReportRequest } from './report-threads.ts';

const stores = new Map<string, Store>();

parentPort!.on('message', (m: { id: number; config: StoreConfig; request: ReportRequest }) => {
  void (async () => {
    try {
      const k = JSON.stringify(m.config);
      let store = stores.get(k);
      if (!store) {
        store = openStore(m.config);
        stores.set(k, store);
      }
      // The stored configuration (category lists, wording) as it is now, like every server request.
      await refreshConfig(store);
      const files = await renderFilesHere(store, m.request);
      const bytes = files.map((data) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      // A buffer of its own can be moved to the server's thread; a slice of a shared pool must be copied.
      const own = (data: Buffer) => data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(data.buffer instanceof SharedArrayBuffer);
      const moved = new Set(files.filter(own).map((d) => d.buffer as ArrayBuffer));
      parentPort!.postMessage({ id: m.id, data: bytes }, [...moved]);
    } catch (e) {
      const x = e as { name?: string; code?: string; zh?: string; en?: string; message?: string };
      parentPort!.postMessage({ id: m.id, error: { name: x.name, code: x.code, zh: x.zh, en: x.en, message: x.message ?? String(e) } });
    }
  })();
});
