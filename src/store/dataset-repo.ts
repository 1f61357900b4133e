import type { Kysely, Transaction } from 'kysely';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

// Whole-dataset facts (dataset_info) and the bulk writes the synthetic generator needs.
type Any = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Row = Record<string, string | number | null>;

/** Every key of dataset_info with its value; empty when nothing was recorded (an ordinary database). */
export async function datasetInfo(store: Store): Promise<Record<string, string>> {
  const rows = await (store.db as unknown as Any).selectFrom('dataset_info').select(['key', 'value']).execute() as Array<{ key: string; value: string }>;
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Sets one dataset_info key inside the caller's transaction. */
export async function setDatasetInfo(tx: Transaction<Database>, key: string, value: string, at: string): Promise<void> {
  await (tx as unknown as Any).insertInto('dataset_info').values({ key, value, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at })).execute();
}

/** County-level division codes (with names and prefecture) under the given provinces, ordered by code. */
export async function countiesUnder(store: Store, provinces: readonly string[]): Promise<Array<{ code: string; name: string; parent: string | null }>> {
  const rows = await store.db.selectFrom('org_unit').select(['code', 'name', 'parent_code']).where('level', '=', 'county').orderBy('code').execute();
  return rows.filter((r) => provinces.some((p) => r.code.startsWith(p))).map((r) => ({ code: r.code, name: r.name, parent: r.parent_code }));
}

/** True when any county holds ledger state, reported values or report details for the year. */
export async function yearHasData(store: Store, year: number): Promise<boolean> {
  const db = store.db;
  const a = await db.selectFrom('ledger_state').select('county_code').where('year', '=', year).limit(1).executeTakeFirst();
  const b = await db.selectFrom('reported_value').select('county_code').where('year', '=', year).limit(1).executeTakeFirst();
  const c = await db.selectFrom('report_meta').select('county_code').where('year', '=', year).limit(1).executeTakeFirst();
  return Boolean(a || b || c);
}

/**
 * Inserts rows into a table in multi-row statements inside the caller's transaction. Every row must
 * have the same columns; the chunk size keeps a statement under both engines' parameter limits.
 */
export async function insertRows(tx: Transaction<Database>, table: string, rows: Row[]): Promise<void> {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!).length;
  const chunk = Math.max(1, Math.floor(30_000 / cols));
  for (let i = 0; i < rows.length; i += chunk)
    await (tx as unknown as Any).insertInto(table).values(rows.slice(i, i + chunk)).execute();
}
