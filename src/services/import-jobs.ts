/**
 * Imports as background jobs, so that the import page can show progress: an upload is checked as a
 * whole at once (permission, types, sizes: refused with a clear error before any job exists), then
 * imported while the page asks for the rows read so far. Jobs live in this process's memory; each
 * is visible only to the user who started it and is forgotten some time after it ends.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/db.ts';
import { DomainError, forbidden, notFound } from './errors.ts';
import { checkUploads, type ImportRequest, importUploads, type UploadOutcome } from './imports.ts';
import type { Actor } from './scope.ts';

export interface ImportJob {
  id: string;
  state: 'running' | 'done' | 'failed';
  county: string;
  year: number;
  dryRun: boolean;
  /** Data rows read so far. */
  rows: number;
  startedAt: string;
  finishedAt: string | null;
  result: UploadOutcome | null;
  /** Why the import was refused as a whole (a failed job). */
  error: { code: string; zh: string; en: string } | null;
}

/** How long a finished job stays readable, and how many jobs are kept. */
const KEEP_MS = 30 * 60 * 1000;
const MAX_JOBS = 200;

const jobs = new Map<string, { owner: string; job: ImportJob; ended: number }>();

function prune(now: number): void {
  for (const [id, j] of jobs) if (j.job.state !== 'running' && now - j.ended > KEEP_MS) jobs.delete(id);
  while (jobs.size >= MAX_JOBS) {
    const oldest = [...jobs].find(([, j]) => j.job.state !== 'running');
    if (!oldest) break;
    jobs.delete(oldest[0]);
  }
}

/**
 * Starts an import of uploaded files. Throws a DomainError at once when the upload is refused as a
 * whole; otherwise returns the running job.
 */
export function startImportJob(store: Store, actor: Actor, uploads: ReadonlyArray<{ name: string; data: Buffer }>, req: Omit<ImportRequest, 'annotateDir' | 'onProgress'>): ImportJob {
  checkUploads(actor, uploads, req.county);
  const now = Date.now();
  prune(now);
  if (jobs.size >= MAX_JOBS) throw new DomainError('CONFLICT', '正在进行的导入过多，请稍后再试', 'too many imports are running; try again later');
  const job: ImportJob = {
    id: randomUUID(), state: 'running', county: req.county, year: req.year, dryRun: !!req.dryRun, rows: 0,
    startedAt: new Date(now).toISOString(), finishedAt: null, result: null, error: null,
  };
  const entry = { owner: actor.id, job, ended: 0 };
  jobs.set(job.id, entry);
  const end = (state: ImportJob['state']) => {
    job.state = state;
    entry.ended = Date.now();
    job.finishedAt = new Date(entry.ended).toISOString();
  };
  importUploads(store, actor, uploads, { ...req, onProgress: (rows) => { job.rows = rows; } })
    .then((r) => { job.result = r; job.rows = r.rows; end('done'); })
    .catch((e: unknown) => {
      job.error = e instanceof DomainError ? { code: e.code, zh: e.zh, en: e.en }
        : { code: 'INTERNAL', zh: '导入时发生内部错误，未写入任何数据', en: 'an internal error stopped the import; nothing was written' };
      end('failed');
    });
  return job;
}

/**
 * A job of the actor's. Someone else's job is forbidden: its result holds the problems found in
 * another person's files. (Job ids are random UUIDs, so telling "forbidden" from "not found" gives
 * nothing away.)
 */
export function importJob(actor: Actor, id: string): ImportJob {
  const j = jobs.get(id);
  if (!j) throw notFound('没有这个导入任务', 'no such import job');
  if (j.owner !== actor.id) throw forbidden('这个导入任务不是您发起的', 'this import job was started by someone else');
  return j.job;
}
