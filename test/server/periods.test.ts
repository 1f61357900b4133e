import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dashboard, IndicatorsAndRules } from '../../src/api/contract.ts';
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
