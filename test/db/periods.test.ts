import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../src/services/demo.ts';
import { catalogueFor } from '../../src/services/catalogue.ts';
import { compileCatalogue, indicatorsAndRules, indicatorsForCounties, prefetch, rankCounties } from '../../src/services/indicator-sets.ts';
import { batchStatements } from '../../src/store/batch-aggregate.ts';
import { IndicatorEngine, type IndicatorResult } from '../../src/services/indicators.ts';
import { createRecord, listRecords } from '../../src/services/ledgers.ts';
import { setReported } from '../../src/services/reported.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { synthesize } from '../../src/services/synth.ts';
import { type Period, parsePeriod, periodEnd } from '../../src/domain/period.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const P = (text: string, to?: string): Period => {
  const r = parsePeriod(text, to ? { to } : {});
  if (!r.ok) throw new Error(r.error.en);
  return r.period;
};
const QUARTERS = ['Q1', 'Q2', 'Q3', 'Q4'].map((q) => P(q));
const at = (store: TestStore['store'], period: Period, county = '623023') => new IndicatorEngine(store, county, 2022, { period });
/** What the API shows of a result: everything but the evaluation trace (kept on the server). */
const shown = (r: IndicatorResult) => { const { trace: _t, ...rest } = r; return rest; };

for (const engine of await engines()) {
  describe(`indicators for a period to date (${engine})`, () => {
    let demo: TestStore;
    beforeAll(async () => {
      demo = await freshStore(engine);
      await loadDemo(demo.store);
    }, 120_000);
    afterAll(async () => { await demo.dispose(); });

    it('counts records by their date: the figure grows with the period and equals the records counted by hand', async () => {
      const visits = (await listRecords(demo.store, SYSTEM, 'visit', '623023', 2022)).rows;
      expect(visits).toHaveLength(3);
      const exchange = visits.filter((v) => ['east_to_west', 'west_to_east'].includes(String(v.direction)));
      const byHand = (p: Period) => exchange.filter((v) => String(v.start_date) <= periodEnd(p, 2022)!).length;
      const seen: number[] = [];
      for (const p of [...QUARTERS, P('M07'), P('M08'), P('', '2022-07-13'), P('', '2022-07-12')]) {
        const r = await at(demo.store, p).evaluate('visits.exchange');
        expect(r.exact?.toNumber() ?? 0).toBe(byHand(p));
        expect(r.toDate?.end).toBe(periodEnd(p, 2022));
        expect(r.toDate?.undated).toBe(0);
        seen.push(r.exact?.toNumber() ?? 0);
      }
      expect(seen).toEqual([0, 0, 2, 2, 1, 2, 1, 0]);
      // Every visit is dated, so the figure to the end of Q4 (and of December) is the year's.
      const year = await new IndicatorEngine(demo.store, '623023', 2022).evaluate('visits.exchange');
      for (const p of [P('Q4'), P('M12')]) expect((await at(demo.store, p).evaluate('visits.exchange')).exact).toEqual(year.exact);
      expect(year.toDate).toBeUndefined();
    });

    it('reads a reported value only as a figure stated as of a day on or before the end (the whole-year one stands for 31 December alone)', async () => {
      // enterprise.investment: the ledger's only record has no date; the unit stated 257.7万元 as of 30 June.
      const q1 = await at(demo.store, P('Q1')).evaluate('enterprise.investment');
      expect(q1.display).toBeNull();
      expect(q1.status).toBe('no_data');
      const h1 = await at(demo.store, P('M06')).evaluate('enterprise.investment');
      expect(h1.display).toBe('257.7万元');
      expect(h1.source).toBe('reported');
      expect(h1.status).toBe('to_date');
      expect(h1.target?.display).toBe('超过1000万元');
      expect(h1.toDate?.ofTarget).toBe('25.8');
      // A quarter of the target with half of the year gone is behind pace.
      expect(h1.toDate?.onPace).toBe(false);
      expect(await at(demo.store, P('M06')).sources(h1)).toEqual([expect.stringContaining('2022年（截至2022-06-30）：257.7万元')]);
      // The undated record says nothing to date, so nothing disagrees with the stated figure.
      expect(h1.flags).toEqual([]);
      // An undated statement (meetings: 15) says nothing about part of the year.
      expect((await at(demo.store, P('Q2')).evaluate('meetings.total')).display).toBeNull();
      expect((await at(demo.store, P('Q4')).evaluate('meetings.total')).display).toBe('15次');
      // A later dated statement replaces an earlier one from its day on.
      await setReported(demo.store, SYSTEM, '623023', 2022, { element: 'meeting.count', dim: 'standing_committee', text: '3', asOf: '2022-05-10' });
      const may = await at(demo.store, P('M05')).evaluate('meetings.total');
      expect(may.exact?.toNumber()).toBe(3);
      expect((await at(demo.store, P('M04')).evaluate('meetings.total')).exact).toBeNull();
    });

    it('checks the rules over the period too, without flagging figures it cannot place', async () => {
      const rules = await at(demo.store, P('M08')).rules();
      expect(rules.filter((r) => r.id.startsWith('consistency.'))).toEqual([]);
    });

    it('leaves undated records out and says how many; a record dated later in the year waits for its period', async () => {
      const before = await at(demo.store, P('Q2')).evaluate('enterprise.count');
      expect(before.exact).toBeNull();
      expect(before.toDate?.undated).toBe(1);
      expect(before.toDate?.note?.zh).toContain('1条记录未填日期');
      await createRecord(demo.store, SYSTEM, 'enterprise', '623023', 2022, { name: '测试企业甲', signed_date: '2022-03-10', planned_investment: 100_000_000 });
      await createRecord(demo.store, SYSTEM, 'enterprise', '623023', 2022, { name: '测试企业乙', signed_date: '2022-09-01', planned_investment: 50_000_000 });
      const counts = [];
      for (const p of QUARTERS) {
        const r = await at(demo.store, p).evaluate('enterprise.count');
        expect(r.toDate?.undated).toBe(1);
        expect(r.toDate?.byLedger).toEqual({ enterprise: 1 });
        counts.push(r.exact?.toNumber());
      }
      expect(counts).toEqual([1, 1, 2, 2]);
      // The year counts every record, dated or not, and is judged against its target as before.
      const year = await new IndicatorEngine(demo.store, '623023', 2022).evaluate('enterprise.count');
      expect(year.exact?.toNumber()).toBe(3);
      expect(year.status).toBe('missed');
      const q3 = await at(demo.store, P('Q3')).evaluate('enterprise.count');
      expect(q3.status).toBe('to_date');
      expect(q3.target?.display).toBe(year.target?.display);
    });

    it('compares year on year with the same span of the earlier year', async () => {
      await createRecord(demo.store, SYSTEM, 'visit', '623023', 2021, { start_date: '2021-04-02', end_date: '2021-04-03', delegation: '甲', direction: 'east_to_west', origin: 'a', destination: 'b' });
      await createRecord(demo.store, SYSTEM, 'visit', '623023', 2021, { start_date: '2021-10-02', end_date: '2021-10-03', delegation: '乙', direction: 'west_to_east', origin: 'a', destination: 'b' });
      const r = await at(demo.store, P('Q2')).evaluate('visits.exchange', 2021);
      expect(r.exact?.toNumber()).toBe(1);
      const agg = r.trace.find((t) => t.kind === 'aggregate');
      expect(agg?.kind === 'aggregate' && agg.query.upTo).toEqual({ field: 'start_date', day: '2021-06-30' });
      expect((await new IndicatorEngine(demo.store, '623023', 2022).evaluate('visits.exchange', 2021)).exact?.toNumber()).toBe(2);
    });

    it('keeps the figures of each period apart (and the whole year unchanged) in the kept dashboard results', async () => {
      const year = await indicatorsAndRules(demo.store, SYSTEM, '623023', 2022);
      const q2 = await indicatorsAndRules(demo.store, SYSTEM, '623023', 2022, P('Q2'));
      const q3 = await indicatorsAndRules(demo.store, SYSTEM, '623023', 2022, P('Q3'));
      const v = (x: typeof year) => x.indicators.find((i) => i.id === 'visits.exchange')!.exact?.toNumber() ?? 0;
      expect([v(year), v(q2), v(q3)]).toEqual([2, 0, 2]);
      expect(year.indicators.every((i) => i.toDate === undefined && i.status !== 'to_date')).toBe(true);
      expect(q2.indicators.every((i) => i.toDate?.period === 'Q2')).toBe(true);
      expect((await indicatorsAndRules(demo.store, SYSTEM, '623023', 2022, P('Q2')))).toBe(q2);
    });

    it('rolls a period up to the prefecture and the province, from one batch as alone', async () => {
      for (const unit of ['6230', '62']) {
        const pre = await prefetch(demo.store, { kind: 'prefix', prefix: unit }, 2022, undefined, P('Q3'));
        const fast = await new IndicatorEngine(demo.store, unit, 2022, { batch: pre, period: P('Q3') }).all();
        const slow = await new IndicatorEngine(demo.store, unit, 2022, { period: P('Q3') }).all();
        expect(fast.map(shown)).toEqual(slow.map(shown));
        const e = fast.find((i) => i.id === 'enterprise.count')!;
        expect(e.exact?.toNumber()).toBe(2);
        expect(e.toDate?.undated).toBe(1);
      }
    });
  });

  describe(`a batch for a period to date (${engine})`, () => {
    let synth: TestStore;
    beforeAll(async () => {
      synth = await freshStore(engine);
      await synthesize(synth.store, { counties: 5, year: 2022, seed: 3 });
    }, 180_000);
    afterAll(async () => { await synth.dispose(); });

    it('gives every county what its own engine gives for the period, in a fixed number of statements', async () => {
      for (const p of [P('Q2'), P('M08'), P('', '2022-10-15')]) {
        const rows = await indicatorsForCounties(synth.store, SYSTEM, { unit: '' }, 2022, { rules: true, period: p });
        expect(rows).toHaveLength(5);
        for (const r of rows) {
          const e = at(synth.store, p, r.code);
          expect({ indicators: r.indicators, rules: r.rules }).toEqual({ indicators: await e.all(), rules: await e.rules() });
        }
      }
      // A figure to date tests a date field, so the terms of a dated ledger keep their conditional aggregates (one statement per
      // ledger, year and grouping) where the year's share one statement per ledger-year: a fixed number either way.
      const year = await prefetch(synth.store, { kind: 'all' }, 2022);
      const q2 = await prefetch(synth.store, { kind: 'all' }, 2022, undefined, P('Q2'));
      expect(q2.batch.statements).toBeGreaterThan(year.batch.statements);
      expect(q2.batch.statements).toBeLessThanOrEqual(batchStatements(synth.store, { kind: 'all' }, compileCatalogue(catalogueFor(2022), 2022).terms, { cube: false }).length);
    });

    it('equals the year by the end of Q4 wherever every record a figure reads is dated', async () => {
      const year = await indicatorsForCounties(synth.store, SYSTEM, { unit: '' }, 2022);
      const q4 = await indicatorsForCounties(synth.store, SYSTEM, { unit: '' }, 2022, { period: P('Q4') });
      let compared = 0;
      for (const [i, c] of q4.entries()) for (const [k, r] of c.indicators.entries()) {
        const y = year[i]!.indicators[k]!;
        if (r.source !== 'records' || y.source !== 'records' || r.toDate?.undated !== 0) continue;
        expect(r.exact?.toString() ?? null, `${c.code} ${r.id}`).toBe(y.exact?.toString() ?? null);
        compared++;
      }
      expect(compared).toBeGreaterThan(20);
    });

    it('grows with the period and reaches the dated part of the year by the end of Q4', async () => {
      const rank = async (p?: Period) => (await rankCounties(synth.store, SYSTEM, { unit: '' }, 2022, 'funds.disbursed', p ? { period: p } : {}))
        .reduce((a, r) => a + (r.raw ?? 0), 0);
      const sums = [];
      for (const p of QUARTERS) sums.push(await rank(p));
      for (let i = 1; i < sums.length; i++) expect(sums[i]!).toBeGreaterThanOrEqual(sums[i - 1]!);
      expect(sums[0]!).toBeLessThan(sums[3]!);
      expect(sums[3]!).toBeLessThanOrEqual(await rank());
    });
  });
}
