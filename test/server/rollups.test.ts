import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { createApiToken, createUser } from '../../src/services/accounts.ts';
import { catalogueFor } from '../../src/services/catalogue.ts';
import { publicIndicator } from '../../src/services/indicator-view.ts';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { loadDataset } from '../../src/services/demo.ts';
import { setReported } from '../../src/services/reported.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { synthesize } from '../../src/services/synth.ts';
import { ledgerStates, transition } from '../../src/services/workflow.ts';
import { countiesWithData } from '../../src/store/batch-aggregate.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

type View = { indicators: Array<{ id: string; raw: number | null; display: string | null; source: string }> };

// Counts and sums that every county states or records: what a roll-up adds up.
const ADDED = ['meetings.total', 'pairings.total', 'funds.disbursed'];

describe('roll-ups of the nation and of an eastern unit (SQLite file, view thread)', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  const tokens: Record<string, { authorization: string }> = {};
  let east: string;
  let paired: string[];

  /** Each county's own figure, from an engine of its own, added up over the counties given. */
  async function summed(counties: readonly string[], id: string): Promise<number | null> {
    let total: number | null = null;
    for (const c of counties) {
      const r = await new IndicatorEngine(store, c, 2022).evaluate(id);
      if (r.raw !== null) total = (total ?? 0) + r.raw;
    }
    return total;
  }
  const get = async (url: string, who: string) => app.inject({ method: 'GET', url, headers: tokens[who] });
  const raw = (v: View, id: string) => v.indicators.find((i) => i.id === id)!.raw;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-rollups-'));
    store = openStore({ engine: 'sqlite', file: join(dir, 'x.sqlite') });
    await migrate(store);
    await synthesize(store, { counties: 8, year: 2022, seed: 5 });
    const pairs = await store.db.selectFrom('cooperation_pair').select(['east_code', 'west_code']).orderBy('east_code').execute();
    east = pairs[0]!.east_code;
    paired = pairs.filter((p) => p.east_code === east).map((p) => p.west_code);
    const other = pairs.find((p) => p.east_code !== east)!.east_code;
    for (const [username, role, units] of [['nation', 'admin', []], ['partner', 'east_user', [east]], ['elsewhere', 'east_user', [other]], ['province', 'province_user', [paired[0]!.slice(0, 2)]]] as const) {
      await createUser(store, { username, displayName: username, password: 'correct horse battery', role, units: [...units] });
      tokens[username] = { authorization: `Bearer ${(await createApiToken(store, username, 'rollups')).token}` };
    }
    app = await buildApp({ store, dataDir: dir });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds up every county with data for the nation (GET /api/indicators/national/{year})', async () => {
    const r = await get('/api/indicators/national/2022', 'nation');
    expect(r.statusCode).toBe(200);
    const view = r.json() as View;
    const all = await countiesWithData(store, { kind: 'all' }, 2022);
    expect(all.length).toBe(8);
    for (const id of ADDED) {
      const expected = await summed(all, id);
      expect(expected).not.toBeNull();
      expect(raw(view, id)).toBeCloseTo(expected!, 6);
    }
    // A rate is not added up: the nation's disbursement rate is worked out from its added-up parts.
    const rate = raw(view, 'funds.disbursement_rate');
    expect(rate).not.toBeNull();
  }, 120_000);

  it("adds up an eastern unit's paired counties only (GET /api/partners/{east}/indicators/{year}), and follows a write to one of them", async () => {
    const r = await get(`/api/partners/${east}/indicators/2022`, 'partner');
    expect(r.statusCode).toBe(200);
    const before = r.json() as View;
    for (const id of ADDED) expect(raw(before, id)).toBeCloseTo((await summed(paired, id))!, 6);
    const national = (await get('/api/indicators/national/2022', 'nation')).json() as View;
    expect(raw(before, 'meetings.total')).toBeLessThan(raw(national, 'meetings.total')!);

    // A record written to a paired county is in the next answer; the other counties' figures are kept.
    const county = paired[0]!;
    const ownBefore = (await new IndicatorEngine(store, county, 2022).evaluate('funds.disbursed')).raw!;
    const state = (await ledgerStates(store, SYSTEM, county, 2022)).find((x) => x.ledger === 'fund_disbursement')!;
    if (state.status === 'approved') await transition(store, SYSTEM, county, 2022, 'fund_disbursement', 'reopen');
    else if (state.status === 'submitted') await transition(store, SYSTEM, county, 2022, 'fund_disbursement', 'return', 'test');
    await createRecord(store, SYSTEM, 'fund_disbursement', county, 2022, { date: '2022-12-30', amount: 12_345_600, project: 'rollup test', voucher: 'R-1' });
    expect((await new IndicatorEngine(store, county, 2022).evaluate('funds.disbursed')).raw).toBeGreaterThan(ownBefore);
    const after = (await get(`/api/partners/${east}/indicators/2022`, 'partner')).json() as View;
    expect(raw(after, 'funds.disbursed')).toBeCloseTo((await summed(paired, 'funds.disbursed'))!, 6);
    expect(raw(after, 'funds.disbursed')).not.toBe(raw(before, 'funds.disbursed'));
    const nationAfter = (await get('/api/indicators/national/2022', 'nation')).json() as View;
    expect(raw(nationAfter, 'funds.disbursed')).toBeCloseTo((await summed(await countiesWithData(store, { kind: 'all' }, 2022), 'funds.disbursed'))!, 6);
    // Whole answers, indicator by indicator and rule by rule, equal to roll-ups read county by county without a batch.
    const fresh = async (e: IndicatorEngine, code: string) => {
      const cat = catalogueFor(2022, code, store);
      return JSON.parse(JSON.stringify({ indicators: (await e.all()).map((i) => publicIndicator(i, cat)), rules: await e.rules() })) as unknown;
    };
    expect(after).toEqual(await fresh(new IndicatorEngine(store, east, 2022, { members: paired }), east));
    expect(nationAfter).toEqual(await fresh(new IndicatorEngine(store, '', 2022), ''));
  }, 120_000);

  it('counts only the pairs in force in the year: a pair begun later is left out until its year', async () => {
    const outside = (await countiesWithData(store, { kind: 'all' }, 2022)).find((c) => !paired.includes(c))!;
    await store.db.insertInto('cooperation_pair').values({ east_code: east, west_code: outside, since_year: 2023, until_year: null }).execute();
    const later = (await get(`/api/partners/${east}/indicators/2022`, 'partner')).json() as View;
    expect(raw(later, 'meetings.total')).toBe(await summed(paired, 'meetings.total'));
    // Back-dated to the year, the pair joins the roll-up without any write to the counties' data.
    await store.db.updateTable('cooperation_pair').set({ since_year: 2021 }).where('east_code', '=', east).where('west_code', '=', outside).execute();
    const joined = (await get(`/api/partners/${east}/indicators/2022`, 'partner')).json() as View;
    expect(raw(joined, 'meetings.total')).toBe(await summed([...paired, outside], 'meetings.total'));
    await store.db.deleteFrom('cooperation_pair').where('east_code', '=', east).where('west_code', '=', outside).execute();
  }, 120_000);

  it('lets only those who may read the whole roll-up see it', async () => {
    expect((await get('/api/indicators/national/2022', 'province')).statusCode).toBe(403);
    expect((await get('/api/indicators/national/2022', 'partner')).statusCode).toBe(403);
    expect((await get(`/api/partners/${east}/indicators/2022`, 'elsewhere')).statusCode).toBe(403);
    expect((await get(`/api/partners/${east}/indicators/2022`, 'province')).statusCode).toBe(403);
    expect((await get(`/api/partners/${east}/indicators/2022`, 'nation')).statusCode).toBe(200);
    const none = await get('/api/partners/99/indicators/2022', 'nation');
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('no paired county in 2022');
    expect((await get('/api/partners/9x/indicators/2022', 'nation')).statusCode).toBe(400);
    expect((await get('/api/indicators/nation/2022', 'nation')).statusCode).toBe(400);
  }, 120_000);
  it("adds up the nation's provinces: a province's own stated figure stands for it, and a province that states figures without county data counts", async () => {
    const ID = 'consumption.sales';
    const counties = await countiesWithData(store, { kind: 'all' }, 2022);
    const withCounties = [...new Set(counties.map((c) => c.slice(0, 2)))];
    // A province of the synthetic counties states its own total; 广西 (45) states its year's totals and no county of it holds data.
    await setReported(store, SYSTEM, withCounties[0]!, 2022, { element: ID, text: '12345' });
    await loadDataset(store, join(import.meta.dirname, '..', '..', 'data', 'examples', 'guangxi-province-2022.yaml'));
    expect(counties.some((c) => c.startsWith('45'))).toBe(false);
    const provinceFigure = async (p: string) => (await new IndicatorEngine(store, p, 2022).evaluate(ID)).raw;
    expect(await provinceFigure(withCounties[0]!)).toBe(12345);
    const expected = (await Promise.all([...withCounties, '45'].map(provinceFigure))).reduce((a: number, b) => a + (b ?? 0), 0);
    const view = (await get('/api/indicators/national/2022', 'nation')).json() as View;
    expect(raw(view, ID)).toBeCloseTo(expected, 4);
    // Not the counties' sum alone: the stated province totals replace or add to it.
    expect(raw(view, ID)).not.toBeCloseTo((await summed(counties, ID))!, 0);
    expect(raw(view, ID)).toBeGreaterThan(2_000_000);
  }, 120_000);

  it("adds up a province's prefectures, each with the figure it states itself, and names its parts beside its own figure", async () => {
    const ID = 'consumption.sales';
    const counties = await countiesWithData(store, { kind: 'all' }, 2022);
    // A province of the synthetic counties (the one with most prefectures) whose own total is not stated.
    const byProvince = new Map<string, Set<string>>();
    for (const c of counties) byProvince.set(c.slice(0, 2), (byProvince.get(c.slice(0, 2)) ?? new Set()).add(c.slice(0, 4)));
    const [province, prefectures] = [...byProvince].filter(([p]) => p !== counties[0]!.slice(0, 2)).sort((a, b) => b[1].size - a[1].size)[0]!;
    expect(prefectures.size).toBeGreaterThan(0);
    const [stating] = [...prefectures].sort();
    await setReported(store, SYSTEM, stating!, 2022, { element: ID, text: '777' });
    const figure = async (u: string) => (await new IndicatorEngine(store, u, 2022).evaluate(ID)).raw ?? 0;
    expect(await figure(stating!)).toBe(777);
    const expected = (await Promise.all([...prefectures].map(figure))).reduce((a, b) => a + b, 0);
    const view = (await get(`/api/indicators/${province}/2022`, 'nation')).json() as View;
    expect(raw(view, ID)).toBeCloseTo(expected, 4);
    expect(raw(view, ID)).not.toBeCloseTo((await summed(counties.filter((c) => c.startsWith(province)), ID))!, 0);
    // Once the province states its own figure, that is shown, with what its prefectures add up to beside it.
    await setReported(store, SYSTEM, province, 2022, { element: ID, text: '999999' });
    const own = ((await get(`/api/indicators/${province}/2022`, 'nation')).json() as { indicators: Array<{ id: string; raw: number | null; rolledUp?: { parts: number; level: string; counties: number; displayEn: string } | null }> })
      .indicators.find((i) => i.id === ID)!;
    expect(own.raw).toBe(999999);
    expect(own.rolledUp).toMatchObject({ parts: prefectures.size, level: 'prefecture', counties: counties.filter((c) => c.startsWith(province)).length });
    expect(own.rolledUp?.displayEn).toMatch(/^CNY [\d.]+ million$/);
  }, 120_000);
});
