// Each broken finding of the attack review, reproduced and now refused; on SQLite and PostgreSQL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  actorOf, actorOfToken, changePassword, createApiToken, createDemoAccounts, createUser, findUser, LOCK_AFTER_FAILURES, passwordChecks,
  setAccountsClock, setPassword, sessionFor, signIn, TooManyAttempts, unlockUser, updateUser, userForApiToken, weakness,
} from '../../src/services/accounts.ts';
import { verifyAuditLog } from '../../src/services/audit.ts';
import { backup, restore } from '../../src/services/backup.ts';
import { demoOnFirstStart, loadDemo } from '../../src/services/demo.ts';
import { addEvidence } from '../../src/services/evidence.ts';
import { importFiles } from '../../src/services/imports.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { loadDivisions } from '../../src/services/orgunits.ts';
import { ensureIdKey } from '../../src/services/pii.ts';
import { setNarrative, setReported } from '../../src/services/reported.ts';
import { type Actor, assertWrite, canRead } from '../../src/services/scope.ts';
import { transition } from '../../src/services/workflow.ts';
import { LEDGERS } from '../../src/domain/ledgers/declarations.ts';
import { columnsOf, tableRows, tablesInOrder } from '../../src/store/backup-repo.ts';
import type { Store } from '../../src/store/db.ts';
import { accountsDb } from '../../src/store/schema-accounts.ts';
import { residentId } from '../excel/builders.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const COUNTY = '623023';
const YEAR = 2022;
const ADMIN: Actor = { id: 'admin', name: 'admin', role: 'admin', units: [] };
const STRONG = 'correct horse battery';
const dirs: string[] = [];
const tmp = (tag: string) => { const d = mkdtempSync(join(tmpdir(), `xiezuo-sec-${tag}-`)); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A workbook with only the report-details and targets sheets, as the attacker built it. */
async function overreachWorkbook(dir: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const meta = wb.addWorksheet('报告信息');
  meta.addRow(['项目', '内容']);
  meta.addRow(['东部协作方代码', '310115']);
  const targets = wb.addWorksheet('目标');
  targets.addRow(['单位代码', '指标', '比较', '目标值']);
  targets.addRow([COUNTY, 'funds.disbursement_rate', '>=', 1]);
  const file = join(dir, 'overreach.xlsx');
  await wb.xlsx.writeFile(file);
  return file;
}

const auditRows = (s: Store, actor: string) => s.db.selectFrom('audit_log').selectAll().where('actor', '=', actor).orderBy('id').execute();

describe.each(await engines())('security findings (%s)', (engine) => {
  let t: TestStore;
  let clerk: Actor;
  beforeAll(async () => {
    t = await freshStore(engine);
    await loadDemo(t.store);
    await createDemoAccounts(t.store);
    clerk = actorOf((await findUser(t.store, 'zhouqu.clerk'))!);
  });
  afterAll(async () => t?.dispose());
  afterEach(() => setAccountsClock(() => new Date()));

  it('finding 1: a clerk cannot set its county\'s targets or add a partner through an import; an administrator can, audited', async () => {
    const file = await overreachWorkbook(tmp('import'));
    const target = () => t.store.db.selectFrom('target').selectAll().where('org_code', '=', COUNTY).where('indicator', '=', 'funds.disbursement_rate').executeTakeFirst();
    const pair = () => t.store.db.selectFrom('cooperation_pair').selectAll().where('east_code', '=', '310115').executeTakeFirst();
    const r = await importFiles(t.store, clerk, [{ path: file, name: 'overreach.xlsx' }], { county: COUNTY, year: YEAR });
    expect(r.committed).toBe(false);
    expect(r.errors.map((e) => `${e.sheet}:${e.value}`).sort()).toEqual([`报告信息:310115:${COUNTY}`, `目标:${COUNTY}/${YEAR}/funds.disbursement_rate`]);
    expect(await target()).toBeUndefined();
    expect(await pair()).toBeUndefined();
    expect(await auditRows(t.store, clerk.id)).toEqual([]);

    const ok = await importFiles(t.store, ADMIN, [{ path: file, name: 'overreach.xlsx' }], { county: COUNTY, year: YEAR });
    expect(ok.errors).toEqual([]);
    expect(ok.committed).toBe(true);
    expect(await target()).toMatchObject({ op: '>=', value: '1', set_by: 'admin' });
    expect(await pair()).toBeDefined();
    const audited = (await auditRows(t.store, 'admin')).map((a) => `${a.entity} ${a.entity_id}`);
    expect(audited).toEqual(expect.arrayContaining([`target ${COUNTY}/${YEAR}/funds.disbursement_rate`, `cooperation_pair 310115:${COUNTY}`]));
  });

  it('finding 1: a clerk may still change reported values and narrative by import, audited as the clerk', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('报告文字');
    ws.addRow(['部分', '序号', '标题', '正文']);
    ws.addRow(['plan', 9, '', '下一年继续开展劳务协作。']);
    const file = join(tmp('narr'), 'n.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await importFiles(t.store, clerk, [{ path: file }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    expect((await auditRows(t.store, clerk.id)).map((a) => `${a.action} ${a.entity} ${a.entity_id}`)).toEqual(['create narrative plan#9']);
  });

  it('finding 2: starting on a database with real data and accounts creates, resets and prints no account', async () => {
    const real = await freshStore(engine);
    try {
      await loadDivisions(real.store, ['62']);
      await createUser(real.store, { username: 'admin', displayName: '管理员', password: STRONG, role: 'admin', units: [] });
      await real.store.db.insertInto('report_meta').values({ county_code: COUNTY, year: YEAR, issuer: '某县', report_date: '2023-01-05', partner_code: null }).execute();
      const hash = async () => (await accountsDb(real.store).selectFrom('app_user').select('password_hash').where('username', '=', 'admin').executeTakeFirstOrThrow()).password_hash;
      const before = await hash();
      for (const wanted of [true, false]) expect(await demoOnFirstStart(real.store, wanted)).toEqual({ accounts: [] });
      expect(await hash()).toBe(before);
      expect((await accountsDb(real.store).selectFrom('app_user').select('username').execute()).map((u) => u.username)).toEqual(['admin']);
      await expect(loadDemo(real.store)).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(createDemoAccounts(real.store)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await signIn(real.store, 'admin', STRONG)).user.username).toBe('admin');
    } finally {
      await real.dispose();
    }
    const empty = await freshStore(engine);
    try {
      const first = await demoOnFirstStart(empty.store, true);
      expect(first.accounts).toHaveLength(6);
      expect((await findUser(empty.store, 'admin'))!.demo).toBe(true);
      expect(await demoOnFirstStart(empty.store, true)).toEqual({ accounts: [] });
    } finally {
      await empty.dispose();
    }
  });

  it('finding 4: 40 parallel wrong passwords get at most 5 checks; the right one after them is refused; another address is not locked out', async () => {
    await createUser(t.store, { username: 'target.user', displayName: 't', password: STRONG, role: 'auditor', units: [COUNTY] });
    const checks = passwordChecks.count;
    const results = await Promise.allSettled([
      ...Array.from({ length: 40 }, (_, i) => signIn(t.store, 'target.user', `wrong password ${i}`, { address: '203.0.113.9' })),
    ]);
    expect(passwordChecks.count - checks).toBeLessThanOrEqual(5);
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error) : undefined));
    expect(reasons.every((e) => e !== undefined)).toBe(true);
    expect(reasons.filter((e) => e instanceof TooManyAttempts).length).toBeGreaterThanOrEqual(35);
    await expect(signIn(t.store, 'target.user', STRONG, { address: '203.0.113.9' })).rejects.toBeInstanceOf(TooManyAttempts);
    expect((await signIn(t.store, 'target.user', STRONG, { address: '198.51.100.7' })).user.username).toBe('target.user');
  });

  it('finding 4: a burst of wrong passwords with the right one among them does not get the right one through after the allowance', async () => {
    await createUser(t.store, { username: 'burst.user', displayName: 'b', password: STRONG, role: 'auditor', units: [COUNTY] });
    const attempts = [...Array.from({ length: 30 }, (_, i) => `guess ${i} wrong`), STRONG];
    const results = await Promise.allSettled(attempts.map((p) => signIn(t.store, 'burst.user', p, { address: '192.0.2.1' })));
    const through = results.filter((r) => r.status === 'fulfilled').length;
    expect(through).toBeLessThanOrEqual(1);
    // Whatever happened, the throttle was not reset for the wrong ones: at most 5 were checked in all.
    expect(results.filter((r) => r.status === 'rejected' && !(r.reason instanceof TooManyAttempts)).length + through).toBeLessThanOrEqual(5);
  });

  it('finding 4: wrong passwords from many addresses lock the account until an administrator unlocks it', async () => {
    await createUser(t.store, { username: 'locked.user', displayName: 'l', password: STRONG, role: 'auditor', units: [COUNTY] });
    for (let i = 0; i < LOCK_AFTER_FAILURES / 5; i++)
      for (let k = 0; k < 5; k++) await signIn(t.store, 'locked.user', `wrong ${k}`, { address: `10.0.${i}.1` }).catch(() => undefined);
    expect((await findUser(t.store, 'locked.user'))!.lockedAt).not.toBeNull();
    await expect(signIn(t.store, 'locked.user', STRONG, { address: '10.9.9.9' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await unlockUser(t.store, ADMIN, 'locked.user');
    expect((await signIn(t.store, 'locked.user', STRONG, { address: '10.9.9.9' })).user.lockedAt).toBeNull();
    const actions = (await auditRows(t.store, 'system')).filter((a) => a.entity_id === 'locked.user').map((a) => a.action);
    expect(actions).toContain('account.lock');
    expect((await auditRows(t.store, 'admin')).some((a) => a.action === 'account.unlock')).toBe(true);
  });

  it('finding 8: weak passwords are refused', async () => {
    for (const p of ['aaaaaaaaaa', 'password123', '1234567890', 'qwertyuiop', 'abababababab', 'weak.user2022!']) expect(weakness(p, 'weak.user'), p).toBeDefined();
    expect(weakness(STRONG)).toBeUndefined();
    await expect(createUser(t.store, { username: 'weak.user', displayName: 'w', password: 'aaaaaaaaaa', role: 'auditor', units: [COUNTY] })).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('finding 8 and 6: sessions are capped per user; passwd ends sessions and tokens', async () => {
    await createUser(t.store, { username: 'many.sessions', displayName: 'm', password: STRONG, role: 'auditor', units: [COUNTY] });
    const sessions = [];
    for (let i = 0; i < 7; i++) sessions.push(await signIn(t.store, 'many.sessions', STRONG, { address: `172.16.0.${i}` }));
    const open = await Promise.all(sessions.map((s) => sessionFor(t.store, s.token)));
    expect(open.filter(Boolean)).toHaveLength(5);
    expect(open[6]).toBeDefined();
    const { token } = await createApiToken(t.store, 'many.sessions', 'script');
    expect(await userForApiToken(t.store, token)).toBeDefined();
    await setPassword(t.store, 'many.sessions', 'another long passphrase');
    expect((await Promise.all(sessions.map((s) => sessionFor(t.store, s.token)))).filter(Boolean)).toEqual([]);
    expect(await userForApiToken(t.store, token)).toBeUndefined();
    // A user's own change of password ends the other sessions and the tokens too.
    const a = await signIn(t.store, 'many.sessions', 'another long passphrase');
    const b = await signIn(t.store, 'many.sessions', 'another long passphrase');
    const t2 = await createApiToken(t.store, 'many.sessions', 'script 2');
    await changePassword(t.store, 'many.sessions', 'another long passphrase', 'a third long passphrase', a.token);
    expect(await sessionFor(t.store, a.token)).toBeDefined();
    expect(await sessionFor(t.store, b.token)).toBeUndefined();
    expect(await userForApiToken(t.store, t2.token)).toBeUndefined();
  });

  it('finding 6: an administrator disables a departed user (sessions and tokens end), and tokens have scopes and expiry', async () => {
    await createUser(t.store, { username: 'departed', displayName: 'd', password: STRONG, role: 'county_admin', units: [COUNTY] });
    const s = await signIn(t.store, 'departed', STRONG);
    const { token } = await createApiToken(t.store, 'departed', 'nightly');
    await updateUser(t.store, ADMIN, 'departed', { disabled: true });
    expect(await sessionFor(t.store, s.token)).toBeUndefined();
    expect(await userForApiToken(t.store, token)).toBeUndefined();
    await expect(signIn(t.store, 'departed', STRONG)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await auditRows(t.store, 'admin')).some((a) => a.action === 'account.disable' && a.entity_id === 'departed')).toBe(true);
    await updateUser(t.store, ADMIN, 'departed', { disabled: false });

    const scoped = await createApiToken(t.store, 'admin', 'one county, read only', { readOnly: true, county: COUNTY, days: 1 });
    const u = (await userForApiToken(t.store, scoped.token))!;
    const actor = actorOfToken(u);
    expect(await canRead(t.store, actor, COUNTY)).toBe(true);
    expect(await canRead(t.store, actor, '623024')).toBe(false);
    expect(() => assertWrite(actor, COUNTY)).toThrow(/read-only|只读/);
    const writer = actorOfToken({ ...u, scope: { ...u.scope, readOnly: false } });
    expect(writer.role).toBe('county_admin');
    expect(() => assertWrite(writer, '623024')).toThrow();
    setAccountsClock(() => new Date(Date.now() + 2 * 86400_000));
    expect(await userForApiToken(t.store, scoped.token)).toBeUndefined();
  });

  it('records when a token was last used, to the minute, without a write on every call', async () => {
    const { token } = await createApiToken(t.store, 'admin', 'busy script');
    const lastUsed = async () => (await accountsDb(t.store).selectFrom('api_token').select('last_used_at').where('name', '=', 'busy script').executeTakeFirstOrThrow()).last_used_at;
    const start = Date.parse('2026-06-01T08:00:00Z');
    setAccountsClock(() => new Date(start));
    expect(await userForApiToken(t.store, token)).toBeDefined();
    expect(await lastUsed()).toBe(new Date(start).toISOString());
    setAccountsClock(() => new Date(start + 30_000));
    expect(await userForApiToken(t.store, token)).toBeDefined();
    expect(await lastUsed()).toBe(new Date(start).toISOString());
    setAccountsClock(() => new Date(start + 61_000));
    expect(await userForApiToken(t.store, token)).toBeDefined();
    expect(await lastUsed()).toBe(new Date(start + 61_000).toISOString());
  });

  it('finding 5: a key that differs from the one the database\'s hashes were made with is refused; a missing one is not made anew', async () => {
    const s = await freshStore(engine);
    try {
      await loadDivisions(s.store, ['62']);
      await ensureIdKey(s.store, { XIEZUO_SECRET: 'the first key' });
      await expect(ensureIdKey(s.store, { XIEZUO_SECRET: 'another key' })).rejects.toMatchObject({ code: 'CONFLICT' });
      const keyFile = join(tmp('key'), 'nested', 'id.key');
      await expect(ensureIdKey(s.store, { XIEZUO_ID_KEY_FILE: keyFile })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(() => readFileSync(keyFile)).toThrow();
      await ensureIdKey(s.store, { XIEZUO_SECRET: 'the first key' });
    } finally {
      await s.dispose();
    }
  });

  it('finding 8: reported values and narrative lock once every ledger of the county-year is approved', async () => {
    const s = await freshStore(engine);
    try {
      await loadDemo(s.store);
      for (const d of LEDGERS) {
        await transition(s.store, ADMIN, COUNTY, YEAR, d.kind, 'submit');
        await transition(s.store, ADMIN, COUNTY, YEAR, d.kind, 'approve');
      }
      await expect(setReported(s.store, ADMIN, COUNTY, YEAR, { element: 'meeting.count', dim: 'standing_committee', text: '99' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(setNarrative(s.store, ADMIN, COUNTY, YEAR, { section: 'plan', seq: 7, body: '新的计划。' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await transition(s.store, ADMIN, COUNTY, YEAR, LEDGERS[0]!.kind, 'reopen');
      await setNarrative(s.store, ADMIN, COUNTY, YEAR, { section: 'plan', seq: 7, body: '新的计划。' });
    } finally {
      await s.dispose();
    }
  });

  it('finding 7: an edited, deleted or reordered audit entry is named', async () => {
    const s = await freshStore(engine);
    try {
      await loadDivisions(s.store, ['62']);
      for (let i = 1; i <= 6; i++) await createRecord(s.store, ADMIN, 'fund_allocation', COUNTY, YEAR, { category: 'industry', amount: i * 100, source: `来源${i}` });
      expect((await verifyAuditLog(s.store)).problems).toEqual([]);
      const ids = (await s.store.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => Number(r.id));
      const [, second, third, fourth, fifth] = ids as [number, number, number, number, number];

      await s.store.db.updateTable('audit_log').set({ after_json: '{"amount_fen":1}' }).where('id', '=', second).execute();
      expect((await verifyAuditLog(s.store)).problems).toEqual([expect.objectContaining({ id: second, kind: 'edited' })]);

      await s.store.db.deleteFrom('audit_log').where('id', '=', second).execute();
      expect((await verifyAuditLog(s.store)).problems).toEqual([expect.objectContaining({ id: third, kind: 'deleted', seq: 2 })]);

      // Swap two entries' contents (their places in the table).
      const [a, b] = await Promise.all([fourth, fifth].map((id) => s.store.db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
      const { id: _a, ...restA } = a!;
      const { id: _b, ...restB } = b!;
      await s.store.db.updateTable('audit_log').set({ ...restB, seq: null }).where('id', '=', fourth).execute();
      await s.store.db.updateTable('audit_log').set(restA).where('id', '=', fifth).execute();
      await s.store.db.updateTable('audit_log').set({ seq: restB.seq }).where('id', '=', fourth).execute();
      const p = (await verifyAuditLog(s.store)).problems;
      expect(p.map((x) => x.id)).toEqual(expect.arrayContaining([fourth, fifth]));
      expect(p.find((x) => x.id === fifth)).toMatchObject({ kind: 'reordered' });

      const last = ids[ids.length - 1]!;
      await s.store.db.deleteFrom('audit_log').where('id', '=', last).execute();
      expect((await verifyAuditLog(s.store)).problems.at(-1)).toMatchObject({ kind: 'truncated' });
    } finally {
      await s.dispose();
    }
  });

  it('finding 7: backup → restore into an empty database gives every table and evidence file identical', async () => {
    const source = await freshStore(engine);
    const target = await freshStore(engine);
    const [srcData, dstData, out] = [tmp('src'), tmp('dst'), tmp('out')];
    try {
      await loadDemo(source.store);
      await createDemoAccounts(source.store);
      await createApiToken(source.store, 'zhouqu.admin', 'nightly', { readOnly: true, county: COUNTY, days: 30 });
      await signIn(source.store, 'zhouqu.admin', 'wrong password here').catch(() => undefined);
      await createRecord(source.store, ADMIN, 'labour_placement', COUNTY, YEAR, {
        person_name: '张三', resident_id: residentId(COUNTY, '19900315', 21), destination: 'partner_region', start_date: '2022-03-01', months: 6,
      });
      await ensureIdKey(source.store, process.env, srcData);
      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 7)]);
      await addEvidence(source.store, ADMIN, srcData, { county: COUNTY, year: YEAR, indicator: 'funds.disbursement_rate' }, { filename: '拨付凭证.pdf', data: pdf });
      const file = join(out, 'backup.xz.gz');
      const made = await backup(source.store, srcData, file);
      expect(made.files).toBe(1);
      await ensureIdKey(target.store, process.env, dstData);
      const restored = await restore(target.store, dstData, file);
      expect(restored.tables).toEqual(made.tables);

      const dump = async (st: Store) => {
        const out: Record<string, unknown[]> = {};
        for (const table of await tablesInOrder(st.db, engine)) {
          const cols = await columnsOf(st.db, table);
          out[table] = [];
          for await (const page of tableRows(st.db, table, cols)) out[table]!.push(...page);
        }
        return out;
      };
      const [a, b] = [await dump(source.store), await dump(target.store)];
      expect(Object.keys(b)).toEqual(Object.keys(a));
      for (const table of Object.keys(a)) expect(b[table], table).toEqual(a[table]);
      expect(Object.values(a).reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(100);
      const stored = (await accountsDb(target.store).selectFrom('evidence_file').select('stored_name').executeTakeFirstOrThrow()).stored_name;
      expect(readFileSync(join(dstData, 'evidence', stored)).equals(readFileSync(join(srcData, 'evidence', stored)))).toBe(true);
      expect((await verifyAuditLog(target.store)).problems).toEqual([]);
      // The restored accounts work, and new rows get new ids.
      await createRecord(target.store, ADMIN, 'fund_allocation', COUNTY, YEAR, { category: 'industry', amount: 500, source: '恢复后' });

      await expect(restore(target.store, dstData, file)).rejects.toMatchObject({ code: 'CONFLICT' });
      const other = await freshStore(engine);
      try {
        const broken = join(out, 'truncated.gz');
        writeFileSync(broken, readFileSync(file).subarray(0, 200));
        await expect(restore(other.store, tmp('x'), broken)).rejects.toMatchObject({ code: 'INVALID' });
        expect(Number((await sql<{ n: number }>`select count(*) as n from org_unit`.execute(other.store.db)).rows[0]!.n)).toBe(0);
      } finally {
        await other.dispose();
      }
    } finally {
      await source.dispose();
      await target.dispose();
    }
  });
});
