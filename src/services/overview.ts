/**
 * The national (or province, or partner) ranking of counties by targets met, and the roll-up of a
 * prefecture or province (its counties' figures added up), computed off the request path. With a database another thread can open (a SQLite file, PostgreSQL) the work runs
 * in a worker thread with its own connection, so the server keeps answering while hundreds of
 * counties are evaluated; results are cached per (caller's scope, year) under the year's data
 * version and recomputed as soon as anything for the year is written.
 */
import { Worker } from 'node:worker_threads';
import { catalogueFor } from './catalogue.ts';
import { indicatorsForCounties, rankCounties, type RankRow, rollUpIndicatorsAndRules, rollUpKey, rollUpVersion, UNIT_VIEWS_KEPT, type UnitScope } from './indicator-sets.ts';
import { indicatorsJson } from './indicator-view.ts';
import { DomainError, invalid } from './errors.ts';
import { type Actor, assertRead, assertReadRollUp, SYSTEM } from './scope.ts';
import { countiesWithData, dataVersion, latestYearWithData, targetsOfYear } from '../store/batch-aggregate.ts';
import { isWholeYear, type Period, periodKey, WHOLE_YEAR } from '../domain/period.ts';
import type { Store, StoreConfig } from '../store/db.ts';

export interface OverviewRow {
  code: string;
  name: string;
  met: number;
  missed: number;
  withTarget: number;
  disbursementRate: number | null;
  rank: number;
  /**
   * For a period to date only (never for the whole year, whose answer is unchanged): of the targets
   * whose share can be worked out (`toDate.ofTarget`: counts and sums to reach), how many stand at or
   * above the share of the year elapsed (`onPace`) and how many below it (`behind`); `paced` is their sum.
   */
  onPace?: number;
  behind?: number;
  paced?: number;
}

export interface Overview {
  rows: OverviewRow[];
  /** The data version the rows were computed for. */
  version: string;
  computedAt: string;
  cached: boolean;
}

/**
 * Computes the ranking in this thread: only indicators with a target (and the disbursement rate) are
 * evaluated. For the whole year counties are ranked by the share of their targets met; for a period
 * to date, when no target is judged yet, by the share of targets whose figure keeps pace with the
 * part of the year gone (the year's target spread evenly over its days), then by the disbursement
 * rate to date.
 */
export async function computeOverview(store: Store, actor: Actor, year: number, opts: { period?: Period; onProgress?: (done: number, total: number) => void } = {}): Promise<OverviewRow[]> {
  const { period = WHOLE_YEAR, onProgress } = opts;
  const cat = catalogueFor(year);
  const ids = [...new Set([...(await targetsOfYear(store, year)).map((t) => t.indicator), 'funds.disbursement_rate'])].filter((id) => cat.byId.has(id));
  const rows = await indicatorsForCounties(store, actor, { unit: '' }, year, { ids, onProgress, period, keep: true });
  const toDate = !isWholeYear(period);
  const out = rows.map((r): OverviewRow => {
    const met = r.indicators.filter((i) => i.status === 'met').length;
    const missed = r.indicators.filter((i) => i.status === 'missed').length;
    const row: OverviewRow = { code: r.code, name: r.name, met, missed, withTarget: met + missed, disbursementRate: r.indicators.find((i) => i.id === 'funds.disbursement_rate')?.raw ?? null, rank: 0 };
    if (!toDate) return row;
    const shares = r.indicators.flatMap((i) => (i.toDate?.onPace == null ? [] : [i.toDate.onPace]));
    const onPace = shares.filter(Boolean).length;
    return { ...row, onPace, behind: shares.length - onPace, paced: shares.length };
  });
  const share = (c: OverviewRow) => (toDate ? (c.paced ? c.onPace! / c.paced : 0) : c.withTarget ? c.met / c.withTarget : 0);
  out.sort((a, b) => share(b) - share(a) || (b.disbursementRate ?? 0) - (a.disbursementRate ?? 0) || a.code.localeCompare(b.code));
  return out.map((c, i) => ({ ...c, rank: i + 1 }));
}

/**
 * A roll-up's indicators and rules (the nation, a province or prefecture, an eastern unit's paired
 * counties; for the whole year or a period to date) as the API's JSON text (see indicatorsJson),
 * computed in this thread.
 */
export async function computeUnitView(store: Store, actor: Actor, scope: UnitScope, year: number, period: Period = WHOLE_YEAR): Promise<string> {
  return indicatorsJson(await rollUpIndicatorsAndRules(store, actor, scope, year, period), catalogueFor(year, 'unit' in scope ? scope.unit : scope.east, store));
}

/** A ranking of counties by one indicator: under a division ('' for the nation), highest first unless ascending. */
export interface RankTask { indicator: string; unit: string; ascending: boolean }

/** Counties ranked by one indicator, computed in this thread (the counties' figures kept for the next ranking). */
export function computeRanking(store: Store, actor: Actor, year: number, task: RankTask, period: Period = WHOLE_YEAR): Promise<RankRow[]> {
  return rankCounties(store, actor, { unit: task.unit }, year, task.indicator, { ascending: task.ascending, period, keep: true });
}

/**
 * What the thread is asked: the ranking of a year by targets met, one unit's roll-up, or a ranking
 * by one indicator (each for a period; the whole year when absent).
 */
export type ViewTask = { year: number; unit?: undefined; rank?: undefined; period?: Period } | { year: number; unit: UnitScope; rank?: undefined; period?: Period }
  | { year: number; unit?: undefined; rank: RankTask; period?: Period };

type Reply = { id: number; progress: [number, number] } | { id: number; rows: OverviewRow[] } | { id: number; text: string } | { id: number; ranked: RankRow[] }
  | { id: number; error: { message: string; zh?: string; en?: string; code?: string } };

/** Counties ranked by one indicator, as answered: which indicator, in which order, and the rows. */
export interface Ranking { indicator: string; ascending: boolean; unit: string; rows: RankRow[]; version: string; cached: boolean }

/** Progress of a running computation, for whoever wants to show it. */
export interface JobProgress { year: number; done: number; total: number; startedAt: string }

/**
 * How many province views the server computes ahead after it starts listening, after the national
 * ranking: XIEZUO_WARM_VIEWS, default half of the views the thread keeps (UNIT_VIEWS_KEPT), so what
 * callers then ask for still fits; 0 computes nothing ahead, the ranking neither.
 */
export function warmViewsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.XIEZUO_WARM_VIEWS);
  if (env.XIEZUO_WARM_VIEWS && Number.isInteger(n) && n >= 0) return Math.min(n, UNIT_VIEWS_KEPT);
  return Math.floor(UNIT_VIEWS_KEPT / 2);
}

/** What decides which counties a caller may read: callers alike in it share cached answers (a token limited to one county is not alike its user). */
const scopeKey = (actor: Actor): string => `${actor.role}|${[...actor.units].sort().join(',')}|${actor.onlyCounty ?? ''}`;

/** What the server computed ahead after it started: for which year, the national ranking or not, and which provinces' views. */
export interface Ahead { year: number | null; ranking: boolean; units: string[] }

/** Ranking service of one server: a long-lived worker thread, an in-flight map and a cache. */
export class OverviewService {
  private worker?: Worker;
  private next = 1;
  private waiting = new Map<number, { resolve: (r: OverviewRow[] | string | RankRow[]) => void; reject: (e: Error) => void; progress: JobProgress }>();
  private inflight = new Map<string, Promise<Overview>>();
  private cache = new Map<string, Overview>();
  private units = new Map<string, { version: string; text: Promise<string> }>();
  private rankings = new Map<string, { version: string; rows: Promise<RankRow[]> }>();

  private closed = false;
  private sent = 0;
  /** The last computation ahead started (warmUp), for whoever waits for it. */
  ahead?: Promise<Ahead>;

  constructor(private readonly store: Store) {}

  /** Computations handed to the view thread since the service started (a cached answer sends none). */
  get computations(): number {
    return this.sent;
  }

  /** True when the work runs in a worker thread (the database can be opened from another thread). */
  get threaded(): boolean {
    const c = this.store.config;
    return Boolean(c && (c.engine === 'postgres' || c.file !== ':memory:'));
  }

  /** Computations under way. */
  jobs(): JobProgress[] {
    return [...this.waiting.values()].map((w) => w.progress);
  }

  /** The ranking for the caller's scope (for the year or a period to date); cached until anything for the year is written. */
  async get(actor: Actor, year: number, period: Period = WHOLE_YEAR): Promise<Overview> {
    const version = await dataVersion(this.store, year);
    const key = `${scopeKey(actor)}|${year}|${periodKey(period)}`;
    const hit = this.cache.get(key);
    if (hit && hit.version === version) return { ...hit, cached: true };
    const flight = `${key}|${version}`;
    if (!this.inflight.has(flight)) {
      const p = (async () => {
        const rows = this.threaded ? await this.inWorker(actor, { year, period }) as OverviewRow[] : await computeOverview(this.store, actor, year, { period });
        const o: Overview = { rows, version, computedAt: new Date().toISOString(), cached: false };
        this.cache.set(key, o);
        return o;
      })().finally(() => this.inflight.delete(flight));
      this.inflight.set(flight, p);
    }
    return this.inflight.get(flight)!;
  }

  /**
   * A roll-up's indicators and rules as the API's JSON text (the nation, a prefecture or province,
   * an eastern unit's paired counties), kept until anything under the unit (or above it, or in a
   * year its figures read) is written, or an eastern unit's pairs change. The first request after a
   * change waits for the thread; the server's own thread only checks the version.
   */
  async unitView(actor: Actor, scope: UnitScope, year: number, period: Period = WHOLE_YEAR): Promise<string> {
    await assertReadRollUp(this.store, actor, scope);
    const version = await rollUpVersion(this.store, scope, year);
    const key = `${rollUpKey(scope)}@${year}@${periodKey(period)}`;
    const hit = this.units.get(key);
    if (hit && hit.version === version) return hit.text;
    const text = this.threaded ? this.inWorker(actor, { year, unit: scope, period }) as Promise<string> : computeUnitView(this.store, actor, scope, year, period);
    this.units.set(key, { version, text });
    text.catch(() => { if (this.units.get(key)?.text === text) this.units.delete(key); });
    return text;
  }

  /**
   * The caller's counties (under `unit`, '' for all it may read) ranked by one indicator, for the
   * year or a period to date; kept until anything for the year is written. After a write, the
   * thread evaluates again only the counties written to.
   */
  async ranking(actor: Actor, year: number, indicator: string, opts: { unit?: string; ascending?: boolean; period?: Period } = {}): Promise<Ranking> {
    const { unit = '', ascending = false, period = WHOLE_YEAR } = opts;
    if (!/^(\d{2}|\d{4})?$/.test(unit)) throw invalid('地区代码应为空、2位（省）或4位（市州）数字', 'a unit code is empty, 2 digits (province) or 4 (prefecture)');
    if (!catalogueFor(year, unit || undefined, this.store).byId.has(indicator))
      throw invalid(`${unit ? `${unit} 的` : '全国'}指标目录中没有 ${indicator}（地区自设的指标请在设定它的省或市州内排名）`,
        `${indicator} is not in the ${unit ? `catalogue of ${unit}` : 'national catalogue'} (rank a unit's own indicator within the province or prefecture that defined it)`);
    if (unit) await assertRead(this.store, actor, unit);
    const version = await dataVersion(this.store, year);
    const task: RankTask = { indicator, unit, ascending };
    const key = `${scopeKey(actor)}|${year}|${periodKey(period)}|${unit}|${indicator}|${ascending ? 'asc' : 'desc'}`;
    const hit = this.rankings.get(key);
    const answer = async (rows: Promise<RankRow[]>, cached: boolean): Promise<Ranking> => ({ indicator, ascending, unit, rows: await rows, version, cached });
    if (hit && hit.version === version) return answer(hit.rows, true);
    const rows = this.threaded ? this.inWorker(actor, { year, rank: task, period }) as Promise<RankRow[]> : computeRanking(this.store, actor, year, task, period);
    this.rankings.set(key, { version, rows });
    rows.catch(() => { if (this.rankings.get(key)?.rows === rows) this.rankings.delete(key); });
    // Rankings by many indicators and scopes: the most recent few are kept.
    for (const k of this.rankings.keys()) { if (this.rankings.size <= 64) break; this.rankings.delete(k); }
    return answer(rows, false);
  }

  /**
   * Computes ahead, in the view thread and one after another, the year's national ranking and then
   * the whole-year views of the provinces with the most counties holding data, for the latest year
   * with data, so that the first person to open one after the server starts is answered from what
   * was kept instead of waiting for every county to be read. The ranking's county figures are kept
   * in the thread for every caller: a province office's ranking of its own counties comes from them
   * too. Only where the work runs in a thread (the server's own thread never does it); stops when
   * the service closes. Answers the year, whether the ranking was computed, and the provinces.
   */
  warmUp(limit = warmViewsFromEnv()): Promise<Ahead> {
    this.ahead = this.computeAhead(limit);
    return this.ahead;
  }

  private async computeAhead(limit: number): Promise<Ahead> {
    if (!this.threaded || limit <= 0) return { year: null, ranking: false, units: [] };
    const year = await latestYearWithData(this.store);
    if (year === null) return { year, ranking: false, units: [] };
    let ranking = false;
    try {
      await this.get(SYSTEM, year);
      ranking = true;
    } catch { /* left for its first request, which reports the reason */ }
    const perProvince = new Map<string, number>();
    for (const c of await countiesWithData(this.store, { kind: 'all' }, year)) perProvince.set(c.slice(0, 2), (perProvince.get(c.slice(0, 2)) ?? 0) + 1);
    const order = [...perProvince].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit).map(([p]) => p);
    const units: string[] = [];
    for (const unit of order) {
      if (this.closed) break;
      // A province that is not a loaded division (or any other refusal) is simply not computed ahead.
      try {
        await this.unitView(SYSTEM, { unit }, year);
        units.push(unit);
      } catch { /* as above */ }
    }
    return { year, ranking, units };
  }

  private inWorker(actor: Actor, task: ViewTask): Promise<OverviewRow[] | string | RankRow[]> {
    const { year } = task;
    if (!this.worker) {
      const w = new Worker(new URL('./overview-worker.mjs', import.meta.url));
      w.unref();
      w.on('message', (m: Reply) => {
        const job = this.waiting.get(m.id);
        if (!job) return;
        if ('progress' in m) { job.progress.done = m.progress[0]; job.progress.total = m.progress[1]; return; }
        this.waiting.delete(m.id);
        if ('rows' in m) job.resolve(m.rows);
        else if ('text' in m) job.resolve(m.text);
        else if ('ranked' in m) job.resolve(m.ranked);
        else job.reject(m.error.zh && m.error.en && m.error.code ? new DomainError(m.error.code as never, m.error.zh, m.error.en) : new Error(m.error.message));
      });
      w.on('error', (e) => { for (const j of this.waiting.values()) j.reject(e); this.waiting.clear(); this.worker = undefined; });
      this.worker = w;
    }
    const id = this.next++;
    this.sent++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, progress: { year, done: 0, total: 0, startedAt: new Date().toISOString() } });
      this.worker!.postMessage({ id, config: this.store.config as StoreConfig, actor, ...task });
    });
  }

  /** Stops the worker thread. */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
    this.worker = undefined;
    for (const j of this.waiting.values()) j.reject(new Error('the view thread was stopped'));
    this.waiting.clear();
  }
}
