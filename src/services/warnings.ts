import { evaluate, type AggregateQuery, type DataSource, type Expr, type ReportedQuery, type Value } from '../domain/expr/index.ts';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { type Curve, dateOfDay, dayOfYear, daysInYear, inYear, isIsoDate, linearCurve, seasonalCurve } from '../domain/pace.ts';
import { Rational } from '../domain/rational.ts';
import type { Store } from '../store/db.ts';
import { countiesWithStatements, statementsUnder } from '../store/reported-dated-repo.ts';
import {
  acksUnder, completenessUnder, datedAggregate, type DatedFigure, datedRecords, firstDisbursements, latestDated, monthlyTotals,
  projectsUnder, reportedUnder, saveAck, targetsAround, undatedRecords, unitNames,
} from '../store/warnings-repo.ts';
import { catalogueFor, type Catalogue, type IndicatorDef } from './catalogue.ts';
import { prefetch, type Prefetched } from './indicator-sets.ts';
import { conflict, invalid } from './errors.ts';
import { deleteNarrative } from './narrative-admin.ts';
import { listNarratives, setNarrative } from './reported.ts';
import { englishFigure, formatValue, IndicatorEngine, type Status, type TargetView, withUnit } from './indicators.ts';
import { type Actor, assertRead, assertWrite, canRead } from './scope.ts';
import { dateFieldFor, type WarningConfig, type WarningRule, warningRulesFor } from './warning-rules.ts';

/**
 * Early warnings: for every target, the figure to date from dated records, the projection to the
 * year's end and the day the target is reached at that pace; and the configured rules over projects
 * and ledgers. Everything is computed from the stored records on each call, for all the counties
 * under an org unit at once (one query per figure, grouped by county); only acknowledgements are stored.
 */

type L = { zh: string; en: string };
/** `stated`: linear from figures stated as of a day (reported values that carry a date). */
export type PaceMethod = 'linear' | 'seasonal' | 'stated' | 'year_end' | 'too_early' | 'undated' | 'reported' | 'no_records';

export interface PaceView {
  indicator: string;
  label: L;
  target: Pick<TargetView, 'op' | 'display' | 'displayEn' | 'orgCode'>;
  /** The indicator's status on the whole year's data, as the indicator engine gives it. */
  yearStatus: Status;
  method: PaceMethod;
  /** How the projection was made, in words. */
  methodText: L;
  toDate: string | null;
  toDateEn: string | null;
  projection: string | null;
  projectionEn: string | null;
  /** The day the target is reached at the current pace (may lie after the year's end); null when not within three years or not projected. */
  reachDate: string | null;
  /** True when the figure to date already meets the target. */
  reached: boolean;
  /** What is missing at the year's end (or, for a ceiling, by how much it is exceeded). */
  gap: string | null;
  gapEn: string | null;
  /** The gap as a share of the target, 0 when on track; null when not projected. */
  gapShare: number | null;
  onTrack: boolean | null;
  /** Records of the ledgers read whose date is empty, left out of the figure to date. */
  undatedRecords: number;
}

export interface WarningRecord { ledger: string; ledgerLabel: L; id: number; title: string; date: string | null }

export interface WarningView {
  /** Stable across as-of days: what an acknowledgement refers to. */
  key: string;
  rule: string;
  kind: WarningRule['kind'];
  severity: 'high' | 'medium' | 'low';
  county: string;
  indicator?: string;
  title: L;
  detail: L;
  records: WarningRecord[];
  ack?: { note: string; by: string; at: string; version: number };
}

export interface CountyWarnings {
  code: string;
  name: string;
  pace: PaceView[];
  warnings: WarningView[];
  /** How far behind: the added gap shares of the targets off track. */
  behind: number;
  rank: number;
}

export interface WarningsReport {
  unit: string;
  unitName: string;
  year: number;
  asOf: string;
  rules: string[];
  counties: CountyWarnings[];
}

const RECORDS_NAMED = 5;
const SEASON_YEARS = 3;

const qKey = (q: AggregateQuery, dateField: string | null) => JSON.stringify([q.fn, q.ledger, q.field ?? '', q.where ?? null, q.by ?? '', dateField]);

function toStored(s: string, unit: string): Rational {
  const r = Rational.parse(s);
  return unit === 'money' ? r.mul(Rational.of(1_000_000)) : r;
}

function meets(v: Rational, op: string, t: Rational, tMax: Rational | null): boolean {
  const c = v.cmp(t);
  switch (op) {
    case '>=': return c >= 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '<': return c < 0;
    case 'between': return c >= 0 && (!tMax || v.cmp(tMax) <= 0);
    default: return c === 0;
  }
}

/** Shared, lazily filled, per-unit caches: each figure is fetched once for all counties. */
class UnitData {
  private dated = new Map<string, Promise<Map<string, DatedFigure[]>>>();
  private monthly = new Map<string, Promise<Map<string, Rational[]>>>();
  private reported?: Promise<Map<string, Rational>>;
  private statements?: Promise<Map<string, Map<string, Map<string, Statement[]>>>>;
  constructor(readonly store: Store, readonly unit: string, readonly year: number, readonly cutoff: string) {}

  figures(q: AggregateQuery, dateField: string | null, county: string): Promise<DatedFigure[]> {
    const k = qKey({ ...q, year: this.year }, dateField);
    if (!this.dated.has(k)) this.dated.set(k, datedAggregate(this.store, this.unit, { ...q, year: this.year }, dateField, this.cutoff).then((rows) => {
      const m = new Map<string, DatedFigure[]>();
      for (const r of rows) m.set(r.county, [...(m.get(r.county) ?? []), r]);
      return m;
    }));
    return this.dated.get(k)!.then((m) => m.get(county) ?? []);
  }

  /** Twelve monthly totals over the earlier years, or undefined when those years hold no dated record. */
  months(q: AggregateQuery, dateField: string, county: string): Promise<Rational[] | undefined> {
    const { by: _by, ...rest } = q;
    const k = qKey({ ...rest, year: this.year }, dateField);
    if (!this.monthly.has(k)) {
      const years = Array.from({ length: SEASON_YEARS }, (_, i) => this.year - 1 - i);
      this.monthly.set(k, monthlyTotals(this.store, this.unit, { ...rest, year: this.year }, dateField, years).then((rows) => {
        const m = new Map<string, Rational[]>();
        for (const r of rows) {
          if (r.month < 1 || r.month > 12) continue;
          const arr = m.get(r.county) ?? Array.from({ length: 12 }, () => Rational.ZERO);
          arr[r.month - 1] = arr[r.month - 1]!.add(r.value);
          m.set(r.county, arr);
        }
        return m;
      }));
    }
    return this.monthly.get(k)!.then((m) => m.get(county));
  }

  /**
   * The dated statements of the year for one county: element → dim → statements, oldest day first.
   * Read once for all the counties under the unit.
   */
  statementsOf(county: string): Promise<Map<string, Map<string, Statement[]>> | undefined> {
    this.statements ??= statementsUnder(this.store.db, this.unit, this.year).then((rows) => {
      const m = new Map<string, Map<string, Map<string, Statement[]>>>();
      for (const r of rows) {
        const c = m.get(r.county) ?? new Map<string, Map<string, Statement[]>>();
        m.set(r.county, c);
        const e = c.get(r.element) ?? new Map<string, Statement[]>();
        c.set(r.element, e);
        e.set(r.dim, [...(e.get(r.dim) ?? []), { asOf: r.asOf, value: r.value }]);
      }
      return m;
    });
    return this.statements.then((m) => m.get(county));
  }

  reportedValue(county: string, year: number, element: string, dim: string | undefined, all: boolean): Promise<Rational | null> {
    this.reported ??= reportedUnder(this.store, this.unit, [this.year, this.year - 1, this.year - 2]).then((rows) => {
      const m = new Map<string, Rational>();
      for (const r of rows) {
        m.set(`${r.county}/${r.year}/${r.element}/${r.dim}`, r.value);
        const allKey = `${r.county}/${r.year}/${r.element}/*`;
        m.set(allKey, (m.get(allKey) ?? Rational.ZERO).add(r.value));
      }
      return m;
    });
    return this.reported.then((m) => m.get(`${county}/${year}/${element}/${all ? '*' : dim ?? ''}`) ?? null);
  }
}

interface PaceSeries { q: AggregateQuery; dateField: string; fig: DatedFigure[]; curve: Curve }
interface Statement { asOf: string; value: Rational }

/** The pace of one county's targets. */
class CountyPace {
  readonly engine: IndicatorEngine;
  private elapsed: number;
  private end: number;
  constructor(readonly data: UnitData, readonly cfg: WarningConfig, readonly cat: Catalogue, readonly county: string, readonly asOf: string, batch?: Prefetched) {
    this.engine = new IndicatorEngine(data.store, county, data.year, batch ? { batch } : {});
    this.end = daysInYear(data.year);
    this.elapsed = Math.min(this.end, Math.max(1, dayOfYear(asOf, data.year)));
  }

  /** The dated series a formula reads (first pass: figures to date and the curves to grow them by). */
  async series(def: IndicatorDef, seen = new Set<string>()): Promise<PaceSeries[]> {
    if (seen.has(def.id)) return [];
    seen.add(def.id);
    const out: PaceSeries[] = [];
    const collect: DataSource = {
      aggregate: async (q) => {
        const dateField = dateFieldFor(this.cfg, def.id, q.ledger);
        const fig = dateField ? await this.data.figures(q, dateField, this.county) : [];
        if (dateField) {
          const months = await this.data.months(q, dateField, this.county);
          const seasonal = months ? seasonalCurve(months, this.data.year, this.elapsed) : null;
          out.push({ q, dateField, fig, curve: seasonal ?? linearCurve(this.elapsed, this.end * 3) });
        }
        return q.by ? [] : Rational.ZERO;
      },
      reported: async (q) => (q.byDim ? [] : null),
      indicator: async (id, year) => {
        const d = this.cat.byId.get(id);
        if (d && year === this.data.year) out.push(...(await this.series(d, seen)));
        return { kind: 'scalar', value: null };
      },
    };
    await evaluate(def.ast, { year: this.data.year, source: collect });
    return out;
  }

  /** The formula's value on `day` when every dated series grows by `curve(series)` from its figure to date. */
  async valueOn(def: IndicatorDef, day: number, seasonal: boolean, ast: Expr = def.ast): Promise<Rational | null> {
    const v = await this.valueOf(def, day, seasonal, ast);
    return v.kind === 'scalar' ? v.value : v.entries.reduce<Rational | null>((a, e) => (a && e.value ? a.add(e.value) : null), Rational.ZERO);
  }

  /**
   * A stated figure on `day` when the element has figures stated as of a day this year: up to the
   * cut-off, the latest statement dated on or before it (null when none is); past the cut-off, that
   * statement grown at its own daily average (value × day / its day). Undefined when the element (or
   * dim) has no dated statement, so its undated statement counts for the whole year as before.
   */
  private async statedOn(q: ReportedQuery, day: number): Promise<Rational | null | undefined> {
    const byDim = (await this.data.statementsOf(this.county))?.get(q.element);
    const dim = q.dim ?? '';
    if (!byDim || (!q.allDims && !byDim.has(dim))) return undefined;
    let sum: Rational | null = null;
    for (const d of q.allDims ? [...byDim.keys()] : [dim]) {
      const s = this.latestStatement(byDim.get(d)!);
      if (!s) continue;
      const own = dayOfYear(s.asOf, this.data.year);
      const v = day <= this.elapsed ? s.value : s.value.mul(Rational.of(day)).div(Rational.of(own));
      sum = (sum ?? Rational.ZERO).add(v);
    }
    return sum;
  }

  private latestStatement(list: readonly Statement[]): Statement | undefined {
    return list.filter((x) => x.asOf <= this.asOf).at(-1);
  }

  /**
   * The days of the dated statements a formula reads by the cut-off (the latest per element and dim),
   * or null when it reads no element stated as of a day this year.
   */
  async statedDays(ast: Expr): Promise<string[] | null> {
    let dated = false;
    const days: string[] = [];
    const collect: DataSource = {
      aggregate: async (q) => (q.by ? [] : Rational.ZERO),
      reported: async (q) => {
        if (q.byDim) return [];
        if ((q.year ?? this.data.year) !== this.data.year) return null;
        const byDim = (await this.data.statementsOf(this.county))?.get(q.element);
        const dim = q.dim ?? '';
        if (!byDim || (!q.allDims && !byDim.has(dim))) return null;
        dated = true;
        for (const d of q.allDims ? [...byDim.keys()] : [dim]) { const s = this.latestStatement(byDim.get(d)!); if (s) days.push(s.asOf); }
        return null;
      },
      indicator: async () => ({ kind: 'scalar', value: null }),
    };
    await evaluate(ast, { year: this.data.year, source: collect });
    return dated ? [...new Set(days)].sort() : null;
  }

  private async valueOf(def: IndicatorDef, day: number, seasonal: boolean, ast: Expr = def.ast): Promise<Value> {
    const year = this.data.year;
    const atEnd = this.asOf >= `${year}-12-31`;
    const source: DataSource = {
      aggregate: async (q) => {
        const dateField = dateFieldFor(this.cfg, def.id, q.ledger);
        if (!dateField) {
          const fig = await this.data.figures(q, null, this.county);
          return q.by ? fig.map((f) => ({ key: f.key, value: f.full })) : fig.reduce((a, f) => a.add(f.full), Rational.ZERO);
        }
        const fig = await this.data.figures(q, dateField, this.county);
        let factor = Rational.ONE;
        if (!atEnd) {
          const months = seasonal ? await this.data.months(q, dateField, this.county) : undefined;
          const curve = (months && seasonalCurve(months, year, this.elapsed)) || linearCurve(this.elapsed, this.end * 3);
          factor = curve.factor(day);
        }
        if (q.by) return fig.map((f) => ({ key: f.key, value: f.toDate.mul(factor) }));
        return fig.reduce((a, f) => a.add(f.toDate), Rational.ZERO).mul(factor);
      },
      reported: async (q) => {
        const y = q.year ?? year;
        if (q.byDim) return [];
        if (y === year) {
          const stated = await this.statedOn(q, day);
          if (stated !== undefined) return stated;
        }
        return this.data.reportedValue(this.county, y, q.element, q.dim, Boolean(q.allDims));
      },
      indicator: async (id, y) => {
        const d = this.cat.byId.get(id);
        if (!d) return { kind: 'scalar', value: null };
        if (y !== year) {
          const r = await this.engine.evaluate(id, y);
          return r.exactBreakdown ? { kind: 'breakdown', entries: r.exactBreakdown } : { kind: 'scalar', value: r.exact };
        }
        return this.valueOf(d, day, seasonal);
      },
    };
    return (await evaluate(ast, { year, source })).value;
  }

  async pace(def: IndicatorDef, minDays: number): Promise<PaceView | null> {
    const r = await this.engine.evaluate(def.id);
    const t = r.target;
    if (!t || t.value === null || t.op === '=') return null;
    const fmt = (v: Rational | null) => (v === null ? null : withUnit(formatValue(v, def.unit, def.round), def.unit, this.cat));
    const fmtEn = (v: Rational | null) => (v === null ? null : englishFigure(v, def.unit, def.round, this.cat));
    const view: PaceView = {
      indicator: def.id, label: def.label, target: { op: t.op, display: t.display, displayEn: t.displayEn, orgCode: t.orgCode }, yearStatus: r.status,
      method: 'linear', methodText: { zh: '', en: '' }, toDate: null, toDateEn: null, projection: null, projectionEn: null,
      reachDate: null, reached: false, gap: null, gapEn: null, gapShare: null, onTrack: null, undatedRecords: 0,
    };
    const series = await this.series(def);
    view.undatedRecords = series.reduce((a, s) => a + s.fig.reduce((b, f) => b + f.undated, 0), 0);
    const say = (m: PaceMethod, zh: string, en: string) => { view.method = m; view.methodText = { zh, en }; return view; };
    const year = this.data.year;
    const target = toStored(t.value, def.unit);
    const targetMax = t.valueMax ? toStored(t.valueMax, def.unit) : null;
    const ceiling = t.op === '<=' || t.op === '<';
    const judge = (proj: Rational) => {
      const below = !ceiling && !meets(proj, t.op === 'between' ? '>=' : t.op, target, null);
      const above = (ceiling && !meets(proj, t.op, target, null)) || (t.op === 'between' && targetMax !== null && proj.cmp(targetMax) > 0);
      view.onTrack = !below && !above;
      const limit = below ? target : ceiling ? target : targetMax;
      if ((below || above) && limit) {
        const g = below ? target.sub(proj) : proj.sub(limit);
        view.gap = fmt(g);
        view.gapEn = fmtEn(g);
        view.gapShare = limit.sign() > 0 ? Math.min(1, g.div(limit).toNumber()) : 1;
      } else view.gapShare = 0;
    };
    // A figure the engine takes from stated values reads the reported formula; the one it chose.
    const recordCount = series.reduce((a, s) => a + s.fig.reduce((b, f) => b + f.records, 0), 0);
    // Records that cannot give a pace (none, or none dated) leave it to figures stated as of a day.
    const recordsNoPace = !series.length || recordCount === 0 || view.undatedRecords === recordCount;
    const statedAst = r.source === 'reported' || !r.exact || recordsNoPace ? (def.reportedAst && (r.source !== 'reported' || r.formula === def.reported) ? def.reportedAst : def.ast) : null;
    const statedDays = statedAst ? await this.statedDays(statedAst) : null;
    // Once the year is over the whole year's figure stands, dated or not, as the indicator engine gives
    // it; a figure stated only as of days of the year stands at its latest statement.
    if (this.asOf >= `${year}-12-31`) {
      const whole = r.exact ?? (statedDays?.length ? await this.valueOn(def, this.elapsed, false, statedAst!) : null);
      if (!whole) return say('no_records', '全年无数据', 'no data for the year');
      view.toDate = view.projection = fmt(whole);
      view.toDateEn = view.projectionEn = fmtEn(whole);
      view.reached = !ceiling && meets(whole, t.op === 'between' ? '>=' : t.op, target, null);
      judge(whole);
      return say('year_end', '年度已结束，为全年数', 'the year is over: the whole year\'s figure');
    }
    // Stated as of days: the engine's figure is a stated one, or there is none yet but dated statements,
    // or the records give no pace while the county stated the figure as of a day.
    const stated = statedDays !== null && (r.source === 'reported' || !r.exact || (recordsNoPace && statedDays.length > 0));
    if (r.source === 'reported' && !stated) return say('reported', '全年数为上报汇总值，无日期，不测算进度', 'stated as a total without dates; no pace');
    if (stated) {
      if (!statedDays.length) return say('no_records', `截至${this.asOf}尚无注明日期的上报数`, `no figure stated as of a day by ${this.asOf}`);
    } else {
      if (!series.length) return say('undated', '所用数据不带日期，不测算进度', 'the figures it reads carry no dates; no pace');
      if (recordCount === 0) return say('no_records', '尚无相关记录', 'no records yet');
      if (view.undatedRecords === recordCount) return say('undated', '相关记录均未填日期，无法测算进度', 'none of its records has a date; no pace');
    }
    const ast = stated ? statedAst! : def.ast;
    const now = await this.valueOn(def, this.elapsed, false, ast);
    view.toDate = fmt(now);
    view.toDateEn = fmtEn(now);
    if (this.elapsed < minDays) return say('too_early', `年初${minDays}天内不作预测`, `no projection in the first ${minDays} days`);
    const seasonal = !stated && series.every((s) => s.curve.method === 'seasonal');
    if (stated) {
      const last = statedDays.at(-1)!;
      say('stated', `按截至${last}的上报数，以其日均进度线性推算`, `linear: the daily average of the figure stated as of ${last} continued`);
    } else if (seasonal) say('seasonal', `按往年同期进度占全年的比例推算（${year - SEASON_YEARS}–${year - 1}年）`, `by the share earlier years had reached by the same day (${year - SEASON_YEARS}–${year - 1})`);
    else say('linear', `按截至${this.asOf}的日均进度线性推算`, `linear: the daily average up to ${this.asOf} continued`);
    const proj = await this.valueOn(def, this.end, seasonal, ast);
    view.projection = fmt(proj);
    view.projectionEn = fmtEn(proj);
    if (now === null || proj === null) { view.onTrack = null; return view; }
    view.reached = !ceiling && meets(now, t.op === 'between' ? '>=' : t.op, target, null);
    judge(proj);
    // The day the line crosses the target: reached for a floor, exceeded for a ceiling.
    if (!view.reached) {
      const last = seasonal ? this.end : this.end * 3;
      const crossed = async (d: number) => {
        const v = await this.valueOn(def, d, seasonal, ast);
        if (v === null) return false;
        return ceiling ? !meets(v, t.op, target, null) : meets(v, t.op === 'between' ? '>=' : t.op, target, null);
      };
      const day = await firstDayAsync(this.elapsed, last, crossed);
      view.reachDate = day === null ? null : dateOfDay(year, day);
    }
    return view;
  }
}

async function firstDayAsync(lo: number, hi: number, ok: (d: number) => Promise<boolean>): Promise<number | null> {
  if (hi < lo || !(await ok(hi))) return null;
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = Math.floor((a + b) / 2);
    if (await ok(mid)) b = mid; else a = mid + 1;
  }
  return a;
}

const ledgerLabel = (kind: string): L => ledgerDecl(kind)?.label ?? { zh: kind, en: kind };
const rec = (ledger: string, r: { id: number; title: string; date?: string | null }): WarningRecord => ({ ledger, ledgerLabel: ledgerLabel(ledger), id: r.id, title: r.title, date: r.date ?? null });
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
const minusDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const WEIGHT = { high: 3, medium: 2, low: 1 } as const;

/**
 * Warnings and pace for every county under `unit` that holds data for the year of `asOf`, ranked
 * by how far behind they are. `unit` may be a county, prefecture or province code; counties the
 * actor may not read are left out (a single county outside the scope is refused). Each county is
 * held to its own rules: the year's, with its province's, prefecture's and own override files.
 * `opts.configRoot` is the folder holding config/ (the shipped one by default).
 */
export async function computeWarnings(store: Store, actor: Actor, unit: string, asOf: string, opts: { configRoot?: string } = {}): Promise<WarningsReport> {
  if (!isIsoDate(asOf)) throw invalid(`日期应为 YYYY-MM-DD：${asOf}`, `the date must be YYYY-MM-DD: ${asOf}`);
  if (!/^\d{2}(\d{2}(\d{2})?)?$/.test(unit)) throw invalid(`单位代码应为2、4或6位：${unit}`, `the unit code must have 2, 4 or 6 digits: ${unit}`);
  const year = Number(asOf.slice(0, 4));
  if (unit.length === 6) await assertRead(store, actor, unit);
  const cat = catalogueFor(year);
  const cfgOf = (code: string) => warningRulesFor(year, code, opts.configRoot);
  // Counties with data, and those that so far only state figures as of a day.
  // A prefecture or province reads the whole year's figures of all its counties through the set-based
  // engine: one statement per ledger for the unit, then each county evaluated from what was read.
  const batch = unit.length < 6 ? await prefetch(store, { kind: 'prefix', prefix: unit }, year, cat) : undefined;
  const all = unit.length === 6 ? [unit] : [...new Set([...batch!.withData, ...await countiesWithStatements(store.db, unit, year)])]
    .filter((c) => c.length === 6).sort();
  const counties: string[] = [];
  for (const c of all) if (await canRead(store, actor, c)) counties.push(c);
  const data = new UnitData(store, unit, year, asOf);
  const targets = await targetsAround(store, unit, year);
  const names = await unitNames(store, [unit, ...counties]);
  const acks = new Map((await acksUnder(store, unit, year)).map((a) => [`${a.county_code}/${a.warning_key}`, a]));
  const completeness = await completenessUnder(store, unit, year);
  const out: CountyWarnings[] = [];
  const byCounty = new Map<string, WarningView[]>();
  const push = (w: WarningView) => byCounty.set(w.county, [...(byCounty.get(w.county) ?? []), w]);
  const rule = <K extends WarningRule['kind']>(county: string, k: K) => cfgOf(county).rules.filter((r): r is Extract<WarningRule, { kind: K }> => r.kind === k);
  const paces = new Map<string, PaceView[]>();

  const paceOf = new Map<string, CountyPace>();
  for (const county of counties) {
    const paceRule = rule(county, 'pace')[0];
    const undatedRule = rule(county, 'undated_records')[0];
    const cp = new CountyPace(data, cfgOf(county), cat, county, asOf, batch);
    paceOf.set(county, cp);
    const ids = [...new Set(targets.filter((t) => county.startsWith(t.org)).map((t) => t.indicator))].filter((id) => cat.byId.has(id));
    const list: PaceView[] = [];
    const undatedSeen = new Set<string>();
    for (const id of ids) {
      const def = cat.byId.get(id)!;
      const p = await cp.pace(def, paceRule?.min_days ?? 31);
      if (!p) continue;
      list.push(p);
      const series = await cp.series(def);
      if (paceRule && p.onTrack === false) {
        const records: WarningRecord[] = [];
        if (p.method !== 'stated') for (const s of series) for (const r of await datedRecords(store, county, { ...s.q, year }, s.dateField, asOf, RECORDS_NAMED)) records.push(rec(s.q.ledger, r));
        const within = p.method === 'seasonal' ? { zh: '年内', en: 'within the year' } : { zh: '三年内', en: 'within three years' };
        const reach = p.reachDate ? { zh: `按此进度将于${p.reachDate}达到目标`, en: `at this pace the target is reached on ${p.reachDate}` } : { zh: `按此进度${within.zh}达不到目标`, en: `at this pace the target is not reached ${within.en}` };
        const ceiling = p.target.op === '<=' || p.target.op === '<';
        const over = p.method === 'year_end';
        push({
          key: `${paceRule.id}:${id}`, rule: paceRule.id, kind: 'pace', severity: paceRule.severity, county, indicator: id,
          title: over ? { zh: `${def.label.zh}：全年${p.toDate}，目标${p.target.display}`, en: `${def.label.en}: ${p.toDateEn} for the year, target ${p.target.displayEn}` } : { zh: `${def.label.zh}：年底预计${p.projection}，目标${p.target.display}`, en: `${def.label.en}: ${p.projectionEn} expected by year end, target ${p.target.displayEn}` },
          detail: over ? {
            zh: `${p.methodText.zh}；${ceiling ? '超出' : '差'}${p.gap}。`, en: `${p.methodText.en}; ${ceiling ? 'over by' : 'short by'} ${p.gapEn}.`,
          } : {
            zh: `截至${asOf}为${p.toDate}；${p.methodText.zh}，年底${ceiling ? '超出' : '差'}${p.gap}${ceiling ? '' : `；${reach.zh}`}。`,
            en: `${p.toDateEn} as of ${asOf}; ${p.methodText.en}; ${ceiling ? 'over by' : 'short by'} ${p.gapEn} at year end${ceiling ? '' : `; ${reach.en}`}.`,
          },
          records: unique(records),
        });
      }
      // After the year's end the whole year's figure counts, dated or not: nothing is left out.
      if (undatedRule && p.undatedRecords > 0 && p.method !== 'year_end') {
        for (const s of series) {
          const k = `${s.q.ledger}.${s.dateField}`;
          if (undatedSeen.has(k) || !s.fig.some((f) => f.undated > 0)) continue;
          undatedSeen.add(k);
          const field = ledgerDecl(s.q.ledger)?.fields.find((f) => f.name === s.dateField)?.label ?? { zh: s.dateField, en: s.dateField };
          const rows = await undatedRecords(store, county, { ...s.q, year, where: undefined }, s.dateField, RECORDS_NAMED);
          const n = await undatedCount(data, s, county);
          push({
            key: `${undatedRule.id}:${k}`, rule: undatedRule.id, kind: 'undated_records', severity: undatedRule.severity, county, indicator: id,
            title: { zh: `${ledgerLabel(s.q.ledger).zh}：${n}条记录未填${field.zh}`, en: `${ledgerLabel(s.q.ledger).en}: ${n} record(s) without ${field.en.toLowerCase()}` },
            detail: { zh: `这些记录不计入截至${asOf}的数，“${def.label.zh}”等指标的进度因此无法测算或偏低。`, en: `They are left out of the figures to ${asOf}, so the pace of ${def.label.en} and others is unknown or understated.` },
            records: rows.map((r) => rec(s.q.ledger, r)),
          });
        }
      }
    }
    paces.set(county, list);
  }

  for (const county of counties) for (const r of rule(county, 'milestone')) {
    const def = cat.byId.get(r.indicator);
    if (!def) throw invalid(`预警规则 ${r.id}：未知指标 ${r.indicator}`, `warning rule ${r.id}: unknown indicator ${r.indicator}`);
    const due = r.milestones.filter((m) => inYear(m.by, year) <= asOf).sort((a, b) => a.by.localeCompare(b.by)).at(-1);
    if (!due) continue;
    const cp = paceOf.get(county)!;
    const series = await cp.series(def);
    const engineResult = await cp.engine.evaluate(def.id);
    if (!series.length || engineResult.source === 'reported') continue;
    if (series.every((s) => s.fig.every((f) => f.records === 0 || f.undated === f.records))) continue;
    const now = await cp.valueOn(def, dayOfYear(asOf, year), false);
    let need: Rational;
    if (due.value !== undefined) need = toStored(String(due.value), def.unit === 'money' ? 'money' : 'other');
    else {
      const tv = engineResult.target?.value;
      if (!tv) continue;
      need = toStored(tv, def.unit).mul(Rational.parse(String(due.share))).div(Rational.of(100));
    }
    if (now === null || now.cmp(need) >= 0) continue;
    const f = (v: Rational) => withUnit(formatValue(v, def.unit, def.round), def.unit, cat);
    const records: WarningRecord[] = [];
    for (const s of series) for (const x of await datedRecords(store, county, { ...s.q, year }, s.dateField, asOf, RECORDS_NAMED)) records.push(rec(s.q.ledger, x));
    push({
      key: `${r.id}:${inYear(due.by, year)}`, rule: r.id, kind: 'milestone', severity: r.severity, county, indicator: def.id,
      title: { zh: `${def.label.zh}：截至${asOf}为${f(now)}，${inYear(due.by, year)}节点要求${f(need)}`, en: `${def.label.en}: ${englishFigure(now, def.unit, def.round, cat)} as of ${asOf}, the milestone of ${inYear(due.by, year)} asks ${englishFigure(need, def.unit, def.round, cat)}` },
      detail: { zh: `${r.label.zh}，差${f(need.sub(now))}。`, en: `${r.label.en}, short by ${englishFigure(need.sub(now), def.unit, def.round, cat)}.` },
      records: unique(records),
    });
  }

  const needProjects = counties.some((c) => cfgOf(c).rules.some((r) => r.kind === 'project_not_started' || r.kind === 'project_not_completed' || r.kind === 'no_disbursement'));
  const projects = needProjects ? (await projectsUnder(store, unit, year)).filter((p) => counties.includes(p.county)) : [];
  for (const p of projects) for (const r of rule(p.county, 'project_not_started')) {
    const by = inYear(r.by, year);
    if (asOf < by) continue;
    if (r.funded_only && !p.coopFunds) continue;
    const notStarted = p.startDate ? p.startDate > asOf : p.status === 'planned';
    if (!notStarted) continue;
    push({
      key: `${r.id}:project#${p.id}`, rule: r.id, kind: r.kind, severity: r.severity, county: p.county,
      title: { zh: `${p.name}：${by}前未开工`, en: `${p.name}: not started by ${by}` },
      detail: { zh: p.startDate ? `${r.label.zh}；台账所记开工日期为${p.startDate}。` : `${r.label.zh}；状态为计划，未填开工日期。`, en: p.startDate ? `${r.label.en}; the ledger gives ${p.startDate} as start.` : `${r.label.en}; still planned, no start date.` },
      records: [rec('project', { id: p.id, title: p.name, date: p.startDate })],
    });
  }
  for (const p of projects) for (const r of rule(p.county, 'project_not_completed')) {
    const by = inYear(r.by, year);
    if (asOf < by) continue;
    if (r.funded_only && !p.coopFunds) continue;
    const done = p.completionDate ? p.completionDate <= asOf : p.status === 'completed';
    if (done) continue;
    push({
      key: `${r.id}:project#${p.id}`, rule: r.id, kind: r.kind, severity: r.severity, county: p.county,
      title: { zh: `${p.name}：${by}前未完工`, en: `${p.name}: not completed by ${by}` },
      detail: {
        zh: `${r.label.zh}；${p.startDate ? `开工日期${p.startDate}` : p.status === 'planned' ? '尚未开工' : '开工日期未填'}${p.completionDate ? `，台账所记完工日期为${p.completionDate}` : ''}。`,
        en: `${r.label.en}; ${p.startDate ? `started ${p.startDate}` : p.status === 'planned' ? 'not started' : 'start date not given'}${p.completionDate ? `, the ledger gives ${p.completionDate} as completion` : ''}.`,
      },
      records: [rec('project', { id: p.id, title: p.name, date: p.completionDate ?? p.startDate })],
    });
  }
  const paid = counties.some((c) => rule(c, 'no_disbursement').length) ? await firstDisbursements(store, unit, year, asOf) : new Map<string, string>();
  for (const p of projects) for (const r of rule(p.county, 'no_disbursement')) {
    const limit = minusDays(asOf, r.days);
    if (!p.coopFunds || !p.startDate || p.startDate > limit) continue;
    if (paid.has(`${p.county}\u0000${p.name}`)) continue;
    push({
      key: `${r.id}:project#${p.id}`, rule: r.id, kind: r.kind, severity: r.severity, county: p.county,
      title: { zh: `${p.name}：开工${daysBetween(p.startDate, asOf)}天无拨付记录`, en: `${p.name}: no disbursement ${daysBetween(p.startDate, asOf)} days after the start` },
      detail: { zh: `${r.label.zh}（规则：${r.days}天）；开工日期${p.startDate}，截至${asOf}资金拨付台账中没有该项目的记录。`, en: `${r.label.en} (rule: ${r.days} days); started ${p.startDate}, no disbursement of it recorded by ${asOf}.` },
      records: [rec('project', { id: p.id, title: p.name, date: p.startDate })],
    });
  }
  // The newest dated record per county, one query per ledger and date field for the whole unit.
  const newest = new Map<string, Promise<Map<string, Awaited<ReturnType<typeof latestDated>>[number]>>>();
  const newestOf = (ledger: string, field: string) => {
    const k = `${ledger}.${field}`;
    if (!newest.has(k)) newest.set(k, latestDated(store, unit, year, ledger, field, asOf).then((rows) => new Map(rows.map((x) => [x.county, x]))));
    return newest.get(k)!;
  };
  for (const county of counties) for (const r of rule(county, 'ledger_stale')) {
    const from = inYear(r.season.from, year);
    const to = inYear(r.season.to, year);
    if (asOf < from || asOf > to || daysBetween(from, asOf) < r.days) continue;
    for (const ledger of r.ledgers) {
      const rows = await newestOf(ledger, cfgOf(county).dates[ledger]!);
      const x = rows.get(county);
      const latest = x?.latest ?? null;
      if (latest && daysBetween(latest.date, asOf) < r.days) continue;
      if (!x && !completeness.has(`${county}/${ledger}`)) continue;
      const lbl = ledgerLabel(ledger);
      push({
        key: `${r.id}:${ledger}`, rule: r.id, kind: r.kind, severity: r.severity, county,
        title: latest
          ? { zh: `${lbl.zh}：${daysBetween(latest.date, asOf)}天无新记录`, en: `${lbl.en}: no new record for ${daysBetween(latest.date, asOf)} days` }
          : { zh: `${lbl.zh}：截至${asOf}无带日期的记录`, en: `${lbl.en}: no dated record by ${asOf}` },
        detail: latest
          ? { zh: `${r.label.zh}（规则：填报期内${r.days}天）；最近一条记录日期为${latest.date}。`, en: `${r.label.en} (rule: ${r.days} days in the filling season); the newest record is of ${latest.date}.` }
          : { zh: `${r.label.zh}（规则：填报期内${r.days}天）；台账${x?.records ? `有${x.records}条记录，均未填日期或晚于该日` : '尚无记录'}。`, en: `${r.label.en} (rule: ${r.days} days in the filling season); the ledger ${x?.records ? `has ${x.records} record(s), none dated by then` : 'holds no record'}.` },
        records: latest ? [rec(ledger, latest)] : [],
      });
    }
  }

  for (const county of counties) {
    const warnings = (byCounty.get(county) ?? []).map((w) => {
      const a = acks.get(`${county}/${w.key}`);
      return a ? { ...w, ack: { note: a.note, by: a.acked_by, at: a.acked_at, version: a.version } } : w;
    });
    warnings.sort((a, b) => WEIGHT[b.severity] - WEIGHT[a.severity] || a.key.localeCompare(b.key));
    const pace = paces.get(county) ?? [];
    const behind = pace.reduce((a, p) => a + (p.gapShare ?? 0), 0);
    out.push({ code: county, name: names.get(county) ?? county, pace, warnings, behind, rank: 0 });
  }
  const weight = (c: CountyWarnings) => c.warnings.filter((w) => !w.ack).reduce((a, w) => a + WEIGHT[w.severity], 0);
  out.sort((a, b) => b.behind - a.behind || weight(b) - weight(a) || a.code.localeCompare(b.code));
  out.forEach((c, i) => { c.rank = i + 1; });
  // The files read: the unit's own chain, then any override of a prefecture or county under it.
  const sources = [...new Set([...cfgOf(unit).sources, ...counties.flatMap((c) => cfgOf(c).sources)])];
  return { unit, unitName: names.get(unit) ?? unit, year, asOf, rules: sources, counties: out };
}

async function undatedCount(data: UnitData, s: PaceSeries, county: string): Promise<number> {
  const { where: _w, by: _b, ...rest } = s.q;
  const f = await data.figures({ ...rest, fn: 'count', field: undefined }, s.dateField, county);
  return f.reduce((a, x) => a + x.undated, 0);
}

function unique(records: WarningRecord[]): WarningRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => { const k = `${r.ledger}#${r.id}`; if (seen.has(k)) return false; seen.add(k); return true; });
}

/**
 * A county's acknowledgement of a warning, with its note: stored, audited, and shown with the
 * warning from then on. Only users who may change the county's data may acknowledge.
 */
export async function acknowledgeWarning(store: Store, actor: Actor, county: string, year: number, key: string, note: string, expectedVersion?: number): Promise<{ version: number }> {
  assertWrite(actor, county);
  if (!/^[a-z0-9_.]+:[\w.#\-]+$/.test(key) || key.length > 200) throw invalid(`预警编号无效：${key}`, `not a warning key: ${key}`);
  if (!note.trim()) throw invalid('说明不能为空', 'the note is empty');
  if (note.length > 2000) throw invalid('说明过长（最多2000字）', 'the note is too long (2,000 characters at most)');
  const saved = await saveAck(store, { county, year, key, note: note.trim(), actor: actor.id, at: new Date().toISOString() }, expectedVersion);
  if (!saved) throw conflict('该说明已被他人修改，请刷新后重试', 'the note was changed by someone else; reload and try again');
  return { version: saved.version };
}

/** The note that marks a paragraph drafted from the warnings, until the county rewrites it. */
export const DRAFT_NOTE = '据预警生成的草稿，请核实修改';

const QUARTER_ENDS = ['03-31', '06-30', '09-30'];
const mmdd = (iso: string) => `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;

/**
 * Turns the year's missed targets (with their figures at each quarter's end, where records are
 * dated) and the projects not started or completed on time into draft 存在的问题 paragraphs of the
 * county's narrative, marked with DRAFT_NOTE for the county to edit. Drafts already there are kept
 * unless `replace` is set (then they are rewritten in place), so nobody's edits are overwritten by
 * accident. Returns the paragraphs written; none when the year has nothing to report.
 */
export async function draftProblems(store: Store, actor: Actor, county: string, year: number, opts: { replace?: boolean } = {}): Promise<Array<{ seq: number; title: string; body: string }>> {
  assertWrite(actor, county);
  if (county.length !== 6) throw invalid('草稿按县生成', 'drafts are written for one county');
  const end = county_(await computeWarnings(store, actor, county, `${year}-12-31`), county);
  const quarters = [];
  for (const q of QUARTER_ENDS) quarters.push(county_(await computeWarnings(store, actor, county, `${year}-${q}`), county));
  const drafts: Array<{ title: string; body: string }> = [];
  for (const w of end.warnings.filter((x) => x.kind === 'pace')) {
    const p = end.pace.find((x) => x.indicator === w.indicator)!;
    const parts = quarters.flatMap((c, i) => {
      const qp = c.pace.find((x) => x.indicator === w.indicator);
      return qp && (qp.method === 'linear' || qp.method === 'seasonal' || qp.method === 'stated') && qp.toDate ? [`截至${mmdd(`${year}-${QUARTER_ENDS[i]}`)}为${qp.toDate}`] : [];
    });
    const ceiling = p.target.op === '<=' || p.target.op === '<';
    drafts.push({
      title: `${p.label.zh}未完成年度目标`,
      body: `${p.label.zh}全年${p.toDate}，目标${p.target.display}，${ceiling ? '超出' : '差'}${p.gap}${parts.length ? `；从年内进度看，${parts.join('，')}` : ''}。`,
    });
  }
  const late = end.warnings.filter((x) => x.kind === 'project_not_completed' || x.kind === 'project_not_started');
  if (late.length) {
    const byProject = new Map<number, WarningView>();
    for (const w of late) if (!byProject.has(w.records[0]!.id)) byProject.set(w.records[0]!.id, w);
    const items = [...byProject.values()].map((w) => w.title.zh);
    drafts.push({ title: '部分项目建设进度滞后', body: `${items.length}个项目未按期建成：${items.join('；')}。` });
  }
  const existing = (await listNarratives(store, actor, county, year)).filter((n) => n.section === 'problem');
  const old = existing.filter((n) => n.note === DRAFT_NOTE);
  if (old.length && !opts.replace) throw conflict('已有据预警生成的草稿；如需重新生成请选择替换', 'drafts from the warnings exist already; ask to replace them to write them again');
  const seqs = old.map((n) => Number(n.seq));
  let next = Math.max(0, ...existing.map((n) => Number(n.seq))) + 1;
  const out: Array<{ seq: number; title: string; body: string }> = [];
  for (const d of drafts) {
    const seq = seqs.shift() ?? next++;
    await setNarrative(store, actor, county, year, { section: 'problem', seq, title: d.title, body: d.body, note: DRAFT_NOTE });
    out.push({ seq, ...d });
  }
  if (seqs.length) {
    for (const n of old.filter((x) => seqs.includes(Number(x.seq)))) await deleteNarrative(store, actor, n.id, n.version);
  }
  return out;
}

function county_(r: WarningsReport, code: string): CountyWarnings {
  return r.counties.find((c) => c.code === code) ?? { code, name: code, pace: [], warnings: [], behind: 0, rank: 1 };
}
