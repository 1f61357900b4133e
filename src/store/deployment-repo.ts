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

/** Whether any table holds a hashed resident ID (a non-empty `*_hash` column of a ledger). */
export async function holdsHashedIds(db: Db): Promise<boolean> {
  const tables = await db.introspection.getTables();
  for (const t of tables) {
    if (t.name.startsWith('kysely_') || ['app_user', 'app_session', 'api_token', 'login_throttle', 'evidence_file', 'audit_log', 'audit_chain'].includes(t.name)) continue;
    for (const c of t.columns.filter((x) => /_hash$/.test(x.name))) {
      const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(t.name)} where ${sql.ref(c.name)} is not null`.execute(db);
      if (Number(r.rows[0]?.n ?? 0) > 0) return true;
    }
  }
  return false;
}
