import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueFor } from '../../src/services/catalogue.ts';
import { rankCounties } from '../../src/services/indicator-sets.ts';
import { publicIndicator } from '../../src/services/indicator-view.ts';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { computeOverview, OverviewService } from '../../src/services/overview.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { synthesize } from '../../src/services/synth.ts';
import { ledgerStates, transition } from '../../src/services/workflow.ts';
import { freshStore, postgresAvailable, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

/**
 * The view thread on PostgreSQL, the scale path: the national ranking, a ranking by one indicator
 * and the roll-ups of a province, the nation and an eastern unit come from the thread's own pool, equal to the engine in this thread,
 * and after a write to one county (the thread re-reading only that county) equal again.
 */
describe.skipIf(!(await postgresAvailable()))('rankings and roll-ups off the request path on PostgreSQL', () => {
  let t: TestStore;
  let svc: OverviewService;
  beforeAll(async () => {
    t = await freshStore('postgres');
    await synthesize(t.store, { counties: 6, year: 2022, seed: 11 });
    svc = new OverviewService(t.store);
  }, 120_000);
  afterAll(async () => {
    await svc?.close();
    await t?.dispose();
  });

  it('answers the ranking, a ranking by one indicator and a province from the thread, and follows a write to one county', async () => {
    expect(svc.threaded).toBe(true);
    const fresh = async () => {
      const rows = await computeOverview(t.store, SYSTEM, 2022);
      const byRate = await rankCounties(t.store, SYSTEM, { unit: '' }, 2022, 'funds.disbursement_rate');
      return { rows, byRate };
    };
    // The province of the county written to below, so that its roll-up changes too.
    const last = (await rankCounties(t.store, SYSTEM, { unit: '' }, 2022, 'funds.disbursement_rate')).at(-1)!.code;
    const province = last.slice(0, 2);
    // The eastern unit paired with that county, and every county it is paired with.
    const east = (await t.store.db.selectFrom('cooperation_pair').select('east_code').where('west_code', '=', last).executeTakeFirstOrThrow()).east_code;
    const members = (await t.store.db.selectFrom('cooperation_pair').select('west_code').where('east_code', '=', east).orderBy('west_code').execute()).map((r) => r.west_code);
    // A roll-up read county by county in this thread, without a batch.
    const read = async (e: IndicatorEngine, code: string) => {
      const cat = catalogueFor(2022, code, t.store);
      return JSON.parse(JSON.stringify({ indicators: (await e.all()).map((i) => publicIndicator(i, cat)), rules: await e.rules() })) as unknown;
    };
    const unitFresh = () => read(new IndicatorEngine(t.store, province, 2022), province);
    const nationFresh = () => read(new IndicatorEngine(t.store, '', 2022), '');
    const partnerFresh = () => read(new IndicatorEngine(t.store, east, 2022, { members }), east);
    const asked = async () => ({
      rows: (await svc.get(SYSTEM, 2022)).rows,
      byRate: (await svc.ranking(SYSTEM, 2022, 'funds.disbursement_rate')).rows,
      unit: JSON.parse(`{${await svc.unitView(SYSTEM, { unit: province }, 2022)}}`) as unknown,
      nation: JSON.parse(`{${await svc.unitView(SYSTEM, { unit: '' }, 2022)}}`) as unknown,
      partner: JSON.parse(`{${await svc.unitView(SYSTEM, { east }, 2022)}}`) as unknown,
    });
    const before = await asked();
    expect(before.rows).toHaveLength(6);
    expect({ rows: before.rows, byRate: before.byRate }).toEqual(await fresh());
    expect(before.unit).toEqual(await unitFresh());
    expect(before.nation).toEqual(await nationFresh());
    expect(before.partner).toEqual(await partnerFresh());
    const sent = svc.computations;
    // Asked again without a write: from the cache, nothing sent to the thread.
    await asked();
    expect(svc.computations).toBe(sent);
    // A disbursement for the last-ranked county.
    expect(before.byRate.at(-1)!.code).toBe(last);
    const state = (await ledgerStates(t.store, SYSTEM, last, 2022)).find((x) => x.ledger === 'fund_disbursement')!;
    if (state.status === 'approved') await transition(t.store, SYSTEM, last, 2022, 'fund_disbursement', 'reopen');
    else if (state.status === 'submitted') await transition(t.store, SYSTEM, last, 2022, 'fund_disbursement', 'return', 'test');
    await createRecord(t.store, SYSTEM, 'fund_disbursement', last, 2022, { date: '2022-12-20', amount: 880_000_000_000, project: 'test', voucher: 'PG-1' });
    const after = await asked();
    expect(svc.computations).toBe(sent + 5);
    expect(after.byRate.find((r) => r.code === last)!.raw).toBeGreaterThan(before.byRate.at(-1)!.raw ?? 0);
    expect({ rows: after.rows, byRate: after.byRate }).toEqual(await fresh());
    expect(after.unit).not.toEqual(before.unit);
    expect(after.unit).toEqual(await unitFresh());
    expect(after.nation).not.toEqual(before.nation);
    expect(after.nation).toEqual(await nationFresh());
    expect(after.partner).not.toEqual(before.partner);
    expect(after.partner).toEqual(await partnerFresh());
  }, 120_000);
});
