import type { Kysely } from 'kysely';
import { Rational } from '../domain/rational.ts';
import type { Database } from './schema.ts';

// Stated figures that carry the day they refer to (migration 20261202_0080_reported_dated). The
// undated statement of a figure stays in reported_value and counts as the year's end; these rows
// let the pace of a stated figure be followed through the year. The only SQL over that table.

/** Row type of reported_value_dated. */
export interface DatedReportedRow {
  id: number; county_code: string; year: number; element: string; dim: string; as_of: string; value: string; qual: string;
  value_max: string | null; scale: string; unit_word: string | null; note: string | null; version: number; updated_at: string;
}
type NewRow = Omit<DatedReportedRow, 'id' | 'version'>;
interface DatedTables extends Database {
  reported_value_dated: Omit<DatedReportedRow, 'id' | 'version'> & { id?: number; version?: number };
}
type Db = Kysely<Database>;
const ddb = (db: Db) => db as unknown as Kysely<DatedTables>;

/** The dated statements of a county's year (earlier years too when `upTo` is given), by element, dim and day. */
export async function datedStatements(db: Db, county: string, year: number, opts: { upTo?: boolean } = {}): Promise<DatedReportedRow[]> {
  return (await ddb(db).selectFrom('reported_value_dated').selectAll().where('county_code', '=', county)
    .where('year', opts.upTo ? '<=' : '=', year)
    .orderBy('year', 'desc').orderBy('element').orderBy('dim').orderBy('as_of').execute()) as DatedReportedRow[];
}

/** One dated statement by its key, or undefined. */
export async function findStatement(db: Db, county: string, year: number, element: string, dim: string, asOf: string): Promise<DatedReportedRow | undefined> {
  return (await ddb(db).selectFrom('reported_value_dated').selectAll().where('county_code', '=', county).where('year', '=', year)
    .where('element', '=', element).where('dim', '=', dim).where('as_of', '=', asOf).executeTakeFirst()) as DatedReportedRow | undefined;
}

export async function findStatementById(db: Db, id: number): Promise<DatedReportedRow | undefined> {
  return (await ddb(db).selectFrom('reported_value_dated').selectAll().where('id', '=', id).executeTakeFirst()) as DatedReportedRow | undefined;
}

/** Writes a statement: a new one, or a replacement of `before` (its version goes up by one). */
export async function putStatement(db: Db, row: NewRow, before?: DatedReportedRow): Promise<void> {
  if (before) {
    await ddb(db).updateTable('reported_value_dated').set({
      value: row.value, qual: row.qual, value_max: row.value_max, scale: row.scale, unit_word: row.unit_word, note: row.note,
      updated_at: row.updated_at, version: before.version + 1,
    }).where('id', '=', before.id).execute();
  } else await ddb(db).insertInto('reported_value_dated').values(row).execute();
}

/** Removes a statement if it is still at `version`; returns whether it did. */
export async function removeStatement(db: Db, id: number, version: number): Promise<boolean> {
  const r = await ddb(db).deleteFrom('reported_value_dated').where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** The dated statements of `year` for every county under `unit` (a code prefix), oldest day first. */
export async function statementsUnder(db: Db, unit: string, year: number): Promise<Array<{ county: string; element: string; dim: string; asOf: string; value: Rational }>> {
  const rows = await ddb(db).selectFrom('reported_value_dated').select(['county_code', 'element', 'dim', 'as_of', 'value'])
    .where('county_code', 'like', `${unit}%`).where('year', '=', year).orderBy('county_code').orderBy('as_of').execute();
  return rows.map((r) => ({ county: r.county_code, element: r.element, dim: r.dim, asOf: r.as_of, value: Rational.parse(r.value) }));
}

/** Counties under `unit` holding a dated statement for `year`. */
export async function countiesWithStatements(db: Db, unit: string, year: number): Promise<string[]> {
  const rows = await ddb(db).selectFrom('reported_value_dated').select('county_code').distinct()
    .where('county_code', 'like', `${unit}%`).where('year', '=', year).execute();
  return rows.map((r) => r.county_code);
}
