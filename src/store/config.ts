// Kept apart from db.ts so that reading the configuration never loads the database drivers.
export type StoreConfig =
  | { engine: 'sqlite'; file: string }
  /** `prepare`: whether connections keep named prepared statements (default: XIEZUO_PG_PREPARE, else on). */
  | { engine: 'postgres'; url: string; prepare?: boolean };

/** The configuration implied by the environment: PostgreSQL when DATABASE_URL is set, else the SQLite file. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  if (env.DATABASE_URL) return { engine: 'postgres', url: env.DATABASE_URL };
  return { engine: 'sqlite', file: env.XIEZUO_DB ?? './data/xiezuo.sqlite' };
}
