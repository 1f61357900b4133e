import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type Migration, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import * as m0001 from './migrations/20261129_0001_core.ts';
import * as m0003 from './migrations/20261129_0003_disbursement_category.ts';
import * as m0010 from './migrations/20261201_0010_target_claims.ts';
import * as m0011 from './migrations/20261201_0011_record_outputs.ts';
import type { Database } from './schema.ts';
import type { StoreConfig } from './config.ts';

export { configFromEnv, type StoreConfig } from './config.ts';

export type Engine = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  engine: Engine;
  /** The SQLite file, when the store is one on disk (another connection can open it). */
  file?: string;
  /** How the store was opened, so another thread can open its own connection to the same database. */
  config?: StoreConfig;
  /**
   * A value that changes whenever anything may have been committed to the database since it was last
   * read: on SQLite, the writes of this connection and PRAGMA data_version (which changes when another
   * connection, another thread or process, commits). Undefined where there is no such cheap check
   * (PostgreSQL): there what is derived from the data is read each time.
   */
  generation?: () => string;
  /** Closes connections; the store must not be used afterwards. */
  close(): Promise<void>;
}


// pg hands back BIGINT and COUNT as strings; convert once, here, refusing values past 2^53.
const toSafeInt = (s: string): number => {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer out of range: ${s}`);
  return n;
};
let pgModule: typeof pg | undefined;

/**
 * The PostgreSQL driver, loaded with the first PostgreSQL store: a process on the embedded SQLite
 * file (the default server, its threads, the command line) never carries it.
 */
function pgDriver(): typeof pg {
  if (!pgModule) {
    pgModule = createRequire(import.meta.url)('pg') as typeof pg;
    pgModule.types.setTypeParser(20, toSafeInt);
  }
  return pgModule;
}

/** Opens a store. SQLite files get WAL and foreign keys; ':memory:' is accepted for tests. */
export function openStore(config: StoreConfig): Store {
  if (config.engine === 'sqlite') {
    if (config.file !== ':memory:') {
      mkdirSync(dirname(config.file), { recursive: true, mode: 0o700 });
      // Created private before SQLite opens it, so the file is never readable by others, not even for a moment.
      if (!existsSync(config.file)) closeSync(openSync(config.file, 'a', 0o600));
    }
    const database = new SQLite(config.file);
    database.pragma('journal_mode = WAL');
    // The database holds personal data: readable by its owner only (and so are the WAL and shared-memory files).
    if (config.file !== ':memory:') for (const f of [config.file, `${config.file}-wal`, `${config.file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    const connection = reusingStatements(database);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
    const dataVersion = database.prepare('PRAGMA data_version').pluck();
    return {
      db, engine: 'sqlite', config, ...(config.file !== ':memory:' ? { file: config.file } : {}),
      generation: () => `${String(dataVersion.get())}.${connection.writes()}`,
      close: () => db.destroy(),
    };
  }
  const pool = new (pgDriver().Pool)({ connectionString: config.url, max: poolSize() });
  // An idle connection the server ends (a restart, an administrator's termination) is dropped from the
  // pool and replaced on next use; unhandled, its error would end the process.
  pool.on('error', (e) => { process.stderr.write(`xiezuo: PostgreSQL ended an idle connection (${e.message}); a new one is opened when needed\n`); });
  if (config.prepare ?? namedStatements()) pool.on('connect', namingStatements);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', config, close: () => db.destroy() };
}

/** How many statements a PostgreSQL connection keeps prepared under a name (the rest are sent unnamed). */
export const PG_NAMED_STATEMENTS = 300;

/**
 * Sends a connection's parameterised queries as named prepared statements, one name per SQL text,
 * so that a statement the server has seen on this connection is bound and executed without being
 * parsed again (and, once its plan is generic, without being planned again). Names belong to the
 * connection and end with it; past PG_NAMED_STATEMENTS texts a connection sends the rest unnamed, as
 * before. A query without parameters keeps the simple protocol (it may hold several statements). When
 * the server refuses a kept plan because a table changed under it, the text is given a fresh name for
 * its next use.
 */
function namingStatements(client: pg.PoolClient): void {
  const names = new Map<string, string>();
  let next = 0;
  const query = client.query.bind(client) as (...a: unknown[]) => unknown;
  (client as { query: unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined) return query(text, values, callback);
    let name = names.get(text);
    if (name === undefined) {
      if (names.size >= PG_NAMED_STATEMENTS) return query(text, values);
      name = `xz${next++}`;
      names.set(text, name);
    }
    return (query({ name, text, values }) as Promise<unknown>).catch((e: unknown) => {
      if ((e as { code?: string }).code === '0A000') names.delete(text);
      throw e;
    });
  };
}

/** How many prepared SQLite statements a connection keeps for reuse (least recently used dropped first). */
export const STATEMENT_CACHE = 500;

/**
 * Marks SQL text (on SQLite) as one statement to run once per row: it is given the parameters of
 * many rows in one call, and each row's are bound and stepped on their own. SQLite inserts single
 * rows faster than a multi-row VALUES list into an indexed table, and one call per batch saves the
 * query builder's await per row (ledger-repo.ts, insertMany).
 */
export const EACH_ROW = '/* each row */ ';

/** A statement run once per row's parameters (EACH_ROW); `width` is its number of parameters. */
function eachRow(stmt: SQLite.Statement, width: number): SQLite.Statement {
  const run = (params: unknown[]) => {
    if (width === 0 || params.length % width !== 0) throw new RangeError(`each-row statement: ${params.length} parameters are not whole rows of ${width}`);
    let changes = 0;
    let lastInsertRowid: number | bigint = 0;
    for (let i = 0; i < params.length; i += width) {
      const r = stmt.run(params.slice(i, i + width));
      changes += r.changes;
      lastInsertRowid = r.lastInsertRowid;
    }
    return { changes, lastInsertRowid };
  };
  return { reader: false, readonly: false, busy: false, run } as unknown as SQLite.Statement;
}

/**
 * The SQLite connection as the query builder sees it, keeping prepared statements by their SQL text:
 * a query that runs again (every request of a route asks the same few) is bound and stepped without
 * being parsed and planned again. A statement still being stepped through by a streaming read is
 * busy and is never handed out twice; then a fresh one is prepared. SQLite re-prepares a kept
 * statement by itself when the schema changes.
 */
function reusingStatements(database: SQLite.Database, max = STATEMENT_CACHE): { close(): void; prepare(sql: string): SQLite.Statement; writes(): number } {
  const kept = new Map<string, SQLite.Statement>();
  // Statements that may write, counted as they are handed out: the query builder prepares a
  // statement each time it runs one, and runs it at once (better-sqlite3 is synchronous).
  let writes = 0;
  return {
    close: () => { kept.clear(); database.close(); },
    writes: () => writes,
    prepare(sql: string) {
      const had = kept.get(sql);
      if (had && !had.busy) {
        if (!had.readonly) writes++;
        kept.delete(sql);
        kept.set(sql, had);
        return had;
      }
      const stmt = sql.startsWith(EACH_ROW) ? eachRow(database.prepare(sql.slice(EACH_ROW.length)), sql.split('?').length - 1) : database.prepare(sql);
      if (!stmt.readonly) writes++;
      if (!had) {
        kept.set(sql, stmt);
        if (kept.size > max) kept.delete(kept.keys().next().value!);
      }
      return stmt;
    },
  };
}

/**
 * Connections per PostgreSQL pool: XIEZUO_PG_POOL (1–200), default 10. Each server process and each
 * report or import thread has its own pool, so the database must allow their sum.
 */
function poolSize(): number {
  const v = process.env.XIEZUO_PG_POOL;
  if (v === undefined || v === '') return 10;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 200)
    throw Object.assign(new Error(`XIEZUO_PG_POOL must be a whole number from 1 to 200, not '${v}'`), { code: 'XIEZUO_SETTING', zh: `XIEZUO_PG_POOL 应为1到200的整数，而不是“${v}”` });
  return n;
}

/**
 * Whether PostgreSQL connections keep named prepared statements: XIEZUO_PG_PREPARE, `on` (the
 * default) or `off`. Off is for a connection pooler that hands one client's statements to different
 * server sessions (PgBouncer in transaction mode before version 1.21).
 */
function namedStatements(): boolean {
  const v = process.env.XIEZUO_PG_PREPARE;
  if (v === undefined || v === '' || v === 'on') return true;
  if (v === 'off') return false;
  throw Object.assign(new Error(`XIEZUO_PG_PREPARE must be on or off, not '${v}'`), { code: 'XIEZUO_SETTING', zh: `XIEZUO_PG_PREPARE 应为 on 或 off，而不是“${v}”` });
}

const MIGRATIONS: Record<string, Migration> = {
  '20261129_0001_core': m0001,
  '20261129_0002_accounts': await import('./migrations/20261129_0002_accounts.ts'),
  '20261129_0003_disbursement_category': m0003,
  '20261201_0010_target_claims': m0010,
  '20261201_0011_record_outputs': m0011,
  '20261201_0020_security': await import('./migrations/20261201_0020_security.ts'),
  '20261201_0050_dataset_info': await import('./migrations/20261201_0050_dataset_info.ts'),
  '20261201_0060_warning_ack': await import('./migrations/20261201_0060_warning_ack.ts'),
  '20261201_0070_config_entry': await import('./migrations/20261201_0070_config_entry.ts'),
  '20261202_0080_reported_dated': await import('./migrations/20261202_0080_reported_dated.ts'),
  '20261203_0090_org_unit_level': await import('./migrations/20261203_0090_org_unit_level.ts'),
  '20261204_0100_summary_indexes': await import('./migrations/20261204_0100_summary_indexes.ts'),
};

/** Registers a migration added by another module (kept in order by name). */
export function registerMigration(name: string, migration: Migration): void {
  MIGRATIONS[name] = migration;
}

const afterMigrate: Array<(store: Store) => Promise<void>> = [];

/**
 * Registers work to run once a store's schema is current (e.g. loading the configuration stored in
 * it), so every store that was migrated is ready for synchronous readers.
 */
export function onMigrated(fn: (store: Store) => Promise<void>): void {
  if (!afterMigrate.includes(fn)) afterMigrate.push(fn);
}

/** Brings the schema to the latest version, then runs the onMigrated hooks; throws with the failing migration's name. */
export async function migrate(store: Store): Promise<void> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => MIGRATIONS },
    // Migrations of parallel lines of work carry their own name prefixes, so a database migrated
    // before a merge may lack one that sorts earlier; it is applied rather than refused.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const code = (error as { code?: unknown } | undefined)?.code;
    throw Object.assign(new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }), { code });
  }
  for (const fn of afterMigrate) await fn(store);
}
