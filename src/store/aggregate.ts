import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { AggregateQuery, Cond, Literal } from '../domain/expr/index.ts';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { columnsOf, type LedgerDecl } from '../domain/ledgers/types.ts';
import { Rational } from '../domain/rational.ts';
import type { Store } from './db.ts';

// Aggregates over ledger tables run in the database, grouped and filtered there; this module turns
// the expression language's conditions into SQL and is the only place that does.
type EB = ExpressionBuilder<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function declFor(ledger: string): LedgerDecl {
  const d = ledgerDecl(ledger);
  if (!d) throw new Error(`unknown ledger ${ledger}`);
  return d;
}

export function column(decl: LedgerDecl, field: string): string {
  const f = decl.fields.find((x) => x.name === field);
  if (!f) throw new Error(`unknown field ${decl.kind}.${field}`);
  return columnsOf(f)[f.pii ? 1 : 0]!;
}

/** A condition's literal as the column stores it (yes/no as 1 or 0, numbers plain). */
export function literal(decl: LedgerDecl, field: string, l: Literal): string | number {
  const f = decl.fields.find((x) => x.name === field)!;
  if (l.kind === 'bool') return l.value ? 1 : 0;
  if (l.kind === 'number') return Number(l.value.toDecimalString(6).replace(/\.?0+$/, ''));
  if (f.type === 'bool') return l.value === 'true' ? 1 : 0;
  return l.value;
}

/** The SQL form of a condition; field names are the declared ones, mapped to their columns. */
export function condSql(eb: EB, decl: LedgerDecl, c: Cond): Expression<SqlBool> {
  switch (c.kind) {
    case 'and': return eb.and(c.args.map((a) => condSql(eb, decl, a)));
    case 'or': return eb.or(c.args.map((a) => condSql(eb, decl, a)));
    case 'not': return eb.not(condSql(eb, decl, c.arg));
    case 'cmp': {
      const col = column(decl, c.field);
      const v = literal(decl, c.field, c.value);
      return c.op === '!=' ? eb.or([eb(col, '!=', v), eb(col, 'is', null)]) : eb(col, c.op, v);
    }
    case 'in': {
      const col = column(decl, c.field);
      const vs = c.values.map((v) => literal(decl, c.field, v));
      return c.negated ? eb.or([eb(col, 'not in', vs), eb(col, 'is', null)]) : eb(col, 'in', vs);
    }
    case 'null': {
      const col = column(decl, c.field);
      return c.negated ? eb(col, 'is not', null) : eb(col, 'is', null);
    }
  }
}

const toRational = (v: unknown): Rational => (v === null || v === undefined ? Rational.of(0) : Rational.parse(String(v)));

export type { AggregateQuery };

/**
 * The date condition of a figure to date: the record's date field is on or before the day. A blank
 * date compares as unknown in SQL, so undated records never satisfy it.
 */
export function upToSql(eb: EB, decl: LedgerDecl, upTo: NonNullable<AggregateQuery['upTo']>): Expression<SqlBool> {
  return eb(column(decl, upTo.field), '<=', upTo.day);
}

/** A query's record condition with its date condition, if it has either. */
export function recordCond(eb: EB, decl: LedgerDecl, q: AggregateQuery): Expression<SqlBool> | undefined {
  const parts = [...(q.where ? [condSql(eb, decl, q.where)] : []), ...(q.upTo ? [upToSql(eb, decl, q.upTo)] : [])];
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : eb.and(parts);
}

function scoped(store: Store, decl: LedgerDecl, county: string, q: AggregateQuery) {
  return store.db
    .selectFrom(decl.table as never)
    .where('county_code' as never, '=', county as never)
    .where('year' as never, '=', q.year as never)
    .where((eb) => (recordCond(eb as EB, decl, q) ?? eb.lit(true)) as never);
}

/**
 * For a figure to date: how many records match the query's condition in the year, and how many of
 * them have no date in the query's date field (they cannot be placed in the year, so the figure to
 * date leaves them out). Zero and zero for a query without a date condition.
 */
export async function undatedCount(store: Store, county: string, q: AggregateQuery): Promise<{ matched: number; undated: number }> {
  if (!q.upTo) return { matched: 0, undated: 0 };
  const decl = declFor(q.ledger);
  const col = column(decl, q.upTo.field);
  const row = (await store.db.selectFrom(decl.table as never)
    .where('county_code' as never, '=', county as never)
    .where('year' as never, '=', q.year as never)
    .where((eb) => (q.where ? condSql(eb as EB, decl, q.where) : eb.lit(true)) as never)
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count((eb as EB).case().when(col, 'is', null).then(1).end()).as('u')] as never)
    .executeTakeFirst()) as { n: unknown; u: unknown } | undefined;
  return { matched: Number(row?.n ?? 0), undated: Number(row?.u ?? 0) };
}

/**
 * count(…) or sum(…) over one ledger for a county-year, optionally grouped by a field. Sums of
 * money are exact integers in 分. A group with a null key is reported under the key ''.
 */
export async function aggregateLedger(store: Store, county: string, q: AggregateQuery): Promise<Rational | Array<{ key: string; value: Rational }>> {
  const decl = declFor(q.ledger);
  const base = scoped(store, decl, county, q);
  const agg = (eb: EB) => (q.fn === 'count' ? eb.fn.countAll().as('v') : eb.fn.sum(column(decl, q.field!)).as('v'));
  if (!q.by) {
    const row = (await base.select((eb) => agg(eb as EB) as never).executeTakeFirst()) as { v: unknown } | undefined;
    return toRational(row?.v);
  }
  const byCol = column(decl, q.by);
  const rows = (await base
    .select((eb) => [(eb as EB).ref(byCol).as('k'), agg(eb as EB)] as never)
    .groupBy(byCol as never)
    .orderBy(byCol as never)
    .execute()) as Array<{ k: unknown; v: unknown }>;
  return rows.map((r) => ({ key: r.k === null ? '' : String(r.k), value: toRational(r.v) }));
}

/** How many of the summed records state the field only approximately (约, 余, a range). */
export async function qualifiedCount(store: Store, county: string, q: AggregateQuery): Promise<number> {
  const decl = declFor(q.ledger);
  const f = decl.fields.find((x) => x.name === q.field);
  if (!f?.qualified) return 0;
  const col = columnsOf(f)[0]!;
  const row = (await scoped(store, decl, county, q)
    .where(`${col}_qual` as never, '!=', 'exact' as never)
    .where(col as never, 'is not', null as never)
    .select((eb) => eb.fn.countAll().as('n') as never)
    .executeTakeFirst()) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

/** How many of the records a sum reads state the field at all (a blank cell is unknown, not zero). */
export async function statedCount(store: Store, county: string, q: AggregateQuery): Promise<number> {
  const decl = declFor(q.ledger);
  const col = column(decl, q.field!);
  const row = (await scoped(store, decl, county, q)
    .where(col as never, 'is not', null as never)
    .select((eb) => eb.fn.countAll().as('n') as never)
    .executeTakeFirst()) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

/** Ids and titles of the records an aggregate reads, for provenance (at most `limit`). */
export async function recordRefs(store: Store, county: string, q: AggregateQuery, limit: number): Promise<Array<{ id: number; title: string }>> {
  const decl = declFor(q.ledger);
  const title = column(decl, decl.titleField);
  const rows = (await scoped(store, decl, county, q)
    .select(['id', `${title} as title`] as never)
    .orderBy('id' as never)
    .limit(limit)
    .execute()) as Array<{ id: unknown; title: unknown }>;
  return rows.map((r) => ({ id: Number(r.id), title: String(r.title ?? '') }));
}
