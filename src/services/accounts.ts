import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { Store } from '../store/db.ts';
import { accountsDb } from '../store/schema-accounts.ts';
import { DomainError, conflict, forbidden, invalid, notFound } from './errors.ts';
import type { Actor, Role } from './scope.ts';

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
export const passwordSchema = z.string().min(10, '密码至少10位 / password needs at least 10 characters').max(200);

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
  createdAt: string;
}

type UserRow = {
  id: number; username: string; display_name: string; role: string; units_json: string; ledgers_json: string | null;
  disabled: number; created_at: string;
};

function view(r: UserRow): UserView {
  return {
    id: Number(r.id), username: r.username, displayName: r.display_name, role: r.role as Role,
    units: JSON.parse(r.units_json) as string[], ledgers: r.ledgers_json ? (JSON.parse(r.ledgers_json) as string[]) : null,
    disabled: Boolean(Number(r.disabled)), createdAt: r.created_at,
  };
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

/** Creates a user with a scrypt-hashed password; Conflict if the username is taken. */
export async function createUser(store: Store, input: NewUser): Promise<UserView> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) {
    // Messages may be "中文 / English"; each language gets its half.
    const half = (msg: string, k: 0 | 1) => (msg.includes(' / ') ? msg.split(' / ', 2)[k]! : msg);
    const m = (k: 0 | 1) => parsed.error.issues.map((i) => `${i.path.join('.')}${k ? ': ' : '：'}${half(i.message, k)}`).join(k ? '; ' : '；');
    throw invalid(`账号信息有误：${m(0)}`, `invalid account: ${m(1)}`);
  }
  const u = parsed.data;
  checkUnits(u.role, u.units);
  const db = accountsDb(store);
  const exists = await db.selectFrom('app_user').select('id').where('username', '=', u.username).executeTakeFirst();
  if (exists) throw conflict(`用户名 ${u.username} 已存在`, `username ${u.username} is taken`);
  await db.insertInto('app_user').values({
    username: u.username, display_name: u.displayName, password_hash: await hashPassword(u.password), role: u.role,
    units_json: JSON.stringify(u.units), ledgers_json: u.ledgers ? JSON.stringify(u.ledgers) : null, created_at: clock().toISOString(),
  }).execute();
  return (await findUser(store, u.username))!;
}

export async function findUser(store: Store, username: string): Promise<UserView | undefined> {
  const r = await accountsDb(store).selectFrom('app_user')
    .select(['id', 'username', 'display_name', 'role', 'units_json', 'ledgers_json', 'disabled', 'created_at'])
    .where('username', '=', username).executeTakeFirst();
  return r ? view(r) : undefined;
}

export async function listUsers(store: Store, actor: Actor): Promise<UserView[]> {
  if (actor.role !== 'admin') throw forbidden('只有系统管理员可以管理账号', 'only administrators manage accounts');
  const rows = await accountsDb(store).selectFrom('app_user')
    .select(['id', 'username', 'display_name', 'role', 'units_json', 'ledgers_json', 'disabled', 'created_at'])
    .orderBy('username').execute();
  return rows.map(view);
}

/** Sets a new password and ends the user's sessions. */
export async function setPassword(store: Store, username: string, password: string): Promise<void> {
  const p = passwordSchema.safeParse(password);
  if (!p.success) throw invalid('密码至少10位', 'password needs at least 10 characters');
  const db = accountsDb(store);
  const u = await findUser(store, username);
  if (!u) throw notFound(`用户 ${username} 不存在`, `no user ${username}`);
  await db.updateTable('app_user').set({ password_hash: await hashPassword(password) }).where('id', '=', u.id).execute();
  await db.deleteFrom('app_session').where('user_id', '=', u.id).execute();
}

/**
 * A signed-in user changes their own password. The current password must be given; a wrong one
 * counts towards the same block as a failed sign-in (so a session left open cannot be used to try
 * passwords), and is refused as INVALID on the field `current`. The new password must meet the
 * length rule and differ from the current one. Every other session of the user ends; the session
 * of `keepSessionToken` (the caller's) stays open. API tokens are not affected.
 */
export async function changePassword(store: Store, username: string, current: string, next: string, keepSessionToken?: string): Promise<void> {
  const key = `user:${username.trim().toLowerCase()}`;
  await throttleCheck(store, key);
  const db = accountsDb(store);
  const row = await db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
  if (!row) throw notFound(`用户 ${username} 不存在`, `no user ${username}`);
  if (!(await verifyPassword(current, row.password_hash))) {
    await throttleFailure(store, key);
    throw invalid('当前密码不正确', 'the current password is wrong', [{ field: 'current', zh: '当前密码不正确', en: 'the current password is wrong' }]);
  }
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
  const p = passwordSchema.safeParse(next);
  if (!p.success) throw invalid('新密码至少10位', 'the new password needs at least 10 characters', [{ field: 'next', zh: '新密码至少10位', en: 'at least 10 characters' }]);
  if (next === current) throw invalid('新密码不能与当前密码相同', 'the new password is the same as the current one', [{ field: 'next', zh: '新密码不能与当前密码相同', en: 'same as the current password' }]);
  await db.updateTable('app_user').set({ password_hash: await hashPassword(next) }).where('id', '=', row.id).execute();
  let others = db.deleteFrom('app_session').where('user_id', '=', row.id);
  if (keepSessionToken) others = others.where('id_hash', '!=', sha256(keepSessionToken));
  await others.execute();
}

// ---------------------------------------------------------------- sign-in throttling

/** Refused because of repeated wrong passwords; the interface maps it to HTTP 429 with Retry-After. */
export class TooManyAttempts extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('FORBIDDEN', `密码错误次数过多，请${retryAfterSeconds}秒后再试`, `too many wrong passwords; try again in ${retryAfterSeconds} s`);
    this.name = 'TooManyAttempts';
  }
}

/** Wrong passwords allowed in a row before sign-in for that username is slowed down. */
export const FREE_ATTEMPTS = 5;
const BASE_BLOCK_MS = 30_000;
const MAX_BLOCK_MS = 15 * 60_000;

async function throttleCheck(store: Store, key: string): Promise<void> {
  const t = await accountsDb(store).selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  if (t?.blocked_until) {
    const wait = Date.parse(t.blocked_until) - clock().getTime();
    if (wait > 0) throw new TooManyAttempts(Math.ceil(wait / 1000));
  }
}

async function throttleFailure(store: Store, key: string): Promise<void> {
  const db = accountsDb(store);
  const t = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  const failures = (t ? Number(t.failures) : 0) + 1;
  const blockMs = failures >= FREE_ATTEMPTS ? Math.min(BASE_BLOCK_MS * 2 ** (failures - FREE_ATTEMPTS), MAX_BLOCK_MS) : 0;
  const row = {
    failures, blocked_until: blockMs ? new Date(clock().getTime() + blockMs).toISOString() : null, updated_at: clock().toISOString(),
  };
  if (t) await db.updateTable('login_throttle').set(row).where('key', '=', key).execute();
  else await db.insertInto('login_throttle').values({ key, ...row }).execute();
}

// ---------------------------------------------------------------- sessions

export const SESSION_HOURS = 12;

export interface Session {
  token: string;
  csrf: string;
  expiresAt: string;
  user: UserView;
}

const unauthenticated = () => new DomainError('UNAUTHENTICATED', '用户名或密码错误', 'wrong username or password');

/**
 * Checks the password and opens a session. Unknown users and wrong passwords get the same answer;
 * after FREE_ATTEMPTS wrong passwords in a row the username is blocked for a growing interval
 * (TooManyAttempts), even for the right password, until the block ends.
 */
export async function signIn(store: Store, username: string, password: string): Promise<Session> {
  const key = `user:${username.trim().toLowerCase()}`;
  await throttleCheck(store, key);
  const db = accountsDb(store);
  const row = await db.selectFrom('app_user').selectAll().where('username', '=', username.trim()).executeTakeFirst();
  const ok = row ? await verifyPassword(password, row.password_hash) : (await hashPassword(password), false);
  if (!row || !ok || Number(row.disabled)) {
    await throttleFailure(store, key);
    throw unauthenticated();
  }
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
  await db.deleteFrom('app_session').where('expires_at', '<', clock().toISOString()).execute();
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const now = clock();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
  await db.insertInto('app_session').values({ id_hash: sha256(token), user_id: row.id, csrf, created_at: now.toISOString(), expires_at: expiresAt }).execute();
  return { token, csrf, expiresAt, user: view(row) };
}

/** The session behind a cookie token, or undefined when unknown, expired or the user is disabled. */
export async function sessionFor(store: Store, token: string): Promise<{ user: UserView; csrf: string } | undefined> {
  const r = await accountsDb(store).selectFrom('app_session')
    .innerJoin('app_user', 'app_user.id', 'app_session.user_id')
    .select(['app_user.id', 'username', 'display_name', 'role', 'units_json', 'ledgers_json', 'disabled', 'app_user.created_at', 'csrf', 'expires_at'])
    .where('id_hash', '=', sha256(token)).executeTakeFirst();
  if (!r || Date.parse(r.expires_at) <= clock().getTime() || Number(r.disabled)) return undefined;
  return { user: view(r), csrf: r.csrf };
}

export async function signOut(store: Store, token: string): Promise<void> {
  await accountsDb(store).deleteFrom('app_session').where('id_hash', '=', sha256(token)).execute();
}

// ---------------------------------------------------------------- API tokens

export interface TokenView {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Creates an API token for the actor's own account; the secret is returned once and stored only hashed. */
export async function createApiToken(store: Store, username: string, name: string): Promise<{ token: string; view: TokenView }> {
  const u = await findUser(store, username);
  if (!u) throw notFound(`用户 ${username} 不存在`, `no user ${username}`);
  const label = name.trim();
  if (!label || label.length > 100) throw invalid('令牌名称为1–100字', 'token name must be 1–100 characters');
  const token = `xz_${randomBytes(30).toString('base64url')}`;
  const createdAt = clock().toISOString();
  const r = await accountsDb(store).insertInto('api_token')
    .values({ user_id: u.id, name: label, token_hash: sha256(token), prefix: token.slice(0, 7), created_at: createdAt, last_used_at: null, revoked_at: null })
    .returning('id').executeTakeFirstOrThrow();
  return { token, view: { id: Number(r.id), name: label, prefix: token.slice(0, 7), createdAt, lastUsedAt: null } };
}

export async function listApiTokens(store: Store, username: string): Promise<TokenView[]> {
  const rows = await accountsDb(store).selectFrom('api_token').innerJoin('app_user', 'app_user.id', 'api_token.user_id')
    .select(['api_token.id', 'name', 'prefix', 'api_token.created_at', 'last_used_at'])
    .where('username', '=', username).where('revoked_at', 'is', null).orderBy('api_token.id').execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
}

/** Revokes one of the user's own tokens; NotFound for tokens of other users. */
export async function revokeApiToken(store: Store, username: string, id: number): Promise<void> {
  const u = await findUser(store, username);
  const r = await accountsDb(store).updateTable('api_token').set({ revoked_at: clock().toISOString() })
    .where('id', '=', id).where('user_id', '=', u?.id ?? -1).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw notFound('令牌不存在', 'token not found');
}

/** The user behind a bearer token, or undefined when unknown or revoked. */
export async function userForApiToken(store: Store, token: string): Promise<UserView | undefined> {
  const db = accountsDb(store);
  const r = await db.selectFrom('api_token').innerJoin('app_user', 'app_user.id', 'api_token.user_id')
    .select(['app_user.id', 'username', 'display_name', 'role', 'units_json', 'ledgers_json', 'disabled', 'app_user.created_at', 'api_token.id as token_id'])
    .where('token_hash', '=', sha256(token)).where('revoked_at', 'is', null).executeTakeFirst();
  if (!r || Number(r.disabled)) return undefined;
  await db.updateTable('api_token').set({ last_used_at: clock().toISOString() }).where('id', '=', r.token_id).execute();
  return view(r);
}

// ---------------------------------------------------------------- demo accounts

/** The accounts of the demo dataset (舟曲县 623023 paired with 和平区 120101). */
export const DEMO_ACCOUNTS: ReadonlyArray<Omit<NewUser, 'password'> & { role: Role }> = [
  { username: 'zhouqu.admin', displayName: '舟曲县协作办审核员', role: 'county_admin', units: ['623023'] },
  { username: 'zhouqu.clerk', displayName: '舟曲县人社局填报员', role: 'county_clerk', units: ['623023'], ledgers: ['job_fair', 'labour_placement', 'project', 'fund_disbursement'] },
  { username: 'heping.user', displayName: '和平区合作交流办', role: 'east_user', units: ['120101'] },
  { username: 'gansu.province', displayName: '甘肃省乡村振兴局', role: 'province_user', units: ['62'] },
  { username: 'auditor', displayName: '审计员', role: 'auditor', units: ['623023'] },
  { username: 'admin', displayName: '系统管理员', role: 'admin', units: [] },
];

/**
 * Creates the demo accounts, or gives existing ones a fresh password, and returns the passwords in
 * clear so they can be printed once. Passwords are random on every call: no account ever has a
 * default password. Only for databases the demo dataset was loaded into.
 */
export async function createDemoAccounts(store: Store): Promise<Array<{ username: string; password: string; role: Role; displayName: string }>> {
  const out: Array<{ username: string; password: string; role: Role; displayName: string }> = [];
  for (const a of DEMO_ACCOUNTS) {
    const password = randomPassword();
    if (await findUser(store, a.username)) await setPassword(store, a.username, password);
    else await createUser(store, { ...a, password });
    out.push({ username: a.username, password, role: a.role, displayName: a.displayName });
  }
  return out;
}
