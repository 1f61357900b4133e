import { type Kysely, type Transaction } from 'kysely';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import { columnsOf } from '../domain/ledgers/types.ts';
import type { Store } from './db.ts';
import { keptUntilWrite } from './kept.ts';
import type { Database } from './schema.ts';

/** Row type of the table added by migration 20261201_0070_config_entry. */
export interface ConfigTables {
  config_entry: {
    id: import('kysely').Generated<number>; kind: string; name: string; year: number; unit_code: string;
    body_json: string; version: number; updated_by: string; updated_at: string;
  };
}

type Db = Kysely<Database & ConfigTables> | Transaction<Database & ConfigTables>;
const typed = (db: Kysely<Database> | Transaction<Database>): Db => db as unknown as Db;

/** One version of a configuration entry, in domain form (body parsed). */
export interface ConfigEntry {
  id: number;
  kind: string;
  name: string;
  year: number;
  unit: string;
  body: unknown;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

const toEntry = (r: ConfigTables['config_entry'] & { id: number }): ConfigEntry => ({
  id: Number(r.id), kind: r.kind, name: r.name, year: Number(r.year), unit: r.unit_code,
  body: JSON.parse(r.body_json) as unknown, version: Number(r.version), updatedBy: r.updated_by, updatedAt: r.updated_at,
});

/**
 * A stamp that changes whenever any configuration entry is written, by this process or another: the
 * highest row id (rows are only ever added) and the row count. One indexed aggregate, cheap enough to run
 * at the start of every request.
 */
export function configStamp(store: Store): Promise<string> {
  return keptUntilWrite(store, 'config-stamp', async () => {
    const r = await typed(store.db).selectFrom('config_entry')
      .select((eb) => [eb.fn.max('id').as('max'), eb.fn.countAll().as('n')]).executeTakeFirstOrThrow();
    return `${Number(r.max ?? 0)}:${Number(r.n)}`;
  });
}

/** The entries in force: the highest version of every (kind, name, year, unit), oldest year first. */
export async function currentEntries(store: Store): Promise<ConfigEntry[]> {
  const rows = await typed(store.db).selectFrom('config_entry').selectAll().orderBy('year').orderBy('id').execute();
  const latest = new Map<string, ConfigEntry>();
  for (const r of rows) {
    const e = toEntry(r as never);
    const key = `${e.kind}|${e.name}|${e.year}|${e.unit}`;
    const prev = latest.get(key);
    if (!prev || prev.version < e.version) latest.set(key, e);
  }
  return [...latest.values()];
}

/** Every version of the entries of one kind and unit (all years), newest first: the history of a setting. */
export async function entryHistory(store: Store, kind: string, unit: string): Promise<ConfigEntry[]> {
  const rows = await typed(store.db).selectFrom('config_entry').selectAll()
    .where('kind', '=', kind).where('unit_code', '=', unit).orderBy('id', 'desc').execute();
  return rows.map((r) => toEntry(r as never));
}

/** The entry of exactly this key in force, if any (no inheritance). */
export async function entryAt(db: Kysely<Database> | Transaction<Database>, kind: string, name: string, year: number, unit: string): Promise<ConfigEntry | undefined> {
  const r = await typed(db).selectFrom('config_entry').selectAll()
    .where('kind', '=', kind).where('name', '=', name).where('year', '=', year).where('unit_code', '=', unit)
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
  return r ? toEntry(r as never) : undefined;
}

/** Adds a new version of an entry (version = previous + 1, or 1). Call inside the writing transaction. */
export async function insertEntry(
  tx: Transaction<Database>, e: { kind: string; name: string; year: number; unit: string; body: unknown; by: string; at: string },
): Promise<ConfigEntry> {
  const prev = await entryAt(tx, e.kind, e.name, e.year, e.unit);
  const version = (prev?.version ?? 0) + 1;
  await typed(tx).insertInto('config_entry').values({
    kind: e.kind, name: e.name, year: e.year, unit_code: e.unit, body_json: JSON.stringify(e.body), version, updated_by: e.by, updated_at: e.at,
  }).execute();
  return (await entryAt(tx, e.kind, e.name, e.year, e.unit))!;
}

/** How many stored rows use each of some values of a category list, for units under `unit` from `fromYear` on. */
export interface CategoryUse { value: string; where: string; count: number }

/**
 * Counts ledger records (every enum field drawing on `list`) and reported values (the given elements,
 * whose breakdown uses `list`) that hold one of `values`, in units whose code starts with `unit` ('' =
 * all), in `fromYear` and later years.
 */
export async function categoryUse(
  db: Kysely<Database> | Transaction<Database>, list: string, values: readonly string[], unit: string, fromYear: number, elements: readonly string[],
): Promise<CategoryUse[]> {
  if (!values.length) return [];
  const out: CategoryUse[] = [];
  const d = db as unknown as Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const decl of LEDGERS)
    for (const f of decl.fields) {
      if (f.type !== 'enum' || f.categories !== list) continue;
      const col = columnsOf(f)[0]!;
      let q = d.selectFrom(decl.table).select([col, (eb) => eb.fn.countAll().as('n')])
        .where(col, 'in', [...values]).where('year', '>=', fromYear).groupBy(col);
      if (unit) q = q.where('county_code', 'like', `${unit}%`);
      for (const r of (await q.execute()) as Array<Record<string, unknown>>)
        out.push({ value: String(r[col]), where: `${decl.kind}.${f.name}`, count: Number(r.n) });
    }
  if (elements.length) {
    let q = typed(db).selectFrom('reported_value').select(['dim', (eb) => eb.fn.countAll().as('n')])
      .where('element', 'in', [...elements]).where('dim', 'in', [...values]).where('year', '>=', fromYear).groupBy('dim');
    if (unit) q = q.where('county_code', 'like', `${unit}%`);
    for (const r of await q.execute()) out.push({ value: r.dim, where: 'reported_value', count: Number(r.n) });
    // Figures stated as of a day use the same breakdowns (migration 20261202_0080_reported_dated).
    let dq = d.selectFrom('reported_value_dated').select(['dim', (eb) => eb.fn.countAll().as('n')])
      .where('element', 'in', [...elements]).where('dim', 'in', [...values]).where('year', '>=', fromYear).groupBy('dim');
    if (unit) dq = dq.where('county_code', 'like', `${unit}%`);
    for (const r of (await dq.execute()) as Array<{ dim: string; n: unknown }>) out.push({ value: r.dim, where: 'reported_value_dated', count: Number(r.n) });
  }
  return out;
}

/** How many reported values of a unit (and the units under it) each of these elements holds, from a year on. */
export async function elementUse(
  db: Kysely<Database> | Transaction<Database>, elements: readonly string[], unit: string, fromYear: number,
): Promise<Array<{ element: string; count: number }>> {
  if (!elements.length) return [];
  let q = db.selectFrom('reported_value').select(['element', (eb) => eb.fn.countAll().as('n')])
    .where('element', 'in', [...elements]).where('year', '>=', fromYear).groupBy('element');
  if (unit) q = q.where('county_code', 'like', `${unit}%`);
  return (await q.execute()).map((r) => ({ element: r.element, count: Number(r.n) }));
}
