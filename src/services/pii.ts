import { createHash, createHmac, type Hash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { maskResidentId } from '../domain/ids.ts';
import type { Store } from '../store/db.ts';
import { appendAudit } from '../store/audit-repo.ts';
import { getMeta, hashColumns, holdsHashedIds, rewriteHashColumn, setMeta } from '../store/deployment-repo.ts';
import { conflict, DomainError, invalid } from './errors.ts';

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

/**
 * The key chain: every resident-ID key the deployment has had, oldest first, one per line (a
 * single key is a chain of one). An ID's hash is HMAC-SHA256 under the first key, then the hex
 * result hashed again under each later key in turn; so a rotation re-keys every stored hash with
 * the new key alone, without the numbers, and a copy of the database taken after it gives nothing
 * to someone who holds only the older keys.
 */
type Chain = Buffer[];

let secret: { keys: Chain; from: string; stamp?: string; checkedAt?: number } | undefined;

/** The key file's size and modification time: a rotation by another process changes it. */
const fileStamp = (file: string): string | undefined => {
  try { const st = statSync(file); return `${st.size}:${st.mtimeMs}`; } catch { return undefined; }
};

/** Keys from text: one per line; a single line is taken as it is (a secret of one key never changes meaning). */
function splitKeys(text: string, trim: boolean): Chain {
  const lines = text.split(/\r?\n/);
  if (lines.length === 1) return [Buffer.from(trim ? text.trim() : text, 'utf8')];
  return lines.map((l) => l.trim()).filter(Boolean).map((l) => Buffer.from(l, 'utf8'));
}

/** The key chain from the environment or the key file, or undefined when there is none (never created here). */
function readKeys(env: NodeJS.ProcessEnv = process.env): Chain | undefined {
  if (env.XIEZUO_SECRET) return splitKeys(env.XIEZUO_SECRET, false);
  const file = idKeyFile(env);
  if (!existsSync(file)) return undefined;
  const keys = splitKeys(readFileSync(file, 'utf8'), true);
  return keys.length && keys.every((k) => k.length) ? keys : undefined;
}

/** Forgets the key read so far (tests that switch keys, and after a rotation). */
export function resetIdKeyCache(): void {
  secret = undefined;
  keyed = undefined;
}

/**
 * The deployment's key chain for hashing personal IDs. Read once; when none exists yet a key is
 * created in the key file (for a process that did not run `ensureIdKey`, e.g. a test on a fresh database).
 */
export function piiKeys(): Chain {
  const from = process.env.XIEZUO_SECRET ? 'env' : idKeyFile();
  if (secret?.from === from) {
    // A key file is looked at again at most once a second, so a long-running process (the server,
    // its import thread) follows a rotation made by the command.
    if (from === 'env' || Date.now() - (secret.checkedAt ?? 0) < 1000) return secret.keys;
    secret.checkedAt = Date.now();
    if (fileStamp(from) === secret.stamp) return secret.keys;
  }
  let keys = readKeys();
  if (!keys) {
    createKeyFile(idKeyFile());
    keys = readKeys()!;
  }
  secret = { keys, from, ...(from === 'env' ? {} : { stamp: fileStamp(from), checkedAt: Date.now() }) };
  return keys;
}

/**
 * Refuses (Conflict) a write while the key chain at hand is not the one the database's hashes were
 * made with, e.g. after a rotation by the command while this process kept running: the key setting
 * is read again first, so a rotated key file is simply followed; a secret set in the environment
 * needs a restart with the new chain. Reads are never refused. Does nothing before any key is recorded.
 */
export async function assertIdKeyCurrent(store: Store): Promise<void> {
  const recorded = await getMeta(store.db, FINGERPRINT);
  if (!recorded) return;
  if (secret && chainFingerprints(secret.keys).at(-1) === recorded) return;
  resetIdKeyCache();
  const keys = readKeys();
  if (keys && chainFingerprints(keys).at(-1) === recorded) {
    piiKeys();
    return;
  }
  throw new DomainError('CONFLICT',
    '身份证号密钥已轮换或与数据库不符：请用新的密钥链（XIEZUO_SECRET 或 XIEZUO_ID_KEY_FILE）重新启动服务后再修改数据',
    'the resident-ID key was rotated or does not fit the database: restart the server with the new key chain (XIEZUO_SECRET or XIEZUO_ID_KEY_FILE) before changing data');
}

function createKeyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, newKeyText(), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

const newKeyText = () => randomBytes(32).toString('hex');

const FINGERPRINT_TEXT = 'xiezuo resident-ID key fingerprint';

/** A short fingerprint of one key, stored in the database; it does not reveal the key. */
export const keyFingerprint = (key: Buffer): string => createHmac('sha256', key).update(FINGERPRINT_TEXT).digest('hex').slice(0, 32);

/**
 * The fingerprints of a chain's first key, first two keys, … and of the whole chain, last: what a
 * database (or a backup) hashed with each of them records. A chain of one has its key's fingerprint.
 */
export function chainFingerprints(keys: Chain): string[] {
  const out: string[] = [];
  for (const k of keys) out.push(out.length ? createHmac('sha256', k).update(`${FINGERPRINT_TEXT} ${out.at(-1)}`).digest('hex').slice(0, 32) : keyFingerprint(k));
  return out;
}

/** The fingerprint of the key chain at hand, as the database records it. */
export const currentFingerprint = (): string => chainFingerprints(piiKeys()).at(-1)!;

const FINGERPRINT = 'id_key_fingerprint';

/**
 * Makes sure the resident-ID key fits the database, before anything hashes an ID: a database that
 * already has a key fingerprint, or already holds hashed IDs, must be given that key; otherwise a
 * key is created (once) and its fingerprint recorded. Throws a DomainError that says which setting
 * to fix; never makes a new key for a database whose hashes would then no longer match. A rotation
 * interrupted after its database commit (the new chain still in `<key file>.new`) is completed here.
 * Returns a warning when the key file lies inside the data folder.
 */
export async function ensureIdKey(store: Store, env: NodeJS.ProcessEnv = process.env, dataFolder?: string): Promise<{ created: boolean; warning?: string }> {
  const recorded = await getMeta(store.db, FINGERPRINT);
  let keys = readKeys(env);
  let created = false;
  if (!keys) {
    if (recorded || (await holdsHashedIds(store.db))) {
      throw new DomainError('CONFLICT',
        `数据库中已有用身份证号密钥生成的哈希值，但找不到该密钥：请设置 XIEZUO_SECRET 或 XIEZUO_ID_KEY_FILE（当前查找 ${idKeyFile(env)}）；不会生成新密钥`,
        `the database holds resident-ID hashes but their key is missing: set XIEZUO_SECRET or XIEZUO_ID_KEY_FILE (looked for ${idKeyFile(env)}); no new key is made`);
    }
    createKeyFile(idKeyFile(env));
    keys = readKeys(env)!;
    created = true;
  }
  let fp = chainFingerprints(keys).at(-1)!;
  if (recorded && recorded !== fp && !env.XIEZUO_SECRET) {
    const pending = `${idKeyFile(env)}.new`;
    const next = existsSync(pending) ? splitKeys(readFileSync(pending, 'utf8'), true) : undefined;
    if (next && chainFingerprints(next).at(-1) === recorded) {
      renameSync(pending, idKeyFile(env));
      resetIdKeyCache();
      fp = recorded;
    }
  }
  if (recorded && recorded !== fp) {
    throw new DomainError('CONFLICT',
      '身份证号密钥与数据库中哈希值所用的密钥不符（XIEZUO_SECRET 或 XIEZUO_ID_KEY_FILE 指向了另一个密钥；轮换后须换用新的密钥链），拒绝启动',
      'the resident-ID key differs from the one the database\'s hashes were made with (XIEZUO_SECRET or XIEZUO_ID_KEY_FILE names another key; after a rotation, the new key chain); refusing to start');
  }
  if (!recorded) await setMeta(store.db, FINGERPRINT, fp);
  const file = env.XIEZUO_SECRET ? undefined : idKeyFile(env);
  const inside = file && dataFolder && !relative(resolve(dataFolder), file).startsWith('..');
  return { created, ...(inside ? { warning: `the resident-ID key file ${file} is inside the data folder; keep it apart from the database (XIEZUO_ID_KEY_FILE)` } : {}) };
}

type Pads = { inner: Hash; outer: Hash };
let keyed: { keys: Chain; pads: Pads[] } | undefined;

/** A key's inner and outer pad states, hashed once and copied per message. */
function padsOf(secret: Buffer): Pads {
  let key = secret.length > 64 ? createHash('sha256').update(secret).digest() : secret;
  key = Buffer.concat([key, Buffer.alloc(64 - key.length)]);
  return { inner: createHash('sha256').update(key.map((b) => b ^ 0x36)), outer: createHash('sha256').update(key.map((b) => b ^ 0x5c)) };
}

const mac = (p: Pads, message: string): string => p.outer.copy().update(p.inner.copy().update(message).digest()).digest('hex');

/**
 * HMAC-SHA256 (RFC 2104) of a message under the key chain: under the first key, then of that hex
 * result under each later key. The pad states are hashed once and copied per call, which bulk
 * imports of many IDs need; with one key the result equals createHmac('sha256', key).
 */
export function hmacHex(message: string): string {
  const keys = piiKeys();
  if (keyed?.keys !== keys) keyed = { keys, pads: keys.map(padsOf) };
  let h = message;
  for (const p of keyed.pads) h = mac(p, h);
  return h;
}

/**
 * Hashes already made under the keys before `from` in `keys` brought under the whole chain: every
 * ledger hash column rewritten inside the caller's transaction, in place. Returns rows per table.
 */
export async function rehashStored(db: Store['db'], keys: Chain, from: number): Promise<Record<string, number>> {
  const pads = keys.slice(from).map(padsOf);
  const out: Record<string, number> = {};
  if (!pads.length) return out;
  for (const { table, column } of await hashColumns(db)) {
    const n = await rewriteHashColumn(db, table, column, (h) => pads.reduce((acc, p) => mac(p, acc), h));
    if (n) out[table] = (out[table] ?? 0) + n;
  }
  return out;
}

export interface RotationSummary {
  /** Rows re-keyed, per table. */
  tables: Record<string, number>;
  /** Keys in the chain now, the new one included. */
  keys: number;
  /** Where the new chain was written. */
  file: string;
  fingerprint: string;
}

/**
 * Rotates the resident-ID key: a new random key is added to the chain and every stored hash is
 * re-keyed with it, with the new fingerprint and an audit entry, in one transaction. The chain is
 * written to `<key file>.new` first and put in place once the transaction has committed (a crash in
 * between is completed by the next `ensureIdKey`). With XIEZUO_SECRET the chain is written to
 * `out`, which then replaces the secret; until it does, every command refuses the old key.
 * Run it with the server stopped: a running server keeps hashing with the chain it read.
 */
export async function rotateIdKey(store: Store, actor: string, env: NodeJS.ProcessEnv = process.env, out?: string): Promise<RotationSummary> {
  await ensureIdKey(store, env);
  const keys = readKeys(env)!;
  const next = [...keys, Buffer.from(newKeyText(), 'utf8')];
  let target: string;
  let pending: string;
  if (env.XIEZUO_SECRET) {
    if (!out) throw invalid('密钥来自 XIEZUO_SECRET：请用 --out 指定新密钥链写入的文件，之后用其内容替换 XIEZUO_SECRET',
      'the key comes from XIEZUO_SECRET: name a file for the new key chain with --out, then put its content in XIEZUO_SECRET');
    target = pending = resolve(out);
    if (existsSync(target)) throw conflict(`文件已存在：${target}`, `the file exists already: ${target}`);
  } else {
    target = out ? resolve(out) : idKeyFile(env);
    if (out && target !== idKeyFile(env)) throw invalid('密钥来自密钥文件，轮换时就地更新该文件，不需要 --out', 'the key comes from the key file, which a rotation updates in place; leave out --out');
    pending = `${target}.new`;
  }
  mkdirSync(dirname(pending), { recursive: true, mode: 0o700 });
  const text = `${next.map((k) => k.toString('utf8')).join('\n')}\n`;
  const fd = openSync(pending, env.XIEZUO_SECRET ? 'wx' : 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(pending, 0o600);
  const fps = chainFingerprints(next);
  const fingerprint = fps.at(-1)!;
  const tables = await store.db.transaction().execute(async (tx) => {
    if ((await getMeta(tx, FINGERPRINT)) !== fps.at(-2))
      throw conflict('数据库的密钥指纹在轮换期间发生了变化，请重试', 'the database\'s key fingerprint changed during the rotation; try again');
    const t = await rehashStored(tx, next, keys.length);
    await setMeta(tx, FINGERPRINT, fingerprint);
    await appendAudit(tx, {
      at: new Date().toISOString(), actor, action: 'key.rotate', entity: 'deployment', entity_id: FINGERPRINT, county_code: null, year: null,
      before_json: JSON.stringify({ fingerprint: fps.at(-2), keys: keys.length }), after_json: JSON.stringify({ fingerprint, keys: next.length, rehashed: t }),
    });
    return t;
  });
  if (pending !== target) renameSync(pending, target);
  resetIdKeyCache();
  return { tables, keys: next.length, file: target, fingerprint };
}

/** Keyed hash and display mask of a resident ID; the raw number is never stored or logged. */
export function protectResidentId(raw: string): { hash: string; masked: string } {
  const id = raw.trim().toUpperCase();
  return { hash: hmacHex(id), masked: maskResidentId(id) };
}
