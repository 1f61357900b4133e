/**
 * The queries of a bulk import that read what a county-year already holds: natural keys page by page
 * (so matching is one pass over the existing records, not one search per imported chunk), records by
 * id, and the division codes below a county.
 */
import { type Kysely, sql, type Transaction } from 'kysely';

type AnyDb = Kysely<any> | Transaction<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Row = Record<string, unknown>;

/** Records read per page when walking a county-year's keys. */
const PAGE = 5000;

/**
 * Calls `each` with the id and the given columns of every record of a county-year, in id order, a
 * page at a time (memory stays bounded by one page whatever the ledger holds).
 */
export async function forEachKey(db: AnyDb, table: string, county: string, year: number, columns: readonly string[], each: (row: Row) => void): Promise<void> {
  let after = 0;
  for (;;) {
    const page = await db.selectFrom(table).select(['id', ...columns])
      .where('county_code', '=', county).where('year', '=', year).where('id', '>', after)
      .orderBy('id').limit(PAGE).execute() as Row[];
    for (const r of page) each(r);
    if (page.length < PAGE) return;
    after = Number(page[page.length - 1]!.id);
  }
}

/** Whole rows by id (at most a chunk's worth at once). */
export async function rowsById(db: AnyDb, table: string, ids: readonly number[]): Promise<Map<number, Row>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom(table).selectAll().where('id', 'in', [...ids]).execute() as Row[];
  return new Map(rows.map((r) => [Number(r.id), r]));
}

/** The division codes below a county (townships and villages), e.g. to check the village codes of an import. */
export async function codesUnder(db: AnyDb, county: string): Promise<string[]> {
  const rows = await db.selectFrom('org_unit').select('code').where('code', 'like', `${county}%`).where('code', '!=', county).execute() as Array<{ code: string }>;
  return rows.map((r) => r.code);
}

/** The highest record id of a ledger table (0 when it is empty): records above it were added since. */
export async function maxRecordId(db: AnyDb, table: string): Promise<number> {
  const m = await db.selectFrom(table).select([sql<number | null>`max(id)`.as('m')]).executeTakeFirstOrThrow() as { m: number | null };
  return Number(m.m ?? 0);
}

/** One column of the given records by id (e.g. the keyed hash of a person's ID number). */
export async function columnById(db: AnyDb, table: string, column: string, ids: readonly number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom(table).select(['id', column]).where('id', 'in', [...ids]).execute() as Row[];
  return new Map(rows.map((r) => [Number(r.id), String(r[column])]));
}
