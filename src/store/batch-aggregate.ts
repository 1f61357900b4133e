import type { AliasableExpression, Expression, ExpressionBuilder, Kysely, SelectQueryBuilder, SqlBool } from 'kysely';
import type { DatedReportedRow } from './reported-dated-repo.ts';
import type { Database } from './schema.ts';
import type { AggregateQuery, Cond } from '../domain/expr/index.ts';
import { LEDGERS, ledgerDecl } from '../domain/ledgers/declarations.ts';
import { columnsOf, type LedgerDecl } from '../domain/ledgers/types.ts';
import { Rational } from '../domain/rational.ts';
import { column, condSql, literal, recordCond } from './aggregate.ts';
import type { Store } from './db.ts';
import { keptUntilWrite } from './kept.ts';

// Set-based aggregation: every count/sum a catalogue needs from one ledger, for many counties at
// once, in one statement per (ledger, year, grouping field) — conditional aggregates grouped by
// county_code. The answers equal aggregateLedger's for each county (same conditions, same null
// handling), so the indicator engine can read them instead of asking county by county.

type EB = ExpressionBuilder<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Q = SelectQueryBuilder<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Which counties a batch covers: every county, those whose code starts with a prefix, or a list. */
export type CountySet = { kind: 'all' } | { kind: 'prefix'; prefix: string } | { kind: 'codes'; codes: readonly string[] };

// A list's codes as a set, made once per list: a batch asks "is this county in it?" for every value it answers.
const codeSets = new WeakMap<readonly string[], Set<string>>();

/**
 * Whether a unit's rows are among those the set's statements read: any code for every county, a code
 * under (or equal to) the prefix, a listed county. A prefecture's or province's own stated figures
 * are read with its counties', so its own engine answers from the same batch.
 */
export function inSet(set: CountySet, county: string): boolean {
  if (set.kind === 'all') return true;
  if (set.kind === 'prefix') return county.startsWith(set.prefix);
  let codes = codeSets.get(set.codes);
  if (!codes) codeSets.set(set.codes, codes = new Set(set.codes));
  return codes.has(county);
}

/** One aggregate a batch answers, under a key the caller chooses. */
export interface BatchTerm {
  key: string;
  q: AggregateQuery;
}

type DatedRow = Omit<DatedReportedRow, 'id' | 'version'> & { id?: number; version?: number };

type Answer = Rational | Array<{ key: string; value: Rational }>;

export interface AggregateBatch {
  /** The term's value for a county of the set (0 or [] when the county has no matching records). */
  value(county: string, key: string): Answer | undefined;
  /** How many of a sum's records state the summed field only approximately. */
  qualified(county: string, key: string): number | undefined;
  /** How many of a sum's matching records state the summed field at all (a blank is unknown, not zero). */
  stated(county: string, key: string): number | undefined;
  /**
   * For a term to date: records matching its condition in the year, and how many of them have no
   * date in its date field (left out of the figure to date).
   */
  undated(county: string, key: string): { matched: number; undated: number } | undefined;
  /** Records of a ledger in a year for the county, when the batch read that ledger-year. */
  records(county: string, ledger: string, year: number): number | undefined;
  /** Counties of the set holding any record of the year in a ledger the batch read. */
  withRecords(year: number): string[];
  /** Statements run to fill the batch. */
  statements: number;
}

// SQLite answers a sum of integers as a number, PostgreSQL as a decimal text.
const toRational = (v: unknown): Rational => (v === null || v === undefined || v === 0 ? Rational.ZERO : typeof v === 'number' && Number.isSafeInteger(v) ? Rational.of(v) : Rational.parse(String(v)));

function declFor(ledger: string): LedgerDecl {
  const d = ledgerDecl(ledger);
  if (!d) throw new Error(`unknown ledger ${ledger}`);
  return d;
}

/** The first code after every code that starts with `prefix` (62 → 63). */
const nextPrefix = (prefix: string) => String(Number(prefix) + 1).padStart(prefix.length, '0');

/**
 * Restricts a query to the set's counties. A prefix becomes a code range (62 → '62' ≤ code < '63'),
 * which a b-tree index on county_code serves on both engines, unlike LIKE under PostgreSQL's collations.
 */
function restrict<T extends { where: (...a: any[]) => T }>(q: T, set: CountySet): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (set.kind === 'prefix') return q.where('county_code', '>=', set.prefix).where('county_code', '<', nextPrefix(set.prefix));
  if (set.kind === 'codes') return q.where('county_code', 'in', set.codes.length ? [...set.codes] : ['']);
  return q;
}

function scope(qb: Q, set: CountySet, year: number): Q {
  return restrict(qb.where('year', '=', year), set);
}

/** The qualifier column of a summed field that may be stated approximately, if it has one. */
function qualColumn(decl: LedgerDecl, field: string | undefined): string | undefined {
  const f = field ? decl.fields.find((x) => x.name === field) : undefined;
  return f?.qualified ? `${columnsOf(f)[0]!}_qual` : undefined;
}

function termSql(eb: EB, decl: LedgerDecl, q: AggregateQuery): AliasableExpression<unknown> {
  const cond = recordCond(eb, decl, q);
  if (q.fn === 'count') return cond ? eb.fn.count(eb.case().when(cond).then(eb.lit(1)).end()) : eb.fn.countAll();
  const col = column(decl, q.field!);
  return cond ? eb.fn.sum(eb.case().when(cond).then(eb.ref(col)).end()) : eb.fn.sum(eb.ref(col));
}

function qualSql(eb: EB, decl: LedgerDecl, q: AggregateQuery, qual: string): AliasableExpression<unknown> {
  const col = column(decl, q.field!);
  const parts: Array<Expression<SqlBool>> = [eb(qual, '!=', 'exact'), eb(col, 'is not', null)];
  const cond = recordCond(eb, decl, q);
  if (cond) parts.unshift(cond);
  return eb.fn.count(eb.case().when(eb.and(parts)).then(eb.lit(1)).end());
}

/** Matching records whose summed field is not blank (count of a CASE that is null otherwise). */
function statedSql(eb: EB, decl: LedgerDecl, q: AggregateQuery): AliasableExpression<unknown> {
  const col = column(decl, q.field!);
  const cond = recordCond(eb, decl, q);
  return cond ? eb.fn.count(eb.case().when(cond).then(eb.ref(col)).end()) : eb.fn.count(eb.ref(col));
}

function matchSql(eb: EB, decl: LedgerDecl, q: AggregateQuery): AliasableExpression<unknown> {
  const cond = recordCond(eb, decl, q);
  return cond ? eb.fn.count(eb.case().when(cond).then(eb.lit(1)).end()) : eb.fn.countAll();
}

/** For a term to date: records matching its condition whatever their date (w), and those without a date (u). */
function undatedSql(eb: EB, decl: LedgerDecl, q: AggregateQuery, i: number) {
  if (!q.upTo) return [];
  const blank = eb(column(decl, q.upTo.field), 'is', null);
  const matched = q.where ? eb.fn.count(eb.case().when(condSql(eb, decl, q.where)).then(eb.lit(1)).end()) : eb.fn.countAll();
  const undated = eb.fn.count(eb.case().when(q.where ? eb.and([condSql(eb, decl, q.where), blank]) : blank).then(eb.lit(1)).end());
  return [matched.as(`w${i}`), undated.as(`u${i}`)];
}

/**
 * A ledger-year whose terms are all answered from one statement grouped by the fields their
 * conditions and breakdown read (see `cubeOf`): `dims` are those fields, the breakdown's first.
 */
interface Cube {
  dims: Array<{ field: string; col: string }>;
  /** Summed fields with their measure columns (sum, count of stated values, count stated approximately). */
  sums: Map<string, { s: string; c: string; q?: string }>;
}

interface GroupQuery { ts: BatchTerm[]; by: string | undefined; lk: string; query: Q; cube?: Cube }

/** Adds the fields a condition reads to `into`; false when it compares by order (whose answer on text depends on the engine's collation). */
function condFields(c: Cond, into: Set<string>): boolean {
  switch (c.kind) {
    case 'and': case 'or': return c.args.every((a) => condFields(a, into));
    case 'not': return condFields(c.arg, into);
    case 'cmp': into.add(c.field); return c.op === '=' || c.op === '!=';
    case 'in': case 'null': into.add(c.field); return true;
  }
}

/**
 * Whether a ledger-year's terms can share one statement grouped by the fields they test: one
 * breakdown field and terms without one (a statement the breakdown pays for anyway then also
 * answers the plain counts and sums, instead of a second pass over the same records), every field
 * tested a category or a yes/no (few values, so few groups), tested only for equality, membership
 * or blanks, and no figure to date. Otherwise null: the terms keep their conditional aggregates.
 */
function cubeOf(decl: LedgerDecl, ts: readonly BatchTerm[]): Cube | null {
  const bys = new Set(ts.map((t) => t.q.by));
  if (bys.size !== 2 || !bys.has(undefined) || ts.some((t) => t.q.upTo)) return null;
  const by = [...bys].find((b) => b !== undefined)!;
  const fields = new Set<string>([by]);
  for (const t of ts) if (t.q.where && !condFields(t.q.where, fields)) return null;
  const dims: Cube['dims'] = [];
  for (const name of fields) {
    const f = decl.fields.find((x) => x.name === name);
    if (!f || f.pii || (f.type !== 'enum' && f.type !== 'bool')) return null;
    dims.push({ field: name, col: columnsOf(f)[0]! });
  }
  const sums: Cube['sums'] = new Map();
  for (const t of ts) {
    if (t.q.fn !== 'sum' || sums.has(t.q.field!)) continue;
    const i = sums.size;
    const qc = qualColumn(decl, t.q.field);
    sums.set(t.q.field!, { s: `s${i}`, c: `c${i}`, ...(qc && { q: `q${i}` }) });
  }
  return { dims, sums };
}

/** Compares a stored value with a condition's literal as the database does for these fields (categories are text, yes/no 0 or 1). */
const same = (v: unknown, l: string | number) => v !== null && v !== undefined && String(v) === String(l);

/**
 * A condition over a cube row's fields with SQL's three values (null: unknown), exactly as
 * `condSql` states it: `!=` and `not in` also hold for a blank, other comparisons never do.
 */
function condTest(decl: LedgerDecl, c: Cond): (row: Record<string, unknown>) => boolean | null {
  switch (c.kind) {
    case 'and': {
      const fs = c.args.map((a) => condTest(decl, a));
      return (r) => { let unknown = false; for (const f of fs) { const v = f(r); if (v === false) return false; if (v === null) unknown = true; } return unknown ? null : true; };
    }
    case 'or': {
      const fs = c.args.map((a) => condTest(decl, a));
      return (r) => { let unknown = false; for (const f of fs) { const v = f(r); if (v === true) return true; if (v === null) unknown = true; } return unknown ? null : false; };
    }
    case 'not': { const f = condTest(decl, c.arg); return (r) => { const v = f(r); return v === null ? null : !v; }; }
    case 'cmp': {
      const k = `f_${c.field}`;
      const l = literal(decl, c.field, c.value);
      return c.op === '=' ? (r) => (r[k] === null ? null : same(r[k], l)) : (r) => r[k] === null || !same(r[k], l);
    }
    case 'in': {
      const k = `f_${c.field}`;
      const ls = c.values.map((v) => literal(decl, c.field, v));
      return c.negated ? (r) => r[k] === null || !ls.some((l) => same(r[k], l)) : (r) => (r[k] === null ? null : ls.some((l) => same(r[k], l)));
    }
    case 'null': { const k = `f_${c.field}`; return c.negated ? (r) => r[k] !== null : (r) => r[k] === null; }
  }
}

/**
 * One statement per (ledger, year, `by` field), each holding every term of that group; a
 * ledger-year whose terms allow it (`cubeOf`) in one statement grouped by the fields they test.
 * `cube: false` gives the plain conditional aggregates (the form written by hand, for benchmarks).
 */
function groupQueries(store: Store, set: CountySet, terms: readonly BatchTerm[], opts: { cube?: boolean } = {}): GroupQuery[] {
  const ledgerYears = new Map<string, BatchTerm[]>();
  for (const t of terms) {
    const g = `${t.q.year}|${t.q.ledger}`;
    if (!ledgerYears.has(g)) ledgerYears.set(g, []);
    ledgerYears.get(g)!.push(t);
  }
  const out: GroupQuery[] = [];
  for (const all of ledgerYears.values()) {
    const { ledger, year } = all[0]!.q;
    const decl = declFor(ledger);
    const lk = `${ledger}@${year}`;
    const base = () => scope(store.db.selectFrom(decl.table as never) as unknown as Q, set, year);
    const cube = opts.cube === false ? null : cubeOf(decl, all);
    if (cube) {
      const cols = cube.dims.map((d) => d.col);
      const query: Q = base().select((eb: EB) => [
        'county_code', ...cube.dims.map((d) => eb.ref(d.col).as(`f_${d.field}`)), eb.fn.countAll().as('n'),
        ...[...cube.sums].flatMap(([field, m]) => {
          const col = column(decl, field);
          const qc = qualColumn(decl, field);
          return [eb.fn.sum(eb.ref(col)).as(m.s), eb.fn.count(eb.ref(col)).as(m.c),
            ...(m.q && qc ? [eb.fn.count(eb.case().when(eb.and([eb(qc, '!=', 'exact'), eb(col, 'is not', null)])).then(eb.lit(1)).end()).as(m.q)] : [])];
        }),
      ]).groupBy(['county_code', ...cols]);
      const ordered = cols.reduce((q, c) => q.orderBy(c), query.orderBy('county_code'));
      out.push({ ts: all, by: cube.dims[0]!.field, lk, query: ordered, cube });
      continue;
    }
    const groups = new Map<string, BatchTerm[]>();
    for (const t of all) {
      const g = t.q.by ?? '';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(t);
    }
    for (const ts of groups.values()) {
      const { by } = ts[0]!.q;
      if (by === undefined) {
        const query = base().select((eb: EB) => [
          'county_code', eb.fn.countAll().as('n'),
          ...ts.map((t, i) => termSql(eb, decl, t.q).as(`t${i}`)),
          ...ts.flatMap((t, i) => { const qc = t.q.fn === 'sum' ? qualColumn(decl, t.q.field) : undefined; return qc ? [qualSql(eb, decl, t.q, qc).as(`q${i}`)] : []; }),
          ...ts.flatMap((t, i) => (t.q.fn === 'sum' ? [statedSql(eb, decl, t.q).as(`s${i}`)] : [])),
          ...ts.flatMap((t, i) => undatedSql(eb, decl, t.q, i)),
        ]).groupBy('county_code');
        out.push({ ts, by, lk, query });
        continue;
      }
      const byCol = column(decl, by);
      const query = base().select((eb: EB) => [
        'county_code', eb.ref(byCol).as('k'), eb.fn.countAll().as('n'),
        ...ts.map((t, i) => termSql(eb, decl, t.q).as(`t${i}`)),
        ...ts.map((t, i) => matchSql(eb, decl, t.q).as(`m${i}`)),
        ...ts.flatMap((t, i) => undatedSql(eb, decl, t.q, i)),
      ]).groupBy(['county_code', byCol]).orderBy('county_code').orderBy(byCol);
      out.push({ ts, by, lk, query });
    }
  }
  return out;
}

/** The statements a batch runs, as SQL text with parameters (for benchmarks against other engines). */
export function batchStatements(store: Store, set: CountySet, terms: readonly BatchTerm[], opts: { cube?: boolean } = {}): Array<{ sql: string; parameters: readonly unknown[] }> {
  return groupQueries(store, set, terms, opts).map((g) => g.query.compile());
}

/**
 * Answers every term for every county of the set: one statement per (ledger, year, `by` field).
 * Terms for a county that has no records come back as 0 (or no entries), as county by county.
 */
export async function batchAggregates(store: Store, set: CountySet, terms: readonly BatchTerm[]): Promise<AggregateBatch> {
  const values = new Map<string, Map<string, Answer>>();
  const quals = new Map<string, Map<string, number>>();
  const stated = new Map<string, Map<string, number>>();
  const counts = new Map<string, Map<string, number>>();
  const undated = new Map<string, Map<string, { matched: number; undated: number }>>();
  const byKeys = new Set<string>();
  const read = new Set<string>();
  // A county's map in one of the maps above, made on first use.
  const of = <V>(m: Map<string, Map<string, V>>, county: string): Map<string, V> => {
    let x = m.get(county);
    if (!x) m.set(county, x = new Map());
    return x;
  };
  const addUndated = (u: Map<string, { matched: number; undated: number }>, key: string, w: unknown, n: unknown) => {
    const was = u.get(key);
    u.set(key, { matched: (was?.matched ?? 0) + Number(w), undated: (was?.undated ?? 0) + Number(n) });
  };
  const groups = groupQueries(store, set, terms);
  await Promise.all(groups.map(async ({ ts, by, lk, query, cube }) => {
    read.add(lk);
    const rows = (await query.execute()) as Array<Record<string, unknown>>;
    if (cube) {
      // Each term adds up the groups its condition holds for; a breakdown's entries come in the statement's order of its field.
      const decl = declFor(ts[0]!.q.ledger);
      const tests = ts.map((t) => (t.q.where ? condTest(decl, t.q.where) : () => true));
      const byKey = `f_${cube.dims[0]!.field}`;
      let county = '';
      let acc: Array<{ v: Rational; q: number; s: number; entries?: Map<string, { v: Rational; m: number }> }> = [];
      const flush = () => {
        if (!county) return;
        const vs = of(values, county);
        for (const [i, t] of ts.entries()) {
          const a = acc[i]!;
          if (t.q.by !== undefined) {
            vs.set(t.key, [...a.entries!].filter(([, e]) => e.m > 0).map(([key, e]) => ({ key, value: e.v })));
            continue;
          }
          vs.set(t.key, a.v);
          const m = t.q.fn === 'sum' ? cube.sums.get(t.q.field!)! : undefined;
          if (m?.q) of(quals, county).set(t.key, a.q);
          if (m) of(stated, county).set(t.key, a.s);
        }
      };
      for (const t of ts) if (t.q.by !== undefined) byKeys.add(t.key);
      for (const r of rows) {
        const c = String(r.county_code);
        if (c !== county) {
          flush();
          county = c;
          acc = ts.map((t) => ({ v: Rational.ZERO, q: 0, s: 0, ...(t.q.by !== undefined && { entries: new Map() }) }));
        }
        const n = Number(r.n);
        const cs = of(counts, c);
        cs.set(lk, (cs.get(lk) ?? 0) + n);
        for (const [i, t] of ts.entries()) {
          if (tests[i]!(r) !== true) continue;
          const a = acc[i]!;
          const m = t.q.fn === 'sum' ? cube.sums.get(t.q.field!)! : undefined;
          const v = m ? toRational(r[m.s]) : Rational.of(n);
          if (a.entries) {
            const key = r[byKey] === null ? '' : String(r[byKey]);
            const e = a.entries.get(key);
            if (e) { e.v = e.v.add(v); e.m += n; } else a.entries.set(key, { v, m: n });
            continue;
          }
          a.v = a.v.add(v);
          if (m) { a.s += Number(r[m.c]); if (m.q) a.q += Number(r[m.q]); }
        }
      }
      flush();
      return;
    }
    // Column names of each term, made once per statement rather than once per row.
    const cols = ts.map((t, i) => ({ key: t.key, t: `t${i}`, q: `q${i}`, s: `s${i}`, m: `m${i}`, w: `w${i}`, u: `u${i}` }));
    if (by === undefined) {
      // Which columns the statement has, from its terms (the same for every row).
      const withQual = cols.filter((k, i) => ts[i]!.q.fn === 'sum' && qualColumn(declFor(ts[i]!.q.ledger), ts[i]!.q.field) !== undefined);
      const withStated = cols.filter((k, i) => ts[i]!.q.fn === 'sum');
      const withUndated = cols.filter((k, i) => ts[i]!.q.upTo !== undefined);
      for (const r of rows) {
        const c = String(r.county_code);
        of(counts, c).set(lk, Number(r.n));
        const vs = of(values, c);
        for (const k of cols) vs.set(k.key, toRational(r[k.t]));
        if (withQual.length) { const qs = of(quals, c); for (const k of withQual) qs.set(k.key, Number(r[k.q])); }
        if (withStated.length) { const ss = of(stated, c); for (const k of withStated) ss.set(k.key, Number(r[k.s])); }
        if (withUndated.length) { const us = of(undated, c); for (const k of withUndated) addUndated(us, k.key, r[k.w], r[k.u]); }
      }
      return;
    }
    for (const t of ts) byKeys.add(t.key);
    for (const r of rows) {
      const c = String(r.county_code);
      const cs = of(counts, c);
      cs.set(lk, (cs.get(lk) ?? 0) + Number(r.n));
      const vs = of(values, c);
      const entry = r.k === null ? '' : String(r.k);
      for (const k of cols) {
        if (r[k.u] !== undefined) addUndated(of(undated, c), k.key, r[k.w], r[k.u]);
        if (!Number(r[k.m])) continue;
        let list = vs.get(k.key) as Array<{ key: string; value: Rational }> | undefined;
        if (!list) vs.set(k.key, list = []);
        list.push({ key: entry, value: toRational(r[k.t]) });
      }
    }
  }));
  const known = new Set(terms.map((t) => t.key));
  const sums = new Set(terms.filter((t) => t.q.fn === 'sum' && t.q.by === undefined).map((t) => t.key));
  return {
    statements: groups.length,
    value(county, key) {
      if (!known.has(key) || !inSet(set, county)) return undefined;
      return values.get(county)?.get(key) ?? (byKeys.has(key) ? [] : Rational.of(0));
    },
    qualified(county, key) {
      if (!known.has(key) || !inSet(set, county)) return undefined;
      return quals.get(county)?.get(key) ?? 0;
    },
    stated(county, key) {
      if (!sums.has(key) || !inSet(set, county)) return undefined;
      return stated.get(county)?.get(key) ?? 0;
    },
    undated(county, key) {
      if (!known.has(key) || !inSet(set, county)) return undefined;
      return undated.get(county)?.get(key) ?? { matched: 0, undated: 0 };
    },
    records(county, ledger, year) {
      if (!read.has(`${ledger}@${year}`) || !inSet(set, county)) return undefined;
      return counts.get(county)?.get(`${ledger}@${year}`) ?? 0;
    },
    withRecords(year) {
      const suffix = `@${year}`;
      const out: string[] = [];
      for (const [c, m] of counts) {
        if (c.length !== 6) continue;
        for (const [lk, n] of m) if (n > 0 && lk.endsWith(suffix)) { out.push(c); break; }
      }
      return out.sort();
    },
  };
}

/** Reported values of every county of the set for the given years. */
export async function batchReported(store: Store, set: CountySet, years: readonly number[]) {
  let q = store.db.selectFrom('reported_value').select(['county_code', 'element', 'dim', 'value', 'qual', 'value_max', 'note', 'year', 'scale', 'unit_word'])
    .where('year', 'in', [...years]);
  q = restrict(q, set);
  return q.orderBy('county_code').orderBy('element').orderBy('dim').execute();
}

/** Figures stated as of a day (reported_value_dated) of every county of the set for the given years, oldest day first. */
export async function batchDatedReported(store: Store, set: CountySet, years: readonly number[]) {
  const db = store.db as unknown as Kysely<Database & { reported_value_dated: DatedRow }>;
  let q = db.selectFrom('reported_value_dated').select(['county_code', 'element', 'dim', 'as_of', 'value', 'qual', 'value_max', 'note', 'year', 'scale', 'unit_word'])
    .where('year', 'in', [...years]);
  q = restrict(q, set);
  return q.orderBy('county_code').orderBy('element').orderBy('dim').orderBy('as_of').execute();
}

/** Ledger states (completeness) of every county of the set for the given years. */
export async function batchStates(store: Store, set: CountySet, years: readonly number[]) {
  let q = store.db.selectFrom('ledger_state').select(['county_code', 'year', 'ledger', 'completeness']).where('year', 'in', [...years]);
  q = restrict(q, set);
  return q.execute();
}

/** Every target of a year (a few per org unit; the engine picks the nearest unit's). */
export async function targetsOfYear(store: Store, year: number) {
  return store.db.selectFrom('target').selectAll().where('year', '=', year).execute();
}

/** Every target of the given years (a batch reads earlier years' targets for year-on-year figures). */
export async function targetsOfYears(store: Store, years: readonly number[]) {
  return store.db.selectFrom('target').selectAll().where('year', 'in', [...years]).execute();
}

/** Every claim units made about their targets in the given years (a few per unit). */
export async function claimsOfYears(store: Store, years: readonly number[]) {
  return store.db.selectFrom('target_claim').selectAll().where('year', 'in', [...years]).execute();
}

/**
 * Counties of the set that hold any ledger record of the year (in the ledgers named, else in any), in
 * code order. One statement: for each county division of the set, whether a record of the year
 * exists in any of the ledger tables, each an index seek on (county_code, year), so the cost follows
 * the number of counties rather than of records. (A batch knows these from the rows it reads:
 * `withRecords`.)
 */
export async function countiesWithRecords(store: Store, set: CountySet, year: number, ledgers?: readonly string[]): Promise<string[]> {
  const q = countiesWithRecordsQuery(store, set, year, ledgers);
  return q ? (await q.execute() as Array<{ code: string }>).map((r) => r.code) : [];
}

/** The statement of countiesWithRecords (none for no ledger), for its plan to be checked. */
export function countiesWithRecordsQuery(store: Store, set: CountySet, year: number, ledgers?: readonly string[]) {
  const tables = (ledgers ? LEDGERS.filter((x) => ledgers.includes(x.kind)) : LEDGERS).map((l) => l.table);
  if (!tables.length) return null;
  // The ledger tables are named at run time, which the schema's types cannot follow.
  const db = store.db as unknown as Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  // Only counties are probed (the index on level and code): the divisions also hold tens of thousands of townships and villages.
  let q = db.selectFrom('org_unit as u').select('u.code').where('u.level', '=', 'county')
    .where((eb) => eb.or(tables.map((t) => eb.exists(eb.selectFrom(t).select(`${t}.county_code`).whereRef(`${t}.county_code`, '=', 'u.code').where(`${t}.year`, '=', year)))));
  if (set.kind === 'prefix') q = q.where('u.code', '>=', set.prefix).where('u.code', '<', nextPrefix(set.prefix));
  if (set.kind === 'codes') q = q.where('u.code', 'in', set.codes.length ? [...set.codes] : ['']);
  return q.orderBy('u.code');
}

/** Counties of the set with any data for the year, in code order: they declared or stated something, or entered records. */
export async function countiesHoldingData(store: Store, set: CountySet, year: number): Promise<string[]> {
  return [...new Set([...await countiesWithData(store, set, year), ...await countiesWithRecords(store, set, year)])].sort();
}

/** Counties of the set that hold any ledger state, reported value or report details for the year, in code order. */
export async function countiesWithData(store: Store, set: CountySet, year: number): Promise<string[]> {
  const codes = new Set<string>();
  for (const table of ['ledger_state', 'reported_value', 'report_meta'] as const) {
    let q = store.db.selectFrom(table).select('county_code').distinct().where('year', '=', year);
    q = restrict(q, set);
    for (const r of await q.execute()) codes.add(r.county_code);
  }
  return [...codes].filter((c) => c.length === 6).sort();
}

/** The latest year for which any county declared a ledger state or stated a value, or null in an empty database. */
export async function latestYearWithData(store: Store): Promise<number | null> {
  let latest: number | null = null;
  for (const table of ['ledger_state', 'reported_value'] as const) {
    const r = await store.db.selectFrom(table).select((eb) => eb.fn.max('year').as('y')).executeTakeFirst();
    if (r?.y != null && (latest === null || Number(r.y) > latest)) latest = Number(r.y);
  }
  return latest;
}

/**
 * Western counties paired with an eastern unit (a district, or every district under a city or
 * province code); with a year, only the pairs in force that year (begun by then, not yet ended).
 */
export async function pairedCounties(store: Store, east: string, year?: number): Promise<string[]> {
  let q = store.db.selectFrom('cooperation_pair').select('west_code').distinct().where('east_code', 'like', `${east}%`);
  if (year !== undefined) {
    q = q.where((eb) => eb.and([
      eb.or([eb('since_year', 'is', null), eb('since_year', '<=', year)]),
      eb.or([eb('until_year', 'is', null), eb('until_year', '>=', year)]),
    ]));
  }
  const rows = await q.orderBy('west_code').execute();
  return rows.map((r) => r.west_code);
}

/** Names of org units by code. */
export async function unitNames(store: Store, codes: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await store.db.selectFrom('org_unit').select(['code', 'name']).where('code', 'in', codes.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.code, r.name);
  }
  return out;
}

/**
 * A fingerprint of everything written for a year: the audit journal (every edit is audited) and
 * the ledger states. Any write for the year changes it, so a result cached under it is never stale.
 */
export async function dataVersion(store: Store, year: number): Promise<string> {
  const a = await store.db.selectFrom('audit_log').select((eb) => [eb.fn.max('id').as('m'), eb.fn.countAll().as('n')])
    .where((eb) => eb.or([eb('year', '=', year), eb('year', 'is', null)])).executeTakeFirst();
  const s = await store.db.selectFrom('ledger_state').select((eb) => [eb.fn.max('updated_at').as('m'), eb.fn.countAll().as('n')])
    .where('year', '=', year).executeTakeFirst();
  return `${a?.m ?? 0}.${a?.n ?? 0}.${s?.m ?? ''}.${s?.n ?? 0}`;
}

/** Where a unit-year's writes stand: the last audit entry and their number, the latest ledger state and theirs. */
export interface WriteMarks { audit: number; audits: number; state: string; states: number }

/**
 * Audit entries that can change a unit's figures: the unit, the units above it, configuration (no
 * unit) and, for a prefecture or province, its counties; for the nation ('') every entry of the years.
 */
function auditsFor(store: Store, unit: string, years: readonly number[]) {
  const q = store.db.selectFrom('audit_log').where('year', 'in', [...years]);
  if (unit === '') return q;
  const above = [...new Set([unit, unit.slice(0, 4), unit.slice(0, 2)])];
  return q
    .where((eb) => eb.or([eb('county_code', 'in', above), eb('county_code', 'is', null),
      ...(unit.length < 6 ? [eb.and([eb('county_code', '>=', unit), eb('county_code', '<', nextPrefix(unit))])] : [])]));
}

function statesFor(store: Store, unit: string, years: readonly number[]) {
  return restrict(store.db.selectFrom('ledger_state').where('year', 'in', [...years]), unit === '' ? { kind: 'all' } : unit.length === 6 ? { kind: 'codes', codes: [unit] } : { kind: 'prefix', prefix: unit });
}

/** Where the writes for a unit's figures stand (kept until anything is written: see keptUntilWrite). */
export function writeMarks(store: Store, unit: string, years: readonly number[]): Promise<WriteMarks> {
  return keptUntilWrite(store, `marks:${unit}:${years.join(',')}`, async () => {
    const a = await auditsFor(store, unit, years).select((eb) => [eb.fn.max('id').as('m'), eb.fn.countAll().as('n')]).executeTakeFirst();
    const s = await statesFor(store, unit, years).select((eb) => [eb.fn.max('updated_at').as('m'), eb.fn.countAll().as('n')]).executeTakeFirst();
    return { audit: Number(a?.m ?? 0), audits: Number(a?.n ?? 0), state: String(s?.m ?? ''), states: Number(s?.n ?? 0) };
  });
}

/**
 * The data version of a unit-year: audited writes for the unit, the units above it (targets and
 * configuration are set there) and, for a prefecture or province, every county under it (its figures
 * add theirs up), or for no unit at all, in the years its figures read (earlier years' values feed
 * year-on-year changes); and the ledger states of the unit's counties in those years.
 */
export async function countyDataVersion(store: Store, unit: string, years: readonly number[]): Promise<string> {
  return versionOf(await writeMarks(store, unit, years));
}

const versionOf = (m: WriteMarks): string => `${m.audit}.${m.audits}.${m.state}.${m.states}`;

/**
 * What was written for a prefecture's, province's or the nation's ('') figures since `since`: the counties under it whose
 * data changed, or null when anything else did (the unit itself or one above it, the configuration,
 * a ledger state removed, or an entry that appeared below the mark, as a transaction committing
 * late can on PostgreSQL) — then every figure must be read again.
 */
export async function writesSince(store: Store, unit: string, years: readonly number[], since: WriteMarks): Promise<{ now: WriteMarks; counties: string[] | null }> {
  const now = await writeMarks(store, unit, years);
  // Nothing added, removed or changed: audit entries are only ever added, so the same last id and count are the same entries.
  if (versionOf(now) === versionOf(since)) return { now, counties: [] };
  if (now.audits < since.audits || now.states < since.states) return { now, counties: null };
  const codes = new Set<string>();
  const rows = await auditsFor(store, unit, years).where('id', '>', since.audit).select((eb) => ['county_code', eb.fn.countAll().as('n')]).groupBy('county_code').execute();
  let added = 0;
  for (const r of rows) {
    added += Number(r.n);
    if (r.county_code === null || r.county_code.length !== 6 || !r.county_code.startsWith(unit)) return { now, counties: null };
    codes.add(r.county_code);
  }
  if (since.audits + added !== now.audits) return { now, counties: null };
  // Ledger states changed at or after the last one seen (the same instant may hold more than one).
  if (now.state !== since.state || now.states !== since.states)
    for (const r of await statesFor(store, unit, years).where('updated_at', '>=', since.state).select('county_code').distinct().execute()) codes.add(r.county_code);
  return { now, counties: [...codes].sort() };
}
