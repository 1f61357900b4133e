/**
 * Facts about the deployment itself, kept in the database: whether it was set up as the demo, and
 * the fingerprint of the resident-ID key its hashes were made with. Also the list of tables and
 * whether the database is empty, which the demo and restore need.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export async function getMeta(db: Db, key: string): Promise<string | undefined> {
  const r = await db.selectFrom('deployment_meta').select('value').where('key', '=', key).executeTakeFirst();
  return r?.value;
}

export async function setMeta(db: Db, key: string, value: string): Promise<void> {
  const at = new Date().toISOString();
  await db.insertInto('deployment_meta').values({ key, value, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at })).execute();
}

/** The application's tables (the migration bookkeeping of Kysely left out), sorted by name. */
export async function appTables(db: Db): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables.map((t) => t.name).filter((n) => !n.startsWith('kysely_')).sort();
}

/**
 * Whether every application table is empty: a database nobody has put anything into yet. The
 * deployment facts (the key fingerprint recorded when a command first opened it) do not count.
 */
export async function isEmptyDatabase(db: Db): Promise<boolean> {
  for (const t of await appTables(db)) {
    if (t === 'deployment_meta') continue;
    const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(db);
    if (Number(r.rows[0]?.n ?? 0) > 0) return false;
  }
  return true;
}

const NOT_LEDGERS = ['app_user', 'app_session', 'api_token', 'login_throttle', 'evidence_file', 'audit_log', 'audit_chain'];

/** The ledger columns holding keyed resident-ID hashes (`*_hash` outside the account and audit tables). */
export async function hashColumns(db: Db): Promise<Array<{ table: string; column: string }>> {
  const tables = await db.introspection.getTables();
  return tables.filter((t) => !t.name.startsWith('kysely_') && !NOT_LEDGERS.includes(t.name))
    .flatMap((t) => t.columns.filter((c) => /_hash$/.test(c.name)).map((c) => ({ table: t.name, column: c.name })))
    .sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

/** Whether any table holds a hashed resident ID (a non-empty `*_hash` column of a ledger). */
export async function holdsHashedIds(db: Db): Promise<boolean> {
  for (const { table, column } of await hashColumns(db)) {
    const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} is not null`.execute(db);
    if (Number(r.rows[0]?.n ?? 0) > 0) return true;
  }
  return false;
}

/**
 * Replaces every non-null value of a hash column by `fn(value)`, a page of rows per statement, in
 * the caller's transaction (rows keyed by `id`). Returns how many rows were rewritten.
 */
export async function rewriteHashColumn(db: Db, table: string, column: string, fn: (hash: string) => string): Promise<number> {
  const PAGE = 500;
  let after = 0;
  let n = 0;
  for (;;) {
    const page = (await sql<{ id: number; h: string }>`select id, ${sql.ref(column)} as h from ${sql.table(table)}
      where ${sql.ref(column)} is not null and id > ${after} order by id limit ${PAGE}`.execute(db)).rows;
    if (!page.length) return n;
    const cases = sql.join(page.map((r) => sql`when ${Number(r.id)} then ${fn(String(r.h))}`), sql` `);
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = case id ${cases} end
      where id in (${sql.join(page.map((r) => Number(r.id)))})`.execute(db);
    n += page.length;
    after = Number(page[page.length - 1]!.id);
  }
}

/** Removes every deployment fact (a restore replaces them with the backup's). */
export async function clearMeta(db: Db): Promise<void> {
  await db.deleteFrom('deployment_meta').execute();
}
