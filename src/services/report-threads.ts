/**
 * Reports rendered off the server's event loop. Building the report model (many queries; on SQLite
 * every query runs synchronously on the calling thread) and writing a .docx (CPU-bound XML and zip
 * work) take long enough that, done on the server's thread, every other request waits behind them. With a database another thread can open (a SQLite file, PostgreSQL) they run in a
 * small pool of worker threads, each with its own connection; the server's thread only passes the
 * finished file on. Jobs beyond the pool's size wait their turn, so a burst of downloads or previews
 * takes at most `size` cores and never the server's own.
 *
 * Threads start on the first report and stop after a while without one. An in-memory database
 * (tests) cannot be opened from another thread: there the report is rendered in the caller's thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AppendixMode } from '../reports/render-docx.ts';
import type { Store, StoreConfig } from '../store/db.ts';
import { DomainError, notFound } from './errors.ts';
import type { Actor } from './scope.ts';

/**
 * The Word report, its figure-sources annex (Word), the HTML preview fragment, Markdown; or the Word
 * report without sources followed by its annex, built from one report model (`renderFiles` only);
 * or the county-year's ledgers as an Excel workbook (`ledgers`, one ledger with `ledger`); or the
 * early warnings of a unit as of a day (`warnings`, JSON text, with `asOf`).
 */
export type ReportKind = 'docx' | 'annex' | 'html' | 'md' | 'docx+annex' | 'ledgers' | 'warnings';

export interface ReportRequest {
  actor: Actor;
  unit: string;
  year: number;
  kind: ReportKind;
  appendix?: AppendixMode;
  /** For `ledgers`: only this ledger. */
  ledger?: string;
  /** For `warnings`: the day they are computed as of. */
  asOf?: string;
}

/** Builds the report and renders it in this thread (text formats as UTF-8). Renderers load on first use. */
export async function renderReportHere(store: Store, r: ReportRequest): Promise<Buffer> {
  return (await renderFilesHere(store, r))[0]!;
}

/**
 * The files of one report request, rendered in this thread: one file, or for 'docx+annex' the Word
 * report and then its annex (absent when the report has no figures to list sources for).
 */
export async function renderFilesHere(store: Store, r: ReportRequest): Promise<Buffer[]> {
  if (r.kind === 'warnings') {
    const { computeWarnings } = await import('./warnings.ts');
    return [Buffer.from(JSON.stringify(await computeWarnings(store, r.actor, r.unit, r.asOf ?? `${r.year}-12-31`)), 'utf8')];
  }
  if (r.kind === 'ledgers') {
    const { exportLedgersBuffer } = await import('./exports.ts');
    return [await exportLedgersBuffer(store, r.actor, { counties: [r.unit], year: r.year, ...(r.ledger ? { ledgers: [r.ledger] } : {}) })];
  }
  const { buildReport } = await import('./reports.ts');
  const model = await buildReport(store, r.actor, r.unit, r.year);
  switch (r.kind) {
    case 'html': return [Buffer.from((await import('../reports/render-html.ts')).renderHtml(model, { standalone: false }), 'utf8')];
    case 'md': return [Buffer.from((await import('../reports/render-markdown.ts')).renderMarkdown(model), 'utf8')];
    case 'docx': return [await (await import('../reports/render-docx.ts')).renderDocx(model, { appendix: r.appendix ?? 'annex' })];
    case 'annex': {
      const annex = await (await import('../reports/render-docx.ts')).renderDocxAnnex(model);
      if (!annex) throw notFound('该报告没有可列出来源的数字', 'the report has no figures to list sources for');
      return [annex];
    }
    case 'docx+annex': {
      const { renderDocx, renderDocxAnnex } = await import('../reports/render-docx.ts');
      const annex = await renderDocxAnnex(model);
      return [await renderDocx(model, { appendix: 'none' }), ...(annex ? [annex] : [])];
    }
  }
}

/**
 * Worker threads for Word reports: XIEZUO_REPORT_THREADS, default one less than the cores (at least
 * 1, at most 4); 0 renders on the server's own thread.
 */
export function reportThreads(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.XIEZUO_REPORT_THREADS);
  if (env.XIEZUO_REPORT_THREADS && Number.isInteger(n) && n >= 0) return Math.min(n, 16);
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** How long an idle report thread is kept. */
const IDLE_MS = 2 * 60 * 1000;

type Reply =
  | { id: number; data: Uint8Array[] }
  | { id: number; error: { name?: string; code?: string; zh?: string; en?: string; message: string } };

interface Job { id: number; request: ReportRequest; resolve: (b: Buffer[]) => void; reject: (e: Error) => void }
interface Thread { worker: Worker; job?: Job; idle?: NodeJS.Timeout }

/** A bounded pool of report threads for one server. */
export class ReportPool {
  private threads = new Set<Thread>();
  private queue: Job[] = [];
  private next = 1;
  private closed = false;

  constructor(private readonly config: StoreConfig | undefined, readonly size: number = reportThreads()) {}

  /** Whether this pool's database can be opened from another thread. */
  get offThread(): boolean {
    return this.size > 0 && !!this.config && !(this.config.engine === 'sqlite' && this.config.file === ':memory:');
  }

  /** Renders a report; same result and errors as `renderReportHere`. */
  async render(store: Store, request: ReportRequest): Promise<Buffer> {
    return (await this.renderFiles(store, request))[0]!;
  }

  /** Renders the files of a report request; same result and errors as `renderFilesHere`. */
  renderFiles(store: Store, request: ReportRequest): Promise<Buffer[]> {
    if (!this.offThread || this.closed) return renderFilesHere(store, request);
    return new Promise<Buffer[]>((resolve, reject) => {
      this.queue.push({ id: this.next++, request, resolve, reject });
      this.pump();
    });
  }

  /** Jobs waiting for a thread, and threads at work: for the health page and benchmarks. */
  get load(): { waiting: number; busy: number; threads: number } {
    return { waiting: this.queue.length, busy: [...this.threads].filter((t) => t.job).length, threads: this.threads.size };
  }

  private pump(): void {
    while (this.queue.length) {
      let t = [...this.threads].find((x) => !x.job);
      if (!t) {
        if (this.threads.size >= this.size) return;
        t = this.start();
      }
      const job = this.queue.shift()!;
      clearTimeout(t.idle);
      t.worker.ref();
      t.job = job;
      t.worker.postMessage({ id: job.id, config: this.config, request: job.request });
    }
  }

  private start(): Thread {
    const worker = new Worker(new URL('./report-worker.mjs', import.meta.url));
    const t: Thread = { worker };
    this.threads.add(t);
    const fail = (e: Error) => {
      if (!this.threads.delete(t)) return;
      clearTimeout(t.idle);
      t.job?.reject(e);
      t.job = undefined;
      this.pump();
    };
    worker.on('message', (m: Reply) => {
      const job = t.job;
      if (!job || job.id !== m.id) return;
      t.job = undefined;
      if ('data' in m) job.resolve(m.data.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength)));
      else {
        const e = m.error;
        // Any domain refusal (its subclasses too, e.g. a year without configuration) keeps its code and both languages.
        job.reject(e.code && e.zh !== undefined && e.en !== undefined ? new DomainError(e.code as DomainError['code'], e.zh, e.en) : new Error(e.message));
      }
      if (this.queue.length) this.pump();
      else this.rest(t);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the report thread stopped (exit ${code})`)));
    return t;
  }

  /** Lets the process exit while no report is rendered, and stops the thread after a while without one. */
  private rest(t: Thread): void {
    t.worker.unref();
    clearTimeout(t.idle);
    t.idle = setTimeout(() => { this.threads.delete(t); void t.worker.terminate(); }, IDLE_MS);
    t.idle.unref();
  }

  /** Stops every thread; reports being rendered are refused, later ones render in the caller's thread. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.threads];
    this.threads.clear();
    const stopped = new Error('the server is stopping');
    for (const j of this.queue.splice(0)) j.reject(stopped);
    await Promise.all(all.map((t) => { clearTimeout(t.idle); t.job?.reject(stopped); return t.worker.terminate(); }));
  }
}
