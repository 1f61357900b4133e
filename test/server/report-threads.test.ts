// Reports (Word, HTML, Markdown) rendered in report threads, on a database the threads can open (SQLite file, PostgreSQL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docxText } from '../../src/reports/docx-text.ts';
import { buildApp } from '../../src/server/app.ts';
import { actorOf, createDemoAccounts, createUser, findUser } from '../../src/services/accounts.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { renderReportHere, ReportPool } from '../../src/services/report-threads.ts';
import { computeWarnings } from '../../src/services/warnings.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { engines, freshStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const COUNTY = '623023';
const YEAR = 2022;
const ADMIN = { id: 'admin', name: 'admin', role: 'admin' as const, units: [] };
/** A report's text without the moment it was generated, which differs between two renderings. */
const timeless = (text: string) => text.replace(/(生成时间|Generated)[:：][^（(<\n]*/g, '$1:');

describe.each(await engines())('reports in report threads (%s)', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let app: FastifyInstance;
  let cookie: string;
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-word-'));
  beforeAll(async () => {
    if (engine === 'sqlite') {
      store = openStore({ engine: 'sqlite', file: join(dir, 'x.sqlite') });
      await migrate(store);
      dispose = () => store.close();
    } else {
      const t = await freshStore('postgres');
      store = t.store;
      dispose = t.dispose;
    }
    await loadDemo(store);
    const accounts = await createDemoAccounts(store);
    await createUser(store, { username: 'diebu.clerk', displayName: '迭部', password: 'correct horse battery', role: 'county_clerk', units: ['623024'] });
    app = await buildApp({ store, dataDir: dir });
    const admin = accounts.find((a) => a.username === 'zhouqu.admin')!;
    const r = await app.inject({ method: 'POST', url: '/api/session', payload: { username: admin.username, password: admin.password } });
    cookie = r.cookies.find((c) => c.name === 'xz_session')!.value;
  });
  afterAll(async () => {
    await app?.close();
    await dispose?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the pool opens the database from its threads, at most `size` of them, and gives the same report as the server\'s thread', async () => {
    const pool = new ReportPool(store.config, 1);
    try {
      expect(pool.offThread).toBe(true);
      const jobs = Array.from({ length: 3 }, () => pool.render(store, { actor: ADMIN, unit: COUNTY, year: YEAR, kind: 'docx' }));
      expect(pool.load).toEqual({ waiting: 2, busy: 1, threads: 1 });
      const files = await Promise.all(jobs);
      expect(pool.load).toMatchObject({ waiting: 0, busy: 0, threads: 1 });
      const here = timeless(await docxText(await renderReportHere(store, { actor: ADMIN, unit: COUNTY, year: YEAR, kind: 'docx' })));
      for (const f of files) expect(timeless(await docxText(f))).toBe(here);
      expect(here).toMatch(/舟曲县/);
      for (const kind of ['html', 'md'] as const) {
        const there = timeless((await pool.render(store, { actor: ADMIN, unit: COUNTY, year: YEAR, kind })).toString('utf8'));
        expect(there, kind).toBe(timeless((await renderReportHere(store, { actor: ADMIN, unit: COUNTY, year: YEAR, kind })).toString('utf8')));
        expect(there, kind).toMatch(/舟曲县/);
      }
      const annex = await pool.render(store, { actor: ADMIN, unit: COUNTY, year: YEAR, kind: 'annex' });
      expect(await docxText(annex)).toMatch(/来源|source/i);
      // Refusals come back as the same domain errors.
      await expect(pool.render(store, { actor: { id: 'x', name: 'x', role: 'county_clerk', units: ['623024'] }, unit: COUNTY, year: YEAR, kind: 'docx' }))
        .rejects.toMatchObject({ name: 'DomainError', code: 'FORBIDDEN' });
      await expect(pool.render(store, { actor: ADMIN, unit: '629999', year: YEAR, kind: 'docx' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await pool.close();
    }
  });

  it('the report route answers with each format from a report thread, and its refusals as usual', async () => {
    const r = await app.inject({ method: 'GET', url: `/api/reports/${COUNTY}/${YEAR}?format=docx`, cookies: { xz_session: cookie } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/wordprocessingml/);
    expect(r.headers['content-disposition']).toMatch(/\.docx/);
    expect(await docxText(r.rawPayload)).toMatch(/舟曲县/);
    const annex = await app.inject({ method: 'GET', url: `/api/reports/${COUNTY}/${YEAR}?format=annex`, cookies: { xz_session: cookie } });
    expect(annex.statusCode).toBe(200);
    expect(annex.headers['content-disposition']).toMatch(/%E6%95%B0%E6%8D%AE%E6%9D%A5%E6%BA%90\.docx/);
    const html = await app.inject({ method: 'GET', url: `/api/reports/${COUNTY}/${YEAR}`, cookies: { xz_session: cookie } });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toMatch(/舟曲县/);
    const md = await app.inject({ method: 'GET', url: `/api/reports/${COUNTY}/${YEAR}?format=md`, cookies: { xz_session: cookie } });
    expect(md.headers['content-disposition']).toMatch(/\.md/);
    expect(md.body).toMatch(/^#/m);
    const outside = await app.inject({ method: 'GET', url: `/api/reports/629999/${YEAR}?format=docx`, cookies: { xz_session: cookie } });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error.message).toMatchObject({ zh: expect.any(String), en: expect.any(String) });
  });

  it('writes the ledgers workbook in a report thread, the same as on the server\'s thread, with the same refusals', async () => {
    const pool = new ReportPool(store.config, 1);
    try {
      const sheets = async (data: Buffer) => {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(data as unknown as ArrayBuffer);
        return wb.worksheets.map((w) => `${w.name}:${w.rowCount}`);
      };
      const there = await pool.render(store, { actor: ADMIN, unit: COUNTY, year: YEAR, kind: 'ledgers' });
      expect(pool.load.threads).toBe(1);
      const here = await renderReportHere(store, { actor: ADMIN, unit: COUNTY, year: YEAR, kind: 'ledgers' });
      expect(await sheets(there)).toEqual(await sheets(here));
      expect((await sheets(there)).length).toBeGreaterThan(3);
      const one = await sheets(await pool.render(store, { actor: ADMIN, unit: COUNTY, year: YEAR, kind: 'ledgers', ledger: 'fund_allocation' }));
      expect(one.length).toBeLessThan((await sheets(there)).length);
      await expect(pool.render(store, { actor: { id: 'x', name: 'x', role: 'county_clerk', units: ['623024'] }, unit: COUNTY, year: YEAR, kind: 'ledgers' }))
        .rejects.toMatchObject({ code: 'FORBIDDEN' });
    } finally {
      await pool.close();
    }
    const r = await app.inject({ method: 'GET', url: `/api/exports/${COUNTY}/${YEAR}?ledger=fund_allocation`, cookies: { xz_session: cookie } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/spreadsheetml/);
  });

  it('works out a province\'s early warnings in a report thread, the same as on the server\'s thread', async () => {
    const asOf = `${YEAR}-06-30`;
    const pool = new ReportPool(store.config, 1);
    try {
      const there = JSON.parse((await pool.render(store, { actor: ADMIN, unit: '62', year: YEAR, kind: 'warnings', asOf })).toString('utf8')) as unknown;
      expect(pool.load.threads).toBe(1);
      expect(there).toEqual(JSON.parse(JSON.stringify(await computeWarnings(store, ADMIN, '62', asOf))));
    } finally {
      await pool.close();
    }
    const me = actorOf((await findUser(store, 'zhouqu.admin'))!);
    const r = await app.inject({ method: 'GET', url: `/api/warnings/6230?asOf=${asOf}`, cookies: { xz_session: cookie } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual(JSON.parse(JSON.stringify(await computeWarnings(store, me, '6230', asOf))));
  });
});

