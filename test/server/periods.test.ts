import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dashboard, IndicatorsAndRules } from '../../src/api/contract.ts';
import { buildApp } from '../../src/server/app.ts';
import { createApiToken, createUser } from '../../src/services/accounts.ts';
import { catalogueFor } from '../../src/services/catalogue.ts';
import { publicIndicator } from '../../src/services/indicator-view.ts';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { synthesize } from '../../src/services/synth.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { type Client, COUNTY, demoServer, type Fixture, YEAR } from './fixture.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

describe('indicators and dashboard for a period to date over HTTP', () => {
  let f: Fixture;
  let admin: Client;
  beforeAll(async () => {
    f = await demoServer('sqlite');
    admin = await f.signIn('zhouqu.admin');
  }, 120_000);
  afterAll(async () => { await f.dispose(); });

  const visits = (body: { indicators: Array<{ id: string; raw: number | null }> }) => body.indicators.find((i) => i.id === 'visits.exchange')!.raw;

  it('answers ?period=Q2, M08 and to=YYYY-MM-DD with smaller figures than the year, marked as to date', async () => {
    const year = IndicatorsAndRules.parse((await admin.req({ method: 'GET', url: `/api/indicators/${COUNTY}/${YEAR}` })).json());
    expect(year.period).toBeUndefined();
    expect(visits(year)).toBe(2);
    expect(year.indicators.some((i) => i.toDate)).toBe(false);
    for (const [q, n, key] of [['period=Q2', 0, 'Q2'], ['period=M07', 1, 'M07'], ['to=2022-08-15', 2, 'D08-15'], ['period=year', 2, null]] as const) {
      const r = await admin.req({ method: 'GET', url: `/api/indicators/${COUNTY}/${YEAR}?${q}` });
      expect(r.statusCode).toBe(200);
      const body = IndicatorsAndRules.parse(r.json());
      expect(visits(body)).toBe(n);
      expect(body.period?.key ?? null).toBe(key);
    }
    const q2 = IndicatorsAndRules.parse((await admin.req({ method: 'GET', url: `/api/indicators/${COUNTY}/${YEAR}?period=Q2` })).json());
    expect(q2.period).toEqual({ key: 'Q2', end: '2022-06-30', label: { zh: '第二季度末', en: 'to the end of Q2' } });
    const ent = q2.indicators.find((i) => i.id === 'enterprise.count')!;
    expect(ent.display).toBeNull();
    expect(ent.toDate?.undated).toBe(1);
    expect(ent.toDate?.note?.en).toContain('1 undated record');
    expect(q2.indicators.find((i) => i.id === 'enterprise.investment')!.status).toBe('to_date');
  });

  it('gives the dashboard the same period', async () => {
    const r = await admin.req({ method: 'GET', url: `/api/dashboard/${COUNTY}/${YEAR}?period=Q3` });
    expect(r.statusCode).toBe(200);
    const d = Dashboard.parse(r.json());
    expect(d.period?.key).toBe('Q3');
    expect(visits(d)).toBe(2);
    expect(visits(Dashboard.parse((await admin.req({ method: 'GET', url: `/api/dashboard/${COUNTY}/${YEAR}?period=Q1` })).json()))).toBe(0);
    expect(Dashboard.parse((await admin.req({ method: 'GET', url: `/api/dashboard/${COUNTY}/${YEAR}` })).json()).period).toBeUndefined();
  });

  it('refuses a period that is none, in both languages', async () => {
    for (const q of ['period=Q5', 'period=M13', 'to=2022-02-30', 'to=2021-06-30', 'period=Q2&to=2022-06-30']) {
      const r = await admin.req({ method: 'GET', url: `/api/indicators/${COUNTY}/${YEAR}?${q}` });
      expect(r.statusCode).toBe(400);
      expect(r.body).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('a province for a period to date, from the view thread', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let auth: { authorization: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-periods-'));
    store = openStore({ engine: 'sqlite', file: join(dir, 'x.sqlite') });
    await migrate(store);
    await synthesize(store, { counties: 6, year: 2022, seed: 7 });
    await createUser(store, { username: 'nation', displayName: 'nation', password: 'correct horse battery', role: 'admin', units: [] });
    auth = { authorization: `Bearer ${(await createApiToken(store, 'nation', 'periods')).token}` };
    app = await buildApp({ store, dataDir: dir });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the period to the thread, keeps each period apart, and equals the engine', async () => {
    const rows = await store.db.selectFrom('ledger_state').select('county_code').distinct().execute();
    const unit = rows[0]!.county_code.slice(0, 2);
    const fresh = async (period?: { kind: 'quarter'; n: 2 }) => {
      const e = new IndicatorEngine(store, unit, 2022, period ? { period } : {});
      const cat = catalogueFor(2022, unit, store);
      return JSON.parse(JSON.stringify({ indicators: (await e.all()).map((i) => publicIndicator(i, cat)), rules: await e.rules() })) as unknown;
    };
    const get = async (q: string) => {
      const r = await app.inject({ method: 'GET', url: `/api/indicators/${unit}/2022${q}`, headers: auth });
      expect(r.statusCode).toBe(200);
      return r.json() as { period?: unknown; indicators: Array<{ id: string; raw: number | null }> };
    };
    const q2 = await get('?period=Q2');
    const year = await get('');
    const { period, ...rest } = q2;
    expect(period).toEqual({ key: 'Q2', end: '2022-06-30', label: { zh: '第二季度末', en: 'to the end of Q2' } });
    expect(rest).toEqual(await fresh({ kind: 'quarter', n: 2 }));
    expect(year).toEqual(await fresh());
    const disbursed = (b: typeof year) => b.indicators.find((i) => i.id === 'funds.disbursed')!.raw ?? 0;
    expect(disbursed(q2)).toBeLessThan(disbursed(year));
    expect(await get('?period=Q2')).toEqual(q2);
  }, 60_000);
});
