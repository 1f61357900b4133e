// The import thread: takes imports one at a time from the importing thread and runs each on its own
// connection to the SQLite file (opened once, kept while the thread lives). The server's thread stays
// free and its connection keeps reading (WAL: readers see the database as it was until an import
// commits, all at once).
import { parentPort, workerData } from 'node:worker_threads';
import { migrate, openStore, type Store } from '../store/db.ts';
import { refreshConfig } from '../services/config.ts';
import type { Actor } from '../services/scope.ts';
import { type ImportFile, type ImportOptions, runImport } from './import.ts';

interface Job { id: number; actor: Actor; files: ImportFile[]; opts: ImportOptions }

const { file } = workerData as { file: string };
let store: Store | undefined;
let queue = Promise.resolve();

parentPort!.on('message', (job: Job) => {
  queue = queue.then(() => run(job));
});

async function run({ id, actor, files, opts }: Job): Promise<void> {
  try {
    if (!store) {
      // An up-to-date schema migrates in no time and loads the stored configuration the import reads.
      const s = openStore({ engine: 'sqlite', file });
      await migrate(s);
      store = s;
    }
    // Configuration changed since (a category list) is loaded before each import, as in the server's thread.
    await refreshConfig(store);
    const result = await runImport(store, actor, files, { ...opts, onProgress: (rows) => parentPort!.postMessage({ id, t: 'progress', rows }) });
    parentPort!.postMessage({ id, t: 'done', result });
  } catch (e) {
    const x = e as { name?: string; code?: string; zh?: string; en?: string; details?: unknown; message?: string };
    parentPort!.postMessage({ id, t: 'failed', error: { name: x.name, code: x.code, zh: x.zh, en: x.en, details: x.details, message: x.message ?? String(e) } });
  }
}
