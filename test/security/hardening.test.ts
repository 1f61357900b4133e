// Protections that had no test of their own: prototype keys as ids, evidence tags and quota,
// security headers as sent, and the modes of the files the deployment writes.
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { actorOf, findUser } from '../../src/services/accounts.ts';
import { backup } from '../../src/services/backup.ts';
import { loadDataset } from '../../src/services/demo.ts';
import { addEvidence, deleteEvidence, evidenceQuotaBytes, listEvidence } from '../../src/services/evidence.ts';
import { importFiles } from '../../src/services/imports.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { ensureIdKey } from '../../src/services/pii.ts';
import { setReported } from '../../src/services/reported.ts';
import type { Actor } from '../../src/services/scope.ts';
import { transition } from '../../src/services/workflow.ts';
import { migrate, openStore } from '../../src/store/db.ts';
import { accountsDb } from '../../src/store/schema-accounts.ts';
import { writeWorkbook } from '../excel/builders.ts';
import { COUNTY, demoServer, type Fixture, OTHER_COUNTY, YEAR } from '../server/fixture.ts';
import { engines } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const ADMIN: Actor = { id: 'admin', name: 'admin', role: 'admin', units: [] };
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const dirs: string[] = [];
const tmp = (tag: string) => { const d = mkdtempSync(join(tmpdir(), `xiezuo-hard-${tag}-`)); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** Whether anything has been added to the prototype every plain object inherits from. */
function prototypeClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return Object.getOwnPropertyNames(Object.prototype).every((n) => !['polluted', 'amount', 'isAdmin'].includes(n))
    && probe.polluted === undefined && probe.isAdmin === undefined && Object.getPrototypeOf(probe) === Object.prototype;
}

const pdf = (n = 2000) => Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(n, 7)]);
const mode = (p: string) => statSync(p).mode & 0o777;
/** The ledger tables, which the typed schema leaves to the declarations. */
const ledgerDb = (f: Fixture) => f.store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;

describe.each(await engines())('hardening (%s)', (engine) => {
  let f: Fixture;
  beforeAll(async () => { f = await demoServer(engine); });
  afterAll(async () => f?.dispose());
  afterEach(() => expect(prototypeClean()).toBe(true));

  describe('prototype keys are no ids', () => {
    it('API bodies carrying __proto__ or constructor.prototype are refused whole (400) and pollute nothing', async () => {
      const admin = await f.signIn('zhouqu.admin');
      const before = await ledgerDb(f).selectFrom('fund_allocation').select('id').execute();
      for (const payload of [
        '{"category":"industry","amount":100,"source":"p1","__proto__":{"polluted":1,"isAdmin":true}}',
        '{"category":"industry","amount":100,"source":"p2","constructor":{"prototype":{"polluted":1}}}',
        '{"version":1,"values":{"__proto__":{"polluted":1}}}',
      ]) {
        const r = await admin.req({ method: 'POST', url: `/api/ledgers/fund_allocation/${COUNTY}/${YEAR}`, payload, headers: { 'content-type': 'application/json' } });
        expect(r.statusCode, payload).toBe(400);
        expect(r.json()).toMatchObject({ error: { message: { zh: expect.any(String), en: expect.any(String) } } });
      }
      const r = await admin.req({ method: 'PUT', url: '/api/session/password', payload: '{"__proto__":{"isAdmin":true}}', headers: { 'content-type': 'application/json' } });
      expect(r.statusCode).toBeGreaterThanOrEqual(400);
      expect(await ledgerDb(f).selectFrom('fund_allocation').select('id').execute()).toEqual(before);
    });

    it('__proto__, constructor and prototype as ledger kinds and reported-element ids in the URL are unknown, not inherited members', async () => {
      const admin = await f.signIn('zhouqu.admin');
      for (const key of PROTO_KEYS) {
        const list = await admin.req({ method: 'GET', url: `/api/ledgers/${key}/${COUNTY}/${YEAR}` });
        expect(list.statusCode, key).toBeGreaterThanOrEqual(400);
        expect(list.statusCode, key).toBeLessThan(500);
        const create = await admin.req({ method: 'POST', url: `/api/ledgers/${key}/${COUNTY}/${YEAR}`, payload: { amount: 1 } });
        expect(create.statusCode, key).toBeGreaterThanOrEqual(400);
        expect(create.statusCode, key).toBeLessThan(500);
        const put = await admin.req({ method: 'PUT', url: `/api/reported/${COUNTY}/${YEAR}/${key}`, payload: { text: '12' } });
        expect(put.statusCode, key).toBe(400);
        expect(put.json().error.message.en).toMatch(/unknown reported element/);
      }
      await expect(setReported(f.store, ADMIN, COUNTY, YEAR, { element: 'meeting.count', dim: '__proto__', text: '3' })).rejects.toMatchObject({ code: 'INVALID' });
      const stored = await f.store.db.selectFrom('reported_value').select('element').where('element', 'in', [...PROTO_KEYS]).execute();
      expect(stored).toEqual([]);
    });

    it('an import whose report sheets name __proto__/constructor/prototype as elements, ledgers or items is refused entry by entry; nothing is written', async () => {
      const wb = new ExcelJS.Workbook();
      const rep = wb.addWorksheet('上报数据');
      rep.addRow(['要素', '分项', '数值', '备注']);
      for (const k of PROTO_KEYS) rep.addRow([k, '', 12, '']);
      const states = wb.addWorksheet('台账状态');
      states.addRow(['台账', '完整性']);
      for (const k of PROTO_KEYS) states.addRow([k, '完整']);
      const meta = wb.addWorksheet('报告信息');
      meta.addRow(['项目', '内容']);
      for (const k of PROTO_KEYS) meta.addRow([k, '1']);
      const file = join(tmp('proto-import'), 'proto.xlsx');
      await wb.xlsx.writeFile(file);
      const before = await f.store.db.selectFrom('reported_value').selectAll().orderBy('id').execute();
      const r = await importFiles(f.store, ADMIN, [{ path: file, name: 'proto.xlsx' }], { county: COUNTY, year: YEAR });
      expect(r.committed).toBe(false);
      const bySheet = (s: string) => r.errors.filter((e) => e.sheet === s).map((e) => e.value);
      expect(bySheet('上报数据')).toEqual(expect.arrayContaining([...PROTO_KEYS]));
      expect(bySheet('台账状态')).toEqual([...PROTO_KEYS]);
      expect(bySheet('报告信息')).toEqual([...PROTO_KEYS]);
      expect(await f.store.db.selectFrom('reported_value').selectAll().orderBy('id').execute()).toEqual(before);

      // As a breakdown of a real element, the key is an unknown category: refused at its cell, nothing written.
      const dim = new ExcelJS.Workbook();
      const ws = dim.addWorksheet('上报数据');
      ws.addRow(['要素', '分项', '数值', '备注']);
      ws.addRow(['meeting.count', '__proto__', 3, '']);
      const dimFile = join(tmp('proto-dim'), 'dim.xlsx');
      await dim.xlsx.writeFile(dimFile);
      const refused = await importFiles(f.store, ADMIN, [{ path: dimFile }], { county: COUNTY, year: YEAR });
      expect(refused.committed).toBe(false);
      expect(refused.errors).toEqual([expect.objectContaining({ sheet: '上报数据', row: 2, column: 'B' })]);
      expect(await f.store.db.selectFrom('reported_value').selectAll().orderBy('id').execute()).toEqual(before);
    });

    it('a ledger sheet with __proto__/constructor/prototype headers imports its declared columns only, as plain data', async () => {
      const file = join(tmp('proto-header'), 'funds.xlsx');
      await writeWorkbook(file, [{
        name: '协作资金安排', header: ['资金用途类别', '金额（万元）', '资金来源', ...PROTO_KEYS],
        rows: [['产业开发', 2.5, '__proto__', '{"polluted":1}', 'x', 'y'], ['产业开发', 1, 'constructor', 'polluted', 'isAdmin', 'z']],
      }]);
      const r = await importFiles(f.store, ADMIN, [{ path: file, name: 'funds.xlsx' }], { county: COUNTY, year: YEAR });
      expect(r.errors).toEqual([]);
      expect(r.committed).toBe(true);
      const rows = await ledgerDb(f).selectFrom('fund_allocation').selectAll().where('county_code', '=', COUNTY).where('source', 'in', ['__proto__', 'constructor']).execute();
      expect(rows.map((x) => [x.source, Number(x.amount_fen)]).sort()).toEqual([['__proto__', 25_000_00], ['constructor', 1_000_000]]);
      for (const row of rows) expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    });

    it('a YAML dataset with __proto__/constructor/prototype keys is refused naming the entry, and nothing is written', async () => {
      const dir = tmp('proto-yaml');
      const write = (name: string, body: string) => { const p = join(dir, name); writeFileSync(p, body); return p; };
      const base = `county: '${OTHER_COUNTY}'\nyear: ${YEAR}\n`;
      const cases: Array<[string, string, RegExp]> = [
        ['ledger-proto.yaml', `${base}ledgers:\n  __proto__:\n    records:\n      - { polluted: 1 }\n`, /(unknown ledger|no ledger named) __proto__/],
        ['ledger-ctor.yaml', `${base}ledgers:\n  constructor:\n    records:\n      - { polluted: 1 }\n`, /(unknown ledger|no ledger named) constructor/],
        ['ledger-prototype.yaml', `${base}ledgers:\n  prototype:\n    records: []\n`, /(unknown ledger|no ledger named) prototype/],
        ['field-proto.yaml', `${base}ledgers:\n  fund_allocation:\n    records:\n      - { category: industry, source: yaml, __proto__: { amount: 5万元, polluted: 1 } }\n`, /Unrecognized key: "__proto__"/],
        ['field-ctor.yaml', `${base}ledgers:\n  fund_allocation:\n    records:\n      - { category: industry, amount: 5万元, source: yaml2, constructor: { prototype: { polluted: 1 } } }\n`, /Unrecognized key: "constructor"/],
        ['element-proto.yaml', `${base}reported:\n  - { element: __proto__, value: 3 }\n`, /__proto__/],
        ['element-ctor.yaml', `${base}reported:\n  - { element: constructor, value: 3 }\n`, /constructor/],
      ];
      const count = async () => Number((await ledgerDb(f).selectFrom('fund_allocation').select((eb) => eb.fn.countAll<number>().as('n')).where('county_code', '=', OTHER_COUNTY).executeTakeFirstOrThrow()).n);
      const before = await count();
      for (const [name, body, why] of cases) {
        const err = await loadDataset(f.store, write(name, body)).then(() => undefined, (e: unknown) => e as { code?: string; message?: string; en?: string });
        expect(err, name).toBeDefined();
        expect(err!.code, name).toMatch(/^(INVALID|NOT_FOUND)$/);
        expect(`${err!.message} ${err!.en ?? ''}`, name).toMatch(why);
        expect(prototypeClean(), name).toBe(true);
      }
      expect(await count()).toBe(before);
    });
  });

  describe('evidence', () => {
    it('a tag with another department\'s or an approved ledger is refused; tags must name a real ledger, record or indicator', async () => {
      const clerk = actorOf((await findUser(f.store, 'zhouqu.clerk'))!);
      const own = clerk.ledgers?.[0];
      const other = ['labour_placement', 'fund_allocation', 'consumption_sale'].find((k) => clerk.ledgers && !clerk.ledgers.includes(k))!;
      expect(own, 'the demo clerk keeps some ledgers').toBeDefined();
      const target = { county: COUNTY, year: YEAR, indicator: 'funds.disbursement_rate' };
      const add = (t: Record<string, unknown>, who: Actor = clerk) => addEvidence(f.store, who, f.dataDir, { ...target, ...t }, { filename: 'a.pdf', data: pdf() });

      await expect(add({ ledger: other })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(add({ ledger: 'no_such_ledger' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(add({ ledger: '__proto__' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(add({ indicator: 'no.such.indicator' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(add({ indicator: null })).rejects.toMatchObject({ code: 'INVALID' });
      await expect(add({ county: OTHER_COUNTY })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      // A record of another county-year cannot be claimed for this one.
      const foreign = await ledgerDb(f).selectFrom('fund_allocation').select('id').where('county_code', '=', OTHER_COUNTY).executeTakeFirstOrThrow();
      await expect(add({ ledger: 'fund_allocation', recordId: Number(foreign.id) }, ADMIN)).rejects.toMatchObject({ code: expect.stringMatching(/INVALID|FORBIDDEN|NOT_FOUND/) });

      const ok = await add({ ledger: own });
      expect(ok.ledger).toBe(own);
      // Approved: the ledger's tag follows its lock, for adding and deleting alike.
      await transition(f.store, ADMIN, COUNTY, YEAR, own!, 'submit');
      await transition(f.store, ADMIN, COUNTY, YEAR, own!, 'approve');
      try {
        await expect(add({ ledger: own })).rejects.toMatchObject({ code: 'CONFLICT' });
        await expect(deleteEvidence(f.store, clerk, f.dataDir, ok.id)).rejects.toMatchObject({ code: 'CONFLICT' });
      } finally {
        await transition(f.store, ADMIN, COUNTY, YEAR, own!, 'reopen');
      }
      await deleteEvidence(f.store, clerk, f.dataDir, ok.id);
      expect((await listEvidence(f.store, clerk, COUNTY, YEAR)).map((e) => e.id)).not.toContain(ok.id);
    });

    it('the per-county quota refuses the file that would pass it, also among parallel uploads; counts the county\'s files only, and frees on delete', async () => {
      const saved = process.env.XIEZUO_EVIDENCE_QUOTA_MB;
      process.env.XIEZUO_EVIDENCE_QUOTA_MB = '1';
      try {
        expect(evidenceQuotaBytes()).toBe(1024 * 1024);
        const target = { county: COUNTY, year: YEAR, indicator: 'funds.disbursement_rate' };
        const used = async (county: string) => (await accountsDb(f.store).selectFrom('evidence_file').select('size').where('county_code', '=', county).execute()).reduce((n, r) => n + Number(r.size), 0);
        const free = 1024 * 1024 - (await used(COUNTY));
        const first = await addEvidence(f.store, ADMIN, f.dataDir, target, { filename: 'big.pdf', data: pdf(free - 100 - 9) });
        const files = () => readdirSync(join(f.dataDir, 'evidence', COUNTY, String(YEAR))).length;
        const onDisk = files();
        const rows = await used(COUNTY);
        await expect(addEvidence(f.store, ADMIN, f.dataDir, target, { filename: 'over.pdf', data: pdf(200) })).rejects.toMatchObject({ code: 'CONFLICT', en: expect.stringMatching(/quota/) });
        expect(files()).toBe(onDisk);
        expect(await used(COUNTY)).toBe(rows);
        // Exactly up to the quota is allowed.
        const fits = await addEvidence(f.store, ADMIN, f.dataDir, target, { filename: 'fits.pdf', data: pdf(100 - 9) });
        expect(await used(COUNTY)).toBe(1024 * 1024);
        // Another county's quota is its own.
        await addEvidence(f.store, ADMIN, f.dataDir, { ...target, county: OTHER_COUNTY }, { filename: 'other.pdf', data: pdf(1000) });
        await deleteEvidence(f.store, ADMIN, f.dataDir, first.id);
        await addEvidence(f.store, ADMIN, f.dataDir, target, { filename: 'again.pdf', data: pdf(200) });
        await deleteEvidence(f.store, ADMIN, f.dataDir, fits.id);

        // Parallel uploads cannot together pass the quota: room for three, six at once, three stored.
        const room = 1024 * 1024 - (await used(COUNTY));
        const each = Math.floor(room / 3);
        const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) =>
          addEvidence(f.store, ADMIN, f.dataDir, target, { filename: `p${i}.pdf`, data: pdf(each - 9) })));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
        expect(await used(COUNTY)).toBeLessThanOrEqual(1024 * 1024);
        const kept = (await accountsDb(f.store).selectFrom('evidence_file').select('stored_name').where('county_code', '=', COUNTY).execute()).map((r) => r.stored_name.split(/[\\/]/).pop());
        expect(readdirSync(join(f.dataDir, 'evidence', COUNTY, String(YEAR))).sort()).toEqual(kept.sort());
        for (const r of results) if (r.status === 'fulfilled') await deleteEvidence(f.store, ADMIN, f.dataDir, r.value.id);
      } finally {
        if (saved === undefined) delete process.env.XIEZUO_EVIDENCE_QUOTA_MB; else process.env.XIEZUO_EVIDENCE_QUOTA_MB = saved;
      }
    });
  });
});

describe('security headers as the server sends them', () => {
  let f: Fixture;
  beforeAll(async () => { f = await demoServer('sqlite'); });
  afterAll(async () => f?.dispose());
  const saved = process.env.XIEZUO_TRUST_PROXY;
  afterEach(() => { if (saved === undefined) delete process.env.XIEZUO_TRUST_PROXY; else process.env.XIEZUO_TRUST_PROXY = saved; });

  const common = (h: Record<string, unknown>) => {
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBe('same-origin');
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  };

  it('over plain HTTP: no HSTS (even when a client claims https without a trusted proxy); API no-store; pages under a CSP', async () => {
    delete process.env.XIEZUO_TRUST_PROXY;
    const app = await buildApp({ store: f.store, dataDir: f.dataDir });
    try {
      for (const headers of [{}, { 'x-forwarded-proto': 'https' }]) {
        const api = await app.inject({ method: 'GET', url: '/api/health', headers });
        common(api.headers);
        expect(api.headers['strict-transport-security']).toBeUndefined();
        expect(api.headers['cache-control']).toBe('no-store');
        const page = await app.inject({ method: 'GET', url: '/no-such-page', headers });
        common(page.headers);
        expect(page.headers['strict-transport-security']).toBeUndefined();
        expect(page.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'.*frame-ancestors 'none'/);
      }
      const signIn = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'zhouqu.admin', password: f.passwords.get('zhouqu.admin') }, headers: { 'x-forwarded-proto': 'https' } });
      const cookie = signIn.cookies.find((c) => c.name === 'xz_session')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      expect(cookie.secure).toBeFalsy();
    } finally {
      await app.close();
    }
  });

  it('behind a trusted HTTPS proxy (XIEZUO_TRUST_PROXY=1): HSTS for a year with subdomains on every answer, and a Secure cookie', async () => {
    process.env.XIEZUO_TRUST_PROXY = '1';
    const app = await buildApp({ store: f.store, dataDir: f.dataDir });
    try {
      const https = { 'x-forwarded-proto': 'https' };
      for (const url of ['/api/health', '/no-such-page', '/api/no-such-route']) {
        const r = await app.inject({ method: 'GET', url, headers: https });
        common(r.headers);
        expect(r.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      }
      const failed = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'nobody', password: 'x' }, headers: https });
      expect(failed.statusCode).toBeGreaterThanOrEqual(400);
      expect(failed.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const signIn = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'zhouqu.admin', password: f.passwords.get('zhouqu.admin') }, headers: https });
      expect(signIn.cookies.find((c) => c.name === 'xz_session')!.secure).toBe(true);
      // The proxy's plain-HTTP side is not told to keep to HTTPS.
      const plain = await app.inject({ method: 'GET', url: '/api/health', headers: { 'x-forwarded-proto': 'http' } });
      expect(plain.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('file modes: what the deployment writes is its owner\'s only', () => {
  it('the SQLite file, its WAL and shared-memory files are 0600 and a folder it creates 0700, from the first moment', async () => {
    const dir = join(tmp('db'), 'nested');
    const file = join(dir, 'x.sqlite');
    const store = openStore({ engine: 'sqlite', file });
    try {
      await migrate(store);
      await createRecord(store, ADMIN, 'fund_allocation', COUNTY, YEAR, { category: 'industry', amount: 100, source: 'mode' }).catch(() => undefined);
      expect(mode(dir)).toBe(0o700);
      for (const p of [file, `${file}-wal`, `${file}-shm`]) expect(mode(p), p).toBe(0o600);
    } finally {
      await store.close();
    }
    // A file made readable by others (a copy, an old version) is closed again on the next open.
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o644);
    const again = openStore({ engine: 'sqlite', file });
    try {
      await migrate(again);
      expect(mode(file)).toBe(0o600);
    } finally {
      await again.close();
    }
  });

  it('a new key file is 0600 in a 0700 folder', async () => {
    const store = openStore({ engine: 'sqlite', file: ':memory:' });
    try {
      await migrate(store);
      const keyFile = join(tmp('key'), 'conf', 'xiezuo', 'id.key');
      await ensureIdKey(store, { XIEZUO_ID_KEY_FILE: keyFile });
      expect(mode(keyFile)).toBe(0o600);
      expect(mode(join(keyFile, '..'))).toBe(0o700);
    } finally {
      await store.close();
    }
  });

  it('backup files are 0600, also when they replace a file that was readable by others; evidence files 0600 in 0700 folders', async () => {
    const store = openStore({ engine: 'sqlite', file: ':memory:' });
    const data = tmp('data');
    try {
      await migrate(store);
      const { loadDivisions } = await import('../../src/services/orgunits.ts');
      await loadDivisions(store, ['62']);
      const ev = await addEvidence(store, ADMIN, data, { county: COUNTY, year: YEAR, indicator: 'funds.disbursement_rate' }, { filename: 'a.pdf', data: pdf() });
      const stored = (await accountsDb(store).selectFrom('evidence_file').select('stored_name').where('id', '=', ev.id).executeTakeFirstOrThrow()).stored_name;
      expect(mode(join(data, 'evidence', stored))).toBe(0o600);
      for (const d of [join(data, 'evidence'), join(data, 'evidence', COUNTY), join(data, 'evidence', COUNTY, String(YEAR))]) expect(mode(d), d).toBe(0o700);

      const out = join(tmp('out'), 'sub', 'b.gz');
      await backup(store, data, out);
      expect(mode(out)).toBe(0o600);
      const existing = join(tmp('out2'), 'old.gz');
      writeFileSync(existing, 'old', { mode: 0o644 });
      await backup(store, data, existing);
      expect(mode(existing)).toBe(0o600);
    } finally {
      await store.close();
    }
  });
});

