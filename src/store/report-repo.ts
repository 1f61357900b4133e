/**
 * Queries behind the self-assessment report: its metadata (report_meta), the narrative sections,
 * the undated reported values of a county-year, and the targets and target claims that a dataset
 * file carries along with them.
 */
import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;
export type ReportMetaRow = Selectable<Database['report_meta']>;
export type NarrativeRow = Selectable<Database['narrative']>;
export type ReportedValueRow = Selectable<Database['reported_value']>;

// ---------------------------------------------------------------- report metadata

/** Each (county, year) that has report metadata. */
export async function countyYearsWithReportMeta(db: Db): Promise<Array<{ county_code: string; year: number }>> {
  return db.selectFrom('report_meta').select(['county_code', 'year']).execute();
}

/** The report metadata of a county-year, if any. */
export async function findReportMeta(db: Db, county: string, year: number): Promise<ReportMetaRow | undefined> {
  return db.selectFrom('report_meta').selectAll().where('county_code', '=', county).where('year', '=', year).executeTakeFirst();
}

/** The fields of a county-year's report metadata that a dataset file states, if any. */
export async function reportMetaFields(db: Db, county: string, year: number): Promise<{ issuer: string; report_date: string; partner_code: string | null } | undefined> {
  return db.selectFrom('report_meta').select(['issuer', 'report_date', 'partner_code']).where('county_code', '=', county).where('year', '=', year).executeTakeFirst();
}

/** Replaces a county-year's report metadata (deleting any before inserting). */
export async function replaceReportMeta(db: Db, county: string, year: number, row: { issuer: string; report_date: string; partner_code: string | null }): Promise<void> {
  await db.deleteFrom('report_meta').where('county_code', '=', county).where('year', '=', year).execute();
  await db.insertInto('report_meta').values({ county_code: county, year, ...row }).execute();
}

/** Whether a county-year has report metadata. */
export async function reportMetaExists(db: Db, county: string, year: number): Promise<boolean> {
  return (await db.selectFrom('report_meta').select('county_code').where('county_code', '=', county).where('year', '=', year).executeTakeFirst()) !== undefined;
}

// ---------------------------------------------------------------- narrative

/** The narrative paragraphs of a county-year, by section and order. */
export async function narrativesOf(db: Db, county: string, year: number): Promise<NarrativeRow[]> {
  return db.selectFrom('narrative').selectAll().where('county_code', '=', county).where('year', '=', year).orderBy('section').orderBy('seq').execute();
}

export async function findNarrativeById(db: Db, id: number): Promise<NarrativeRow | undefined> {
  return db.selectFrom('narrative').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One paragraph of a county-year by section and order, if any. */
export async function findNarrative(db: Db, county: string, year: number, section: string, seq: number): Promise<NarrativeRow | undefined> {
  return db.selectFrom('narrative').selectAll().where('county_code', '=', county).where('year', '=', year)
    .where('section', '=', section).where('seq', '=', seq).executeTakeFirst();
}

export async function updateNarrative(db: Db, id: number, changes: Updateable<Database['narrative']>): Promise<void> {
  await db.updateTable('narrative').set(changes).where('id', '=', id).execute();
}

export async function insertNarrative(db: Db, row: Insertable<Database['narrative']>): Promise<void> {
  await db.insertInto('narrative').values(row).execute();
}

/** Deletes a paragraph only at the given version; true when this call deleted it. */
export async function deleteNarrativeAtVersion(db: Db, id: number, version: number): Promise<boolean> {
  const r = await db.deleteFrom('narrative').where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** The stated fields of one paragraph, if it exists. */
export async function narrativeFields(db: Db, county: string, year: number, section: string, seq: number): Promise<{ title: string | null; body: string; note: string | null } | undefined> {
  return db.selectFrom('narrative').select(['title', 'body', 'note'])
    .where('county_code', '=', county).where('year', '=', year).where('section', '=', section).where('seq', '=', seq).executeTakeFirst();
}

/** Inserts a paragraph or, when its section and order exist, replaces its text and raises its version. */
export async function upsertNarrative(db: Db, row: Insertable<Database['narrative']> & { updated_at: string }): Promise<void> {
  await db.insertInto('narrative').values(row)
    .onConflict((oc) => oc.columns(['county_code', 'year', 'section', 'seq']).doUpdateSet({ title: row.title, body: row.body, note: row.note, updated_at: row.updated_at, version: sql`narrative.version + 1` }))
    .execute();
}

// ---------------------------------------------------------------- reported values (undated)

/** The reported values of a county for the year and every earlier one, latest year first, then by id. */
export async function reportedValuesUpTo(db: Db, county: string, year: number): Promise<ReportedValueRow[]> {
  return db.selectFrom('reported_value').selectAll().where('county_code', '=', county).where('year', '<=', year)
    .orderBy('year', 'desc').orderBy('id').execute();
}

/** The stated fields of one reported value, if it exists. */
export async function reportedValueFields(db: Db, county: string, year: number, element: string, dim: string): Promise<{
  value: string; qual: string; value_max: string | null; note: string | null; scale: string | undefined; unit_word: string | null | undefined;
} | undefined> {
  return db.selectFrom('reported_value').select(['value', 'qual', 'value_max', 'note', 'scale', 'unit_word'])
    .where('county_code', '=', county).where('year', '=', year).where('element', '=', element).where('dim', '=', dim).executeTakeFirst();
}

/** Inserts a reported value or, when its element and dimension exist for the county-year, replaces it and raises its version. */
export async function upsertReportedValue(db: Db, row: Insertable<Database['reported_value']>): Promise<void> {
  await db.insertInto('reported_value').values(row)
    .onConflict((oc) => oc.columns(['county_code', 'year', 'element', 'dim']).doUpdateSet({ value: row.value, qual: row.qual, value_max: row.value_max, note: row.note, scale: row.scale, unit_word: row.unit_word, updated_at: row.updated_at, version: sql`reported_value.version + 1` }))
    .execute();
}

/** The reported values of a county-year, by element and dimension. */
export async function reportedValuesOf(db: Db, county: string, year: number): Promise<ReportedValueRow[]> {
  return db.selectFrom('reported_value').selectAll()
    .where('county_code', '=', county).where('year', '=', year).orderBy('element').orderBy('dim').execute();
}

/** Some reported value's id of a county-year, if it has any. */
export async function anyReportedValueOf(db: Db, county: string, year: number): Promise<{ id: number } | undefined> {
  return db.selectFrom('reported_value').select('id').where('county_code', '=', county).where('year', '=', year).executeTakeFirst();
}

export async function findReportedValueById(db: Db, id: number): Promise<ReportedValueRow | undefined> {
  return db.selectFrom('reported_value').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One reported value of a county-year by element and dimension, if any. */
export async function findReportedValue(db: Db, county: string, year: number, element: string, dim: string): Promise<ReportedValueRow | undefined> {
  return db.selectFrom('reported_value').selectAll()
    .where('county_code', '=', county).where('year', '=', year).where('element', '=', element).where('dim', '=', dim).executeTakeFirst();
}

export async function updateReportedValue(db: Db, id: number, changes: Updateable<Database['reported_value']>): Promise<void> {
  await db.updateTable('reported_value').set(changes).where('id', '=', id).execute();
}

export async function insertReportedValue(db: Db, row: Insertable<Database['reported_value']>): Promise<void> {
  await db.insertInto('reported_value').values(row).execute();
}

/** Deletes a reported value only at the given version; true when this call deleted it. */
export async function deleteReportedValueAtVersion(db: Db, id: number, version: number): Promise<boolean> {
  const r = await db.deleteFrom('reported_value').where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

// ---------------------------------------------------------------- targets and target claims

/** The targets of a year set by any of `orgs`, by id. */
export async function targetsFor(db: Db, year: number, orgs: readonly string[]): Promise<Array<Selectable<Database['target']>>> {
  return db.selectFrom('target').selectAll().where('year', '=', year).where('org_code', 'in', [...orgs]).orderBy('id').execute();
}

/** A unit's own statements about its targets of a year, by indicator. */
export async function targetClaimsOf(db: Db, org: string, year: number): Promise<Array<Selectable<Database['target_claim']>>> {
  return db.selectFrom('target_claim').selectAll().where('year', '=', year).where('org_code', '=', org).orderBy('indicator').execute();
}

/** The stated fields of one target claim, if it exists. */
export async function targetClaimFields(db: Db, org: string, year: number, indicator: string): Promise<{ status: string; note: string | null } | undefined> {
  return db.selectFrom('target_claim').select(['status', 'note']).where('org_code', '=', org).where('year', '=', year).where('indicator', '=', indicator).executeTakeFirst();
}

/** Inserts a target claim or replaces the one of the same unit, year and indicator. */
export async function upsertTargetClaim(db: Db, claim: Database['target_claim']): Promise<void> {
  await db.insertInto('target_claim').values(claim)
    .onConflict((oc) => oc.columns(['org_code', 'year', 'indicator']).doUpdateSet({ status: claim.status, note: claim.note, updated_by: claim.updated_by, updated_at: claim.updated_at })).execute();
}

/** The stated fields of one target, if it exists. */
export async function targetFields(db: Db, org: string, year: number, indicator: string): Promise<{
  op: string; value: string | null; value_max: string | null; reported_status: string | null; note: string | null;
} | undefined> {
  return db.selectFrom('target').select(['op', 'value', 'value_max', 'reported_status', 'note'])
    .where('org_code', '=', org).where('year', '=', year).where('indicator', '=', indicator).executeTakeFirst();
}

/** Inserts a target or, when the unit has one for the year and indicator, replaces it and raises its version. */
export async function upsertTarget(db: Db, row: Insertable<Database['target']> & { updated_at: string }): Promise<void> {
  await db.insertInto('target').values(row)
    .onConflict((oc) => oc.columns(['org_code', 'year', 'indicator']).doUpdateSet({ op: row.op, value: row.value, value_max: row.value_max, reported_status: row.reported_status, set_by: row.set_by, note: row.note, updated_at: row.updated_at, version: sql`target.version + 1` }))
    .execute();
}
