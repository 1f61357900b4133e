import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, openStore, type Store } from '../../src/store/db.ts';

/** The PostgreSQL server the tests use: XIEZUO_TEST_PG, or the local one with trust auth. */
export const PG_ADMIN_URL = process.env.XIEZUO_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let pgAvailable: Promise<boolean> | undefined;

/**
 * Whether PostgreSQL answers. Under CI it must: a missing server throws instead of skipping.
 * Locally a missing server makes the PostgreSQL variants skip, with a loud message.
 */
export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch (e) {
      if (process.env.CI) throw new Error(`PostgreSQL is required under CI but is not reachable at ${PG_ADMIN_URL}: ${(e as Error).message}`);
      console.warn(`\n!!! PostgreSQL is not reachable at ${PG_ADMIN_URL}: the PostgreSQL variants of the database tests are SKIPPED.\n`);
      return false;
    }
  })();
  return pgAvailable;
}

export interface TestStore {
  store: Store;
  /** Closes the store and drops its database. */
  dispose(): Promise<void>;
}

/** A fresh, migrated, empty database on the given engine (PostgreSQL: a new database, dropped on dispose). */
export async function freshStore(engine: 'sqlite' | 'postgres'): Promise<TestStore> {
  if (engine === 'sqlite') {
    const store = openStore({ engine: 'sqlite', file: ':memory:' });
    await migrate(store);
    return { store, dispose: () => store.close() };
  }
  const db = await createPgDatabase();
  const store = openStore({ engine: 'postgres', url: db.url });
  await migrate(store);
  return {
    store,
    dispose: async () => {
      await store.close();
      await db.drop();
    },
  };
}

/** A new, empty PostgreSQL database with a unique name; `drop` removes it even with open connections. */
export async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `xiezuo_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      // Connections a pool was just told to close may still be on their way out; terminated under
      // them, they raise an error on the closed pool. Give them a moment before forcing the rest.
      for (let i = 0; i < 40; i++) {
        const r = await a.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if ((r.rows[0] as { n: number }).n === 0) break;
        await new Promise((ok) => setTimeout(ok, 50));
      }
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** The engines to run database tests on: SQLite always, PostgreSQL when available (always under CI). */
export async function engines(): Promise<Array<'sqlite' | 'postgres'>> {
  return (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}
