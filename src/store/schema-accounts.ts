import type { Generated, Kysely } from 'kysely';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

/** Row types of the tables added by migration 20261129_0002_accounts. */
export interface AccountsTables {
  app_user: {
    id: Generated<number>; username: string; display_name: string; password_hash: string; role: string;
    units_json: string; ledgers_json: string | null; disabled: Generated<number>; created_at: string;
    demo: Generated<number>; locked_at: string | null; updated_at: string | null;
  };
  app_session: { id_hash: string; user_id: number; csrf: string; created_at: string; expires_at: string };
  api_token: {
    id: Generated<number>; user_id: number; name: string; token_hash: string; prefix: string; created_at: string;
    last_used_at: string | null; revoked_at: string | null;
    read_only: Generated<number>; county_code: string | null; expires_at: string | null;
  };
  login_throttle: { key: string; failures: number; blocked_until: string | null; updated_at: string };
  evidence_file: {
    id: Generated<number>; county_code: string; year: number; ledger: string | null; record_id: number | null;
    indicator: string | null; filename: string; mime: string; size: number; sha256: string; stored_name: string;
    uploaded_by: string; uploaded_at: string;
  };
}

export type FullDatabase = Database & AccountsTables;

/** The store's query builder typed with the account tables as well as the core ones. */
export function accountsDb(store: Store): Kysely<FullDatabase> {
  return store.db as unknown as Kysely<FullDatabase>;
}
