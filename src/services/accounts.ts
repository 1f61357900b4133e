import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { appendAudit } from '../store/audit-repo.ts';
import type { Store } from '../store/db.ts';
import {
  addThrottleFailure, anyUserExists, deleteExpiredSessions, deleteSession, deleteSessions, deleteSessionsOfUser, deleteThrottleKey,
  deleteThrottleKeyAndLike, deleteThrottleKeys, findLiveTokenWithUser, findSessionWithUser, findThrottle, findUserId, findUserRow,
  findUserWithHash, insertApiToken, insertSession, insertThrottleIfAbsent, insertUser, listUserRows, lockUserIfUnlocked,
  revokeTokenOfUser, revokeTokensOfUser, sessionHashesNewestFirst, setTokenLastUsed, throttleFailures, tokenRowsOfUser,
  type TokenRow, unrevokedTokenRowsOfUser, updateThrottleIfUnchanged, updateUserRow, type UserRow,
} from '../store/accounts-repo.ts';
import { orgUnitNames } from '../store/orgunit-repo.ts';
import { accountsDb } from '../store/schema-accounts.ts';
import { ROOT } from './config.ts';
import { DomainError, conflict, forbidden, invalid, notFound } from './errors.ts';
import { type Actor, canRead, type Role } from './scope.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

export const ROLES: readonly Role[] = ['county_clerk', 'county_admin', 'east_user', 'province_user', 'auditor', 'admin'];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  county_clerk: { zh: '县级填报员', en: 'County data clerk' },
  county_admin: { zh: '县级审核员', en: 'County reviewer' },
  east_user: { zh: '东部协作方用户', en: 'Eastern partner user' },
  province_user: { zh: '省州用户', en: 'Province/prefecture user' },
  auditor: { zh: '审计员（只读）', en: 'Auditor (read-only)' },
  admin: { zh: '系统管理员', en: 'System administrator' },
};

/** Current time as ISO text; tests may replace it to freeze time or to step past a sign-in block. */
export let clock = (): Date => new Date();
export function setAccountsClock(fn: () => Date): void {
  clock = fn;
}

// ---------------------------------------------------------------- passwords

const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LEN = 32;

/** A self-describing scrypt hash: `scrypt$N$r$p$salt$key` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Compares in constant time; false for any malformed hash, never throws. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A random password of 16 characters from an alphabet without look-alikes. */
export function randomPassword(length = 16): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// ---------------------------------------------------------------- users

export const usernameSchema = z.string().trim().regex(/^[A-Za-z0-9_.-]{3,40}$/, '用户名为3–40位字母、数字、下划线、点或连字符 / username: 3–40 letters, digits, _ . -');
export const MIN_PASSWORD = 10;
export const passwordSchema = z.string().min(MIN_PASSWORD, '密码至少10位 / password needs at least 10 characters').max(200)
  .refine((p) => weakness(p) === undefined, { message: '密码过于常见或过于简单 / the password is too common or too simple' });

// Shipped beside this module: widely used passwords, refused whatever their length.
const COMMON = new Set(readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8').split(/\r?\n/)
  .map((l) => l.trim().toLowerCase()).filter((l) => l && !l.startsWith('#')));

/**
 * Why a password is refused (zh, en), or undefined when it is acceptable: shorter than 10
 * characters, in the common-password list (also with digits or punctuation appended), one
 * repeated character or a keyboard or number run, or containing the username.
 */
export function weakness(password: string, username?: string): { zh: string; en: string } | undefined {
  if (password.length < MIN_PASSWORD) return { zh: `密码至少${MIN_PASSWORD}位`, en: `the password needs at least ${MIN_PASSWORD} characters` };
  const lower = password.toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/, '');
  if (COMMON.has(lower) || (stem.length >= 4 && COMMON.has(stem))) return { zh: '该密码过于常见，请换一个', en: 'this password is too common; choose another' };
  if (new Set(lower).size <= 2) return { zh: '密码不能只由一两个字符重复组成', en: 'the password repeats one or two characters' };
  const runs = ['0123456789', '9876543210', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
  if (runs.some((r) => r.includes(lower) || (r + r).includes(lower))) return { zh: '密码不能是连续的字符', en: 'the password is a run of consecutive characters' };
  if (username && username.length >= 3 && lower.includes(username.toLowerCase())) return { zh: '密码不能包含用户名', en: 'the password contains the username' };
  return undefined;
}

/** Refuses a weak password with Invalid on `field`. */
function assertStrong(password: string, username: string, field = 'password'): void {
  const w = weakness(password, username);
  if (w) throw invalid(w.zh, w.en, [{ field, zh: w.zh, en: w.en }]);
}

export const newUserSchema = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1).max(100),
  password: passwordSchema,
  role: z.enum(ROLES as [Role, ...Role[]]),
  units: z.array(z.string().regex(/^\d{2,12}$/, '区划代码应为2–12位数字 / division codes are 2–12 digits')).default([]),
  ledgers: z.array(z.string()).optional(),
});
export type NewUser = z.input<typeof newUserSchema>;

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  units: string[];
  ledgers: string[] | null;
  disabled: boolean;
  /** Set when repeated wrong passwords from many addresses locked the account; an administrator lifts it. */
  lockedAt: string | null;
  /** Created by the demo (on an empty database); never touched by anything else. */
  demo: boolean;
  createdAt: string;
}

function view(r: UserRow): UserView {
  return {
    id: Number(r.id), username: r.username, displayName: r.display_name, role: r.role as Role,
    units: JSON.parse(r.units_json) as string[], ledgers: r.ledgers_json ? (JSON.parse(r.ledgers_json) as string[]) : null,
    disabled: Boolean(Number(r.disabled)), lockedAt: r.locked_at, demo: Boolean(Number(r.demo)), createdAt: r.created_at,
  };
}

/** Appends an account change to the audit log (no county: administrators read these). */
async function auditAccount(db: Store['db'], actor: Actor | string, action: string, username: string, before: unknown, after: unknown): Promise<void> {
  await appendAudit(db, {
    at: clock().toISOString(), actor: typeof actor === 'string' ? actor : actor.id, action, entity: 'account', entity_id: username,
    county_code: null, year: null, before_json: before == null ? null : JSON.stringify(before), after_json: after == null ? null : JSON.stringify(after),
  });
}

/** The actor a signed-in user acts as: scope comes from the user's role and units, nothing else. */
export function actorOf(u: UserView): Actor {
  return { id: u.username, name: u.displayName, role: u.role, units: u.units, ...(u.ledgers ? { ledgers: u.ledgers } : {}) };
}

/** Checks that a role comes with the units it needs (a county for county roles, none for admins). */
function checkUnits(role: Role, units: string[]): void {
  const bad = (zh: string, en: string) => { throw invalid(zh, en); };
  switch (role) {
    case 'county_clerk':
    case 'county_admin':
      if (units.length === 0 || units.some((u) => u.length !== 6)) bad('县级用户须指定县级区划代码（6位）', 'county users need 6-digit county codes');
      return;
    case 'east_user':
    case 'province_user':
    case 'auditor':
      if (units.length === 0) bad('该角色须指定所属单位', 'this role needs at least one unit');
      return;
    case 'admin':
      return;
  }
}

/** Creates a user with a scrypt-hashed password; Conflict if the username is taken. Audited. */
export async function createUser(store: Store, input: NewUser, opts: { by?: Actor | string; demo?: boolean } = {}): Promise<UserView> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) {
    // Messages may be "中文 / English"; each language gets its half.
    const half = (msg: string, k: 0 | 1) => (msg.includes(' / ') ? msg.split(' / ', 2)[k]! : msg);
    const m = (k: 0 | 1) => parsed.error.issues.map((i) => `${i.path.join('.')}${k ? ': ' : '：'}${half(i.message, k)}`).join(k ? '; ' : '；');
    throw invalid(`账号信息有误：${m(0)}`, `invalid account: ${m(1)}`);
  }
  const u = parsed.data;
  checkUnits(u.role, u.units);
  assertStrong(u.password, u.username);
  const db = accountsDb(store);
  const exists = await findUserId(db, u.username);
  if (exists) throw conflict(`用户名 ${u.username} 已存在`, `username ${u.username} is taken`);
  await insertUser(db, {
    username: u.username, display_name: u.displayName, password_hash: await hashPassword(u.password), role: u.role,
    units_json: JSON.stringify(u.units), ledgers_json: u.ledgers ? JSON.stringify(u.ledgers) : null, created_at: clock().toISOString(),
    demo: opts.demo ? 1 : 0,
  });
  const created = (await findUser(store, u.username))!;
  await auditAccount(store.db, opts.by ?? 'system', 'account.create', u.username, null, { role: u.role, units: u.units, ledgers: u.ledgers ?? null, demo: Boolean(opts.demo) });
  return created;
}

export async function findUser(store: Store, username: string): Promise<UserView | undefined> {
  const r = await findUserRow(accountsDb(store), username);
  return r ? view(r) : undefined;
}

/** Every account with the names of its units (administrators only). */
export async function listUsers(store: Store, actor: Actor): Promise<Array<UserView & { unitNames: Array<{ code: string; name: string | null }> }>> {
  if (actor.role !== 'admin') throw forbidden('只有系统管理员可以管理账号', 'only administrators manage accounts');
  const rows = (await listUserRows(accountsDb(store))).map(view);
  const codes = [...new Set(rows.flatMap((u) => u.units))];
  const names = new Map(codes.length ? (await orgUnitNames(store.db, codes)).map((r) => [r.code, r.name]) : []);
  return rows.map((u) => ({ ...u, unitNames: u.units.map((code) => ({ code, name: names.get(code) ?? null })) }));
}

/** Ends every session of a user and revokes every API token (a new password, a disabled account). */
async function endAccess(store: Store, userId: number, keepSessionToken?: string): Promise<void> {
  const db = accountsDb(store);
  await deleteSessionsOfUser(db, userId, keepSessionToken ? sha256(keepSessionToken) : undefined);
  await revokeTokensOfUser(db, userId, clock().toISOString());
}

/**
 * Sets a new password (CLI `user passwd`, an administrator's reset), ends every session of the user,
 * revokes every API token and lifts a lock. Audited (without the password).
 */
export async function setPassword(store: Store, username: string, password: string, by: Actor | string = 'system'): Promise<void> {
  const db = accountsDb(store);
  const u = await findUser(store, username);
  if (!u) throw notFound(`用户 ${username} 不存在`, `no user ${username}`);
  assertStrong(password, username);
  await updateUserRow(db, u.id, { password_hash: await hashPassword(password), locked_at: null, updated_at: clock().toISOString() });
  await endAccess(store, u.id);
  await deleteThrottleKey(db, accountKey(username));
  await auditAccount(store.db, by, 'account.password_reset', username, null, { sessionsEnded: true, tokensRevoked: true });
}

/**
 * A signed-in user changes their own password. The current password must be given; a wrong one
 * counts towards the same throttle as a failed sign-in (so a session left open cannot be used to try
 * passwords), and is refused as INVALID on the field `current`. The new password must meet the
 * password policy and differ from the current one. Every other session of the user ends and every
 * API token is revoked; the session of `keepSessionToken` (the caller's) stays open. Audited.
 */
export async function changePassword(store: Store, username: string, current: string, next: string, keepSessionToken?: string, address = 'local'): Promise<void> {
  const db = accountsDb(store);
  const row = await findUserWithHash(db, username);
  if (!row) throw notFound(`用户 ${username} 不存在`, `no user ${username}`);
  const keys = await reserveAttempt(store, username, address);
  if (!(await checkPassword(current, row.password_hash))) {
    await recordFailure(store, username);
    throw invalid('当前密码不正确', 'the current password is wrong', [{ field: 'current', zh: '当前密码不正确', en: 'the current password is wrong' }]);
  }
  await clearAttempts(store, keys);
  if (next === current) throw invalid('新密码不能与当前密码相同', 'the new password is the same as the current one', [{ field: 'next', zh: '新密码不能与当前密码相同', en: 'same as the current password' }]);
  assertStrong(next, username, 'next');
  await updateUserRow(db, row.id, { password_hash: await hashPassword(next), updated_at: clock().toISOString() });
  await endAccess(store, row.id, keepSessionToken);
  await auditAccount(store.db, username, 'account.password_change', username, null, { otherSessionsEnded: true, tokensRevoked: true });
}

// ---------------------------------------------------------------- sign-in throttling

/** Refused because of repeated wrong passwords; the interface maps it to HTTP 429 with Retry-After. */
export class TooManyAttempts extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('FORBIDDEN', `密码错误次数过多，请${retryAfterSeconds}秒后再试`, `too many wrong passwords; try again in ${retryAfterSeconds} s`);
    this.name = 'TooManyAttempts';
  }
}

/** Password checks allowed for one username from one address before each further one waits. */
export const FREE_ATTEMPTS = 5;
/** Password checks allowed from one address (whatever the usernames) before each further one waits. */
export const FREE_ADDRESS_ATTEMPTS = 20;
/** Wrong passwords for one username, from any addresses, after which the account is locked until an administrator lifts it. */
export const LOCK_AFTER_FAILURES = 50;
const BASE_BLOCK_MS = 30_000;
const MAX_BLOCK_MS = 15 * 60_000;

const accountKey = (username: string) => `user:${username.trim().toLowerCase()}`;
const pairKey = (username: string, address: string) => `pair:${address}|${username.trim().toLowerCase()}`;
const addressKey = (address: string) => `addr:${address}`;

/** Number of password hashes compared since the process started; tests read it to prove how many attempts were checked. */
export const passwordChecks = { count: 0 };
async function checkPassword(password: string, stored: string): Promise<boolean> {
  passwordChecks.count++;
  return verifyPassword(password, stored);
}

/**
 * Takes one attempt from a throttle key before the password is looked at, atomically: the counter is
 * raised with a compare-and-set on its previous value (retried when another request won the race),
 * and the attempt that reaches the free allowance also sets the wait that follows it. So however
 * many requests arrive at once, at most `free` of them pass before the block, and a block only ever
 * starts from attempts that were made — the key's owner (an address) cannot be blocked by others.
 */
async function reserve(store: Store, key: string, free: number): Promise<void> {
  const db = accountsDb(store);
  for (let tries = 0; ; tries++) {
    const t = await findThrottle(db, key);
    const at = clock().getTime();
    if (t?.blocked_until) {
      const wait = Date.parse(t.blocked_until) - at;
      if (wait > 0) throw new TooManyAttempts(Math.ceil(wait / 1000));
    }
    const failures = (t ? Number(t.failures) : 0) + 1;
    const blockMs = failures >= free ? Math.min(BASE_BLOCK_MS * 2 ** (failures - free), MAX_BLOCK_MS) : 0;
    const row = { failures, blocked_until: blockMs ? new Date(at + blockMs).toISOString() : null, updated_at: clock().toISOString() };
    const won = t ? await updateThrottleIfUnchanged(db, key, Number(t.failures), row) : await insertThrottleIfAbsent(db, { key, ...row });
    if (won) return;
    if (tries > 50) throw new TooManyAttempts(1);
  }
}

/** Reserves an attempt for the (address, username) pair and for the address; returns the keys to clear on success. */
async function reserveAttempt(store: Store, username: string, address: string): Promise<string[]> {
  const keys = [pairKey(username, address), addressKey(address)];
  await reserve(store, keys[0]!, FREE_ATTEMPTS);
  await reserve(store, keys[1]!, FREE_ADDRESS_ATTEMPTS);
  return keys;
}

async function clearAttempts(store: Store, keys: readonly string[]): Promise<void> {
  await deleteThrottleKeys(accountsDb(store), keys);
}

/**
 * Counts a wrong password against the account, from whatever address; at LOCK_AFTER_FAILURES the
 * account is locked (audited) until an administrator unlocks it. Unknown usernames are not locked.
 */
async function recordFailure(store: Store, username: string): Promise<void> {
  const db = accountsDb(store);
  const key = accountKey(username);
  await addThrottleFailure(db, key, clock().toISOString());
  const failures = await throttleFailures(db, key);
  if (failures !== undefined && failures >= LOCK_AFTER_FAILURES) {
    if (await lockUserIfUnlocked(db, username.trim(), clock().toISOString())) await auditAccount(store.db, 'system', 'account.lock', username.trim(), null, { failures });
  }
}

// ---------------------------------------------------------------- sessions

export const SESSION_HOURS = 12;
/** Open sessions per user; signing in once more ends the oldest. */
export const MAX_SESSIONS = 5;

export interface Session {
  token: string;
  csrf: string;
  expiresAt: string;
  user: UserView;
}

const unauthenticated = () => new DomainError('UNAUTHENTICATED', '用户名或密码错误', 'wrong username or password');

/**
 * Checks the password and opens a session. Before the password is compared an attempt is taken,
 * atomically, from the throttles of the (address, username) pair and of the address (see `reserve`):
 * after FREE_ATTEMPTS for a pair each further attempt waits 30 s, doubling to 15 min, so 40 parallel
 * guesses get at most 5 checks, and a guesser elsewhere never blocks the user's own address. Wrong
 * passwords from every address count against the account; past LOCK_AFTER_FAILURES it is locked
 * until an administrator unlocks it. Unknown users, wrong passwords and disabled accounts get the
 * same answer; a locked account is named only to someone who gave its right password.
 * At most MAX_SESSIONS sessions stay open per user.
 */
export async function signIn(store: Store, username: string, password: string, opts: { address?: string } = {}): Promise<Session> {
  const address = opts.address ?? 'local';
  const keys = await reserveAttempt(store, username, address);
  const db = accountsDb(store);
  const row = await findUserWithHash(db, username.trim());
  const ok = row ? await checkPassword(password, row.password_hash) : (await hashPassword(password), false);
  if (!row || !ok || Number(row.disabled)) {
    if (row && !ok) await recordFailure(store, username);
    throw unauthenticated();
  }
  await clearAttempts(store, keys);
  if (row.locked_at) throw forbidden('该账号因多次密码错误已被锁定，请联系系统管理员解锁', 'this account is locked after repeated wrong passwords; ask an administrator to unlock it');
  await deleteThrottleKey(db, accountKey(username));
  await deleteExpiredSessions(db, clock().toISOString());
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const now = clock();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
  await insertSession(db, { id_hash: sha256(token), user_id: row.id, csrf, created_at: now.toISOString(), expires_at: expiresAt });
  const open = await sessionHashesNewestFirst(db, row.id);
  const over = open.slice(MAX_SESSIONS).filter((h) => h !== sha256(token));
  if (over.length) await deleteSessions(db, over);
  return { token, csrf, expiresAt, user: view(row) };
}

/** The session behind a cookie token, or undefined when unknown, expired or the user is disabled or locked. */
export async function sessionFor(store: Store, token: string): Promise<{ user: UserView; csrf: string } | undefined> {
  const r = await findSessionWithUser(accountsDb(store), sha256(token));
  if (!r || Date.parse(r.expires_at) <= clock().getTime() || Number(r.disabled) || r.locked_at) return undefined;
  return { user: view(r), csrf: r.csrf };
}

export async function signOut(store: Store, token: string): Promise<void> {
  await deleteSession(accountsDb(store), sha256(token));
}

// ---------------------------------------------------------------- API tokens

/** What a token may do beyond its user's own limits: read only, and/or one county only; and until when. */
export interface TokenScope {
  readOnly: boolean;
  county: string | null;
  expiresAt: string | null;
}

export interface TokenView extends TokenScope {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const tokenScopeSchema = z.object({
  readOnly: z.boolean().default(false),
  county: z.string().regex(/^\d{6}$/, '应为6位县级区划代码 / a 6-digit county code').nullable().default(null),
  /** Days until the token stops working; none: until revoked. */
  days: z.number().int().min(1).max(3660).nullable().default(null),
});
export type TokenScopeInput = z.input<typeof tokenScopeSchema>;

const tokenView = (r: TokenRow): TokenView => ({
  id: Number(r.id), name: r.name, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
  readOnly: Boolean(Number(r.read_only)), county: r.county_code, expiresAt: r.expires_at,
});

/**
 * Creates an API token for a user's account, optionally read-only, limited to one county the user
 * may read, and expiring after some days; the secret is returned once and stored only hashed. Audited.
 */
export async function createApiToken(store: Store, username: string, name: string, scope: TokenScopeInput = {}): Promise<{ token: string; view: TokenView }> {
  const u = await findUser(store, username);
  if (!u) throw notFound(`用户 ${username} 不存在`, `no user ${username}`);
  const label = name.trim();
  if (!label || label.length > 100) throw invalid('令牌名称为1–100字', 'token name must be 1–100 characters');
  const parsed = tokenScopeSchema.safeParse(scope);
  if (!parsed.success) throw invalid('令牌范围有误', `invalid token scope: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const sc = parsed.data;
  if (sc.county && !(await canRead(store, actorOf(u), sc.county))) throw forbidden('令牌只能限定在该用户可查看的县', 'a token can only be limited to a county its user may read');
  const token = `xz_${randomBytes(30).toString('base64url')}`;
  const createdAt = clock().toISOString();
  const expiresAt = sc.days ? new Date(clock().getTime() + sc.days * 86400_000).toISOString() : null;
  const id = await insertApiToken(accountsDb(store),
    { user_id: u.id, name: label, token_hash: sha256(token), prefix: token.slice(0, 7), created_at: createdAt, last_used_at: null, revoked_at: null, read_only: sc.readOnly ? 1 : 0, county_code: sc.county, expires_at: expiresAt });
  const v: TokenView = { id, name: label, prefix: token.slice(0, 7), createdAt, lastUsedAt: null, revokedAt: null, readOnly: sc.readOnly, county: sc.county, expiresAt };
  await auditAccount(store.db, username, 'token.create', username, null, { id: v.id, name: label, readOnly: sc.readOnly, county: sc.county, expiresAt });
  return { token, view: v };
}

/** A user's tokens that are still valid (not revoked, not expired). */
export async function listApiTokens(store: Store, username: string): Promise<TokenView[]> {
  const rows = await unrevokedTokenRowsOfUser(accountsDb(store), username);
  return rows.map(tokenView).filter((t) => !t.expiresAt || Date.parse(t.expiresAt) > clock().getTime());
}

/** Revokes one of the user's own tokens; NotFound for tokens of other users. Audited. */
export async function revokeApiToken(store: Store, username: string, id: number, by: Actor | string = username): Promise<void> {
  const u = await findUser(store, username);
  if (!(await revokeTokenOfUser(accountsDb(store), id, u?.id ?? -1, clock().toISOString()))) throw notFound('令牌不存在', 'token not found');
  await auditAccount(store.db, by, 'token.revoke', username, null, { id });
}

/** How stale a token's "last used" time may be. */
const TOKEN_USE_GRAIN_MS = 60_000;

/** The user behind a bearer token with the token's scope, or undefined when unknown, revoked, expired or the user is disabled or locked. */
export async function userForApiToken(store: Store, token: string): Promise<(UserView & { scope: TokenScope }) | undefined> {
  const db = accountsDb(store);
  const r = await findLiveTokenWithUser(db, sha256(token));
  if (!r || Number(r.disabled) || r.locked_at) return undefined;
  const now = clock();
  if (r.expires_at && Date.parse(r.expires_at) <= now.getTime()) return undefined;
  // "Last used" is kept to the minute: a script calling many times a second writes it once a minute, not on every call.
  if (!r.last_used_at || now.getTime() - Date.parse(r.last_used_at) >= TOKEN_USE_GRAIN_MS)
    await setTokenLastUsed(db, r.token_id, now.toISOString());
  return { ...view(r), scope: { readOnly: Boolean(Number(r.read_only)), county: r.county_code, expiresAt: r.expires_at } };
}

/**
 * The actor a token acts as: its user's scope, narrowed to one county when the token is limited to
 * one (an administrator's county token acts as that county's reviewer, nothing wider), and marked
 * read-only when the token is (the HTTP layer refuses its writes).
 */
export function actorOfToken(u: UserView & { scope: TokenScope }): Actor {
  const base = actorOf(u);
  const narrowed = u.scope.county
    ? { ...base, onlyCounty: u.scope.county, ...(base.role === 'admin' ? { role: 'county_admin' as Role, units: [u.scope.county] } : {}) }
    : base;
  return u.scope.readOnly ? { ...narrowed, readOnly: true } : narrowed;
}

// ---------------------------------------------------------------- account administration

const onlyAdmin = (actor: Actor) => {
  if (actor.role !== 'admin') throw forbidden('只有系统管理员可以管理账号', 'only administrators manage accounts');
};

export const userChangeSchema = z.object({
  displayName: z.string().trim().min(1).max(100).optional(),
  role: z.enum(ROLES as [Role, ...Role[]]).optional(),
  units: z.array(z.string().regex(/^\d{2,12}$/, '区划代码应为2–12位数字 / division codes are 2–12 digits')).optional(),
  ledgers: z.array(z.string()).nullable().optional(),
  disabled: z.boolean().optional(),
});
export type UserChange = z.input<typeof userChangeSchema>;

/**
 * An administrator changes an account: display name, role, units, a clerk's ledgers, disabled.
 * Disabling ends the user's sessions and revokes its tokens; an administrator cannot disable or
 * demote their own account (so one always remains). Audited with before and after.
 */
export async function updateUser(store: Store, actor: Actor, username: string, change: UserChange): Promise<UserView> {
  onlyAdmin(actor);
  const parsed = userChangeSchema.safeParse(change);
  if (!parsed.success) throw invalid('账号信息有误', `invalid account change: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const c = parsed.data;
  const before = await findUser(store, username);
  if (!before) throw notFound(`用户 ${username} 不存在`, `no user ${username}`);
  if (username === actor.id && (c.disabled === true || (c.role && c.role !== 'admin')))
    throw invalid('不能停用或降级自己的管理员账号', 'you cannot disable or demote your own administrator account');
  const role = c.role ?? before.role;
  const units = c.units ?? before.units;
  checkUnits(role, units);
  const ledgers = c.ledgers === undefined ? before.ledgers : c.ledgers;
  await updateUserRow(accountsDb(store), before.id, {
    display_name: c.displayName ?? before.displayName, role, units_json: JSON.stringify(units),
    ledgers_json: ledgers && ledgers.length ? JSON.stringify(ledgers) : null,
    disabled: (c.disabled ?? before.disabled) ? 1 : 0, updated_at: clock().toISOString(),
  });
  if (c.disabled === true && !before.disabled) await endAccess(store, before.id);
  // A change of role or units changes what open sessions may see: they end, and the user signs in again.
  else if (role !== before.role || JSON.stringify(units) !== JSON.stringify(before.units)) await deleteSessionsOfUser(accountsDb(store), before.id);
  const after = (await findUser(store, username))!;
  const pick = (u: UserView) => ({ displayName: u.displayName, role: u.role, units: u.units, ledgers: u.ledgers, disabled: u.disabled });
  const action = c.disabled === true && !before.disabled ? 'account.disable' : c.disabled === false && before.disabled ? 'account.enable' : 'account.update';
  await auditAccount(store.db, actor, action, username, pick(before), pick(after));
  return after;
}

/** An administrator lifts the lock that repeated wrong passwords put on an account. Audited. */
export async function unlockUser(store: Store, actor: Actor | string, username: string): Promise<UserView> {
  if (typeof actor !== 'string') onlyAdmin(actor);
  const u = await findUser(store, username);
  if (!u) throw notFound(`用户 ${username} 不存在`, `no user ${username}`);
  const db = accountsDb(store);
  await updateUserRow(db, u.id, { locked_at: null, updated_at: clock().toISOString() });
  await deleteThrottleKeyAndLike(db, accountKey(username), `pair:%|${username.trim().toLowerCase()}`);
  await auditAccount(store.db, actor, 'account.unlock', username, { lockedAt: u.lockedAt }, { lockedAt: null });
  return (await findUser(store, username))!;
}

/** An administrator resets a password to a new random one, returned once; sessions end, tokens are revoked. */
export async function resetPassword(store: Store, actor: Actor, username: string): Promise<string> {
  onlyAdmin(actor);
  const password = randomPassword();
  await setPassword(store, username, password, actor);
  return password;
}

/** Every token of a user, valid or not (administrators only). */
export async function listUserTokens(store: Store, actor: Actor, username: string): Promise<TokenView[]> {
  onlyAdmin(actor);
  if (!(await findUser(store, username))) throw notFound(`用户 ${username} 不存在`, `no user ${username}`);
  const rows = await tokenRowsOfUser(accountsDb(store), username);
  return rows.map(tokenView);
}

/** An administrator revokes any user's token. Audited. */
export async function revokeAnyToken(store: Store, actor: Actor, username: string, id: number): Promise<void> {
  onlyAdmin(actor);
  await revokeApiToken(store, username, id, actor);
}

// ---------------------------------------------------------------- demo accounts

/** The accounts of the demo dataset, read from data/demo/accounts.yaml (one per role, scoped to the demo's units). */
export const DEMO_ACCOUNTS: ReadonlyArray<Omit<NewUser, 'password'> & { role: Role }> =
  parseYaml(readFileSync(join(ROOT, 'data', 'demo', 'accounts.yaml'), 'utf8')) as Array<Omit<NewUser, 'password'> & { role: Role }>;

/**
 * Creates the demo accounts, marked as demo accounts, with random passwords returned in clear so
 * they can be printed once: no account ever has a default password. Refused (Conflict) when any
 * account exists already: the demo is only ever set up in an empty database, and never creates,
 * resets or prints an account of a real deployment.
 */
export async function createDemoAccounts(store: Store): Promise<Array<{ username: string; password: string; role: Role; displayName: string }>> {
  if (await anyUserExists(accountsDb(store))) throw conflict('数据库中已有账号，不创建演示账号', 'the database already has accounts; demo accounts are not created');
  const out: Array<{ username: string; password: string; role: Role; displayName: string }> = [];
  for (const a of DEMO_ACCOUNTS) {
    const password = randomPassword();
    await createUser(store, { ...a, password }, { by: 'demo', demo: true });
    out.push({ username: a.username, password, role: a.role, displayName: a.displayName });
  }
  return out;
}
