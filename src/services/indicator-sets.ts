/**
 * Indicators for many counties at once. The catalogue is compiled into the set of aggregates it
 * needs (every count/sum of every indicator and rule, following references to other years); the
 * store answers them in one statement per ledger for the whole set of counties (conditional
 * aggregates grouped by county); reported values, ledger states and targets are read once for the
 * set. Each county's engine then evaluates from memory, with exactly the semantics of a county
 * engine on its own — the batch only answers the questions the engine would have asked.
 */
import type { AggregateQuery, Cond, Expr } from '../domain/expr/index.ts';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { Rational } from '../domain/rational.ts';
import {
  type AggregateBatch, batchAggregates, batchDatedReported, batchReported, batchStates, type BatchTerm, countiesWithData, type CountySet, inSet,
  claimsOfYears, countiesWithRecords, countyDataVersion, pairedCounties, targetsOfYears, unitNames, type WriteMarks, writeMarks, writesSince,
} from '../store/batch-aggregate.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import type { Selectable } from 'kysely';
import { catalogueFor, type Catalogue } from './catalogue.ts';
import { invalid, notFound } from './errors.ts';
import { type DatedRow, IndicatorEngine, type IndicatorResult, type RuleResult } from './indicators.ts';
import { isWholeYear, parsePeriod, type Period, periodEnd, periodKey, periodLabel, WHOLE_YEAR } from '../domain/period.ts';
import { dateFieldFor, warningRulesFor } from './warning-rules.ts';
import { type Actor, assertRead, assertReadRollUp, canRead } from './scope.ts';

type ReportedRow = Pick<Database['reported_value'], 'element' | 'dim' | 'value' | 'qual' | 'value_max' | 'note' | 'year' | 'scale' | 'unit_word'>;
type TargetRow = Selectable<Database['target']>;
type ClaimRow = Selectable<Database['target_claim']>;

/**
 * What an engine may read from a prefetched batch instead of the database. Every method answers
 * `undefined` for what the batch does not hold (another county, year or query); the engine then
 * asks the database as usual, so a batch can only make an engine faster, never different.
 */
export interface Prefetched {
  aggregate(county: string, q: AggregateQuery): Rational | Array<{ key: string; value: Rational }> | undefined;
  qualified(county: string, q: AggregateQuery): number | undefined;
  /** How many of a sum's matching records state its field. */
  stated(county: string, q: AggregateQuery): number | undefined;
  anyRecords(county: string, ledger: string, year: number): boolean | undefined;
  states(county: string, year: number): Array<{ ledger: string; completeness: string }> | undefined;
  reported(county: string, year: number): ReportedRow[] | undefined;
  /** A county's figures stated as of a day (read only for a period to date). */
  datedReported(county: string, year: number): DatedRow[] | undefined;
  /** For a query to date: records matching its condition, and how many of them have no date. */
  undated(county: string, q: AggregateQuery): { matched: number; undated: number } | undefined;
  targets(year: number): TargetRow[] | undefined;
  /** A county's own claims about its targets (target_claim). */
  claims(county: string, year: number): ClaimRow[] | undefined;
  /** Counties with data under a roll-up unit (prefix), when the batch covers all of them. */
  counties(unit: string, year: number): string[] | undefined;
  /** Every county of the batch's set holding data in the batch's year. */
  readonly withData?: readonly string[];
}

// Conditions are keyed by identity: the engine's queries carry the catalogue's own AST nodes.
const condIds = new WeakMap<Cond, number>();
let nextCond = 1;
const condId = (c: Cond | undefined) => {
  if (!c) return 0;
  if (!condIds.has(c)) condIds.set(c, nextCond++);
  return condIds.get(c)!;
};
// Kept per query object: the evaluation asks every county's batch with the same query objects.
const termKeys = new WeakMap<AggregateQuery, string>();
const termKey = (q: AggregateQuery): string => {
  let k = termKeys.get(q);
  if (k === undefined) termKeys.set(q, k = `${q.year}|${q.fn}|${q.ledger}|${q.field ?? ''}|${q.by ?? ''}|${condId(q.where)}${q.upTo ? `|${q.upTo.field}<=${q.upTo.day}` : ''}`);
  return k;
};

/**
 * Every aggregate (with its year) and every reported-value year the catalogue reads when evaluated for
 * `year`; for a period to date, each aggregate carries the date condition the engine will ask with
 * (the date fields in force for `unit`, the early warnings' configuration).
 */
export function compileCatalogue(cat: Catalogue, year: number, period: Period = WHOLE_YEAR, unit = '', only?: readonly string[]): { terms: BatchTerm[]; reportedYears: number[]; ledgerYears: number[] } {
  const dates = isWholeYear(period) ? undefined : warningRulesFor(year, unit);
  const placed = (q: AggregateQuery, def: string | undefined): AggregateQuery => {
    if (!dates) return q;
    const field = def ? dateFieldFor(dates, def, q.ledger) : dates.dates[q.ledger] ?? null;
    const day = periodEnd(period, q.year);
    return field && day ? { ...q, upTo: { field, day } } : q;
  };
  const terms = new Map<string, BatchTerm>();
  const reportedYears = new Set<number>([year]);
  const ledgerYears = new Set<number>([year]);
  const done = new Set<string>();
  const walk = (e: Expr, y: number, def?: string): void => {
    switch (e.kind) {
      case 'number': case 'year': return;
      case 'neg': return walk(e.arg, y, def);
      case 'binary': walk(e.left, y, def); return walk(e.right, y, def);
      case 'fn': return e.args.forEach((a) => walk(a, y, def));
      case 'count': case 'sum': {
        const q: AggregateQuery = placed({ fn: e.kind, ledger: e.ledger, ...(e.kind === 'sum' && { field: e.field }), ...(e.where && { where: e.where }), ...(e.by !== undefined && { by: e.by }), year: y }, def);
        terms.set(termKey(q), { key: termKey(q), q });
        ledgerYears.add(y);
        return;
      }
      case 'value': case 'values':
        reportedYears.add(e.year.kind === 'relative' ? y + e.year.offset : e.year.year);
        return;
      case 'ref': return visit(e.id, e.year.kind === 'relative' ? y + e.year.offset : e.year.year);
    }
  };
  const visit = (id: string, y: number) => {
    const k = `${id}@${y}`;
    if (done.has(k)) return;
    done.add(k);
    const def = cat.byId.get(id);
    if (!def) return;
    walk(def.ast, y, id);
    if (def.reportedAst) walk(def.reportedAst, y, id);
  };
  if (only) for (const id of only) visit(id, year);
  else {
    for (const d of cat.indicators) visit(d.id, year);
    for (const r of cat.rules) { walk(r.left, year); walk(r.right, year); }
  }
  for (const y of ledgerYears) reportedYears.add(y);
  return { terms: [...terms.values()], reportedYears: [...reportedYears].sort(), ledgerYears: [...ledgerYears].sort() };
}

/** The unit whose date configuration a batch compiles with: the set's prefix, else the nation's (a county that differs asks for itself). */
const unitOfSet = (set: CountySet) => (set.kind === 'prefix' ? set.prefix : set.kind === 'codes' && set.codes.length === 1 ? set.codes[0]! : '');

/**
 * Reads everything the catalogue needs for a set of counties in a fixed number of statements. For a
 * period to date the aggregates carry the date condition (still one statement per ledger) and the
 * figures stated as of a day are read too. With `only`, what those indicators need (and the ones
 * they refer to), without the rules: only the ledgers they read are read.
 */
export async function prefetch(store: Store, set: CountySet, year: number, cat: Catalogue = catalogueFor(year), period: Period = WHOLE_YEAR, only?: readonly string[]): Promise<Prefetched & { batch: AggregateBatch; withData: string[] }> {
  const { terms, reportedYears, ledgerYears } = compileCatalogue(cat, year, period, unitOfSet(set), only);
  // Targets and claims of every year read: an earlier year's figure (a year-on-year change) is judged against its own year's target.
  const targetYears = [...new Set([...reportedYears, ...ledgerYears])];
  // Reading only some ledgers, the counties with records in the others are still counties with data.
  const read = new Set(terms.filter((t) => t.q.year === year).map((t) => t.q.ledger));
  const unread = only ? LEDGERS.filter((l) => !read.has(l.kind)).map((l) => l.kind) : [];
  const [batch, reported, states, targets, claims, declared, datedRows, elsewhere] = await Promise.all([
    batchAggregates(store, set, terms), batchReported(store, set, reportedYears), batchStates(store, set, ledgerYears), targetsOfYears(store, targetYears),
    claimsOfYears(store, targetYears), countiesWithData(store, set, year),
    isWholeYear(period) ? Promise.resolve([]) : batchDatedReported(store, set, reportedYears),
    unread.length ? countiesWithRecords(store, set, year, unread) : Promise.resolve([]),
  ]);
  // Counties with data: those that declared or stated anything, and those that entered records.
  const withData = [...new Set([...declared, ...batch.withRecords(year), ...elsewhere])].sort();
  const dated = new Map<string, DatedRow[]>();
  for (const { county_code, ...r } of datedRows) {
    const k = `${county_code}@${r.year}`;
    if (!dated.has(k)) dated.set(k, []);
    dated.get(k)!.push(r);
  }
  const claimsOf = new Map<string, ClaimRow[]>();
  for (const c of claims) {
    const k = `${c.org_code}@${c.year}`;
    if (!claimsOf.has(k)) claimsOf.set(k, []);
    claimsOf.get(k)!.push(c);
  }
  const targetsOf = new Map<number, TargetRow[]>(targetYears.map((y) => [y, []]));
  for (const t of targets) targetsOf.get(t.year)?.push(t);
  const rep = new Map<string, ReportedRow[]>();
  for (const { county_code, ...r } of reported) {
    const k = `${county_code}@${r.year}`;
    if (!rep.has(k)) rep.set(k, []);
    rep.get(k)!.push(r);
  }
  const st = new Map<string, Array<{ ledger: string; completeness: string }>>();
  for (const r of states) {
    const k = `${r.county_code}@${r.year}`;
    if (!st.has(k)) st.set(k, []);
    st.get(k)!.push({ ledger: r.ledger, completeness: r.completeness });
  }
  const covers = (unit: string) => set.kind === 'all' || (set.kind === 'prefix' && unit.startsWith(set.prefix));
  return {
    batch,
    withData,
    aggregate: (county, q) => batch.value(county, termKey(q)),
    qualified: (county, q) => batch.qualified(county, termKey(q)),
    stated: (county, q) => batch.stated(county, termKey(q)),
    anyRecords: (county, ledger, y) => { const n = batch.records(county, ledger, y); return n === undefined ? undefined : n > 0; },
    states: (county, y) => (inSet(set, county) && ledgerYears.includes(y) ? st.get(`${county}@${y}`) ?? [] : undefined),
    reported: (county, y) => (inSet(set, county) && reportedYears.includes(y) ? rep.get(`${county}@${y}`) ?? [] : undefined),
    datedReported: (county, y) => (!isWholeYear(period) && inSet(set, county) && reportedYears.includes(y) ? dated.get(`${county}@${y}`) ?? [] : undefined),
    undated: (county, q) => batch.undated(county, termKey(q)),
    targets: (y) => targetsOf.get(y),
    claims: (county, y) => (targetsOf.has(y) && inSet(set, county) ? claimsOf.get(`${county}@${y}`) ?? [] : undefined),
    counties: (unit, y) => (y === year && covers(unit) ? withData.filter((c) => c.startsWith(unit)) : undefined),
  };
}

/**
 * The period of a request (query string `period=Q2|M08|year` or `to=YYYY-MM-DD`, or the CLI's
 * `--period`) for an assessment year; Invalid with the reason in both languages.
 */
export function periodOf(text: string | undefined, to: string | undefined, year: number): Period {
  const r = parsePeriod(text, { ...(to !== undefined && { to }), year });
  if (!r.ok) throw invalid(r.error.zh, r.error.en);
  return r.period;
}

/** What an answer says about its period: null for the whole year. */
export function periodView(period: Period, year: number): { key: string; end: string; label: { zh: string; en: string } } | null {
  const end = periodEnd(period, year);
  return end ? { key: periodKey(period), end, label: periodLabel(period) } : null;
}

/** A set of counties: under a division code ('' for the nation, 2 digits a province, 4 a prefecture, 6 a county), or paired with an eastern unit. */
export type UnitScope = { unit: string } | { east: string };

export interface CountyIndicators {
  code: string;
  name: string;
  indicators: IndicatorResult[];
  rules?: RuleResult[];
}

async function resolve(store: Store, scope: UnitScope, year: number): Promise<CountySet> {
  if ('east' in scope) {
    if (!/^\d{2,6}$/.test(scope.east)) throw invalid('东部单位代码应为2–6位数字', 'an eastern unit code has 2–6 digits');
    return { kind: 'codes', codes: await pairedCounties(store, scope.east, year) };
  }
  if (!/^(\d{2}|\d{4}|\d{6})?$/.test(scope.unit)) throw invalid('区划代码应为空或2、4、6位数字', 'a division code has 2, 4 or 6 digits (none for the nation)');
  return scope.unit === '' ? { kind: 'all' } : scope.unit.length === 6 ? { kind: 'codes', codes: [scope.unit] } : { kind: 'prefix', prefix: scope.unit };
}

/**
 * Every indicator (and, with `rules`, every rule) of each county in the scope that holds data for
 * the year and that the actor may read, in code order. Equal, county by county, to
 * computeIndicators/checkRules; the reading is done once for the whole set.
 *
 * With `keep` (the nation, a province or a prefecture; not an eastern unit's pairs) every county's
 * figures are kept after the computation, for whoever asks next: the writes since then say which
 * counties changed, and only those are read and evaluated again (see keptSets).
 */
export async function indicatorsForCounties(
  store: Store, actor: Actor, scope: UnitScope, year: number,
  opts: { rules?: boolean; ids?: readonly string[]; onProgress?: (done: number, total: number) => void; period?: Period; keep?: boolean } = {},
): Promise<CountyIndicators[]> {
  // A province's or prefecture's counties are read with its catalogue (the national one and its own elements).
  const cat = catalogueFor(year, 'unit' in scope && scope.unit.length < 6 && scope.unit ? scope.unit : undefined, store);
  for (const id of opts.ids ?? []) if (!cat.byId.has(id)) throw invalid(`未知指标 ${id}`, `unknown indicator ${id}`);
  const set = await resolve(store, scope, year);
  const period = opts.period ?? WHOLE_YEAR;
  if (opts.keep && 'unit' in scope && scope.unit.length < 6) return keptCounties(store, actor, scope.unit, set, year, period, cat, opts);
  const pre = await prefetch(store, set, year, cat, period, readOnly(opts));
  const readable: string[] = [];
  for (const c of pre.withData) if (await canRead(store, actor, c)) readable.push(c);
  return evaluateCounties(store, pre, readable, await unitNames(store, readable), year, period, opts);
}

type SetOptions = { rules?: boolean; ids?: readonly string[]; onProgress?: (done: number, total: number) => void };

/** What a set's batch must read: the indicators asked for (and those they refer to), or everything where rules are asked too. */
const readOnly = (opts: SetOptions): readonly string[] | undefined => (opts.rules ? undefined : opts.ids);

/** Each county's figures from a batch, in the order given, letting other work on this thread run between counties. */
async function evaluateCounties(store: Store, pre: Batch, codes: readonly string[], names: ReadonlyMap<string, string>, year: number, period: Period, opts: SetOptions): Promise<CountyIndicators[]> {
  const out: CountyIndicators[] = [];
  for (const code of codes) {
    const e = new IndicatorEngine(store, code, year, { batch: pre, period });
    const indicators = opts.ids ? await Promise.all(opts.ids.map((id) => e.evaluate(id))) : await e.all();
    out.push({ code, name: names.get(code) ?? code, indicators, ...(opts.rules && { rules: await e.rules() }) });
    // The evaluation itself is CPU only.
    if (out.length % 25 === 0) { opts.onProgress?.(out.length, codes.length); await new Promise((r) => setImmediate(r)); }
  }
  opts.onProgress?.(out.length, codes.length);
  return out;
}

/**
 * Per store and (unit, year, period, indicators, rules): where the writes stood when its counties
 * were last computed, and every county's figures then (for all counties with data, whoever asked;
 * each caller is answered the counties it may read).
 */
const keptSets = new WeakMap<Store, Map<string, { marks: WriteMarks; rows: ReadonlyMap<string, CountyIndicators> }>>();
/**
 * Sets kept per store, the most recently computed first out last. The sets kept are of a few
 * indicators each (the ranking's, or one to rank by): a national set is a few MB, so an office
 * going through a dozen indicators finds each computed when it comes back to it.
 */
export const SETS_KEPT = 16;

async function keptCounties(store: Store, actor: Actor, unit: string, set: CountySet, year: number, period: Period, cat: Catalogue, opts: SetOptions): Promise<CountyIndicators[]> {
  if (!keptSets.has(store)) keptSets.set(store, new Map());
  const sets = keptSets.get(store)!;
  const key = `${unit}@${year}@${periodKey(period)}@${opts.ids ? opts.ids.join(',') : '*'}@${opts.rules ? 'rules' : ''}`;
  const last = sets.get(key);
  const years = yearsRead(year);
  // Where the writes stand is read before the data, so a write in between is read again next time.
  const since = last ? await writesSince(store, unit, years, last.marks) : null;
  const marks = since?.now ?? await writeMarks(store, unit, years);
  let rows: Map<string, CountyIndicators>;
  if (last && since?.counties) {
    const changed = since.counties;
    rows = new Map(last.rows);
    for (const c of changed) rows.delete(c);
    if (changed.length) {
      const pre = await prefetch(store, { kind: 'codes', codes: changed }, year, cat, period, readOnly(opts));
      for (const r of await evaluateCounties(store, pre, pre.withData, new Map(), year, period, opts)) rows.set(r.code, r);
    }
  } else {
    const pre = await prefetch(store, set, year, cat, period, readOnly(opts));
    rows = new Map((await evaluateCounties(store, pre, pre.withData, new Map(), year, period, opts)).map((r) => [r.code, r]));
  }
  sets.delete(key);
  sets.set(key, { marks, rows });
  for (const k of sets.keys()) { if (sets.size <= SETS_KEPT) break; sets.delete(k); }
  const readable: string[] = [];
  for (const c of [...rows.keys()].sort()) if (await canRead(store, actor, c)) readable.push(c);
  // Names are read each time: they are not part of what the writes since say.
  const names = await unitNames(store, readable);
  return readable.map((c) => ({ ...rows.get(c)!, name: names.get(c) ?? c }));
}

export interface RankRow {
  code: string;
  name: string;
  /** 1 for the highest value; null for a county without a figure (listed last). */
  rank: number | null;
  raw: number | null;
  display: string | null;
  /** The figure in English words and units, where it differs. */
  displayEn?: string | null;
  status: IndicatorResult['status'];
}

/**
 * Counties of a scope ranked by one indicator (highest first, or lowest with `ascending`); ties share
 * a rank. With `keep`, the counties' figures are kept for the next ranking (see indicatorsForCounties).
 */
export async function rankCounties(store: Store, actor: Actor, scope: UnitScope, year: number, indicator: string, opts: { ascending?: boolean; period?: Period; keep?: boolean } = {}): Promise<RankRow[]> {
  const rows = await indicatorsForCounties(store, actor, scope, year, { ids: [indicator], ...(opts.period && { period: opts.period }), ...(opts.keep && { keep: true }) });
  const list = rows.map((r) => ({ r, i: r.indicators[0]! }));
  const withValue = list.filter((x) => x.i.exact).sort((a, b) => (opts.ascending ? a.i.exact!.cmp(b.i.exact!) : b.i.exact!.cmp(a.i.exact!)) || a.r.code.localeCompare(b.r.code));
  const out: RankRow[] = [];
  withValue.forEach((x, k) => {
    const prev = out[k - 1];
    const tie = prev && withValue[k - 1]!.i.exact!.eq(x.i.exact!);
    out.push({ code: x.r.code, name: x.r.name, rank: tie ? prev.rank : k + 1, raw: x.i.raw, display: x.i.display, ...(x.i.displayEn !== undefined && { displayEn: x.i.displayEn }), status: x.i.status });
  });
  for (const x of list) if (!x.i.exact) out.push({ code: x.r.code, name: x.r.name, rank: null, raw: null, display: null, status: x.i.status });
  return out;
}

const yearsMemo = new Map<number, { cat: Catalogue; years: number[] }>();
/** Every year whose data the catalogue of `year` reads (records and reported values). */
function yearsRead(year: number): number[] {
  const cat = catalogueFor(year);
  const m = yearsMemo.get(year);
  if (m && m.cat === cat) return m.years;
  const { reportedYears, ledgerYears } = compileCatalogue(cat, year);
  const years = [...new Set([...reportedYears, ...ledgerYears])].sort();
  yearsMemo.set(year, { cat, years });
  return years;
}

/** The data version of a unit-year's indicators (a county, or a prefecture or province with every county under it). */
export async function unitDataVersion(store: Store, unit: string, year: number): Promise<string> {
  return countyDataVersion(store, unit, yearsRead(year));
}

// Dashboard results per store, county-year and period, kept under the county-year's data version.
const dashboards = new WeakMap<Store, Map<string, { version: string; value: Promise<{ indicators: IndicatorResult[]; rules: RuleResult[] }> }>>();

/**
 * One engine for a county-year's indicators and rules (a dashboard request): the rules reuse the
 * indicators already computed. The result is kept until anything that can change it is written
 * (countyDataVersion), so repeated requests cost two small queries; callers must not mutate it.
 */
export async function indicatorsAndRules(store: Store, actor: Actor, county: string, year: number, period: Period = WHOLE_YEAR): Promise<{ indicators: IndicatorResult[]; rules: RuleResult[] }> {
  if (county.length < 6) return rollUpIndicatorsAndRules(store, actor, { unit: county }, year, period);
  await assertRead(store, actor, county);
  return kept(store, `${county}@${year}@${periodKey(period)}`, await unitDataVersion(store, county, year), () => new IndicatorEngine(store, county, year, { period }));
}

/**
 * A roll-up's indicators and rules: the nation (''), a province or prefecture, or the counties an
 * eastern unit is paired with in the year. Their data is read in one batch, and after a write only
 * the counties written to are read and evaluated again. Kept like a county's (see indicatorsAndRules).
 */
export async function rollUpIndicatorsAndRules(store: Store, actor: Actor, scope: UnitScope, year: number, period: Period = WHOLE_YEAR): Promise<{ indicators: IndicatorResult[]; rules: RuleResult[] }> {
  await assertReadRollUp(store, actor, scope);
  return kept(store, `${rollUpKey(scope)}@${year}@${periodKey(period)}`, await rollUpVersion(store, scope, year), () => unitEngine(store, scope, year, period));
}

/**
 * The data version of a roll-up: its unit's (the nation's for an eastern unit, whose counties are
 * anywhere), and for an eastern unit its pairs in the year, whose change changes the roll-up without
 * any write to the counties. An eastern unit without a pair in the year is NotFound.
 */
export async function rollUpVersion(store: Store, scope: UnitScope, year: number): Promise<string> {
  const version = await unitDataVersion(store, 'east' in scope ? '' : scope.unit, year);
  if (!('east' in scope)) return version;
  const members = await pairedCounties(store, scope.east, year);
  if (!members.length) throw notFound(`东部单位 ${scope.east} 在${year}年没有协作县`, `eastern unit ${scope.east} has no paired county in ${year}`);
  return `${version}|${members.join(',')}`;
}

/**
 * A result kept under its key until the data version changes (figures stated as of a day are
 * audited writes, so the version covers them too); callers must not mutate it.
 */
function kept(store: Store, key: string, version: string, engine: () => IndicatorEngine | Promise<IndicatorEngine>): Promise<{ indicators: IndicatorResult[]; rules: RuleResult[] }> {
  if (!dashboards.has(store)) dashboards.set(store, new Map());
  const cache = dashboards.get(store)!;
  const hit = cache.get(key);
  if (hit && hit.version === version) return hit.value;
  const value = (async () => {
    const e = await engine();
    const indicators = await e.all();
    return { indicators, rules: await e.rules() };
  })();
  cache.set(key, { version, value });
  value.catch(() => { if (cache.get(key)?.value === value) cache.delete(key); });
  return value;
}

type Batch = Awaited<ReturnType<typeof prefetch>>;

/** A unit's batch as layers: the batch read for every county, and the batches read later for counties written to since. */
interface Layered { base: Batch; latest: Map<string, Batch>; targets: Batch; withData: string[]; withRecords: Set<string> }

/** The batch the layers make: each county answered by the latest batch that read it. */
function composed(l: Layered, unit: string, year: number): Batch {
  const of = (county: string) => l.latest.get(county) ?? l.base;
  return {
    batch: l.base.batch,
    withData: l.withData,
    aggregate: (c, q) => of(c).aggregate(c, q),
    qualified: (c, q) => of(c).qualified(c, q),
    stated: (c, q) => of(c).stated(c, q),
    anyRecords: (c, ledger, y) => of(c).anyRecords(c, ledger, y),
    states: (c, y) => of(c).states(c, y),
    reported: (c, y) => of(c).reported(c, y),
    datedReported: (c, y) => of(c).datedReported(c, y),
    undated: (c, q) => of(c).undated(c, q),
    targets: (y) => l.targets.targets(y),
    claims: (c, y) => of(c).claims(c, y),
    counties: (u, y) => (y === year && u.startsWith(unit) ? l.withData.filter((c) => c.startsWith(u)) : undefined),
  };
}

// Per store and roll-up view (nation, province, prefecture or eastern unit; year; period): what its last computation read, and its engine.
const unitViews = new WeakMap<Store, Map<string, { marks: WriteMarks; members: string; layers: Layered; engine: IndicatorEngine }>>();
/**
 * Views kept per store, the most recently computed first out last. Each holds every county's batch
 * and figures (tens of MB for a large province), and periods to date multiply the keys.
 */
export const UNIT_VIEWS_KEPT = 8;

/** A roll-up's key: its division code ('' for the nation), or `east:` and the eastern unit's code. */
export const rollUpKey = (scope: UnitScope): string => ('east' in scope ? `east:${scope.east}` : scope.unit);

/**
 * The roll-up engine of the nation, a prefecture or province, or an eastern unit's paired counties.
 * The first time, every county in it is read in one batch. After that, the writes since the last
 * computation say which counties changed: only those are read again (a batch of their own) and
 * evaluated again; the others keep their figures. A write to the unit itself, a unit above it or
 * the configuration (or, for an eastern unit, a change to its pairs) reads everything again.
 */
async function unitEngine(store: Store, scope: UnitScope, year: number, period: Period): Promise<IndicatorEngine> {
  if (!unitViews.has(store)) unitViews.set(store, new Map());
  const views = unitViews.get(store)!;
  const key = `${rollUpKey(scope)}@${year}@${periodKey(period)}`;
  const last = views.get(key);
  const years = yearsRead(year);
  // An eastern unit's counties are anywhere: every write is looked at, and those outside its pairs ignored.
  const east = 'east' in scope ? scope.east : undefined;
  const unit = east === undefined ? (scope as { unit: string }).unit : '';
  const set = await resolve(store, scope, year);
  const members = set.kind === 'codes' ? set.codes : undefined;
  const memberKey = members?.join(',') ?? '';
  // Where the writes stand is read before the data, so a write in between is read again next time.
  const since = last && last.members === memberKey ? await writesSince(store, unit, years, last.marks) : null;
  const marks = since?.now ?? await writeMarks(store, unit, years);
  const code = east ?? unit;
  const opts = { period, ...(members && { members }) };
  let layers: Layered;
  let engine: IndicatorEngine;
  if (last && since?.counties) {
    const changed = members ? since.counties.filter((c) => members.includes(c)) : since.counties;
    const fresh = changed.length ? await prefetch(store, { kind: 'codes', codes: changed }, year, catalogueFor(year), period) : null;
    const latest = new Map(last.layers.latest);
    if (fresh) for (const c of changed) latest.set(c, fresh);
    const withRecords = new Set([...last.layers.withRecords].filter((c) => !changed.includes(c)));
    for (const c of fresh?.batch.withRecords(year) ?? []) withRecords.add(c);
    const declared = await countiesWithData(store, set, year);
    layers = { base: last.layers.base, latest, targets: fresh ?? last.layers.targets, withData: [...new Set([...declared, ...withRecords])].sort(), withRecords };
    engine = new IndicatorEngine(store, code, year, { ...opts, batch: composed(layers, unit, year) });
    engine.adoptCounties(last.engine, new Set(changed));
  } else {
    const base = await prefetch(store, set, year, catalogueFor(year), period);
    layers = { base, latest: new Map(), targets: base, withData: base.withData, withRecords: new Set(base.batch.withRecords(year)) };
    engine = new IndicatorEngine(store, code, year, { ...opts, batch: base });
  }
  views.delete(key);
  views.set(key, { marks, members: memberKey, layers, engine });
  for (const k of views.keys()) { if (views.size <= UNIT_VIEWS_KEPT) break; views.delete(k); }
  return engine;
}

