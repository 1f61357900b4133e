/** Queries of the workflow state of the ledgers (ledger_state): one row per county, year and ledger once touched. */
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;
export type LedgerStateRow = Selectable<Database['ledger_state']>;

/** The workflow status of one ledger of a county-year, if it was ever touched. */
export async function ledgerStatus(db: Db, county: string, year: number, ledger: string): Promise<LedgerStateRow['status'] | undefined> {
  const r = await db.selectFrom('ledger_state').select('status')
    .where('county_code', '=', county).where('year', '=', year).where('ledger', '=', ledger).executeTakeFirst();
  return r?.status;
}

/** The state row of one ledger of a county-year, if any. */
export async function findLedgerState(db: Db, county: string, year: number, ledger: string): Promise<LedgerStateRow | undefined> {
  return db.selectFrom('ledger_state').selectAll()
    .where('county_code', '=', county).where('year', '=', year).where('ledger', '=', ledger).executeTakeFirst();
}

/** Every state row of a county-year, in no particular order. */
export async function ledgerStatesOf(db: Db, county: string, year: number): Promise<LedgerStateRow[]> {
  return db.selectFrom('ledger_state').selectAll().where('county_code', '=', county).where('year', '=', year).execute();
}

/** Updates a state row only while its status is still `expected`; true when this call changed it. */
export async function updateLedgerStateIfStatus(
  db: Db, county: string, year: number, ledger: string, expected: LedgerStateRow['status'], changes: Updateable<Database['ledger_state']>,
): Promise<boolean> {
  const r = await db.updateTable('ledger_state').set(changes)
    .where('county_code', '=', county).where('year', '=', year).where('ledger', '=', ledger).where('status', '=', expected)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateLedgerState(db: Db, county: string, year: number, ledger: string, changes: Updateable<Database['ledger_state']>): Promise<void> {
  await db.updateTable('ledger_state').set(changes)
    .where('county_code', '=', county).where('year', '=', year).where('ledger', '=', ledger).execute();
}

export async function insertLedgerState(db: Db, row: Insertable<Database['ledger_state']>): Promise<void> {
  await db.insertInto('ledger_state').values(row).execute();
}

/** Each (county, year) that has at least one ledger state, once. */
export async function countyYearsWithLedgerStates(db: Db): Promise<Array<{ county_code: string; year: number }>> {
  return db.selectFrom('ledger_state').select(['county_code', 'year']).distinct().execute();
}

/** Some ledger of a county-year that has a state row, if any. */
export async function anyLedgerStateOf(db: Db, county: string, year: number): Promise<{ ledger: string } | undefined> {
  return db.selectFrom('ledger_state').select('ledger').where('county_code', '=', county).where('year', '=', year).executeTakeFirst();
}

/** Each touched ledger's completeness statement of a county-year, by ledger. */
export async function completenessOf(db: Db, county: string, year: number): Promise<Array<Pick<LedgerStateRow, 'ledger' | 'completeness'>>> {
  return db.selectFrom('ledger_state').select(['ledger', 'completeness'])
    .where('county_code', '=', county).where('year', '=', year).orderBy('ledger').execute();
}

/** Each touched ledger's completeness and status of a county-year, in no particular order. */
export async function completenessAndStatusOf(db: Db, county: string, year: number): Promise<Array<Pick<LedgerStateRow, 'ledger' | 'completeness' | 'status'>>> {
  return db.selectFrom('ledger_state').select(['ledger', 'completeness', 'status'])
    .where('county_code', '=', county).where('year', '=', year).execute();
}

export async function deleteLedgerState(db: Db, county: string, year: number, ledger: string): Promise<void> {
  await db.deleteFrom('ledger_state').where('county_code', '=', county).where('year', '=', year).where('ledger', '=', ledger).execute();
}

/** Each touched ledger's status of a county-year, in no particular order. */
export async function statusesOf(db: Db, county: string, year: number): Promise<Array<Pick<LedgerStateRow, 'ledger' | 'status'>>> {
  return db.selectFrom('ledger_state').select(['ledger', 'status']).where('county_code', '=', county).where('year', '=', year).execute();
}
