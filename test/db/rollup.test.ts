import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../src/services/demo.ts';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

for (const engine of await engines()) {
  describe(`indicators roll up from counties to prefecture and province (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await freshStore(engine);
      await loadDemo(t.store);
      // A second county of the same prefecture (迭部县 623024) with complete fund records of its own.
      const now = new Date().toISOString();
      for (const ledger of ['fund_allocation', 'fund_disbursement'])
        await t.store.db.insertInto('ledger_state').values({ county_code: '623024', year: 2022, ledger, completeness: 'complete', status: 'draft', comment: null, updated_by: 't', updated_at: now }).execute();
      await createRecord(t.store, SYSTEM, 'fund_allocation', '623024', 2022, { category: 'industry', amount: 1_000_000_000, source: 'test' });
      await createRecord(t.store, SYSTEM, 'fund_disbursement', '623024', 2022, { date: '2022-06-01', amount: 437_857_000, project: 'p1', voucher: 'v1' });
      await t.store.db.insertInto('reported_value').values({ county_code: '623024', year: 2022, element: 'pairing.count', dim: 'school', value: '5', qual: 'exact', value_max: null, note: 'test', updated_at: now }).execute();
    });
    afterAll(async () => { await t.dispose(); });

    it('adds each county figure, with each county keeping its own choice of records or reported values', async () => {
      const pref = new IndicatorEngine(t.store, '6230', 2022);
      expect(await pref.countiesWithData(2022)).toEqual(['623023', '623024']);
      expect((await pref.evaluate('funds.allocated')).display).toBe('6100万元');
      expect((await pref.evaluate('funds.disbursed')).display).toBe('5000万元'); // 4562.143 reported + 437.857 from records
      const pairs = await pref.evaluate('pairings.by_type');
      expect(pairs.breakdown?.find((b) => b.key === 'school')?.display).toBe('29对');
      expect(pairs.display).toBe('41对');
    });

    it('counts a county that has entered records and nothing else, alone and from a batch', async () => {
      const { prefetch } = await import('../../src/services/indicator-sets.ts');
      const { freshStore: fresh } = await import('../support/engines.ts');
      const u = await fresh(engine);
      try {
        await loadDemo(u.store);
        const before = (await new IndicatorEngine(u.store, '62', 2022).evaluate('meetings.total')).exact!;
        // 迭部县 has no ledger state, stated figure or report details: only this one record.
        await createRecord(u.store, SYSTEM, 'meeting', '623024', 2022, { type: 'leading_group', date: '2022-12-23', topic: '只有台账' });
        const alone = new IndicatorEngine(u.store, '62', 2022);
        expect(await alone.countiesWithData(2022)).toEqual(['623023', '623024']);
        const summed = (await alone.evaluate('meetings.total')).exact!;
        expect(summed.sub(before).toString()).toBe('1');
        const pre = await prefetch(u.store, { kind: 'prefix', prefix: '62' }, 2022);
        expect(pre.withData).toEqual(['623023', '623024']);
        expect((await new IndicatorEngine(u.store, '62', 2022, { batch: pre }).evaluate('meetings.total')).exact).toEqual(summed);
      } finally {
        await u.dispose();
      }
    });

    it('recomputes rates from the rolled-up parts and refuses to add rates up', async () => {
      const prov = new IndicatorEngine(t.store, '62', 2022);
      expect((await prov.evaluate('funds.disbursement_rate')).display).toBe('81.97%'); // 5000 / 6100
      const rate = await prov.evaluate('edu.line_rate');
      expect(rate.display).toBeNull();
      // A rate without parts is not added up; that is no inconsistency, so nothing is flagged.
      expect(rate.flags).toEqual([]);
    });

    it('names the counties a rolled-up figure comes from', async () => {
      const pref = new IndicatorEngine(t.store, '6230', 2022);
      const src = await pref.sources(await pref.evaluate('funds.allocated'));
      expect(src).toEqual(['指标「东西部协作财政援助资金」（623023）', '指标「东西部协作财政援助资金」（623024）']);
    });
  });
}
