/**
 * Reading and writing whole tables for backup and restore, on both engines: the tables in an order
 * that satisfies their foreign keys, every row of a table in a stable order, inserting rows as they
 * were (ids included) and moving PostgreSQL's id sequences past them.
 */
import { type Kysely, sql } from 'kysely';
import type { Engine } from './db.ts';
import { appTables } from './deployment-repo.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;
type Row = Record<string, unknown>;

/** Each table's parents (the tables its foreign keys point to), itself excluded. */
async function parents(db: Db, engine: Engine, tables: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map(tables.map((t) => [t, new Set<string>()]));
  if (engine === 'sqlite') {
    for (const t of tables) {
      const r = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${t})`.execute(db);
      for (const p of r.rows) if (p.table !== t && out.has(p.table)) out.get(t)!.add(p.table);
    }
  } else {
    const r = await sql<{ child: string; parent: string }>`
      select tc.table_name as child, ccu.table_name as parent
      from information_schema.table_constraints tc
      join information_schema.constraint_column_usage ccu on tc.constraint_name = ccu.constraint_name and tc.table_schema = ccu.table_schema
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(db);
    for (const p of r.rows) if (p.child !== p.parent && out.has(p.child) && out.has(p.parent)) out.get(p.child)!.add(p.parent);
  }
  return out;
}

/** The application's tables, parents before children (then by name). */
export async function tablesInOrder(db: Db, engine: Engine): Promise<string[]> {
  const tables = await appTables(db);
  const deps = await parents(db, engine, tables);
  const done: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string) => {
    if (seen.has(t)) return;
    seen.add(t);
    for (const p of [...deps.get(t)!].sort()) visit(p);
    done.push(t);
  };
  for (const t of tables) visit(t);
  return done;
}

/** The columns of a table, in their declared order. */
export async function columnsOf(db: Db, table: string): Promise<string[]> {
  const t = (await db.introspection.getTables()).find((x) => x.name === table);
  return t ? t.columns.map((c) => c.name) : [];
}

/**
 * Every row of a table in a stable order (by id, code or key when the table has one, else by every
 * column), in pages, so a large table is never held in memory whole.
 */
export async function* tableRows(db: Db, table: string, columns: readonly string[], page = 2000): AsyncGenerator<Row[]> {
  const order = columns.includes('id') ? ['id'] : columns.includes('code') ? ['code'] : columns.includes('key') ? ['key'] : [...columns];
  for (let offset = 0; ; offset += page) {
    const rows = await sql<Row>`select * from ${sql.table(table)} order by ${sql.join(order.map((c) => sql.ref(c)))} limit ${page} offset ${offset}`.execute(db);
    if (rows.rows.length === 0) return;
    yield rows.rows;
    if (rows.rows.length < page) return;
  }
}

/** Inserts rows as they are (explicit ids too), in batches that stay under SQLite's parameter limit. */
export async function insertRows(db: Db, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): Promise<void> {
  const per = Math.max(1, Math.floor(900 / Math.max(1, columns.length)));
  for (let i = 0; i < rows.length; i += per) {
    const values = rows.slice(i, i + per).map((r) => Object.fromEntries(columns.map((c, k) => [c, r[k] ?? null])));
    await (db as unknown as Kysely<Record<string, Row>>).insertInto(table).values(values).execute();
  }
}

/** Moves PostgreSQL's id sequences past the restored ids (SQLite needs nothing). */
export async function resetSequences(db: Db, engine: Engine, tables: readonly string[]): Promise<void> {
  if (engine !== 'postgres') return;
  for (const t of tables) {
    if (!(await columnsOf(db, t)).includes('id')) continue;
    await sql`select setval(pg_get_serial_sequence(${t}, 'id'), coalesce((select max(id) from ${sql.table(t)}), 1), (select max(id) from ${sql.table(t)}) is not null)
      where pg_get_serial_sequence(${t}, 'id') is not null`.execute(db);
  }
}

/** The names of the migrations applied to the database, in order. */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const r = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return r.rows.map((x) => x.name);
}
