import { type Kysely, sql, type Transaction } from 'kysely';
import type { AggregateQuery } from '../domain/expr/index.ts';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { columnsOf, type LedgerDecl } from '../domain/ledgers/types.ts';
import { Rational } from '../domain/rational.ts';
import { condSql } from './aggregate.ts';
import { appendAudit } from './audit-repo.ts';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

// Queries behind the pace of targets and the early warnings. Every function answers for all the
// counties under an org unit at once (grouped by county in the database), so a province costs
// one query per figure, not one per county.

/** Row type of the table added by migration 20261201_0060_warning_ack. */
export interface WarningAckRow {
  id: number; county_code: string; year: number; warning_key: string; note: string; acked_by: string; acked_at: string; version: number;
}
interface WarningTables extends Database {
  warning_ack: Omit<WarningAckRow, 'id' | 'version'> & { id?: number; version?: number };
}
const wdb = (store: Store) => store.db as unknown as Kysely<WarningTables>;
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const any = (store: Store) => store.db as unknown as AnyDb;

function declFor(ledger: string): LedgerDecl {
  const d = ledgerDecl(ledger);
  if (!d) throw new Error(`unknown ledger ${ledger}`);
  return d;
}

function col(decl: LedgerDecl, field: string): string {
  const f = decl.fields.find((x) => x.name === field);
  if (!f) throw new Error(`unknown field ${decl.kind}.${field}`);
  return columnsOf(f)[f.pii ? 1 : 0]!;
}

const rat = (v: unknown): Rational => (v === null || v === undefined ? Rational.ZERO : Rational.parse(String(v)));
const under = (unit: string) => `${unit}%`;

/** One county's (and, for grouped queries, one key's) share of a dated aggregate. */
export interface DatedFigure {
  county: string;
  /** The group key for `… by F` queries, '' otherwise. */
  key: string;
  /** Over records dated on or before the cut-off. */
  toDate: Rational;
  /** Over every record of the year, dated or not. */
  full: Rational;
  /** Records of the year matching the query, and how many of them have no date. */
  records: number;
  undated: number;
}

/**
 * A count or sum of one ledger for every county under `unit` in `year`, to date (records whose
 * `dateField` is on or before `cutoff`; every record when the ledger is not dated) and for the whole
 * year, in one query. Money sums are exact 分.
 */
export async function datedAggregate(store: Store, unit: string, q: AggregateQuery, dateField: string | null, cutoff: string): Promise<DatedFigure[]> {
  const decl = declFor(q.ledger);
  const d = dateField ? sql.ref(col(decl, dateField)) : null;
  const value = q.fn === 'count' ? sql`1` : sql.ref(col(decl, q.field!));
  const byCol = q.by ? col(decl, q.by) : null;
  let qb = any(store).selectFrom(decl.table)
    .select('county_code')
    .select((d ? sql<unknown>`sum(case when ${d} <= ${cutoff} then ${value} else 0 end)` : sql<unknown>`sum(${value})`).as('to_date'))
    .select(sql<unknown>`sum(${value})`.as('full'))
    .select((d ? sql<unknown>`sum(case when ${d} is null then 1 else 0 end)` : sql<unknown>`0`).as('undated'))
    .select(sql<unknown>`count(*)`.as('n'))
    .where('county_code', 'like', under(unit))
    .where('year', '=', q.year)
    .where((eb) => (q.where ? condSql(eb, decl, q.where) : eb.lit(true)))
    .groupBy('county_code');
  if (byCol) qb = qb.select(sql.ref(byCol).as('k')).groupBy(byCol);
  const rows = (await qb.execute()) as Array<{ county_code: string; k?: unknown; to_date: unknown; full: unknown; undated: unknown; n: unknown }>;
  return rows.map((r) => ({
    county: r.county_code, key: byCol ? (r.k === null || r.k === undefined ? '' : String(r.k)) : '',
    toDate: rat(r.to_date), full: rat(r.full), records: Number(r.n ?? 0), undated: Number(r.undated ?? 0),
  }));
}

/** Monthly totals of an aggregate (ignoring any `by`) in earlier years, per county: the shape of past years' progress. */
export async function monthlyTotals(store: Store, unit: string, q: AggregateQuery, dateField: string, years: readonly number[]): Promise<Array<{ county: string; year: number; month: number; value: Rational }>> {
  if (!years.length) return [];
  const decl = declFor(q.ledger);
  const dc = col(decl, dateField);
  const value = q.fn === 'count' ? sql`1` : sql.ref(col(decl, q.field!));
  const month = sql<string>`substr(${sql.ref(dc)}, 6, 2)`;
  const rows = (await any(store).selectFrom(decl.table)
    .select(['county_code', 'year'])
    .select(month.as('m'))
    .select(sql<unknown>`sum(${value})`.as('v'))
    .where('county_code', 'like', under(unit))
    .where('year', 'in', [...years])
    .where(dc, 'is not', null)
    .where((eb) => (q.where ? condSql(eb, decl, q.where) : eb.lit(true)))
    .groupBy(['county_code', 'year', month])
    .execute()) as Array<{ county_code: string; year: unknown; m: unknown; v: unknown }>;
  return rows.map((r) => ({ county: r.county_code, year: Number(r.year), month: Number(r.m), value: rat(r.v) }));
}

/** Ids, titles and dates of the records an aggregate reads to date for one county (at most `limit`, newest first). */
export async function datedRecords(store: Store, county: string, q: AggregateQuery, dateField: string, cutoff: string, limit: number): Promise<Array<{ id: number; title: string; date: string | null }>> {
  const decl = declFor(q.ledger);
  const dc = col(decl, dateField);
  const rows = (await any(store).selectFrom(decl.table)
    .select(['id', `${col(decl, decl.titleField)} as title`, `${dc} as d`])
    .where('county_code', '=', county).where('year', '=', q.year)
    .where(dc, '<=', cutoff)
    .where((eb) => (q.where ? condSql(eb, decl, q.where) : eb.lit(true)))
    .orderBy(dc, 'desc').orderBy('id').limit(limit)
    .execute()) as Array<{ id: unknown; title: unknown; d: unknown }>;
  return rows.map((r) => ({ id: Number(r.id), title: String(r.title ?? ''), date: r.d === null ? null : String(r.d) }));
}

/** Ids and titles of records whose date field is empty (at most `limit`). */
export async function undatedRecords(store: Store, county: string, q: AggregateQuery, dateField: string, limit: number): Promise<Array<{ id: number; title: string }>> {
  const decl = declFor(q.ledger);
  const dc = col(decl, dateField);
  const rows = (await any(store).selectFrom(decl.table)
    .select(['id', `${col(decl, decl.titleField)} as title`])
    .where('county_code', '=', county).where('year', '=', q.year).where(dc, 'is', null)
    .where((eb) => (q.where ? condSql(eb, decl, q.where) : eb.lit(true)))
    .orderBy('id').limit(limit)
    .execute()) as Array<{ id: unknown; title: unknown }>;
  return rows.map((r) => ({ id: Number(r.id), title: String(r.title ?? '') }));
}

/** Per county under `unit`: the newest record of a ledger dated on or before `cutoff`, and how many records the year holds. */
export async function latestDated(store: Store, unit: string, year: number, ledger: string, dateField: string, cutoff: string): Promise<Array<{ county: string; records: number; latest: { id: number; title: string; date: string } | null }>> {
  const decl = declFor(ledger);
  const dc = col(decl, dateField);
  const db = any(store);
  const counts = (await db.selectFrom(decl.table).select('county_code').select((eb) => eb.fn.countAll().as('n'))
    .where('county_code', 'like', under(unit)).where('year', '=', year).groupBy('county_code').execute()) as Array<{ county_code: string; n: unknown }>;
  // The newest day per county in one grouped pass, then the records of that day: a join, not a
  // subquery per row (which reads a county's records once for each of them).
  const days = db.selectFrom(decl.table).select('county_code').select(sql<string>`max(${sql.ref(dc)})`.as('m'))
    .where('county_code', 'like', under(unit)).where('year', '=', year).where(dc, '<=', cutoff)
    .groupBy('county_code').as('x');
  const newest = (await db.selectFrom(`${decl.table} as t`)
    .innerJoin(days, (j) => j.onRef('x.county_code', '=', 't.county_code').onRef(`t.${dc}`, '=', 'x.m'))
    .select(['t.id', 't.county_code', `t.${col(decl, decl.titleField)} as title`, `t.${dc} as d`])
    .where('t.year', '=', year)
    .orderBy('t.id')
    .execute()) as Array<{ id: unknown; county_code: string; title: unknown; d: unknown }>;
  const latest = new Map<string, { id: number; title: string; date: string }>();
  for (const r of newest) if (!latest.has(r.county_code)) latest.set(r.county_code, { id: Number(r.id), title: String(r.title ?? ''), date: String(r.d) });
  return counts.map((c) => ({ county: c.county_code, records: Number(c.n), latest: latest.get(c.county_code) ?? null }));
}

export interface ProjectRow {
  id: number; county: string; name: string; status: string; startDate: string | null; completionDate: string | null; coopFunds: number | null;
}

/** Every project of the year under `unit`, with the fields the project rules read. */
export async function projectsUnder(store: Store, unit: string, year: number): Promise<ProjectRow[]> {
  const rows = (await any(store).selectFrom('project')
    .select(['id', 'county_code', 'name', 'status', 'start_date', 'completion_date', 'coop_funds_fen'])
    .where('county_code', 'like', under(unit)).where('year', '=', year).orderBy('county_code').orderBy('id')
    .execute()) as Array<{ id: unknown; county_code: string; name: string; status: string; start_date: string | null; completion_date: string | null; coop_funds_fen: unknown }>;
  return rows.map((r) => ({
    id: Number(r.id), county: r.county_code, name: r.name, status: r.status, startDate: r.start_date, completionDate: r.completion_date,
    coopFunds: r.coop_funds_fen === null || r.coop_funds_fen === undefined ? null : Number(r.coop_funds_fen),
  }));
}

/** The first disbursement dated on or before `cutoff` for each (county, project name) under `unit`. */
export async function firstDisbursements(store: Store, unit: string, year: number, cutoff: string): Promise<Map<string, string>> {
  const rows = (await any(store).selectFrom('fund_disbursement')
    .select(['county_code', 'project']).select((eb) => eb.fn.min('date').as('d'))
    .where('county_code', 'like', under(unit)).where('year', '=', year).where('date', '<=', cutoff)
    .groupBy(['county_code', 'project']).execute()) as Array<{ county_code: string; project: string; d: unknown }>;
  return new Map(rows.map((r) => [`${r.county_code}\u0000${r.project}`, String(r.d)]));
}

/** Targets set for `year` by `unit`, by any unit under it, or by a unit above it: (org, indicator) pairs. */
export async function targetsAround(store: Store, unit: string, year: number): Promise<Array<{ org: string; indicator: string }>> {
  const above = [unit.slice(0, 2), unit.slice(0, 4)].filter((c) => c.length < unit.length);
  const rows = await store.db.selectFrom('target').select(['org_code', 'indicator']).where('year', '=', year)
    .where((eb) => eb.or([eb('org_code', 'like', under(unit)), ...(above.length ? [eb('org_code', 'in', above)] : [])]))
    .orderBy('indicator').execute();
  return rows.map((r) => ({ org: r.org_code, indicator: r.indicator }));
}

/** Ledger completeness ('complete' | 'partial') per county and ledger under `unit`. */
export async function completenessUnder(store: Store, unit: string, year: number): Promise<Map<string, string>> {
  const rows = await store.db.selectFrom('ledger_state').select(['county_code', 'ledger', 'completeness'])
    .where('county_code', 'like', under(unit)).where('year', '=', year).execute();
  return new Map(rows.map((r) => [`${r.county_code}/${r.ledger}`, r.completeness]));
}

/** Names of org units by code. */
export async function unitNames(store: Store, codes: readonly string[]): Promise<Map<string, string>> {
  if (!codes.length) return new Map();
  const rows = await store.db.selectFrom('org_unit').select(['code', 'name']).where('code', 'in', [...codes]).execute();
  return new Map(rows.map((r) => [r.code, r.name]));
}

/** Acknowledgements of warnings for the year under `unit`. */
export async function acksUnder(store: Store, unit: string, year: number): Promise<WarningAckRow[]> {
  return (await wdb(store).selectFrom('warning_ack').selectAll().where('county_code', 'like', under(unit)).where('year', '=', year)
    .orderBy('id').execute()) as WarningAckRow[];
}

/**
 * Stores (or replaces) a county's acknowledgement of one warning and writes the audit entry in the
 * same transaction. Returns false, changing nothing, when `expectedVersion` is given and stale.
 */
export async function saveAck(
  store: Store, a: { county: string; year: number; key: string; note: string; actor: string; at: string }, expectedVersion?: number,
): Promise<WarningAckRow | false> {
  return wdb(store).transaction().execute(async (tx) => {
    const before = (await tx.selectFrom('warning_ack').selectAll().where('county_code', '=', a.county).where('year', '=', a.year)
      .where('warning_key', '=', a.key).executeTakeFirst()) as WarningAckRow | undefined;
    if (before && expectedVersion !== undefined && before.version !== expectedVersion) return false;
    if (before) await tx.updateTable('warning_ack').set({ note: a.note, acked_by: a.actor, acked_at: a.at, version: before.version + 1 }).where('id', '=', before.id).execute();
    else await tx.insertInto('warning_ack').values({ county_code: a.county, year: a.year, warning_key: a.key, note: a.note, acked_by: a.actor, acked_at: a.at, version: 1 }).execute();
    const after = (await tx.selectFrom('warning_ack').selectAll().where('county_code', '=', a.county).where('year', '=', a.year)
      .where('warning_key', '=', a.key).executeTakeFirstOrThrow()) as WarningAckRow;
    await appendAudit(tx as unknown as Transaction<Database>, {
      at: a.at, actor: a.actor, action: before ? 'update' : 'create', entity: 'warning_ack', entity_id: a.key, county_code: a.county, year: a.year,
      before_json: before ? JSON.stringify({ note: before.note }) : null, after_json: JSON.stringify({ note: a.note }),
    });
    return after;
  });
}

/** Reported values of the given years for every county under `unit`. */
export async function reportedUnder(store: Store, unit: string, years: readonly number[]): Promise<Array<{ county: string; year: number; element: string; dim: string; value: Rational }>> {
  const rows = await store.db.selectFrom('reported_value').select(['county_code', 'year', 'element', 'dim', 'value'])
    .where('county_code', 'like', under(unit)).where('year', 'in', [...years]).execute();
  return rows.map((r) => ({ county: r.county_code, year: r.year, element: r.element, dim: r.dim, value: Rational.parse(r.value) }));
}
