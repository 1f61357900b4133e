import { createHash, type Hash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { maskResidentId } from '../domain/ids.ts';

/** The folder for files that belong with the database (secret key, evidence files). */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XIEZUO_DATA_DIR) return env.XIEZUO_DATA_DIR;
  if (env.XIEZUO_DB && env.XIEZUO_DB !== ':memory:') return dirname(env.XIEZUO_DB);
  return './data';
}

let secret: Buffer | undefined;

/**
 * The deployment's key for hashing personal IDs: XIEZUO_SECRET, or a random key created once in the
 * data folder. Changing it makes earlier hashes unmatchable, so it is created once and kept.
 */
export function piiSecret(): Buffer {
  if (secret) return secret;
  if (process.env.XIEZUO_SECRET) return (secret = Buffer.from(process.env.XIEZUO_SECRET, 'utf8'));
  const file = join(dataDir(), 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return (secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8'));
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
