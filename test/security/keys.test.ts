// Rotating the resident-ID key: every stored hash re-keyed in one transaction, on SQLite and PostgreSQL.
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/services/audit.ts';
import { backup, restore } from '../../src/services/backup.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { loadDivisions } from '../../src/services/orgunits.ts';
import { findDuplicatePersonsIn } from '../../src/services/person-checks.ts';
import { chainFingerprints, ensureIdKey, protectResidentId, resetIdKeyCache, rotateIdKey } from '../../src/services/pii.ts';
import type { Actor } from '../../src/services/scope.ts';
import { getMeta } from '../../src/store/deployment-repo.ts';
import { residentId } from '../excel/builders.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

const COUNTY = '623023';
const YEAR = 2022;
const ADMIN: Actor = { id: 'admin', name: 'admin', role: 'admin', units: [] };
const A = residentId(COUNTY, '19900315', 21);
const B = residentId(COUNTY, '19851102', 33);
const dirs: string[] = [];
const tmp = (tag: string) => { const d = mkdtempSync(join(tmpdir(), `xiezuo-keys-${tag}-`)); dirs.push(d); return d; };
const saved = { secret: process.env.XIEZUO_SECRET, file: process.env.XIEZUO_ID_KEY_FILE };
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const [k, v] of [['XIEZUO_SECRET', saved.secret], ['XIEZUO_ID_KEY_FILE', saved.file]] as const) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  resetIdKeyCache();
});

/** Uses a key file of its own (or a secret) for this process, as a deployment would. */
function useKeys(k: { file?: string; secret?: string }): void {
  delete process.env.XIEZUO_SECRET;
  delete process.env.XIEZUO_ID_KEY_FILE;
  if (k.file) process.env.XIEZUO_ID_KEY_FILE = k.file;
  if (k.secret) process.env.XIEZUO_SECRET = k.secret;
  resetIdKeyCache();
}

const hashes = async (s: TestStore) => {
  const db = s.store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  return (await db.selectFrom('labour_placement').select(['id', 'resident_id_hash', 'resident_id_masked']).orderBy('id').execute())
    .map((r) => ({ id: Number(r.id), hash: String(r.resident_id_hash), masked: r.resident_id_masked }));
};
const place = (s: TestStore, id: string, start: string) => createRecord(s.store, ADMIN, 'labour_placement', COUNTY, YEAR, {
  person_name: '张三', resident_id: id, destination: 'partner_region', start_date: start, months: 6,
});
const mode = (p: string) => statSync(p).mode & 0o777;

describe.each(await engines())('resident-ID key rotation (%s)', (engine) => {
  let s: TestStore;
  let keyFile: string;
  beforeEach(async () => {
    keyFile = join(tmp('file'), 'conf', 'id.key');
    useKeys({ file: keyFile });
    s = await freshStore(engine);
    await loadDivisions(s.store, ['62']);
    await ensureIdKey(s.store);
  });
  afterEach(async () => s?.dispose());

  it('re-keys every stored hash with the new key alone, in place; the same people still match; audited', async () => {
    await place(s, A, '2022-03-01');
    await place(s, B, '2022-04-01');
    const before = await hashes(s);
    const [k1] = readFileSync(keyFile, 'utf8').trim().split('\n');
    expect(before[0]!.hash).toBe(createHmac('sha256', k1!).update(A).digest('hex'));

    const r = await rotateIdKey(s.store, 'admin');
    expect(r).toMatchObject({ tables: { labour_placement: 2 }, keys: 2, file: keyFile });
    const chain = readFileSync(keyFile, 'utf8').trim().split('\n');
    expect(chain).toHaveLength(2);
    expect(chain[0]).toBe(k1);
    expect(mode(keyFile)).toBe(0o600);
    expect(existsSync(`${keyFile}.new`)).toBe(false);

    const after = await hashes(s);
    expect(after.map((x) => [x.id, x.masked])).toEqual(before.map((x) => [x.id, x.masked]));
    for (const [i, x] of after.entries()) {
      expect(x.hash).not.toBe(before[i]!.hash);
      // The new key over the old hash: computable without the number.
      expect(x.hash).toBe(createHmac('sha256', chain[1]!).update(before[i]!.hash).digest('hex'));
    }
    // A new entry of the same person hashes to the stored value: natural keys and duplicate checks still hold.
    expect(protectResidentId(A).hash).toBe(after[0]!.hash);
    await expect(place(s, A, '2022-03-01')).rejects.toMatchObject({ code: 'CONFLICT' });
    await place(s, A, '2022-09-01');
    const dup = await findDuplicatePersonsIn(s.store.db, COUNTY, YEAR);
    expect(dup).toHaveLength(1);
    expect(dup[0]!.records.map((x) => x.id)).toContain(after[0]!.id);

    expect(await getMeta(s.store.db, 'id_key_fingerprint')).toBe(r.fingerprint);
    expect(chainFingerprints(chain.map((k) => Buffer.from(k))).at(-1)).toBe(r.fingerprint);
    await ensureIdKey(s.store);
    const entries = await s.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'key.rotate').execute();
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.after_json!)).toMatchObject({ keys: 2, rehashed: { labour_placement: 2 } });
    expect((await verifyAuditLog(s.store)).problems).toEqual([]);

    // The old key alone no longer fits the database.
    await expect(ensureIdKey(s.store, { XIEZUO_SECRET: k1! })).rejects.toMatchObject({ code: 'CONFLICT' });
    // A second rotation keeps the chain growing.
    expect((await rotateIdKey(s.store, 'admin')).keys).toBe(3);
    expect(protectResidentId(B).hash).toBe((await hashes(s))[1]!.hash);
  });

  it('a rotation interrupted after its commit is completed by the next command; one interrupted before it changes nothing', async () => {
    await place(s, A, '2022-03-01');
    const old = readFileSync(keyFile, 'utf8');
    await rotateIdKey(s.store, 'admin');
    const hashed = (await hashes(s))[0]!.hash;
    // As if the process died between the commit and putting the new chain in place.
    renameSync(keyFile, `${keyFile}.new`);
    writeFileSync(keyFile, old, { mode: 0o600 });
    resetIdKeyCache();
    await ensureIdKey(s.store);
    expect(existsSync(`${keyFile}.new`)).toBe(false);
    expect(readFileSync(keyFile, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(protectResidentId(A).hash).toBe(hashed);

    // A stale chain left by a rotation that never committed does not replace the key in use.
    writeFileSync(`${keyFile}.new`, `${old.trim()}\nnot-the-key\n`, { mode: 0o600 });
    await ensureIdKey(s.store);
    expect(readFileSync(keyFile, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('with XIEZUO_SECRET the new chain goes to --out, and the old secret is refused until it is replaced', async () => {
    const secret = 'the secret in the environment';
    const t = await freshStore(engine);
    try {
      useKeys({ secret });
      await loadDivisions(t.store, ['62']);
      await ensureIdKey(t.store);
      await place(t, B, '2022-05-01');
      const before = (await hashes(t))[0]!.hash;
      await expect(rotateIdKey(t.store, 'admin')).rejects.toMatchObject({ code: 'INVALID', en: expect.stringMatching(/--out/) });
      expect((await hashes(t))[0]!.hash).toBe(before);
      const out = join(tmp('out'), 'chain.txt');
      const r = await rotateIdKey(t.store, 'admin', process.env, out);
      expect(r.file).toBe(out);
      expect(mode(out)).toBe(0o600);
      await expect(ensureIdKey(t.store)).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(rotateIdKey(t.store, 'admin', process.env, out)).rejects.toMatchObject({ code: 'CONFLICT' });
      useKeys({ secret: readFileSync(out, 'utf8') });
      await ensureIdKey(t.store);
      expect(protectResidentId(B).hash).toBe((await hashes(t))[0]!.hash);
    } finally {
      await t.dispose();
    }
  });

  it('a running server follows a rotated key file, and refuses changes while its secret is the old chain', async () => {
    const { buildApp } = await import('../../src/server/app.ts');
    const { createApiToken, createUser } = await import('../../src/services/accounts.ts');
    await createUser(s.store, { username: 'root', displayName: 'root', password: 'correct horse battery', role: 'admin', units: [] });
    const { token } = await createApiToken(s.store, 'root', 'keys');
    const app = await buildApp({ store: s.store, dataDir: tmp('app') });
    const post = (start: string, id = A) => app.inject({ method: 'POST', url: `/api/ledgers/labour_placement/${COUNTY}/${YEAR}`, headers: { authorization: `Bearer ${token}` },
      payload: { person_name: '张三', resident_id: id, destination: 'partner_region', start_date: start, months: 6 } });
    try {
      expect((await post('2022-01-01')).statusCode).toBe(201);
      // The command rotates in another process: this one still holds the old chain in memory.
      const chain = readFileSync(keyFile, 'utf8');
      await rotateIdKey(s.store, 'admin');
      const rotated = readFileSync(keyFile, 'utf8');
      writeFileSync(keyFile, chain);
      useKeys({ file: keyFile });
      protectResidentId(B);
      writeFileSync(keyFile, rotated);
      const r = await post('2022-02-01');
      expect(r.statusCode, r.body).toBe(201);
      const stored = await hashes(s);
      expect(new Set(stored.map((x) => x.hash)).size).toBe(1);

      // With the secret in the environment the server cannot follow: changes are refused, reads are not.
      useKeys({ secret: chain.trim() });
      const refused = await post('2022-03-01');
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.message.en).toMatch(/restart the server with the new key chain/);
      expect((await app.inject({ method: 'GET', url: `/api/ledgers/labour_placement/${COUNTY}/${YEAR}`, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
      expect(await hashes(s)).toEqual(stored);
    } finally {
      await app.close();
    }
  });

  it('a backup made before a rotation restores under the rotated chain, its hashes re-keyed', async () => {
    await place(s, A, '2022-03-01');
    const data = tmp('data');
    const file = join(tmp('bak'), 'before.gz');
    await backup(s.store, data, file);
    await rotateIdKey(s.store, 'admin');
    const target = await freshStore(engine);
    try {
      await ensureIdKey(target.store).catch(() => undefined);
      await restore(target.store, tmp('dst'), file);
      expect((await hashes(target)).map((x) => x.hash)).toEqual((await hashes(s)).map((x) => x.hash));
      expect(await getMeta(target.store.db, 'id_key_fingerprint')).toBe(await getMeta(s.store.db, 'id_key_fingerprint'));
      await ensureIdKey(target.store);
    } finally {
      await target.dispose();
    }
  });
});

describe('xiezuo keys rotate', () => {
  const BIN = join(import.meta.dirname, '..', '..', 'bin', 'xiezuo.mjs');
  const run = (args: string[], env: Record<string, string>) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, XIEZUO_SECRET: '', XIEZUO_ID_KEY_FILE: '', DATABASE_URL: '', ...env }, encoding: 'utf8', timeout: 180_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('re-keys the demo\'s person records and reports it; a secret without --out is one clear line, exit 1', { timeout: 300_000 }, () => {
    const dir = tmp('cli');
    const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_ID_KEY_FILE: join(dir, 'keys', 'id.key') };
    expect(run(['init', '--demo'], env).code).toBe(0);
    const csv = join(import.meta.dirname, '..', 'fixtures', '转移就业-人社局-gb18030.csv');
    const imported = run(['import', csv, '--county', COUNTY, '--year', String(YEAR)], env);
    expect(imported.code, imported.err).toBe(0);
    const r = run(['keys', 'rotate'], env);
    expect(r.err).toMatch(/back up the key file again/);
    expect(r.out).toMatch(/^resident-ID key rotated: [1-9]\d* hashes re-keyed in \d+ tables; 2 keys in the chain/);
    expect(r.code).toBe(0);
    expect(run(['indicators', '--county', COUNTY, '--year', String(YEAR)], env).code).toBe(0);

    const s = { XIEZUO_DB: join(dir, 's.sqlite'), XIEZUO_SECRET: 'a secret' };
    expect(run(['init', '--provinces', '62'], s).code).toBe(0);
    const refused = run(['keys', 'rotate'], s);
    expect(refused.code).toBe(1);
    expect(refused.err.trim().split('\n')).toHaveLength(1);
    expect(refused.err).toMatch(/--out/);
  });
});
