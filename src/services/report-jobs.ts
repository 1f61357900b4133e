/**
 * Every county's report of a prefecture, province or eastern partner as one zip file, built in the
 * background while the page (or the command line) follows its progress.
 *
 * A job is checked as a whole when it starts (the unit is one the actor may read, some county under
 * it holds data): refused at once, before any job exists. Then each county's report is rendered
 * through the server's report threads, as many at a time as the pool has threads, so a national zip
 * takes the pool's cores and never the server's event loop; a county whose report fails is listed
 * (in the job and in the zip) and the others go on.
 *
 * Finished reports are written to a temporary folder as they arrive and the zip is streamed from
 * there into a temporary file: a national zip (about 900 reports, tens of megabytes) is never held
 * in memory, whatever the number of jobs, and is sent from disk. Jobs live in this process's memory,
 * each visible only to the user who started it; at most `perServer` run at once per server and
 * `perUser` per user, and a finished job (with its file) is forgotten after `keepMs`.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AppendixMode } from '../reports/render-docx.ts';
import { countiesHoldingData, type CountySet, pairedCounties, unitNames } from '../store/batch-aggregate.ts';
import type { Store } from '../store/db.ts';
import { conflict, DomainError, forbidden, invalid, notFound } from './errors.ts';
import type { ReportPool, ReportRequest } from './report-threads.ts';
import { type Actor, canRead } from './scope.ts';

export type ZipFormat = 'docx' | 'md' | 'html';

export interface ReportJobRequest {
  /** A province (2 digits), prefecture (4), county (6), an eastern partner's code, or '' for the nation. */
  unit: string;
  year: number;
  format: ZipFormat;
  /** For Word: the figure sources as a separate annex file per county (default), at the end, or not at all. */
  appendix: AppendixMode;
}

export interface CountyFailure { code: string; name: string; zh: string; en: string }

export interface ReportJob {
  id: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  unit: string;
  unitName: string;
  year: number;
  format: ZipFormat;
  appendix: AppendixMode;
  /** Counties in the zip, and how many of them are finished (rendered or failed). */
  total: number;
  done: number;
  /** Counties being rendered now. */
  current: Array<{ code: string; name: string }>;
  failures: CountyFailure[];
  startedAt: string;
  finishedAt: string | null;
  /** Seconds still needed, from the pace so far; null before the first county is finished and once the job ends. */
  etaSeconds: number | null;
  /** The file's name for download and its size in bytes, once done. */
  filename: string;
  size: number | null;
  /** Why the job as a whole failed. */
  error: { code: string; zh: string; en: string } | null;
}

export interface ReportJobLimits {
  /** Jobs running at once on this server, and per user. */
  perServer: number;
  perUser: number;
  /** How long a finished job and its file are kept. */
  keepMs: number;
}

export const DEFAULT_LIMITS: ReportJobLimits = { perServer: 3, perUser: 2, keepMs: 30 * 60 * 1000 };

/** Called as each county is finished: by the command line for its progress lines. */
export type CountyDone = (job: Readonly<ReportJob>, county: { code: string; name: string; failure?: CountyFailure }) => void;

interface Entry {
  owner: string;
  job: ReportJob;
  dir: string | null;
  file: string | null;
  ended: number;
  cancelled: boolean;
  finished: Promise<void>;
}

/** The name of the zip of every report of a unit-year. */
const zipName = (unit: string, unitName: string, year: number) => `${unit || '全国'}-${unitName}-${year}-各县自评报告.zip`;
/** The name of the list of reports that could not be written, inside the zip (present only when one failed). */
export const FAILURES_FILE = '未能生成的报告-failed.txt';

/**
 * Whether the actor may ask for the reports of a unit: an administrator for any unit; anyone for a
 * unit inside their own units (a province user for its prefectures, a county user for its own county,
 * an eastern user for its own district); and a single county the actor may read (an eastern user's
 * paired county). A token limited to one county may ask only for that county.
 */
async function mayAsk(store: Store, actor: Actor, unit: string): Promise<boolean> {
  if (actor.onlyCounty !== undefined) return unit === actor.onlyCounty;
  if (actor.role === 'admin') return true;
  if (unit !== '' && actor.units.some((u) => unit.startsWith(u))) return true;
  return unit.length === 6 && canRead(store, actor, unit);
}

/**
 * The counties of a unit that hold data for the year and that the actor may read, in code order,
 * with their names. A code some cooperation pair names on its eastern side (a district, or the city
 * or province above it) means the western counties paired with it in the year; any other code means the
 * counties it prefixes. Refused (Forbidden, NotFound) as a whole.
 */
export async function countiesForJob(store: Store, actor: Actor, unit: string, year: number): Promise<Array<{ code: string; name: string }>> {
  if (!/^(\d{2}|\d{4}|\d{6})?$/.test(unit)) throw invalid('单位代码应为2、4或6位数字', 'a unit code has 2, 4 or 6 digits');
  if (!(await mayAsk(store, actor, unit))) throw forbidden('无权查看该单位各县的报告', 'not allowed to read the reports of this unit');
  let set: CountySet;
  if (unit === '') set = { kind: 'all' };
  else {
    const paired = await pairedCounties(store, unit, year);
    set = paired.length ? { kind: 'codes', codes: paired } : unit.length === 6 ? { kind: 'codes', codes: [unit] } : { kind: 'prefix', prefix: unit };
  }
  const readable: string[] = [];
  for (const c of await countiesHoldingData(store, set, year)) if (await canRead(store, actor, c)) readable.push(c);
  if (!readable.length) throw notFound(`${unit || '全国'}所辖各县${year}年都没有数据`, `no county under ${unit || 'the nation'} has data for ${year}`);
  const names = await unitNames(store, readable);
  return readable.map((code) => ({ code, name: names.get(code) ?? code }));
}

/** What a zip job needs of a report pool. */
export type Renderer = Pick<ReportPool, 'renderFiles' | 'offThread' | 'size'>;

/** The background zip jobs of one server (or one command-line run), rendering through its report pool. */
export class ReportJobs {
  private jobs = new Map<string, Entry>();
  private closed = false;

  constructor(private readonly store: Store, private readonly pool: Renderer, private readonly limits: ReportJobLimits = DEFAULT_LIMITS) {}

  /**
   * Starts a zip of every county's report under the unit. Throws a DomainError at once when refused
   * (not allowed, no data, too many jobs running); otherwise returns the running job.
   */
  async start(actor: Actor, req: ReportJobRequest, onCounty?: CountyDone): Promise<ReportJob> {
    if (this.closed) throw conflict('服务正在停止', 'the server is stopping');
    this.prune(Date.now());
    const counties = await countiesForJob(this.store, actor, req.unit, req.year);
    const running = [...this.jobs.values()].filter((e) => e.job.state === 'running');
    if (running.filter((e) => e.owner === actor.id).length >= this.limits.perUser)
      throw conflict(`您已有${this.limits.perUser}个报告打包任务在进行，请等它完成或取消后再试`, `you already have ${this.limits.perUser} report zip job(s) running; wait for it to finish or cancel it`);
    if (running.length >= this.limits.perServer)
      throw conflict('正在进行的报告打包任务过多，请稍后再试', 'too many report zip jobs are running on this server; try again later');
    const unitName = req.unit === '' ? '全国' : (await unitNames(this.store, [req.unit])).get(req.unit) ?? req.unit;
    const now = Date.now();
    const job: ReportJob = {
      id: randomUUID(), state: 'running', unit: req.unit, unitName, year: req.year, format: req.format, appendix: req.appendix,
      total: counties.length, done: 0, current: [], failures: [], startedAt: new Date(now).toISOString(), finishedAt: null,
      etaSeconds: null, filename: zipName(req.unit, unitName, req.year), size: null, error: null,
    };
    const entry: Entry = { owner: actor.id, job, dir: null, file: null, ended: 0, cancelled: false, finished: Promise.resolve() };
    this.jobs.set(job.id, entry);
    entry.finished = this.run(entry, actor, req, counties, now, onCounty).catch(async (e: unknown) => {
      if (entry.cancelled) return;
      job.error = e instanceof DomainError ? { code: e.code, zh: e.zh, en: e.en }
        : { code: 'INTERNAL', zh: '打包报告时发生内部错误', en: 'an internal error stopped the zip' };
      await this.discard(entry);
      this.end(entry, 'failed');
    });
    return job;
  }

  /**
   * A job of the actor's. Someone else's job is forbidden: it lists another person's counties.
   * (Job ids are random UUIDs, so telling "forbidden" from "not found" gives nothing away.)
   */
  get(actor: Actor, id: string): ReportJob {
    return this.entry(actor, id).job;
  }

  /** Resolves with the job once it has ended (done, failed or cancelled). */
  async wait(actor: Actor, id: string): Promise<ReportJob> {
    const e = this.entry(actor, id);
    await e.finished;
    return e.job;
  }

  /** The finished zip of a job of the actor's: Conflict while it runs or when it did not finish. */
  zip(actor: Actor, id: string): { path: string; filename: string; size: number } {
    const e = this.entry(actor, id);
    if (e.job.state !== 'done' || !e.file) {
      throw e.job.state === 'running'
        ? conflict(`报告还在生成中（${e.job.done}/${e.job.total}）`, `the reports are still being written (${e.job.done}/${e.job.total})`)
        : conflict('该任务没有完成，没有可下载的文件', 'this job did not finish; there is no file to download');
    }
    return { path: e.file, filename: e.job.filename, size: e.job.size ?? 0 };
  }

  /**
   * Cancels a running job (reports being rendered finish, none is started after) or discards a
   * finished one; either way its files are deleted. Returns the job as it ends.
   */
  async cancel(actor: Actor, id: string): Promise<ReportJob> {
    const e = this.entry(actor, id);
    if (e.job.state === 'running') {
      e.cancelled = true;
      e.job.current = [];
      this.end(e, 'cancelled');
      await e.finished;
    } else this.jobs.delete(id);
    await this.discard(e);
    return e.job;
  }

  /** Resolves once no job is running. */
  async idle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((e) => e.finished));
  }

  /** Cancels every running job and deletes every file; later starts are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.jobs.values()];
    for (const e of all) if (e.job.state === 'running') { e.cancelled = true; this.end(e, 'cancelled'); }
    await Promise.all(all.map((e) => e.finished));
    await Promise.all(all.map((e) => this.discard(e)));
    this.jobs.clear();
  }

  private entry(actor: Actor, id: string): Entry {
    this.prune(Date.now());
    const e = this.jobs.get(id);
    if (!e) throw notFound('没有这个报告打包任务', 'no such report zip job');
    if (e.owner !== actor.id) throw forbidden('这个报告打包任务不是您发起的', 'this report zip job was started by someone else');
    return e;
  }

  private end(e: Entry, state: Exclude<ReportJob['state'], 'running'>): void {
    if (e.job.state !== 'running') return;
    e.job.state = state;
    e.job.etaSeconds = null;
    e.ended = Date.now();
    e.job.finishedAt = new Date(e.ended).toISOString();
  }

  private prune(now: number): void {
    for (const [id, e] of this.jobs) {
      if (e.job.state === 'running' || now - e.ended <= this.limits.keepMs) continue;
      this.jobs.delete(id);
      void this.discard(e);
    }
  }

  private async discard(e: Entry): Promise<void> {
    const dir = e.dir;
    e.dir = null;
    e.file = null;
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  private async run(e: Entry, actor: Actor, req: ReportJobRequest, counties: Array<{ code: string; name: string }>, started: number, onCounty?: CountyDone): Promise<void> {
    const job = e.job;
    const dir = await mkdtemp(join(tmpdir(), 'xiezuo-reports-'));
    e.dir = dir;
    if (e.cancelled) return void (await this.discard(e));
    const annexApart = req.format === 'docx' && req.appendix === 'annex';
    const request = (code: string): ReportRequest => ({
      actor, unit: code, year: req.year,
      kind: annexApart ? 'docx+annex' : req.format,
      ...(req.format === 'docx' && { appendix: req.appendix }),
    });
    // The files of each county, by position, written to the folder as they arrive.
    const files: Array<Array<{ name: string; path: string }>> = counties.map(() => []);
    const failed = new Map<number, CountyFailure>();
    let next = 0;
    const one = async (i: number) => {
      const c = counties[i]!;
      job.current.push(c);
      let failure: CountyFailure | undefined;
      try {
        const out = await this.pool.renderFiles(this.store, request(c.code));
        if (e.cancelled) return;
        const names = [`${c.code}-${c.name}.${req.format}`, ...(annexApart ? [`${c.code}-${c.name}（数据来源附件）.docx`] : [])];
        for (const [k, data] of out.entries()) {
          const path = join(dir, `${i}-${k}`);
          await writeFile(path, data);
          files[i]!.push({ name: names[k]!, path });
        }
      } catch (err) {
        if (e.cancelled) return;
        const d = err instanceof DomainError ? err : null;
        failure = { code: c.code, name: c.name, zh: d?.zh ?? '生成报告时发生内部错误', en: d?.en ?? 'an internal error stopped this report' };
        failed.set(i, failure);
        job.failures.push(failure);
      } finally {
        job.current = job.current.filter((x) => x !== c);
      }
      job.done++;
      const perCounty = (Date.now() - started) / job.done;
      job.etaSeconds = Math.round((perCounty * (job.total - job.done)) / 1000);
      onCounty?.(job, failure ? { ...c, failure } : c);
    };
    // As many reports at a time as the pool has threads: the pool's queue stays short, so a single
    // report asked for meanwhile waits for one report, not for the whole zip.
    const width = this.pool.offThread ? Math.max(1, this.pool.size) : 1;
    await Promise.all(Array.from({ length: Math.min(width, counties.length) }, async () => {
      while (!e.cancelled && next < counties.length) await one(next++);
    }));
    if (e.cancelled) return void (await this.discard(e));
    if (failed.size === counties.length) {
      const f = job.failures[0]!;
      throw new DomainError('CONFLICT', `没有一个县的报告生成成功（例如${f.name}：${f.zh}）`, `no county's report could be written (e.g. ${f.code}: ${f.en})`);
    }
    job.failures.sort((a, b) => a.code.localeCompare(b.code));
    job.etaSeconds = 0;
    const { default: JSZip } = await import('jszip');
    const zip = new JSZip();
    // Word files are zips already: stored as they are rather than compressed again.
    const compression = req.format === 'docx' ? 'STORE' : 'DEFLATE';
    for (const list of files) for (const f of list) zip.file(f.name, createReadStream(f.path), { binary: true, compression });
    if (failed.size) zip.file(FAILURES_FILE, failureList(job, [...failed.values()]), { compression: 'DEFLATE' });
    const file = join(dir, 'reports.zip');
    await pipeline(zip.generateNodeStream({ type: 'nodebuffer', streamFiles: true }), createWriteStream(file));
    if (e.cancelled) return void (await this.discard(e));
    e.file = file;
    job.size = (await stat(file)).size;
    this.end(e, 'done');
  }
}

/** The text listing the counties whose report is missing from the zip, and why (CRLF so that Notepad shows its lines). */
function failureList(job: ReportJob, failures: CountyFailure[]): string {
  const lines = [
    `${job.unitName}（${job.unit || '全国'}）${job.year}年：${job.total}个县中${failures.length}个县的报告未能生成 / ${failures.length} of ${job.total} reports could not be written`,
    '',
    ...failures.sort((a, b) => a.code.localeCompare(b.code)).map((f) => `${f.code}\t${f.name}\t${f.zh} / ${f.en}`),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
