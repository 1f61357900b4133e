/**
 * Queries of the account tables: users, sessions, API tokens and the sign-in throttle. Callers hash
 * secrets and read the clock; these functions only store and fetch what they are given.
 */
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { AccountsTables, FullDatabase } from './schema-accounts.ts';

type Db = Kysely<FullDatabase>;

/** The columns of a user that leave the store (never the password hash). */
const USER_COLUMNS = ['app_user.id', 'username', 'display_name', 'role', 'units_json', 'ledgers_json', 'disabled', 'app_user.created_at', 'locked_at', 'demo'] as const;

/** The columns of a token that leave the store (never its hash). */
const TOKEN_COLUMNS = ['api_token.id', 'name', 'prefix', 'api_token.created_at', 'last_used_at', 'revoked_at', 'read_only', 'county_code', 'expires_at'] as const;

export interface UserRow {
  id: number; username: string; display_name: string; role: string; units_json: string; ledgers_json: string | null;
  disabled: number; created_at: string; locked_at: string | null; demo: number;
}

export interface TokenRow {
  id: number; name: string; prefix: string; created_at: string; last_used_at: string | null; revoked_at: string | null;
  read_only: number; county_code: string | null; expires_at: string | null;
}

export type UserChanges = Updateable<AccountsTables['app_user']>;
export type ThrottleRow = AccountsTables['login_throttle'];

// ---------------------------------------------------------------- users

/** The id of the user with exactly this username, if any. */
export async function findUserId(db: Db, username: string): Promise<{ id: number } | undefined> {
  return db.selectFrom('app_user').select('id').where('username', '=', username).executeTakeFirst();
}

/** Whether any account exists at all. */
export async function anyUserExists(db: Db): Promise<boolean> {
  return (await db.selectFrom('app_user').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function insertUser(db: Db, row: Insertable<AccountsTables['app_user']>): Promise<void> {
  await db.insertInto('app_user').values(row).execute();
}

/** The user's public columns, by exact username. */
export async function findUserRow(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('app_user').select([...USER_COLUMNS]).where('username', '=', username).executeTakeFirst();
}

/** Every column of the user, the password hash included, by exact username. */
export async function findUserWithHash(db: Db, username: string): Promise<Selectable<AccountsTables['app_user']> | undefined> {
  return db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
}

/** Every user's public columns, by username. */
export async function listUserRows(db: Db): Promise<UserRow[]> {
  return db.selectFrom('app_user').select([...USER_COLUMNS]).orderBy('username').execute();
}

export async function updateUserRow(db: Db, id: number, changes: UserChanges): Promise<void> {
  await db.updateTable('app_user').set(changes).where('id', '=', id).execute();
}

/** Sets the lock on the user unless one is set already; true when this call locked it. */
export async function lockUserIfUnlocked(db: Db, username: string, at: string): Promise<boolean> {
  const r = await db.updateTable('app_user').set({ locked_at: at }).where('username', '=', username).where('locked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ---------------------------------------------------------------- sessions

/** Ends every session of a user, except the one with `keepIdHash` when given. */
export async function deleteSessionsOfUser(db: Db, userId: number, keepIdHash?: string): Promise<void> {
  let q = db.deleteFrom('app_session').where('user_id', '=', userId);
  if (keepIdHash) q = q.where('id_hash', '!=', keepIdHash);
  await q.execute();
}

export async function deleteExpiredSessions(db: Db, now: string): Promise<void> {
  await db.deleteFrom('app_session').where('expires_at', '<', now).execute();
}

export async function insertSession(db: Db, row: AccountsTables['app_session']): Promise<void> {
  await db.insertInto('app_session').values(row).execute();
}

/** The hashes of a user's sessions, newest first. */
export async function sessionHashesNewestFirst(db: Db, userId: number): Promise<string[]> {
  const rows = await db.selectFrom('app_session').select('id_hash').where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id_hash').execute();
  return rows.map((r) => r.id_hash);
}

export async function deleteSessions(db: Db, idHashes: readonly string[]): Promise<void> {
  await db.deleteFrom('app_session').where('id_hash', 'in', [...idHashes]).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('app_session').where('id_hash', '=', idHash).execute();
}

/** A session with its user's public columns, by the session's hash. */
export async function findSessionWithUser(db: Db, idHash: string): Promise<(UserRow & { csrf: string; expires_at: string }) | undefined> {
  return db.selectFrom('app_session')
    .innerJoin('app_user', 'app_user.id', 'app_session.user_id')
    .select([...USER_COLUMNS, 'csrf', 'expires_at'])
    .where('id_hash', '=', idHash).executeTakeFirst();
}

// ---------------------------------------------------------------- API tokens

/** Stores a token; returns its id. */
export async function insertApiToken(db: Db, row: Insertable<AccountsTables['api_token']>): Promise<number> {
  const r = await db.insertInto('api_token').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Every token of the user, revoked or not, by id. */
export async function tokenRowsOfUser(db: Db, username: string): Promise<TokenRow[]> {
  return db.selectFrom('api_token').innerJoin('app_user', 'app_user.id', 'api_token.user_id')
    .select([...TOKEN_COLUMNS]).where('username', '=', username).orderBy('api_token.id').execute();
}

/** The user's tokens not revoked (expired ones included), by id. */
export async function unrevokedTokenRowsOfUser(db: Db, username: string): Promise<TokenRow[]> {
  return db.selectFrom('api_token').innerJoin('app_user', 'app_user.id', 'api_token.user_id')
    .select([...TOKEN_COLUMNS])
    .where('username', '=', username).where('revoked_at', 'is', null).orderBy('api_token.id').execute();
}

/** Revokes every unrevoked token of a user. */
export async function revokeTokensOfUser(db: Db, userId: number, at: string): Promise<void> {
  await db.updateTable('api_token').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

/** Revokes one unrevoked token of the user; true when it was revoked by this call. */
export async function revokeTokenOfUser(db: Db, id: number, userId: number, at: string): Promise<boolean> {
  const r = await db.updateTable('api_token').set({ revoked_at: at })
    .where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** An unrevoked token with its user's public columns, by the token's hash. */
export async function findLiveTokenWithUser(db: Db, tokenHash: string): Promise<(UserRow & {
  token_id: number; read_only: number; county_code: string | null; expires_at: string | null; last_used_at: string | null;
}) | undefined> {
  return db.selectFrom('api_token').innerJoin('app_user', 'app_user.id', 'api_token.user_id')
    .select([...USER_COLUMNS, 'api_token.id as token_id', 'read_only', 'county_code', 'expires_at', 'last_used_at'])
    .where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
}

export async function setTokenLastUsed(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: at }).where('id', '=', id).execute();
}

// ---------------------------------------------------------------- sign-in throttle

export async function findThrottle(db: Db, key: string): Promise<ThrottleRow | undefined> {
  return db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
}

/**
 * Writes a throttle key's new state only if its failure count is still `expectedFailures`
 * (a compare-and-set); true when this call wrote it.
 */
export async function updateThrottleIfUnchanged(db: Db, key: string, expectedFailures: number, row: Omit<ThrottleRow, 'key'>): Promise<boolean> {
  const r = await db.updateTable('login_throttle').set(row).where('key', '=', key).where('failures', '=', expectedFailures).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Creates a throttle key unless it exists; true when this call created it. */
export async function insertThrottleIfAbsent(db: Db, row: ThrottleRow): Promise<boolean> {
  const r = await db.insertInto('login_throttle').values(row).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Adds one failure to a throttle key, creating it with one failure. */
export async function addThrottleFailure(db: Db, key: string, at: string): Promise<void> {
  await db.insertInto('login_throttle').values({ key, failures: 1, blocked_until: null, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ failures: eb(eb.ref('login_throttle.failures'), '+', 1), updated_at: at })))
    .execute();
}

export async function throttleFailures(db: Db, key: string): Promise<number | undefined> {
  const t = await db.selectFrom('login_throttle').select('failures').where('key', '=', key).executeTakeFirst();
  return t ? Number(t.failures) : undefined;
}

export async function deleteThrottleKey(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

export async function deleteThrottleKeys(db: Db, keys: readonly string[]): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', 'in', [...keys]).execute();
}

/** Deletes a throttle key and every key matching a LIKE pattern. */
export async function deleteThrottleKeyAndLike(db: Db, key: string, likePattern: string): Promise<void> {
  await db.deleteFrom('login_throttle').where((eb) => eb.or([eb('key', '=', key), eb('key', 'like', likePattern)])).execute();
}

/** Username and display name of the accounts among `usernames`, in no particular order. */
export async function displayNameRows(db: Db, usernames: readonly string[]): Promise<Array<{ username: string; display_name: string }>> {
  return db.selectFrom('app_user').select(['username', 'display_name']).where('username', 'in', [...usernames]).execute();
}
