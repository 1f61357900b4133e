/**
 * Running an import in a worker thread with its own SQLite connection. better-sqlite3 is
 * synchronous and an import is one transaction: on the server's own connection every other request
 * would wait for it. In its own thread and connection, the server's thread keeps answering and its
 * connection keeps reading (WAL gives readers the last committed state); the import stays all or
 * nothing, committed or rolled back at once. Another write to the same file waits for the import's
 * commit (SQLite has one writer), up to the connection's busy timeout.
 */
import { Worker } from 'node:worker_threads';
import { DomainError } from '../services/errors.ts';
import type { Actor } from '../services/scope.ts';
import type { ImportFile, ImportOptions, ImportResult } from './import.ts';

type Message =
  | { t: 'progress'; rows: number }
  | { t: 'done'; result: ImportResult }
  | { t: 'failed'; error: { name?: string; code?: string; zh?: string; en?: string; details?: unknown; message: string } };

/** Imports into the SQLite file `file` in a worker thread; same result and errors as `runImport`. */
export function runImportInThread(file: string, actor: Actor, files: readonly ImportFile[], opts: ImportOptions): Promise<ImportResult> {
  const { onProgress, ...plain } = opts;
  // The thread gets this thread's environment and folder, so it finds the same ID key the same way.
  const worker = new Worker(new URL('./import-worker.mjs', import.meta.url), { workerData: { file, actor, files, opts: plain } });
  return new Promise<ImportResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: Message) => {
      if (m.t === 'progress') onProgress?.(m.rows);
      else if (m.t === 'done') { settled = true; resolve(m.result); }
      else {
        settled = true;
        const e = m.error;
        reject(e.name === 'DomainError' && e.code ? new DomainError(e.code as DomainError['code'], e.zh ?? '', e.en ?? '', e.details) : new Error(e.message));
      }
    });
    worker.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
    worker.on('exit', (code) => { if (!settled) { settled = true; reject(new Error(`the import thread stopped (exit ${code})`)); } });
  });
}
