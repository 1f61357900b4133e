/**
 * Running imports in a worker thread with its own SQLite connection. better-sqlite3 is synchronous
 * and an import is one transaction: on the server's own connection every other request would wait
 * for it. In its own thread and connection, the server's thread keeps answering and its connection
 * keeps reading (WAL gives readers the last committed state); each import stays all or nothing,
 * committed or rolled back at once. Another write to the same file waits for the import's commit
 * (SQLite has one writer), up to the connection's busy timeout.
 *
 * The thread is started on the first import and kept while imports keep coming (it loads its own
 * modules, which takes a moment), then stopped after a while without one. Imports into one file
 * run one after the other, as SQLite would have them anyway.
 */
import { Worker } from 'node:worker_threads';
import { DomainError } from '../services/errors.ts';
import type { Actor } from '../services/scope.ts';
import type { ImportFile, ImportOptions, ImportResult } from './import.ts';

type Message =
  | { id: number; t: 'progress'; rows: number }
  | { id: number; t: 'done'; result: ImportResult }
  | { id: number; t: 'failed'; error: { name?: string; code?: string; zh?: string; en?: string; details?: unknown; message: string } };

interface Pending { resolve: (r: ImportResult) => void; reject: (e: Error) => void; onProgress?: (rows: number) => void }

/** How long an idle import thread is kept. */
const IDLE_MS = 5 * 60 * 1000;

interface Thread { worker: Worker; pending: Map<number, Pending>; idle?: NodeJS.Timeout }

const threads = new Map<string, Thread>();
let nextId = 1;

function threadFor(file: string): Thread {
  const had = threads.get(file);
  if (had) return had;
  const worker = new Worker(new URL('./import-worker.mjs', import.meta.url), { workerData: { file } });
  const t: Thread = { worker, pending: new Map() };
  threads.set(file, t);
  const fail = (e: Error) => {
    threads.delete(file);
    clearTimeout(t.idle);
    for (const p of t.pending.values()) p.reject(e);
    t.pending.clear();
  };
  worker.on('message', (m: Message) => {
    const p = t.pending.get(m.id);
    if (!p) return;
    if (m.t === 'progress') { p.onProgress?.(m.rows); return; }
    t.pending.delete(m.id);
    if (m.t === 'done') p.resolve(m.result);
    else {
      const e = m.error;
      p.reject(e.name === 'DomainError' && e.code ? new DomainError(e.code as DomainError['code'], e.zh ?? '', e.en ?? '', e.details) : new Error(e.message));
    }
    if (t.pending.size === 0) idle(file, t);
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => fail(new Error(`the import thread stopped (exit ${code})`)));
  return t;
}

/** Lets the process exit while no import runs, and stops the thread after a while without one. */
function idle(file: string, t: Thread): void {
  t.worker.unref();
  clearTimeout(t.idle);
  t.idle = setTimeout(() => { threads.delete(file); void t.worker.terminate(); }, IDLE_MS);
  t.idle.unref();
}

/** Imports into the SQLite file `file` in the import thread; same result and errors as `runImport`. */
export function runImportInThread(file: string, actor: Actor, files: readonly ImportFile[], opts: ImportOptions): Promise<ImportResult> {
  const { onProgress, ...plain } = opts;
  const t = threadFor(file);
  clearTimeout(t.idle);
  t.worker.ref();
  const id = nextId++;
  return new Promise<ImportResult>((resolve, reject) => {
    t.pending.set(id, { resolve, reject, onProgress });
    t.worker.postMessage({ id, actor, files, opts: plain });
  });
}

/** Stops every import thread (running imports are rolled back by SQLite and their promises rejected). */
export async function stopImportThreads(): Promise<void> {
  const all = [...threads.values()];
  threads.clear();
  await Promise.all(all.map((t) => { clearTimeout(t.idle); return t.worker.terminate(); }));
}
