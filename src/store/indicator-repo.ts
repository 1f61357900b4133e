import type { Selectable } from 'kysely';
import { appendAudit } from './audit-repo.ts';
import { countiesHoldingData } from './batch-aggregate.ts';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

// What the indicator engine reads county by county (when no batch answers for it), and the writes of
// targets and of a unit's claims about them. The set-based reads are in batch-aggregate.ts.

/** A reported value as the engine reads it. */
export type ReportedRow = Pick<Database['reported_value'], 'element' | 'dim' | 'value' | 'qual' | 'value_max' | 'note' | 'year' | 'scale' | 'unit_word'>;
export type TargetRow = Selectable<Database['target']>;
export type ClaimRow = Selectable<Database['target_claim']>;

/** Counties (6-digit codes) under a unit code that hold a ledger state, reported value, report details or any ledger record for the year, in code order. */
export async function countiesUnder(store: Store, unit: string, year: number): Promise<string[]> {
  return countiesHoldingData(store, unit ? { kind: 'prefix', prefix: unit } : { kind: 'all' }, year);
}

/**
 * Units of one level (code length 2: provinces, 4: prefectures), under `within` when given, that
 * state anything themselves for the year (reported values, report details or ledger states): a
 * roll-up counts them even when none of their counties holds data.
 */
export async function unitsStating(store: Store, year: number, length: 2 | 4, within = ''): Promise<string[]> {
  const codes = new Set<string>();
  for (const table of ['reported_value', 'report_meta', 'ledger_state'] as const) {
    let q = store.db.selectFrom(table).select('county_code').distinct().where('year', '=', year)
      .where((eb) => eb(eb.fn('length', [eb.ref('county_code')]), '=', length));
    if (within) q = q.where('county_code', 'like', `${within}%`);
    for (const r of await q.execute()) codes.add(r.county_code);
  }
  return [...codes].sort();
}

/** A unit's reported values (the undated, whole-year statements) for a year, by element and dim. */
export function reportedOf(store: Store, unit: string, year: number): Promise<ReportedRow[]> {
  return store.db.selectFrom('reported_value').select(['element', 'dim', 'value', 'qual', 'value_max', 'note', 'year', 'scale', 'unit_word'])
    .where('county_code', '=', unit).where('year', '=', year).orderBy('element').orderBy('dim').execute();
}

/** The completeness a unit declared for each of its ledgers in a year. */
export function ledgerStatesOf(store: Store, unit: string, year: number): Promise<Array<{ ledger: string; completeness: string }>> {
  return store.db.selectFrom('ledger_state').select(['ledger', 'completeness']).where('county_code', '=', unit).where('year', '=', year).execute();
}

/** Whether a ledger table holds any record of the unit in the year. */
export async function anyRecord(store: Store, table: string, unit: string, year: number): Promise<boolean> {
  const r = await store.db.selectFrom(table as never).select('id' as never)
    .where('county_code' as never, '=', unit as never).where('year' as never, '=', year as never).limit(1).executeTakeFirst();
  return r !== undefined;
}

/** The targets of a year set by any of the given org units. */
export function targetsOf(store: Store, year: number, orgs: readonly string[]): Promise<TargetRow[]> {
  return store.db.selectFrom('target').selectAll().where('year', '=', year).where('org_code', 'in', [...orgs]).execute();
}

/** A unit's own claims about its targets in a year. */
export function claimsOf(store: Store, org: string, year: number): Promise<ClaimRow[]> {
  return store.db.selectFrom('target_claim').selectAll().where('year', '=', year).where('org_code', '=', org).execute();
}

/** Sets (inserts or replaces) a target and audits the change, in one transaction. */
export async function saveTarget(
  store: Store, key: { org: string; year: number; indicator: string; actor: string },
  row: { op: string; value: string | null; value_max: string | null; note: string | null; set_by: string; reported_status: null; updated_at: string },
): Promise<void> {
  const { org, year, indicator } = key;
  await store.db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('target').selectAll().where('org_code', '=', org).where('year', '=', year).where('indicator', '=', indicator).executeTakeFirst();
    await tx.insertInto('target').values({ org_code: org, year, indicator, ...row })
      .onConflict((oc) => oc.columns(['org_code', 'year', 'indicator']).doUpdateSet(row)).execute();
    await appendAudit(tx, { at: row.updated_at, actor: key.actor, action: 'target.set', entity: 'target', entity_id: `${org}/${year}/${indicator}`, county_code: org, year, before_json: before ? JSON.stringify(before) : null, after_json: JSON.stringify(row) });
  });
}

/** Records (or with a null status, clears) a unit's claim about a target and audits it, in one transaction. */
export async function saveClaim(
  store: Store, key: { org: string; year: number; indicator: string; actor: string; at: string },
  claim: { status: string; note: string | null } | null,
): Promise<void> {
  const { org, year, indicator, actor, at } = key;
  await store.db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('target_claim').selectAll().where('org_code', '=', org).where('year', '=', year).where('indicator', '=', indicator).executeTakeFirst();
    if (claim === null) await tx.deleteFrom('target_claim').where('org_code', '=', org).where('year', '=', year).where('indicator', '=', indicator).execute();
    else await tx.insertInto('target_claim').values({ org_code: org, year, indicator, status: claim.status, note: claim.note, updated_by: actor, updated_at: at })
      .onConflict((oc) => oc.columns(['org_code', 'year', 'indicator']).doUpdateSet({ status: claim.status, note: claim.note, updated_by: actor, updated_at: at })).execute();
    await appendAudit(tx, { at, actor, action: 'target.claim', entity: 'target_claim', entity_id: `${org}/${year}/${indicator}`, county_code: org, year, before_json: before ? JSON.stringify(before) : null, after_json: claim ? JSON.stringify(claim) : null });
  });
}
