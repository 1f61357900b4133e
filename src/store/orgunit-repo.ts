/** Queries of the org units and of the cooperation pairs between them. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OrgUnitRow } from './schema.ts';

type Db = Kysely<Database>;

/** Inserts units, keeping any code already present; returns how many were new. */
export async function insertOrgUnitsIfAbsent(db: Db, rows: OrgUnitRow[]): Promise<number> {
  const r = await db.insertInto('org_unit').values(rows).onConflict((oc) => oc.column('code').doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

/** One org unit by code, or undefined. */
export async function findOrgUnit(db: Db, code: string): Promise<OrgUnitRow | undefined> {
  return db.selectFrom('org_unit').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Whether a unit with this code is loaded. */
export async function orgUnitExists(db: Db, code: string): Promise<boolean> {
  return (await db.selectFrom('org_unit').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}

/** Reads one unit row (any): fails when the database does not answer; the result is not used. */
export async function probeOrgUnits(db: Db): Promise<void> {
  await db.selectFrom('org_unit').select('code').limit(1).execute();
}

/** Code and name of the loaded units among `codes` (none asked, none read), in no particular order. */
export async function orgUnitNames(db: Db, codes: readonly string[]): Promise<Array<{ code: string; name: string }>> {
  return db.selectFrom('org_unit').select(['code', 'name']).where('code', 'in', [...codes]).execute();
}

/** Adds a custom unit under a parent. */
export async function insertCustomUnit(db: Db, code: string, name: string, parent: string): Promise<void> {
  await db.insertInto('org_unit').values({ code, name, level: 'custom', parent_code: parent, custom: 1 }).execute();
}

/**
 * Records a cooperation pair. With a start (`since`, a year or year-month) an existing pair gets it;
 * without one an existing pair is left as it is.
 */
export async function upsertCooperationPair(db: Db, east: string, west: string, since?: string): Promise<void> {
  await db.insertInto('cooperation_pair').values({ east_code: east, west_code: west, since_year: since ? Number(since.slice(0, 4)) : null, until_year: null, since: since ?? null })
    .onConflict((oc) => (since ? oc.columns(['east_code', 'west_code']).doUpdateSet({ since, since_year: Number(since.slice(0, 4)) }) : oc.columns(['east_code', 'west_code']).doNothing())).execute();
}

/** Whether any of the eastern units is paired with the county. */
export async function pairedWithAny(db: Db, eastCodes: readonly string[], county: string): Promise<boolean> {
  const pair = await db
    .selectFrom('cooperation_pair')
    .select('west_code')
    .where('east_code', 'in', [...eastCodes])
    .where('west_code', '=', county)
    .executeTakeFirst();
  return pair !== undefined;
}

/** The pair of an eastern unit and a western one, if recorded. */
export async function findCooperationPair(db: Db, east: string, west: string): Promise<Selectable<Database['cooperation_pair']> | undefined> {
  return db.selectFrom('cooperation_pair').selectAll().where('east_code', '=', east).where('west_code', '=', west).executeTakeFirst();
}

/** The id of the pair of an eastern unit and a western one, if recorded. */
export async function findCooperationPairId(db: Db, east: string, west: string): Promise<{ id: number } | undefined> {
  return db.selectFrom('cooperation_pair').select('id').where('east_code', '=', east).where('west_code', '=', west).executeTakeFirst();
}

/** Records a pair with no start or end, unless it is recorded already. */
export async function insertCooperationPairIfAbsent(db: Db, east: string, west: string): Promise<void> {
  await db.insertInto('cooperation_pair').values({ east_code: east, west_code: west, since_year: null, until_year: null })
    .onConflict((oc) => oc.columns(['east_code', 'west_code']).doNothing()).execute();
}
