import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../src/services/demo.ts';
import { checkRules, computeIndicators, IndicatorEngine } from '../../src/services/indicators.ts';
import { listRecords, updateRecord, createRecord } from '../../src/services/ledgers.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

/** The figures the 2022 report of 舟曲县 states, as the system must reproduce them from the dataset. */
const SEED_FIGURES: Record<string, string> = {
  'meetings.total': '15次',
  'pairings.total': '36对',
  'visits.exchange': '2次',
  'edu.line_count': '160人',
  'edu.line_rate': '37.74%',
  'edu.line_rate_change_1y': '10.38个百分点',
  'edu.line_rate_change_2y': '19.74个百分点',
  'edu.admitted': '172人',
  'edu.admit_rate': '40.57%',
  'edu.admit_rate_change_1y': '10.97个百分点',
  'edu.admit_rate_change_2y': '21.38个百分点',
  'labour.job_fairs': '13场',
  'labour.to_partner': '14人',
  'labour.in_province': '534人',
  'labour.out_of_province': '1233人',
  'consumption.sales': '1232万元',
  'insurance.premium': '460.23万元',
  'insurance.households': '8161户',
  'insurance.people': '30682人',
  'insurance.claimants': '405人',
  'insurance.payout': '161.87万元',
  'funds.disability': '100万元',
  'edu.coop_spending': '87.52万元',
  'enterprise.count': '1家',
  'enterprise.investment': '470万元',
  'enterprise.investment_h1': '257.7万元',
  'enterprise.jobs_planned': '45人',
  'enterprise.subsidy': '50万元',
  'park.total_investment': '3038.13万元',
  'park.coop_funds': '465.73万元',
  'deals.platform_count': '3个',
  'deals.platform_amount': '3000万元',
  'projects.rural_people': '3698人',
  'projects.poverty_alleviated': '919人',
  'projects.jobs': '700人',
  'talent.cadres_east_to_west': '5人',
  'talent.professionals_east_to_west': '56人',
  'talent.team_members': '44人',
  'talent.team_leaders': '22人',
  'talent.west_to_east_sent': '4人',
  'talent.west_to_east_planned': '30人',
  'funds.allocated': '5100万元',
  'funds.science': '100万元',
  'funds.demo_village': '1377.52万元',
  'funds.disbursed': '4562.143万元',
  'funds.disbursement_rate': '89.45%',
  'projects.planned': '43个',
  'projects.started': '43个',
  'projects.completed': '30个',
  'projects.start_rate': '100%',
  'projects.completion_rate': '70%',
  'donation.total': '448.2582万元',
  'donation.enterprises': '40余家',
  'donation.social_orgs': '1家',
  'villages.count': '3个',
  'villages.project_funds': '1377.52万元',
  'villages.workers': '1人',
};

for (const engine of await engines()) {
  describe(`indicators of the 舟曲县 2022 demo (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await freshStore(engine);
      await loadDemo(t.store);
    });
    afterAll(async () => { await t.dispose(); });

    it('reproduces every figure the source report states', async () => {
      const results = new Map((await computeIndicators(t.store, SYSTEM, '623023', 2022)).map((r) => [r.id, r]));
      for (const [id, display] of Object.entries(SEED_FIGURES)) expect(results.get(id)?.display, id).toBe(display);
    });

    it('builds totals from their parts: pairings by type, funds by category, fairs by mode', async () => {
      const e = new IndicatorEngine(t.store, '623023', 2022);
      expect((await e.evaluate('pairings.by_type')).breakdown?.map((b) => b.display)).toEqual(['2对', '2对', '2对', '3对', '24对', '3对']);
      const funds = await e.evaluate('funds.by_category');
      expect(funds.breakdown?.map((b) => `${b.label}${b.display}`)).toEqual([
        '产业开发3178.587万元', '劳务协作314万元', '教育培训143.6万元', '人才支援37.52万元', '基础设施及其他1326.293万元', '残疾人帮扶100万元',
      ]);
      expect(funds.display).toBe('5100万元');
      expect((await e.evaluate('labour.job_fairs.by_mode')).breakdown?.map((b) => b.display)).toEqual(['4场', '9场']);
    });

    it('holds indicators against the province targets', async () => {
      const r = new Map((await computeIndicators(t.store, SYSTEM, '623023', 2022)).map((x) => [x.id, x]));
      expect(r.get('enterprise.investment')?.status).toBe('missed');
      expect(r.get('enterprise.count')?.status).toBe('met');
      expect(r.get('talent.west_to_east_sent')?.status).toBe('missed');
      expect(r.get('labour.transferred')?.status).toBe('met');
      expect(r.get('labour.to_partner_change')?.status).toBe('no_data');
    });

    it('traces a figure to its records and reported values', async () => {
      const e = new IndicatorEngine(t.store, '623023', 2022);
      const rate = await e.evaluate('funds.disbursement_rate');
      const sources = await e.sources(rate);
      expect(sources).toContain('指标「已拨付资金」');
      const alloc = await e.sources(await e.evaluate('funds.allocated'));
      expect(alloc.join('\n')).toMatch(/台账「协作资金安排」2022年6条记录：#\d+ 产业开发；/);
      const disbursed = await e.sources(await e.evaluate('funds.disbursed'));
      expect(disbursed).toEqual(['上报值「已拨付资金」2022年：4562.143万元（来源：一(四)2）']);
    });

    it('passes every validation rule on the demo', async () => {
      const rules = await checkRules(t.store, SYSTEM, '623023', 2022);
      expect(rules.filter((r) => r.ok === false)).toEqual([]);
      expect(rules.filter((r) => r.ok === true).length).toBeGreaterThanOrEqual(12);
    });

    it('fails the sum rule when one category amount is edited, and holds again when restored', async () => {
      const { rows } = await listRecords(t.store, SYSTEM, 'fund_allocation', '623023', 2022, { filters: { category: 'labour' } });
      const rec = rows[0]!;
      const input = { category: rec.category, amount: (rec.amount as number) + 100, source: rec.source, note: rec.note };
      const edited = await updateRecord(t.store, SYSTEM, 'fund_allocation', rec.id, input, rec.version);
      const failing = (await checkRules(t.store, SYSTEM, '623023', 2022)).filter((r) => r.ok === false).map((r) => r.id);
      expect(failing).toContain('funds.categories_sum');
      await updateRecord(t.store, SYSTEM, 'fund_allocation', rec.id, { ...input, amount: rec.amount }, edited.version);
      expect((await checkRules(t.store, SYSTEM, '623023', 2022)).filter((r) => r.ok === false)).toEqual([]);
    });

    it('flags itemised records of a partial ledger that exceed the reported total', async () => {
      const big = await createRecord(t.store, SYSTEM, 'donation', '623023', 2022, {
        donor: '测试捐赠方', donor_kind: 'enterprise', recipient: '测试受赠方', form: 'cash', value: 100_000_000, items: '测试',
      });
      const e = new IndicatorEngine(t.store, '623023', 2022);
      const d = await e.evaluate('donation.total');
      expect(d.display).toBe('448.2582万元');
      expect(d.flags.map((f) => f.en)).toContain('itemised records exceed the reported total');
      expect((await checkRules(t.store, SYSTEM, '623023', 2022)).some((r) => r.id === 'consistency.donation.total' && r.ok === false)).toBe(true);
      const { deleteRecord } = await import('../../src/services/ledgers.ts');
      await deleteRecord(t.store, SYSTEM, 'donation', big.id, big.version);
    });
  });
}
