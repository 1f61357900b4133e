import { type AggregateQuery, evaluation, references, type DataSource, type ReportedQuery, type TraceEntry, type Value } from '../domain/expr/index.ts';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { columnsOf } from '../domain/ledgers/types.ts';
import { type Fen, fen, formatWan } from '../domain/money.ts';
import { Rational } from '../domain/rational.ts';
import { isThenable, type Maybe, run, runAsync, settle, type Steps } from '../domain/steps.ts';
import type { Selectable } from 'kysely';
import { anyRecord, claimsOf, countiesUnder, ledgerStatesOf, reportedOf, saveClaim, saveTarget, targetsOf, unitsStating } from '../store/indicator-repo.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import { aggregateLedger, qualifiedCount, recordRefs, statedCount, undatedCount } from '../store/aggregate.ts';
import { datedStatements } from '../store/reported-dated-repo.ts';
import { isWholeYear, type Period, periodEnd, periodKey, periodLabel, periodShareOfYear, WHOLE_YEAR } from '../domain/period.ts';
import { dateFieldFor, type WarningConfig, warningRulesFor } from './warning-rules.ts';
import { catalogueFor, type Catalogue, type IndicatorDef, type Unit } from './catalogue.ts';
import { categoriesFor, roundingFor, type RoundingPolicy } from './config.ts';
import { agreement } from '../domain/stated.ts';
import type { Scale } from '../domain/figures.ts';
import { invalid } from './errors.ts';
import type { Prefetched } from './indicator-sets.ts';
import { type Actor, assertRead, assertWrite } from './scope.ts';
import { assertMaySetTarget } from './write-rules.ts';

/**
 * Against the year's target: met, missed, no target, no figure; or, for a figure to date (a quarter,
 * a month), `to_date`: a part of the year is never judged against the whole year's target.
 */
export type Status = 'met' | 'missed' | 'no_target' | 'no_data' | 'to_date';
/** A reported value as the engine reads it; `as_of` is set when it is a figure stated as of that day. */
type ReportedRow = Pick<Database['reported_value'], 'element' | 'dim' | 'value' | 'qual' | 'value_max' | 'note' | 'year' | 'scale' | 'unit_word'> & { as_of?: string };
/** A figure stated as of a day, as the engine reads it (reported_value_dated). */
export type DatedRow = ReportedRow & { as_of: string };

/** What a figure to date says about itself: the period, its last day, and the records it could not place. */
export interface ToDate {
  /** The period's key (Q2, M08, D08-15). */
  period: string;
  /** The last day counted (ISO). */
  end: string;
  label: { zh: string; en: string };
  /** Records of the ledgers the figure reads (this year) that have no date and so are left out. */
  undated: number;
  /** The same by ledger kind. */
  byLedger: Record<string, number>;
  /** The note to print beside the figure when records were left out; null when none were. */
  note: { zh: string; en: string } | null;
  /** The share of the year the period covers, as percent text (49.6). */
  elapsed: string;
  /** For a target to reach or exceed (counts and sums): the figure as a share of the year's target, as percent text. */
  ofTarget: string | null;
  /**
   * Whether that share is at least the share of the year elapsed, compared exactly (the two texts
   * are rounded); null when there is no share.
   */
  onPace: boolean | null;
}

/**
 * The reported values a figure to date may read, given a year's undated statements, its statements as
 * of a day and the period's last day: per element and dim, the latest statement dated on or before
 * that day. An undated statement speaks for the whole year, so it stands only for a period that ends
 * on 31 December, and there only where no dated statement does.
 */
export function reportedToDate(undated: readonly ReportedRow[], dated: readonly DatedRow[], end: string): ReportedRow[] {
  const key = (r: { element: string; dim: string }) => `${r.element}\u0000${r.dim}`;
  const latest = new Map<string, DatedRow>();
  for (const d of dated) {
    if (d.as_of > end) continue;
    const was = latest.get(key(d));
    if (!was || was.as_of <= d.as_of) latest.set(key(d), d);
  }
  const out: ReportedRow[] = [...latest.values()];
  if (end.endsWith('-12-31')) for (const r of undated) if (!latest.has(key(r))) out.push(r);
  return out.sort((a, b) => (a.element < b.element ? -1 : a.element > b.element ? 1 : a.dim < b.dim ? -1 : a.dim > b.dim ? 1 : 0));
}
type TargetRow = Selectable<Database['target']>;

/** The level of the units a roll-up adds up. */
export type PartLevel = 'county' | 'prefecture' | 'province';

/** "所辖3个市州" / "3 prefectures": how a roll-up names the parts it adds up. */
export function partsWord(level: PartLevel, n: number): { zh: string; en: string } {
  if (level === 'province') return { zh: `${n}个省份`, en: `${n} province${n === 1 ? '' : 's'}` };
  if (level === 'prefecture') return { zh: `所辖${n}个市州`, en: `${n} prefecture${n === 1 ? '' : 's'}` };
  return { zh: `所辖${n}个县`, en: `${n} count${n === 1 ? 'y' : 'ies'}` };
}

/** A result as a value a formula referring to it reads. */
const valueOfResult = (r: IndicatorResult): Value => (r.exactBreakdown ? { kind: 'breakdown', entries: r.exactBreakdown } : { kind: 'scalar', value: r.exact });

/** What a reported query answers from its rows: one entry per dim, or their sum (null for none). */
function valueOf(rows: ReportedRow[], q: ReportedQuery): Rational | null | Array<{ key: string; value: Rational }> {
  if (q.byDim) return rows.map((r) => ({ key: r.dim, value: Rational.parse(r.value) }));
  if (!rows.length) return null;
  return rows.reduce((acc, r) => acc.add(Rational.parse(r.value)), Rational.of(0));
}

/** An element's rows that a reported query reads: one dim (the undimensioned one by default) or all dims. */
function matching(rows: ReportedRow[], q: { dim?: string; allDims?: boolean; byDim?: boolean }): ReportedRow[] {
  // A stated total (no dim) stands for the whole; its parts are read only by dim.
  if (q.byDim) return rows.filter((r) => r.dim !== '');
  if (q.allDims) return rows.some((r) => r.dim === '') ? rows.filter((r) => r.dim === '') : rows;
  return rows.filter((r) => r.dim === (q.dim ?? ''));
}
export type { Qual } from '../domain/format.ts';
import { qualified, type Qual } from '../domain/format.ts';

export interface TargetView {
  op: string;
  value: string | null;
  valueMax: string | null;
  display: string;
  displayEn: string;
  orgCode: string;
  /** The unit's own statement about the target (超额完成…), when it made one. */
  reportedStatus: string | null;
  note: string | null;
  claimNote?: string | null;
}

export interface BreakdownEntry {
  key: string;
  label: string;
  labelEn?: string;
  raw: number | null;
  display: string;
  displayEn?: string;
}

export interface IndicatorResult {
  id: string;
  label: { zh: string; en: string };
  unit: Unit;
  formula: string;
  /** Printed figure without the unit, rounded as the catalogue says (money in 万元). */
  value: string | null;
  /** Printed figure with qualifier and unit, e.g. "约12万元", "40余家", "89.45%". */
  display: string | null;
  /** The same in English, e.g. "about CNY 0.12 million", "over 40 enterprises". */
  displayEn?: string | null;
  /** For charts: the figure as a float in display units (万元 for money). */
  raw: number | null;
  exact: Rational | null;
  qual: Qual;
  source: 'records' | 'reported' | 'none';
  breakdown?: BreakdownEntry[];
  /** The breakdown's exact values, for formulas that refer to this indicator. */
  exactBreakdown?: Array<{ key: string; value: Rational | null }>;
  target?: TargetView;
  status: Status;
  /** Disagreements between records and reported values, partial ledgers exceeding their totals. */
  flags: Array<{ zh: string; en: string }>;
  /** True when the figure comes from a ledger the county has not declared complete. */
  partial?: boolean;
  /**
   * For a roll-up unit that states the figure itself: what its parts add up to, beside its own stated
   * one; `parts` units of `level` (a province's prefectures, the nation's provinces), `counties` the
   * counties holding data under it.
   */
  rolledUp?: { display: string; displayEn: string; exact: Rational; parts: number; level: PartLevel; counties: number } | null;
  /** The exact value behind a rounded figure, as decimal text in display units (for the sources appendix). */
  exactText?: string | null;
  /** Present exactly when the figure is for a period to date rather than the whole year. */
  toDate?: ToDate;
  trace: TraceEntry[];
}

export interface RuleResult {
  id: string;
  label: { zh: string; en: string };
  ok: boolean | null;
  left: string | null;
  right: string | null;
  op: string;
  detail: { zh: string; en: string };
}

const FEN_PER_WAN = Rational.of(1_000_000);

const SCALE_FACTOR: Record<Exclude<Scale, ''>, Rational> = { 万: Rational.of(10_000), 亿: Rational.of(100_000_000) };

/** Prints a value in an indicator's unit: money in 万元 (exact shortest form), rates rounded as declared. */
export function formatValue(v: Rational, unit: Unit, round: IndicatorDef['round'], scale: Scale = ''): string {
  if (scale === '亿' && unit === 'money') return trimZeros(v.div(FEN_PER_WAN).div(SCALE_FACTOR.万).toDecimalString(6));
  if (scale && unit !== 'money' && unit !== 'percent' && unit !== 'pp' && unit !== 'yuan') return trimZeros(v.div(SCALE_FACTOR[scale]).toDecimalString(6));
  if ((unit === 'percent' || unit === 'pp') && v.isInteger()) return v.toDecimalString(0);
  if (unit === 'money') {
    if (v.den === 1n) return formatWan(fen(Number(v.num)) as Fen);
    return v.div(FEN_PER_WAN).toDecimalString(Math.max(round.decimals, 4), round.mode);
  }
  // A unit's own count word (公里, 吨 …) prints as stated, without padding zeros.
  if (unit.startsWith('word:')) return trimZeros(v.toDecimalString(round.decimals, round.mode));
  return v.toDecimalString(round.decimals, round.mode);
}

const trimZeros = (t: string) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);

/** The unit word for a scaled figure: 亿元 for money in 亿, 万人 for people in 万. */
function scaledUnit(unit: Unit, cat: Catalogue, scale: Scale, locale: 'zh' | 'en' = 'zh'): string | undefined {
  if (!scale || locale === 'en') return undefined;
  if (unit === 'money') return scale === '亿' ? '亿元' : undefined;
  if (unit === 'percent' || unit === 'pp' || unit === 'yuan') return undefined;
  return `${scale}${cat.units[unit]?.zh ?? ''}`;
}

function toRaw(v: Rational, unit: Unit): number {
  return unit === 'money' ? v.div(FEN_PER_WAN).toNumber() : v.toNumber();
}

/** Adds qualifier and unit: 约12万元, 70余万元, 40余家, 1.2–1.5, 89.45%. */
export function withUnit(text: string, unit: Unit, cat: Catalogue, qual: Qual = 'exact', max?: string, locale: 'zh' | 'en' = 'zh', scale: Scale = '', word?: string): string {
  const own = word && locale === 'zh' && unit !== 'money' && unit !== 'percent' && unit !== 'pp' && unit !== 'yuan' ? `${scale}${word}` : undefined;
  const u = own ?? scaledUnit(unit, cat, scale, locale) ?? cat.units[unit]?.[locale] ?? '';
  return qualified(text, qual, u, { ...(max ? { max } : {}), locale });
}

const FEN_PER_MILLION = Rational.of(100_000_000);

/** Whole 分 in millions of yuan, exactly and shortest: 1 分 is 0.00000001 million (the point moved eight places). */
function millionsOfFen(n: bigint): string {
  const digits = (n < 0n ? -n : n).toString().padStart(9, '0');
  const int = digits.slice(0, -8);
  const frac = digits.slice(-8).replace(/0+$/, '');
  const text = frac ? `${int}.${frac}` : int;
  return n < 0n ? `-${text}` : text;
}

/** English rendering: money in millions of CNY, other units with their English names. */
export function englishFigure(v: Rational, unit: Unit, round: IndicatorDef['round'], cat: Catalogue, qual: Qual = 'exact', max?: Rational): string {
  // Money in millions: whole 分 exactly and shortest (1 分 is 0.00000001 million), anything finer to six places.
  const num = (x: Rational) => unit === 'money'
    ? (x.den === 1n ? millionsOfFen(x.num) : x.div(FEN_PER_MILLION).toDecimalString(6).replace(/\.?0+$/, ''))
    : formatValue(x, unit, round);
  const text = qual === 'range' && max ? `${num(v)}–${num(max)}` : num(v);
  const pre = qual === 'about' ? 'about ' : qual === 'over' ? 'over ' : '';
  if (unit === 'money') return `${pre}CNY ${text} million`;
  const u = cat.units[unit]?.en ?? '';
  return `${pre}${text}${u === '%' ? '%' : u ? ` ${u}` : ''}`;
}

/** The ledgers a formula's trace read, each once, in the order first read. */
function ledgersOf(trace: TraceEntry[]): string[] {
  const out: string[] = [];
  for (const t of trace) if (t.kind === 'aggregate' && !out.includes(t.query.ledger)) out.push(t.query.ledger);
  return out;
}

function compare(a: Rational, op: string, b: Rational, bMax?: Rational): boolean {
  const c = a.cmp(b);
  switch (op) {
    case '>=': return c >= 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '<': return c < 0;
    case '=': return c === 0;
    case 'between': return c >= 0 && (!bMax || a.cmp(bMax) <= 0);
    default: throw invalid(`未知比较符 ${op}`, `unknown operator ${op}`);
  }
}

const OP_ZH: Record<string, string> = { '>=': '不少于', '>': '超过', '<=': '不超过', '<': '少于', '=': '等于', between: '' };
const OP_EN: Record<string, string> = { '>=': 'at least', '>': 'more than', '<=': 'at most', '<': 'less than', '=': 'exactly', between: 'between' };

/**
 * Evaluates a catalogue's indicators for one county-year. Aggregation happens in the database; each
 * indicator is evaluated at most once per (id, year) within an engine, so an engine is the unit of
 * a consistent computation (a report, a dashboard request).
 */
export class IndicatorEngine {
  /** Results by year, then indicator id. */
  private memo = new Map<number, Map<string, Maybe<IndicatorResult>>>();
  /** Each ledger's declared completeness, by year. */
  private completeness = new Map<number, Map<string, string>>();
  readonly cat: Catalogue;

  /**
   * `county` is normally a county code. A shorter code (prefecture "6230", province "62") makes a
   * roll-up engine: additive indicators are the sum of each county's own figure (so every county
   * keeps its choice between records and reported values), rates are recomputed from the rolled-up
   * parts they refer to, and rates without such parts are not added up at all. An empty code rolls
   * up the nation. With `members` the engine rolls up those counties instead of the ones under its
   * code: an eastern unit's paired counties (its code then names the eastern unit, whose own stated
   * figures are read under it).
   */
  constructor(readonly store: Store, readonly county: string, readonly year: number, opts: { own?: boolean; batch?: Prefetched; period?: Period; members?: readonly string[] } = {}) {
    this.batch = opts.batch;
    this.period = opts.period ?? WHOLE_YEAR;
    this.cat = catalogueFor(year, county, store);
    this.members = opts.own ? undefined : opts.members;
    this.rollup = (county.length < 6 || this.members !== undefined) && !opts.own;
    this.policy = roundingFor(year, county, store);
  }

  /** The rounding policy of the engine's unit (province ← prefecture ← county overrides). */
  readonly policy: RoundingPolicy;

  /**
   * How an indicator prints: the unit's policy for that indicator, else the policy for rates (percent and
   * percentage points), else what the catalogue says. Only printing changes; the exact value is kept.
   */
  roundOf(def: IndicatorDef): IndicatorDef['round'] {
    const own = this.policy.indicators[def.id];
    if (own) return own;
    if (def.unit === 'percent' || def.unit === 'pp') return def.roundExplicit ? def.round : this.policy.rates;
    return def.round;
  }

  readonly rollup: boolean;
  /** The counties an eastern unit's roll-up adds up (undefined: those under the engine's code). */
  private readonly members?: readonly string[];
  private membersWithData = new Map<number, string[]>();
  /** The span of the year figures are for: the whole year unless a period to date was asked for. */
  readonly period: Period;
  private datesMemo?: WarningConfig;
  /** Which date field places each ledger's records in the year: the same configuration the early warnings use. */
  private dates(): WarningConfig {
    return this.datesMemo ??= warningRulesFor(this.year, this.county);
  }

  /**
   * A query as the period reads it: for a period to date, with the date condition of the ledger's
   * date field for that indicator (`def` undefined for a rule: the ledger's own date field); a ledger
   * without a date field holds figures known for the whole year and is read whole.
   */
  private placed(q: AggregateQuery, def: string | undefined): AggregateQuery {
    if (isWholeYear(this.period) || q.upTo) return q;
    const field = def ? dateFieldFor(this.dates(), def, q.ledger) : this.dates().dates[q.ledger] ?? null;
    const day = periodEnd(this.period, q.year);
    return field && day ? { ...q, upTo: { field, day } } : q;
  }

  /** Data read for a whole set of counties at once (indicator-sets.ts); undefined reads county by county. */
  readonly batch?: Prefetched;
  private countyEngines = new Map<string, IndicatorEngine>();

  /**
   * For a roll-up recomputed after writes to a few of its counties: takes over the other counties'
   * engines (and so their results) from the roll-up computed before. Their data has not changed, so
   * their figures are the same; only the counties in `changed` are evaluated again.
   */
  adoptCounties(from: IndicatorEngine, changed: ReadonlySet<string>): void {
    // Periods are compared by value: the view thread receives each request's period as a copy.
    if (from.year !== this.year || periodKey(from.period) !== periodKey(this.period)) return;
    for (const [c, e] of from.countyEngines) {
      if (this.countyEngines.has(c)) continue;
      if (!changed.has(c) && ![...changed].some((x) => x.startsWith(c))) { this.countyEngines.set(c, e); continue; }
      // A province of the nation holding a county written to: its own engine again, keeping its other counties.
      if (c.length < 6) {
        const fresh = new IndicatorEngine(this.store, c, this.year, { batch: this.batch, period: this.period });
        fresh.adoptCounties(e, changed);
        this.countyEngines.set(c, fresh);
      }
    }
  }

  /** Counties under a roll-up unit that hold any data for the year. */
  countiesWithData(year: number): Promise<string[]> {
    return runAsync(this.countiesIn(year));
  }

  private *countiesIn(year: number): Steps<string[]> {
    if (this.members) {
      const known = this.membersWithData.get(year);
      if (known) return known;
      const withData = new Set(yield* settle((year === this.year ? this.batch?.withData : undefined) ?? countiesUnder(this.store, '', year)));
      const list = this.members.filter((c) => withData.has(c));
      this.membersWithData.set(year, list);
      return list;
    }
    return yield* settle(this.batch?.counties(this.county, year) ?? countiesUnder(this.store, this.county, year));
  }

  /**
   * The units a roll-up adds up, one level down: for the nation its provinces, for a province its
   * prefectures, for a prefecture (and an eastern unit's pairs) its counties. So each part keeps its
   * choice between the figure it states itself and its own parts' sum, as a county keeps its choice
   * between records and a stated figure; a part that states figures without any county holding data
   * is counted too.
   */
  private *partsIn(year: number): Steps<string[]> {
    const counties = yield* this.countiesIn(year);
    const length = this.partLevel === 'province' ? 2 : this.partLevel === 'prefecture' ? 4 : 0;
    if (!length) return counties;
    const known = this.partsMemo.get(year);
    if (known) return known;
    const stating = yield* settle(unitsStating(this.store, year, length as 2 | 4, this.county));
    const parts = [...new Set([...counties.map((c) => c.slice(0, length)), ...stating])].sort();
    this.partsMemo.set(year, parts);
    return parts;
  }
  private partsMemo = new Map<number, string[]>();

  /** The level of the units this roll-up adds up. */
  get partLevel(): PartLevel {
    if (this.members || this.county.length >= 4) return 'county';
    return this.county === '' ? 'province' : 'prefecture';
  }

  /**
   * A prefecture's or province's figure: what its counties add up to and what the unit itself states,
   * side by side. The unit's own stated figure is the one shown (it is what the unit published); the
   * counties' sum is kept beside it, and a disagreement at the stated precision is flagged.
   */
  private ownEngineCache?: IndicatorEngine;
  /** The unit's own figures (what it states itself), computed the way a county's are. */
  private ownEngine(): IndicatorEngine {
    this.ownEngineCache ??= new IndicatorEngine(this.store, this.county, this.year, { own: true, period: this.period, batch: this.batch });
    return this.ownEngineCache;
  }

  private *computeRollup(def: IndicatorDef, year: number): Steps<IndicatorResult> {
    const counties = yield* this.rollupFromCounties(def, year);
    const own = yield* this.ownEngine().evaluating(def.id, year);
    const n = counties.trace.filter((t) => t.kind === 'indicator' && t.query.id.includes('@')).length;
    if (own.source === 'none' || (!own.exact && !own.breakdown?.length)) {
      if (!this.targetCache.has(year)) yield* this.loadTargets(year);
      this.judge(counties, def, year);
      return counties;
    }
    const result: IndicatorResult = {
      ...own, trace: [...own.trace, ...counties.trace], flags: [...own.flags],
      rolledUp: n > 0 && counties.exact && counties.display ? { display: counties.display, displayEn: englishFigure(counties.exact, def.unit, def.round, this.cat, counties.qual), exact: counties.exact, parts: n, level: this.partLevel, counties: (yield* this.countiesIn(year)).length } : null,
      // The unit's own figure to date, with the undated records its counties left out.
      ...(counties.toDate && { toDate: { ...counties.toDate, ofTarget: own.toDate?.ofTarget ?? null, onPace: own.toDate?.onPace ?? null } }),
    };
    if (n > 0 && own.exact && counties.exact) {
      const unitScale = (v: Rational) => (def.unit === 'money' ? v.div(FEN_PER_WAN) : v);
      const word = partsWord(this.partLevel, n);
      if (agreement(unitScale(own.exact), unitScale(counties.exact), own.qual) === 'fails')
        result.flags.push({ zh: `本级上报${own.display}，${word.zh}合计${counties.display}，两者不一致`, en: `the unit states ${own.displayEn ?? own.display}, its ${word.en} add up to ${counties.displayEn ?? counties.display}` });
    }
    return result;
  }

  private *rollupFromCounties(def: IndicatorDef, year: number): Steps<IndicatorResult> {
    const base: IndicatorResult = {
      id: def.id, label: def.label, unit: def.unit, formula: def.formula, value: null, display: null, raw: null, exact: null,
      qual: 'exact', source: 'none', status: 'no_target', flags: [], trace: [],
    };
    const usesRef = references(def.ast).indicators.length > 0;
    if (usesRef) {
      const r = yield* evaluation(def.ast, { year, source: this.source(def.id) });
      if (r.value.kind === 'scalar' && r.value.value) {
        base.exact = r.value.value;
        base.value = formatValue(r.value.value, def.unit, def.round);
        base.raw = toRaw(r.value.value, def.unit);
        base.display = withUnit(base.value, def.unit, this.cat);
        base.source = 'records';
      }
      base.trace = r.trace;
      if (!isWholeYear(this.period)) yield* this.markToDate(base, year);
      return base;
    }
    // A rate is never added up across counties; without parts to recompute it from, it has no figure here.
    if (def.unit === 'percent' || def.unit === 'pp') return base;
    let total: Rational | null = null;
    const parts = new Map<string, Rational>();
    let quals = false;
    for (const c of yield* this.partsIn(year)) {
      if (!this.countyEngines.has(c)) this.countyEngines.set(c, new IndicatorEngine(this.store, c, this.year, { batch: this.batch, period: this.period }));
      const r = yield* this.countyEngines.get(c)!.evaluating(def.id, year);
      base.trace.push({ kind: 'indicator', query: { id: `${def.id}@${c}`, year }, value: { kind: 'scalar', value: r.exact } });
      if (r.qual !== 'exact') quals = true;
      if (r.exactBreakdown) for (const e of r.exactBreakdown) if (e.value) parts.set(e.key, (parts.get(e.key) ?? Rational.of(0)).add(e.value));
      if (r.exact && !r.exactBreakdown) total = (total ?? Rational.of(0)).add(r.exact);
    }
    if (parts.size) {
      const labels = def.categories ? categoriesFor(year, this.county, this.store)[def.categories] ?? [] : [];
      const order = (k: string) => { const i = labels.findIndex((x) => x.value === k); return i < 0 ? 1e9 : i; };
      const entries = [...parts].map(([key, value]) => ({ key, value })).sort((a, b) => order(a.key) - order(b.key));
      base.exactBreakdown = entries;
      base.breakdown = entries.map((e) => ({ key: e.key, label: labels.find((x) => x.value === e.key)?.zh ?? e.key, raw: toRaw(e.value, def.unit), display: withUnit(formatValue(e.value, def.unit, def.round), def.unit, this.cat) }));
      if (def.total !== false) total = entries.reduce((a, e) => a.add(e.value), Rational.of(0));
    }
    if (total) {
      base.exact = total;
      base.qual = quals ? 'about' : 'exact';
      base.value = formatValue(total, def.unit, def.round);
      base.raw = toRaw(total, def.unit);
      base.display = withUnit(base.value, def.unit, this.cat, base.qual);
      base.source = 'records';
    }
    if (!isWholeYear(this.period)) yield* this.markToDate(base, year);
    return base;
  }

  /** How many records of the year a query to date reads nothing from because they carry no date. */
  private *undatedOf(q: AggregateQuery): Steps<{ matched: number; undated: number }> {
    if (!q.upTo) return { matched: 0, undated: 0 };
    return yield* settle(this.batch?.undated(this.county, q) ?? undatedCount(this.store, this.county, q));
  }

  /**
   * For a period to date, says so on the result: the period, its last day, and the records of the
   * year that could not be placed in it (per ledger, the most any of the figure's queries left out;
   * for a roll-up, its counties' added up). Nothing for the whole year.
   */
  private *markToDate(r: IndicatorResult, year: number): Steps<void> {
    const end = periodEnd(this.period, year);
    if (!end) return;
    const byLedger: Record<string, number> = {};
    const most = (l: string, n: number) => { if (n > (byLedger[l] ?? 0)) byLedger[l] = n; };
    const fromCounties: Record<string, number> = {};
    for (const t of r.trace) {
      if (t.kind === 'aggregate' && t.query.year === year && t.query.upTo) most(t.query.ledger, (yield* this.undatedOf(t.query)).undated);
      if (t.kind !== 'indicator' || t.query.year !== year) continue;
      const [id, county] = t.query.id.split('@') as [string, string | undefined];
      const engine = county ? this.countyEngines.get(county) : this;
      const sub = engine ? yield* engine.evaluating(id, year) : undefined;
      for (const [l, n] of Object.entries(sub?.toDate?.byLedger ?? {})) {
        if (county) fromCounties[l] = (fromCounties[l] ?? 0) + n; else most(l, n);
      }
    }
    for (const [l, n] of Object.entries(fromCounties)) most(l, n);
    const undated = Object.values(byLedger).reduce((a, n) => a + n, 0);
    const share = periodShareOfYear(this.period, year);
    const label = periodLabel(this.period);
    r.toDate = {
      period: periodKey(this.period), end, label, undated, byLedger,
      note: undated > 0 ? { zh: `${undated}条记录未填日期，未计入截至${end}的数`, en: `${undated} undated record${undated === 1 ? '' : 's'} left out of the figure to ${end}` } : null,
      elapsed: Rational.of(share.days * 100).div(Rational.of(share.of)).toDecimalString(1),
      ofTarget: null,
      onPace: null,
    };
  }

  // One query per table and year fills these; every indicator then reads from memory.
  private reportedCache = new Map<number, ReportedRow[]>();
  private targetCache = new Map<number, TargetRow[]>();

  /** Every reported value of the engine's county for a year (for a period to date: those that speak for it). */
  private *reportedRows(year: number): Steps<ReportedRow[]> {
    const hit = this.reportedCache.get(year);
    if (hit) return hit;
    const end = periodEnd(this.period, year);
    const undated = yield* settle(this.batch?.reported(this.county, year) ?? reportedOf(this.store, this.county, year));
    const rows = end
      ? reportedToDate(undated, yield* settle(this.batch?.datedReported(this.county, year) ?? datedStatements(this.store.db, this.county, year)), end)
      : undated;
    this.reportedCache.set(year, rows);
    return rows;
  }

  // A year's reported rows by element, made once per engine and year (a catalogue asks for each element several times).
  private reportedByElement = new Map<number, Map<string, ReportedRow[]>>();

  /** The rows of a reported query: one dim (the undimensioned one by default) or all dims. */
  private *reportedMatching(q: { element: string; year: number; dim?: string; allDims?: boolean; byDim?: boolean }): Steps<ReportedRow[]> {
    return matching((yield* this.reportedOfElements(q.year)).get(q.element) ?? [], q);
  }

  /** A year's reported rows by element. */
  private *reportedOfElements(year: number): Steps<Map<string, ReportedRow[]>> {
    let byElement = this.reportedByElement.get(year);
    if (!byElement) {
      byElement = new Map();
      for (const r of yield* this.reportedRows(year)) {
        const list = byElement.get(r.element);
        if (list) list.push(r);
        else byElement.set(r.element, [r]);
      }
      this.reportedByElement.set(year, byElement);
    }
    return byElement;
  }

  /** `reportedMatching` when the year's reported values are at hand (read once by it); undefined before. */
  private reportedNow(q: { element: string; year: number; dim?: string; allDims?: boolean; byDim?: boolean }): ReportedRow[] | undefined {
    const byElement = this.reportedByElement.get(q.year);
    return byElement ? matching(byElement.get(q.element) ?? [], q) : undefined;
  }

  /** A ledger's declared completeness when the year's states are read; undefined before. */
  private completenessKnown(kind: string, year: number): string | undefined {
    const ofYear = this.completeness.get(year);
    return ofYear ? ofYear.get(kind) ?? 'unknown' : undefined;
  }

  private *ledgerCompleteness(kind: string, year: number): Steps<string> {
    let ofYear = this.completeness.get(year);
    if (!ofYear) {
      const rows = yield* settle(this.batch?.states(this.county, year) ?? ledgerStatesOf(this.store, this.county, year));
      this.completeness.set(year, ofYear = new Map(rows.map((r) => [r.ledger, r.completeness])));
    }
    return ofYear.get(kind) ?? 'unknown';
  }

  /**
   * Whether the records a formula read say what the figure is. Not when a ledger it reads is declared
   * partial (its records are only some of the truth, so their count or sum is no total), nor when every
   * ledger it reads is undeclared and empty (nobody has said anything), nor when it only sums a field
   * that no record states (a blank cell is unknown, not zero). Then the figure is "no data", never 0.
   */
  private *recordsKnown(trace: TraceEntry[], year: number, listed = false): Steps<boolean> {
    const aggs = trace.filter((t): t is Extract<TraceEntry, { kind: 'aggregate' }> => t.kind === 'aggregate');
    if (!aggs.length) return true;
    const ledgers = ledgersOf(trace);
    const states: string[] = [];
    for (const l of ledgers) states.push(this.completenessKnown(l, year) ?? (yield* this.ledgerCompleteness(l, year)));
    if (!listed && states.includes('partial')) return false;
    let anySays = false;
    for (const [i, l] of ledgers.entries()) if (states[i] === 'complete' || (this.batch?.anyRecords(this.county, l, year) ?? (yield* this.anyRecords(l, year)))) { anySays = true; break; }
    if (!anySays) return false;
    // To date: when every record the figure reads has no date, none can be placed, so nothing is known.
    if (aggs.every((t) => t.query.upTo)) {
      let matched = 0;
      let undated = 0;
      for (const t of aggs) {
        const u = yield* this.undatedOf(t.query);
        matched += u.matched;
        undated += u.undated;
      }
      if (matched > 0 && undated === matched) return false;
    }
    const sums = aggs.filter((t) => t.query.fn === 'sum' && !t.query.by);
    if (sums.length !== aggs.length) return true;
    for (const t of sums) {
      const n = this.batch?.stated(this.county, t.query) ?? statedCount(this.store, this.county, t.query);
      if ((isThenable(n) ? (yield n) as number : n) !== 0) return true;
    }
    return false;
  }

  private *anyRecords(ledger: string, year: number): Steps<boolean> {
    const decl = ledgerDecl(ledger);
    if (!decl) return false;
    return yield* settle(this.batch?.anyRecords(this.county, ledger, year) ?? anyRecord(this.store, decl.table, this.county, year));
  }

  private sourceMemo = new Map<string, DataSource>();

  /**
   * Where formulas read their inputs: this county's records (the batch first) and reported values.
   * Made once per engine and indicator (`def`; none for rules), since an indicator may place a
   * ledger's records by a date field of its own.
   */
  private source(def?: string): DataSource {
    const k = def ?? '';
    const hit = this.sourceMemo.get(k);
    if (hit) return hit;
    const made: DataSource = {
      place: (q) => this.placed(q, def),
      aggregate: (q) => this.batch?.aggregate(this.county, q) ?? aggregateLedger(this.store, this.county, q),
      reported: (q) => { const rows = this.reportedNow(q); return rows ? valueOf(rows, q) : run(this.reportedValue(q)); },
      indicator: (id, year) => {
        const hit = this.memo.get(year)?.get(id);
        return hit && !isThenable(hit) ? valueOfResult(hit) : run(this.indicatorValue(id, year));
      },
    };
    this.sourceMemo.set(k, made);
    return made;
  }

  private *reportedValue(q: ReportedQuery): Steps<Rational | null | Array<{ key: string; value: Rational }>> {
    return valueOf(yield* this.reportedMatching(q), q);
  }

  private *indicatorValue(id: string, year: number): Steps<Value> {
    return valueOfResult(yield* this.evaluating(id, year));
  }

  /** The indicator's result for the engine's county in `year` (default: the engine's year). */
  evaluate(id: string, year: number = this.year): Promise<IndicatorResult> {
    return runAsync(this.evaluating(id, year));
  }

  /**
   * `evaluate` as a computation: from memory without waiting when a batch holds what it reads. Each
   * (id, year) is computed once; a computation that had to wait is kept as its promise until it ends.
   */
  private *evaluating(id: string, year: number): Steps<IndicatorResult> {
    // The catalogue refuses reference cycles when it is parsed, so this recursion always ends.
    let ofYear = this.memo.get(year);
    if (!ofYear) this.memo.set(year, ofYear = new Map());
    let hit = ofYear.get(id);
    if (hit === undefined) {
      hit = run(this.compute(id, year));
      ofYear.set(id, hit);
      if (isThenable(hit)) hit.then((r) => ofYear.set(id, r), () => {});
    }
    return isThenable(hit) ? (yield hit) as IndicatorResult : hit;
  }

  private *compute(id: string, year: number): Steps<IndicatorResult> {
    const def = this.cat.byId.get(id);
    if (!def) throw invalid(`未知指标 ${id}`, `unknown indicator ${id}`);
    if (this.rollup) return this.english(yield* this.computeRollup(def, year), def, year);
    const round = this.roundOf(def);
    const fromRecords = yield* evaluation(def.ast, { year, source: this.source(id) });
    const ledgers = ledgersOf(fromRecords.trace);
    let allComplete = ledgers.length > 0;
    for (const l of ledgers) if ((this.completenessKnown(l, year) ?? (yield* this.ledgerCompleteness(l, year))) !== 'complete') allComplete = false;
    // No silent zeros: a ledger the county has not declared complete and that holds no records says
    // nothing, so a figure read only from such ledgers is "no data", never 0.
    const recordsValue = fromRecords.value;
    const partialOnly = !(yield* this.recordsKnown(fromRecords.trace, year, def.listed));
    if (partialOnly) fromRecords.value = fromRecords.value.kind === 'scalar' ? { kind: 'scalar', value: null } : { kind: 'breakdown', entries: [] };
    const flags: IndicatorResult['flags'] = [];
    let chosen = fromRecords;
    let source: IndicatorResult['source'] = 'records';
    if (def.reportedAst) {
      const fromReported = yield* evaluation(def.reportedAst, { year, source: this.source(id) });
      const rep = fromReported.value;
      const hasReported = rep.kind === 'scalar' ? rep.value !== null : rep.entries.length > 0;
      // To date, records that cannot be placed say nothing, so there is nothing to hold the stated figure against.
      const a: Value = !isWholeYear(this.period) && partialOnly ? { kind: 'scalar', value: null } : recordsValue;
      if (hasReported && rep.kind === 'scalar' && rep.value && a.kind === 'scalar' && a.value) {
        // Both a stated figure and one computed from its parts: keep the stated one where the ledger is
        // partial, the computed one where it is complete, and flag a disagreement either way.
        const q = yield* this.qualOf(fromReported.trace);
        const unitScale = (v: Rational) => (def.unit === 'money' ? v.div(FEN_PER_WAN) : v);
        const verdict = allComplete || a.value.cmp(rep.value) > 0
          ? agreement(unitScale(rep.value), unitScale(a.value), q.qual, q.max ? unitScale(q.max) : null)
          : 'holds';
        if (!allComplete && ledgers.length > 0 && a.value.cmp(rep.value) > 0 && q.qual !== 'over' && verdict === 'fails')
          flags.push({ zh: `明细记录之和（${withUnit(formatValue(a.value, def.unit, round), def.unit, this.cat)}）超过上报总数`, en: 'itemised records exceed the reported total' });
        else if (allComplete && verdict === 'fails')
          flags.push({ zh: `台账计算值与上报值不一致（上报 ${withUnit(formatValue(rep.value, def.unit, round), def.unit, this.cat)}，台账 ${withUnit(formatValue(a.value, def.unit, round), def.unit, this.cat)}）`, en: `records disagree with the reported value (${formatValue(rep.value, def.unit, round)})` });
      }
      // To date, a complete ledger whose records cannot be placed gives no figure; a figure stated as of a day then does.
      if (hasReported && (!allComplete || (!isWholeYear(this.period) && partialOnly))) {
        chosen = fromReported;
        source = 'reported';
        // A stated rate or ratio is kept as stated and checked against the one its parts give.
        if (rep.kind === 'scalar' && rep.value && a.kind === 'scalar' && a.value && ledgers.length === 0) {
          const q = yield* this.qualOf(fromReported.trace);
          const unitScale = (v: Rational) => (def.unit === 'money' ? v.div(FEN_PER_WAN) : v);
          const verdict = agreement(unitScale(rep.value), unitScale(a.value), q.qual, q.max ? unitScale(q.max) : null);
          if (verdict === 'fails')
            flags.push({ zh: `上报值与其组成部分计算值不一致（按组成部分计算为 ${withUnit(formatValue(a.value, def.unit, { decimals: Math.max(round.decimals, 2), mode: 'half_up' }), def.unit, this.cat)}）`, en: `the stated figure disagrees with the one its parts give (${formatValue(a.value, def.unit, { decimals: Math.max(round.decimals, 2), mode: 'half_up' })})` });
        }
      }
    }
    const value = chosen.value;
    // A formula that reads only reported values is a reported figure, whatever key it came under.
    if (source === 'records' && !chosen.trace.some((t) => t.kind === 'aggregate') && chosen.trace.some((t) => t.kind === 'reported')) source = 'reported';
    const qual = yield* this.qualOf(chosen.trace);
    const result: IndicatorResult = {
      id, label: def.label, unit: def.unit, formula: source === 'reported' ? def.reported ?? def.formula : def.formula,
      value: null, display: null, raw: null, exact: null, qual: qual.qual, source, status: 'no_target', flags, trace: chosen.trace,
      ...(source === 'records' && partialOnly ? { partial: true } : {}),
    };
    if (value.kind === 'scalar') {
      if (value.value) {
        result.exact = value.value;
        result.value = formatValue(value.value, def.unit, round, qual.scale);
        result.raw = toRaw(value.value, def.unit);
        result.display = withUnit(result.value, def.unit, this.cat, qual.qual, qual.max ? formatValue(qual.max, def.unit, round, qual.scale) : undefined, 'zh', qual.scale, qual.word);
        result.exactText = def.unit === 'money' ? value.value.div(FEN_PER_WAN).toDecimalString(6).replace(/\.?0+$/, '') : value.value.toDecimalString(6).replace(/\.?0+$/, '');
      } else {
        result.source = 'none';
      }
    } else {
      const labels = def.categories ? categoriesFor(year, this.county, this.store)[def.categories] ?? [] : [];
      const order = (k: string) => { const i = labels.findIndex((c) => c.value === k); return i < 0 ? 1e9 : i; };
      const entries = [...value.entries].sort((a, b) => order(a.key) - order(b.key));
      result.exactBreakdown = entries;
      result.breakdown = entries.map((e) => ({
        key: e.key,
        label: labels.find((c) => c.value === e.key)?.zh ?? e.key,
        raw: e.value ? toRaw(e.value, def.unit) : null,
        display: e.value ? withUnit(formatValue(e.value, def.unit, round), def.unit, this.cat) : '—',
      }));
      let total = entries.reduce<Rational | null>((acc, e) => (acc && e.value ? acc.add(e.value) : acc), Rational.of(0));
      // Stated parts need not be the whole: where the unit also states the total, that is the total.
      const ra = def.reportedAst;
      if (source === 'reported' && ra?.kind === 'values') {
        const whole = (yield* this.reportedRows(year)).find((r) => r.element === ra.element && r.dim === '');
        if (whole) total = Rational.parse(whole.value);
      }
      if (total && entries.length && def.total !== false) {
        result.exact = total;
        result.value = formatValue(total, def.unit, round);
        result.raw = toRaw(total, def.unit);
        result.display = withUnit(result.value, def.unit, this.cat);
      } else result.source = entries.length ? result.source : 'none';
    }
    if (!isWholeYear(this.period)) yield* this.markToDate(result, year);
    if (!this.targetCache.has(year)) yield* this.loadTargets(year);
    this.judge(result, def, year);
    return this.english(result, def, year);
  }

  private english(r: IndicatorResult, def: IndicatorDef, year: number): IndicatorResult {
    r.displayEn = r.exact ? englishFigure(r.exact, def.unit, def.round, this.cat, r.qual) : r.display === null ? null : r.display;
    if (r.breakdown && r.exactBreakdown) {
      const labels = def.categories ? categoriesFor(year, this.county, this.store)[def.categories] ?? [] : [];
      for (const b of r.breakdown) {
        const e = r.exactBreakdown.find((x) => x.key === b.key)?.value;
        b.labelEn = labels.find((c) => c.value === b.key)?.en ?? b.key;
        b.displayEn = e ? englishFigure(e, def.unit, def.round, this.cat) : '—';
      }
      if (!r.exact && def.total === false && r.breakdown.length) {
        r.display = r.breakdown.map((b) => `${b.label}${b.display}`).join('、');
        r.displayEn = r.breakdown.map((b) => `${b.labelEn} ${b.displayEn}`).join(', ');
      }
    }
    return r;
  }

  /** A figure read from one qualified source keeps its qualifier; combined ones become "about" if any part is. */
  private *qualOf(trace: TraceEntry[]): Steps<{ qual: Qual; max?: Rational; scale?: Scale; word?: string }> {
    const leaves = trace.filter((t) => t.kind === 'reported' || t.kind === 'aggregate');
    const quals: Array<{ qual: Qual; max?: Rational; scale?: Scale; word?: string }> = [];
    for (const t of leaves) {
      if (t.kind === 'reported') {
        for (const r of this.reportedNow(t.query) ?? (yield* this.reportedMatching(t.query)))
          quals.push({ qual: r.qual as Qual, max: r.value_max ? Rational.parse(r.value_max) : undefined, scale: (r.scale ?? '') as Scale, ...(r.unit_word ? { word: r.unit_word } : {}) });
      } else {
        const q = t.query;
        if (q.fn !== 'sum' || !q.field) continue;
        const n = this.batch?.qualified(this.county, q) ?? qualifiedCount(this.store, this.county, q);
        if ((isThenable(n) ? (yield n) as number : n) > 0) quals.push({ qual: 'about' });
      }
    }
    if (quals.length === 1 && leaves.length === 1) return quals[0]!;
    return { qual: quals.some((q) => q.qual !== 'exact') ? 'about' : 'exact' };
  }

  private claimCache = new Map<number, Array<Selectable<Database['target_claim']>>>();

  /** The targets in force for the engine's unit in a year, and its own claims about them, read once. */
  private *loadTargets(year: number): Steps<void> {
    // Targets are set by a unit for the units under it: the county itself, its prefecture, its province.
    const prefixes = [...new Set([this.county, this.county.slice(0, 4), this.county.slice(0, 2)])];
    const targets = this.batch?.targets(year)?.filter((t) => prefixes.includes(t.org_code)) ?? (yield* settle(targetsOf(this.store, year, prefixes)));
    // A claim about a target ("超额完成") is the unit's own data and speaks only for that unit.
    const claims = yield* settle(this.batch?.claims(this.county, year) ?? claimsOf(this.store, this.county, year));
    this.targetCache.set(year, targets);
    this.claimCache.set(year, claims);
  }

  /** Puts the target beside a result and judges the result against it (the year's targets are read). */
  private judge(result: IndicatorResult, def: IndicatorDef, year: number): void {
    const targets = this.targetCache.get(year)!.filter((x) => x.indicator === def.id);
    const claim = this.claimCache.get(year)!.find((c) => c.indicator === def.id);
    const t = targets.filter((x) => x.value !== null).sort((a, b) => b.org_code.length - a.org_code.length)[0]
      ?? targets.sort((a, b) => b.org_code.length - a.org_code.length)[0];
    const hasData = !!(result.exact || result.breakdown?.length);
    const toDate = !isWholeYear(this.period);
    // A figure to date is shown beside the year's target, never judged by it, and a unit's claim about the year does not speak for part of it.
    if (toDate && !t) { result.status = hasData ? 'no_target' : 'no_data'; return; }
    if (!t && !claim) { result.status = hasData ? 'no_target' : 'no_data'; return; }
    const round = this.roundOf(def);
    const fmt = (s: string | null) => (s === null ? null : formatValue(Rational.parse(s), def.unit, { decimals: round.decimals, mode: 'half_up' }));
    const v = t ? fmt(t.value) : null;
    const vMax = t ? fmt(t.value_max) : null;
    const display = v === null
      ? '未列明目标值'
      : t!.op === 'between' && vMax ? withUnit(`${v}–${vMax}`, def.unit, this.cat) : `${OP_ZH[t!.op] ?? t!.op}${withUnit(v, def.unit, this.cat)}`;
    const en = (x: string) => englishFigure(Rational.parse(x), def.unit, round, this.cat);
    const displayEn = !t || t.value === null
      ? 'target figure not stated'
      : t.op === 'between' && t.value_max
        ? englishFigure(Rational.parse(t.value), def.unit, round, this.cat, 'range', Rational.parse(t.value_max))
        : `${OP_EN[t.op] ?? t.op} ${en(t.value)}`;
    result.target = {
      op: t?.op ?? '>=', value: v, valueMax: vMax, display, displayEn, orgCode: t?.org_code ?? this.county,
      reportedStatus: claim?.status ?? null, note: t?.note ?? null, claimNote: claim?.note ?? null,
    };
    if (toDate) {
      result.status = hasData ? 'to_date' : 'no_data';
      const aim = t?.value ? Rational.parse(t.value) : null;
      if (result.toDate && aim && aim.cmp(Rational.of(0)) > 0 && result.exact && (t!.op === '>=' || t!.op === '>') && def.unit !== 'percent' && def.unit !== 'pp') {
        const ofTarget = result.exact.div(aim);
        const share = periodShareOfYear(this.period, year);
        result.toDate.ofTarget = ofTarget.mul(Rational.of(100)).toDecimalString(1);
        result.toDate.onPace = ofTarget.cmp(Rational.of(share.days).div(Rational.of(share.of))) >= 0;
      }
      return;
    }
    // Every unit is judged on its own figures; its own claim decides only where no figure can.
    if (t && t.value !== null && result.exact) {
      result.status = compare(result.exact, t.op, Rational.parse(t.value), t.value_max ? Rational.parse(t.value_max) : undefined) ? 'met' : 'missed';
      return;
    }
    if (claim) { result.status = claim.status === 'met' || claim.status === 'exceeded' ? 'met' : claim.status === 'missed' ? 'missed' : 'no_data'; return; }
    result.status = 'no_data';
  }

  /** Every indicator of the catalogue, in catalogue order. */
  all(): Promise<IndicatorResult[]> {
    return runAsync(this.allSteps());
  }

  private *allSteps(): Steps<IndicatorResult[]> {
    const out: IndicatorResult[] = [];
    for (const d of this.cat.indicators) out.push(yield* this.evaluating(d.id, this.year));
    return out;
  }

  /** Evaluates the catalogue's validation rules, plus one check per partial ledger figure that records stay within the reported total. */
  rules(): Promise<RuleResult[]> {
    return runAsync(this.ruleSteps());
  }

  private *ruleSteps(): Steps<RuleResult[]> {
    const out: RuleResult[] = [];
    const fmt = (v: Value, unit: Unit | undefined) =>
      v.kind === 'scalar' && v.value
        ? unit ? withUnit(unit === 'money' ? formatValue(v.value, unit, { decimals: 4, mode: 'half_up' }) : v.value.toString(), unit, this.cat) : v.value.toString()
        : null;
    for (const r of this.cat.rules) {
      // A prefecture or province holds no ledgers of its own: rules over records are checked county by county.
      if (this.rollup && (references(r.left).ledgers.length || references(r.right).ledgers.length)) {
        out.push({ id: r.id, label: r.label, ok: null, left: null, right: null, op: r.op, detail: { zh: '按县逐一检查', en: 'checked county by county' } });
        continue;
      }
      const l = yield* evaluation(r.left, { year: this.year, source: this.source() });
      const rt = yield* evaluation(r.right, { year: this.year, source: this.source() });
      // A side read from records that say nothing has no figure, so the rule cannot be checked.
      for (const side of [l, rt]) if (!(yield* this.recordsKnown(side.trace, this.year))) side.value = { kind: 'scalar', value: null };
      const unit = this.unitOf(l.trace) ?? this.unitOf(rt.trace);
      const lv = l.value.kind === 'scalar' ? l.value.value : null;
      const rv = rt.value.kind === 'scalar' ? rt.value.value : null;
      const ok = lv && rv ? compare(lv, r.op, rv) : null;
      const left = fmt(l.value, unit);
      const right = fmt(rt.value, unit);
      out.push({
        id: r.id, label: r.label, ok, left, right, op: r.op,
        detail: ok === null
          ? { zh: '数据不全，未检查', en: 'not checked: data missing' }
          : { zh: `${left} ${r.op} ${right}${ok ? '' : ' 不成立'}`, en: `${left} ${r.op} ${right}${ok ? '' : ' does not hold'}` },
      });
    }
    out.push(...(yield* this.statedRelations()));
    for (const ind of yield* this.allSteps()) {
      for (const f of ind.flags)
        out.push({ id: `consistency.${ind.id}`, label: { zh: `${ind.label.zh}：明细与上报值一致`, en: `${ind.label.en}: records agree with reported value` }, ok: false, left: ind.display, right: null, op: '=', detail: f });
    }
    return out;
  }

  /**
   * Relations among the unit's own stated figures: a stated total against its stated parts (parts
   * that exceed the total always fail; parts of an exhaustive list must add up to it), and subsets
   * (其中) that must not exceed their whole. Each is checked at the precision the figures were stated to.
   */
  private *statedRelations(): Steps<RuleResult[]> {
    const out: RuleResult[] = [];
    const cats = categoriesFor(this.year, this.county, this.store);
    const show = (el: { unit: Unit }, v: Rational) => withUnit(formatValue(v, el.unit, { decimals: 4, mode: 'half_up' }).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''), el.unit, this.cat);
    const disp = (v: Rational, el: { unit: Unit }) => (el.unit === 'money' ? v.div(FEN_PER_WAN) : v);
    const byElement = yield* this.reportedOfElements(this.year);
    for (const el of Object.values(this.cat.elements)) {
      const mine = byElement.get(el.id);
      if (!mine) continue;
      const total = mine.find((r) => r.dim === '');
      const parts = mine.filter((r) => r.dim !== '');
      if (total && parts.length && el.dims) {
        const sum = parts.reduce((a, r) => a.add(Rational.parse(r.value)), Rational.of(0));
        const t = Rational.parse(total.value);
        const over = sum.cmp(t) > 0 && agreement(disp(t, el), disp(sum, el)) === 'fails' && total.qual !== 'over';
        const short = el.exhaustive && total.qual === 'exact' && parts.every((p) => p.qual === 'exact') && agreement(disp(t, el), disp(sum, el)) === 'fails';
        const names = parts.map((p) => `${cats[el.dims!]?.find((c) => c.value === p.dim)?.zh ?? p.dim}${show(el, Rational.parse(p.value))}`).join('、');
        const ok = !(over || short);
        out.push({
          id: `stated.parts.${el.id}`, label: { zh: `${el.label.zh}：各分项之和与合计一致`, en: `${el.label.en}: parts add up to the stated total` },
          ok, left: show(el, sum), right: show(el, t), op: el.exhaustive ? '=' : '<=',
          detail: ok ? { zh: `分项${names}，合计${show(el, t)}`, en: `parts add up to ${show(el, sum)} of ${show(el, t)}` }
            : { zh: `分项${names}之和为${show(el, sum)}，${over ? '超过' : '不等于'}上报合计${show(el, t)}（相差${show(el, sum.sub(t).abs())}）`, en: `the parts add up to ${show(el, sum)}, ${over ? 'more than' : 'not'} the stated total ${show(el, t)}` },
        });
      }
      if (el.within) {
        const whole = this.cat.elements[el.within]!;
        for (const part of mine) {
          const wholeRows = byElement.get(el.within) ?? [];
          const w = wholeRows.find((r) => r.dim === part.dim) ?? wholeRows.find((r) => r.dim === '');
          if (!w) continue;
          const a = Rational.parse(part.value);
          const b = Rational.parse(w.value);
          const ok = a.cmp(b) <= 0;
          out.push({
            id: `stated.within.${el.id}${part.dim ? `.${part.dim}` : ''}`, label: { zh: `${el.label.zh}不超过${whole.label.zh}`, en: `${el.label.en} within ${whole.label.en}` },
            ok, left: show(el, a), right: show(whole, b), op: '<=',
            detail: ok ? { zh: `${show(el, a)} ≤ ${show(whole, b)}`, en: `${show(el, a)} ≤ ${show(whole, b)}` }
              : { zh: `其中${el.label.zh}${show(el, a)}超过${whole.label.zh}${show(whole, b)}`, en: `${el.label.en} ${show(el, a)} exceeds ${whole.label.en} ${show(whole, b)}` },
          });
        }
      }
    }
    return out;
  }

  private unitOf(trace: TraceEntry[]): Unit | undefined {
    for (const t of trace) {
      if (t.kind === 'indicator') return this.cat.byId.get(t.query.id)?.unit;
      if (t.kind === 'reported') return this.cat.elements[t.query.element]?.unit;
      if (t.kind === 'aggregate') {
        const q = t.query;
        if (q.fn === 'count') return 'items';
        const f = ledgerDecl(q.ledger)?.fields.find((x) => x.name === q.field);
        return f?.type === 'money' ? 'money' : 'items';
      }
    }
    return undefined;
  }

  /** Human-readable sources of a result: reported values with their notes, records with their titles. */
  async sources(r: IndicatorResult): Promise<string[]> {
    const out: string[] = [];
    const cats = categoriesFor(this.year, this.county, this.store);
    for (const t of r.trace) {
      if (t.kind === 'reported') {
        const q = t.query;
        const el = this.cat.elements[q.element];
        for (const row of await runAsync(this.reportedMatching(q))) {
          const unit = el?.unit ?? 'items';
          const fmt = (v: string) => formatValue(Rational.parse(v), unit, { decimals: 4, mode: 'half_up' }).replace(/\.0+$|(\.\d*?)0+$/, '$1');
          const dim = row.dim ? `·${(el?.dims && cats[el.dims]?.find((c) => c.value === row.dim)?.zh) || row.dim}` : '';
          out.push(`上报值「${el?.label.zh ?? q.element}${dim}」${row.year}年${row.as_of ? `（截至${row.as_of}）` : ''}：${withUnit(fmt(row.value), unit, this.cat, row.qual as Qual, row.value_max ? fmt(row.value_max) : undefined)}${row.note ? `（来源：${row.note}）` : ''}`);
        }
      } else if (t.kind === 'aggregate') {
        const q = t.query;
        const decl = ledgerDecl(q.ledger);
        const refs = await recordRefs(this.store, this.county, q, 20);
        const titleField = decl?.fields.find((f) => f.name === decl.titleField);
        const title = (v: string) => (titleField?.type === 'enum' && titleField.categories ? cats[titleField.categories]?.find((c) => c.value === v)?.zh ?? v : v);
        out.push(`台账「${decl?.label.zh ?? q.ledger}」${q.year}年${refs.length ? `${refs.length}条记录：${refs.map((x) => `#${x.id} ${title(x.title)}`).join('；')}` : '：无记录'}`);
      } else if (t.kind === 'indicator') {
        const q = t.query;
        const [id, county] = q.id.split('@');
        const label = this.cat.byId.get(id!)?.label.zh ?? id;
        out.push(`指标「${label}」${county ? `（${county}）` : ''}${q.year !== this.year ? `${q.year}年` : ''}`);
      }
    }
    return [...new Set(out)];
  }
}

/** All indicators of a county-year (or of a period to date of it) with targets and status; Forbidden outside the actor's scope. */
export async function computeIndicators(store: Store, actor: Actor, county: string, year: number, period: Period = WHOLE_YEAR): Promise<IndicatorResult[]> {
  await assertRead(store, actor, county);
  return new IndicatorEngine(store, county, year, { period }).all();
}

/** Validation rules for a county-year; `ok: false` marks a failing rule, `null` a rule without data. */
export async function checkRules(store: Store, actor: Actor, county: string, year: number): Promise<RuleResult[]> {
  await assertRead(store, actor, county);
  return new IndicatorEngine(store, county, year).rules();
}

/**
 * Sets a target. Only province and prefecture users for units they cover (and admins) may; the
 * value is given in display units (万元 for money) and stored exactly. Audited.
 */
export async function setTarget(
  store: Store, actor: Actor, orgCode: string, year: number, indicator: string,
  t: { op: string; value: string | null; valueMax?: string | null; note?: string | null },
): Promise<void> {
  assertMaySetTarget(actor, orgCode);
  const def = catalogueFor(year).byId.get(indicator);
  if (!def) throw invalid(`未知指标 ${indicator}`, `unknown indicator ${indicator}`);
  if (!['>=', '>', '<=', '<', '=', 'between'].includes(t.op)) throw invalid(`未知比较符 ${t.op}`, `unknown operator ${t.op}`);
  const toStored = (s: string | null | undefined) => {
    if (s === null || s === undefined || s === '') return null;
    let r: Rational;
    try { r = Rational.parse(s); } catch { throw invalid(`目标值不是数字：${s}`, `target is not a number: ${s}`); }
    return def.unit === 'money' ? r.mul(FEN_PER_WAN).toDecimalString(0) : r.toString();
  };
  const row = { op: t.op, value: toStored(t.value), value_max: toStored(t.valueMax), note: t.note ?? null, set_by: actor.id, reported_status: null, updated_at: new Date().toISOString() };
  await saveTarget(store, { org: orgCode, year, indicator, actor: actor.id }, row);
}

/**
 * Records (or with null, clears) a county's own statement about a target set for it: met, exceeded or
 * missed, with its note. It is that county's data: only its own users (and admins) may state it, it
 * never decides another county's status, and it decides this county's only where no figure can. Audited.
 */
export async function setClaim(
  store: Store, actor: Actor, county: string, year: number, indicator: string, status: 'met' | 'exceeded' | 'missed' | null, note: string | null,
): Promise<void> {
  await assertRead(store, actor, county);
  assertWrite(actor, county);
  if (!catalogueFor(year).byId.has(indicator)) throw invalid(`未知指标 ${indicator}`, `unknown indicator ${indicator}`);
  const at = new Date().toISOString();
  await saveClaim(store, { org: county, year, indicator, actor: actor.id, at }, status === null ? null : { status, note });
}

export { columnsOf };
