import { createHash, createHmac, type Hash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { maskResidentId } from '../domain/ids.ts';
import type { Store } from '../store/db.ts';
import { getMeta, holdsHashedIds, setMeta } from '../store/deployment-repo.ts';
import { DomainError } from './errors.ts';

/**
 * The resident-ID key: the HMAC key that turns ID numbers into the hashes stored in ledgers. Kept
 * apart from the database, so a copy of the database (masked ID plus hash) does not give the number:
 *
 * - `XIEZUO_SECRET` — the key itself (containers, secrets managers); or
 * - `XIEZUO_ID_KEY_FILE` — a file holding it; default `~/.config/xiezuo/id.key` (or under
 *   `XDG_CONFIG_HOME`), never the data folder.
 *
 * The database records a fingerprint of the key. `ensureIdKey`, run before any command or server
 * uses the database, creates a key only for a database that holds no hashed IDs yet, and refuses
 * to go on when the key is missing or differs from the one the database's hashes were made with.
 */
export function idKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XIEZUO_ID_KEY_FILE) return resolve(env.XIEZUO_ID_KEY_FILE);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'xiezuo', 'id.key');
}

let secret: { key: Buffer; from: string } | undefined;

/** The key from the environment or the key file, or undefined when there is none (never created here). */
function readKey(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  if (env.XIEZUO_SECRET) return Buffer.from(env.XIEZUO_SECRET, 'utf8');
  const file = idKeyFile(env);
  return existsSync(file) ? Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8') : undefined;
}

/** Forgets the key read so far (tests that switch keys). */
export function resetIdKeyCache(): void {
  secret = undefined;
  keyed = undefined;
}

/**
 * The deployment's key for hashing personal IDs. Read once; when none exists yet it is created in
 * the key file (for a process that did not run `ensureIdKey`, e.g. a test on a fresh database).
 */
export function piiSecret(): Buffer {
  const from = process.env.XIEZUO_SECRET ? 'env' : idKeyFile();
  if (secret?.from === from) return secret.key;
  let key = readKey();
  if (!key) {
    createKeyFile(idKeyFile());
    key = readKey()!;
  }
  secret = { key, from };
  return key;
}

function createKeyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** A short fingerprint of a key, stored in the database; it does not reveal the key. */
export const keyFingerprint = (key: Buffer): string => createHmac('sha256', key).update('xiezuo resident-ID key fingerprint').digest('hex').slice(0, 32);

const FINGERPRINT = 'id_key_fingerprint';

/**
 * Makes sure the resident-ID key fits the database, before anything hashes an ID: a database that
 * already has a key fingerprint, or already holds hashed IDs, must be given that key; otherwise a
 * key is created (once) and its fingerprint recorded. Throws a DomainError that says which setting
 * to fix; never makes a new key for a database whose hashes would then no longer match.
 * Returns a warning when the key file lies inside the data folder.
 */
export async function ensureIdKey(store: Store, env: NodeJS.ProcessEnv = process.env, dataFolder?: string): Promise<{ created: boolean; warning?: string }> {
  const recorded = await getMeta(store.db, FINGERPRINT);
  let key = readKey(env);
  let created = false;
  if (!key) {
    if (recorded || (await holdsHashedIds(store.db))) {
      throw new DomainError('CONFLICT',
        `数据库中已有用身份证号密钥生成的哈希值，但找不到该密钥：请设置 XIEZUO_SECRET 或 XIEZUO_ID_KEY_FILE（当前查找 ${idKeyFile(env)}）；不会生成新密钥`,
        `the database holds resident-ID hashes but their key is missing: set XIEZUO_SECRET or XIEZUO_ID_KEY_FILE (looked for ${idKeyFile(env)}); no new key is made`);
    }
    createKeyFile(idKeyFile(env));
    key = readKey(env)!;
    created = true;
  }
  const fp = keyFingerprint(key);
  if (recorded && recorded !== fp) {
    throw new DomainError('CONFLICT',
      '身份证号密钥与数据库中哈希值所用的密钥不符（XIEZUO_SECRET 或 XIEZUO_ID_KEY_FILE 指向了另一个密钥），拒绝启动',
      'the resident-ID key differs from the one the database\'s hashes were made with (XIEZUO_SECRET or XIEZUO_ID_KEY_FILE names another key); refusing to start');
  }
  if (!recorded) await setMeta(store.db, FINGERPRINT, fp);
  const file = env.XIEZUO_SECRET ? undefined : idKeyFile(env);
  const inside = file && dataFolder && !relative(resolve(dataFolder), file).startsWith('..');
  return { created, ...(inside ? { warning: `the resident-ID key file ${file} is inside the data folder; keep it apart from the database (XIEZUO_ID_KEY_FILE)` } : {}) };
}

let keyed: { inner: Hash; outer: Hash; secret: Buffer } | undefined;

/**
 * HMAC-SHA256 (RFC 2104) with the key's inner and outer pad states hashed once and copied per call,
 * which bulk imports of many IDs need; the result equals createHmac('sha256', key).
 */
export function hmacHex(message: string): string {
  const secret = piiSecret();
  if (keyed?.secret !== secret) {
    let key = secret.length > 64 ? createHash('sha256').update(secret).digest() : secret;
    key = Buffer.concat([key, Buffer.alloc(64 - key.length)]);
    keyed = {
      secret,
      inner: createHash('sha256').update(key.map((b) => b ^ 0x36)),
      outer: createHash('sha256').update(key.map((b) => b ^ 0x5c)),
    };
  }
  const inner = keyed.inner.copy().update(message).digest();
  return keyed.outer.copy().update(inner).digest('hex');
}

/** Keyed hash and display mask of a resident ID; the raw number is never stored or logged. */
export function protectResidentId(raw: string): { hash: string; masked: string } {
  const id = raw.trim().toUpperCase();
  return { hash: hmacHex(id), masked: maskResidentId(id) };
}
