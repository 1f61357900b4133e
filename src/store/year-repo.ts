import type { Kysely, Transaction } from 'kysely';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The years a county holds anything for (ledger states, report details, reported values or records), newest first. */
export async function yearsWithData(db: Db, county: string): Promise<number[]> {
  const years = new Set<number>();
  const add = (rows: Array<{ year: number }>) => { for (const r of rows) years.add(Number(r.year)); };
  add(await db.selectFrom('ledger_state').select('year').distinct().where('county_code', '=', county).execute());
  add(await db.selectFrom('report_meta').select('year').where('county_code', '=', county).execute());
  add(await db.selectFrom('reported_value').select('year').distinct().where('county_code', '=', county).execute());
  const d = db as unknown as Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const decl of LEDGERS) add(await d.selectFrom(decl.table).select('year').distinct().where('county_code', '=', county).execute() as Array<{ year: number }>);
  return [...years].sort((a, b) => b - a);
}

export type ReportMetaRow = Database['report_meta'];
export type ReportedRow = Omit<Database['reported_value'], 'id' | 'version'>;

export async function reportMeta(db: Db, county: string, year: number): Promise<ReportMetaRow | undefined> {
  return db.selectFrom('report_meta').selectAll().where('county_code', '=', county).where('year', '=', year).executeTakeFirst();
}

export async function insertReportMeta(db: Db, row: ReportMetaRow): Promise<void> {
  await db.insertInto('report_meta').values(row).execute();
}

/** Reported values of a county-year for the given elements. */
export async function reportedOf(db: Db, county: string, year: number, elements: readonly string[]): Promise<ReportedRow[]> {
  if (!elements.length) return [];
  return db.selectFrom('reported_value').select(['county_code', 'year', 'element', 'dim', 'value', 'qual', 'value_max', 'note', 'updated_at'])
    .where('county_code', '=', county).where('year', '=', year).where('element', 'in', [...elements]).execute();
}

export async function insertReported(db: Db, row: ReportedRow): Promise<void> {
  await db.insertInto('reported_value').values(row).execute();
}

/** Opens the ledger states of a county-year as drafts; completeness 'unknown' means the county has not stated it. */
export async function insertLedgerStates(db: Db, county: string, year: number, ledgers: readonly string[], completeness: 'complete' | 'partial' | 'unknown', by: string, at: string): Promise<void> {
  if (!ledgers.length) return;
  await db.insertInto('ledger_state').values(ledgers.map((ledger) => ({
    county_code: county, year, ledger, completeness: completeness as 'complete', status: 'draft' as const, comment: null, updated_by: by, updated_at: at,
  }))).execute();
}

/** The eastern units paired with a county in a year (pairs without bounds count for every year). */
export async function partnersOf(db: Db, county: string, year: number): Promise<string[]> {
  const rows = await db.selectFrom('cooperation_pair').select(['east_code', 'since_year', 'until_year']).where('west_code', '=', county).execute();
  return rows.filter((r) => (r.since_year === null || Number(r.since_year) <= year) && (r.until_year === null || Number(r.until_year) >= year)).map((r) => r.east_code);
}

export async function orgUnitRow(db: Db, code: string): Promise<Database['org_unit'] | undefined> {
  return db.selectFrom('org_unit').selectAll().where('code', '=', code).executeTakeFirst();
}
