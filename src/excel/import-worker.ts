// An import in its own thread, on its own connection to the SQLite file: the importing thread of
// the server stays free, and its connection keeps reading (WAL: readers see the database as it was
// until the import commits, all at once).
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/db.ts';
import type { Actor } from '../services/scope.ts';
import { type ImportFile, type ImportOptions, runImport } from './import.ts';

const { file, actor, files, opts } = workerData as { file: string; actor: Actor; files: ImportFile[]; opts: ImportOptions };
const store = openStore({ engine: 'sqlite', file });
try {
  const result = await runImport(store, actor, files, { ...opts, onProgress: (rows) => parentPort!.postMessage({ t: 'progress', rows }) });
  parentPort!.postMessage({ t: 'done', result });
} catch (e) {
  const x = e as { name?: string; code?: string; zh?: string; en?: string; details?: unknown; message?: string };
  parentPort!.postMessage({ t: 'failed', error: { name: x.name, code: x.code, zh: x.zh, en: x.en, details: x.details, message: x.message ?? String(e) } });
} finally {
  await store.close();
}
