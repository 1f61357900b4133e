import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { refreshConfig } from '../../src/services/config.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { indicatorsForCounties, prefetch, rankCounties } from '../../src/services/indicator-sets.ts';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { SYSTEM, type Actor } from '../../src/services/scope.ts';
import { synthesize } from '../../src/services/synth.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

for (const engine of await engines()) {
  describe(`indicators for a set of counties at once (${engine})`, () => {
    let demo: TestStore;
    let synth: TestStore;
    beforeAll(async () => {
      [demo, synth] = await Promise.all([freshStore(engine), freshStore(engine)]);
      await loadDemo(demo.store);
      const now = new Date().toISOString();
      for (const ledger of ['fund_allocation', 'fund_disbursement'])
        await demo.store.db.insertInto('ledger_state').values({ county_code: '623024', year: 2022, ledger, completeness: 'complete', status: 'draft', comment: null, updated_by: 't', updated_at: now }).execute();
      await createRecord(demo.store, SYSTEM, 'fund_allocation', '623024', 2022, { category: 'industry', amount: 1_000_000_000, source: 'test' });
      await createRecord(demo.store, SYSTEM, 'fund_disbursement', '623024', 2022, { date: '2022-06-01', amount: 437_857_000, project: 'p1', voucher: 'v1' });
      await synthesize(synth.store, { counties: 5, year: 2022, seed: 3 });
    }, 180_000);
    afterAll(async () => { await demo.dispose(); await synth.dispose(); });

    const alone = async (t: TestStore, county: string) => {
      const e = new IndicatorEngine(t.store, county, 2022);
      return { indicators: await e.all(), rules: await e.rules() };
    };

    it('gives every county exactly what its own engine gives (demo: reported values, partial ledgers, targets, qualifiers)', async () => {
      const rows = await indicatorsForCounties(demo.store, SYSTEM, { unit: '62' }, 2022, { rules: true });
      expect(rows.map((r) => r.code)).toEqual(['623023', '623024']);
      expect(rows[0]!.name).toBe('舟曲县');
      for (const r of rows) expect({ indicators: r.indicators, rules: r.rules }).toEqual(await alone(demo, r.code));
    });

    it('gives synthetic counties what their own engines give, in a fixed number of statements', async () => {
      const rows = await indicatorsForCounties(synth.store, SYSTEM, { unit: '' }, 2022, { rules: true });
      expect(rows).toHaveLength(5);
      for (const r of rows) expect({ indicators: r.indicators, rules: r.rules }).toEqual(await alone(synth, r.code));
      const small = await prefetch(synth.store, { kind: 'codes', codes: [rows[0]!.code] }, 2022);
      const all = await prefetch(synth.store, { kind: 'all' }, 2022);
      expect(all.batch.statements).toBe(small.batch.statements);
      expect(all.batch.statements).toBeLessThan(40);
    });

    it('evaluates every county from the batch without asking the database again', async () => {
      const pre = await prefetch(synth.store, { kind: 'all' }, 2022);
      let statements = 0;
      const counting: KyselyPlugin = { transformQuery: (a) => { statements++; return a.node; }, transformResult: async (a) => a.result };
      const store = { ...synth.store, db: synth.store.db.withPlugin(counting) };
      await refreshConfig(store);
      statements = 0;
      for (const code of pre.withData) {
        const e = new IndicatorEngine(store, code, 2022, { batch: pre });
        await e.all();
        await e.rules();
      }
      expect(pre.withData.length).toBeGreaterThan(1);
      expect(statements).toBe(0);
      // The counter counts: the same engine without the batch asks the database.
      await new IndicatorEngine(store, pre.withData[0]!, 2022).evaluate('funds.allocated');
      expect(statements).toBeGreaterThan(0);
    });

    it('computes a county\'s whole catalogue from the batch in one go, without waiting on any promise', async () => {
      const pre = await prefetch(synth.store, { kind: 'all' }, 2022);
      let read = 0;
      const counted = { ...pre, aggregate: (county: string, q: Parameters<typeof pre.aggregate>[1]) => { read++; return pre.aggregate(county, q); } };
      const e = new IndicatorEngine(synth.store, pre.withData[0]!, 2022, { batch: counted });
      const pending = e.all();
      // Everything was read before the call returned: nothing waited for a later turn.
      const before = read;
      const result = await pending;
      expect(before).toBeGreaterThan(0);
      expect(read).toBe(before);
      expect(result).toEqual(await alone(synth, pre.withData[0]!).then((x) => x.indicators));
    });

    it('rolls up a prefecture and a province from the batch as it does alone', async () => {
      for (const unit of ['6230', '62']) {
        const pre = await prefetch(demo.store, { kind: 'prefix', prefix: unit }, 2022);
        const fast = new IndicatorEngine(demo.store, unit, 2022, { batch: pre });
        const slow = new IndicatorEngine(demo.store, unit, 2022);
        expect(await fast.all()).toEqual(await slow.all());
      }
    });

    it('ranks counties by any indicator, highest first, and by an eastern partner\'s paired counties', async () => {
      const ranked = await rankCounties(synth.store, SYSTEM, { unit: '' }, 2022, 'funds.disbursement_rate');
      expect(ranked).toHaveLength(5);
      const raws = ranked.map((r) => r.raw!);
      expect(raws).toEqual([...raws].sort((a, b) => b - a));
      // Equal figures share a rank (the synthetic disbursement rate is capped, so ties happen).
      expect(ranked.map((r) => r.rank)).toEqual(raws.map((v) => 1 + raws.filter((w) => w > v).length));
      for (const r of ranked) expect(r.display).toBe((await new IndicatorEngine(synth.store, r.code, 2022).evaluate('funds.disbursement_rate')).display);
      const pair = await synth.store.db.selectFrom('cooperation_pair').select(['east_code', 'west_code']).orderBy('west_code').executeTakeFirstOrThrow();
      const east = await indicatorsForCounties(synth.store, SYSTEM, { east: pair.east_code }, 2022, { ids: ['funds.allocated'] });
      expect(east.map((r) => r.code)).toContain(pair.west_code);
      await expect(rankCounties(synth.store, SYSTEM, { unit: '' }, 2022, 'no.such')).rejects.toThrow(/unknown indicator/);
    });

    it('leaves out counties the caller may not read', async () => {
      const codes = (await indicatorsForCounties(synth.store, SYSTEM, { unit: '' }, 2022, { ids: ['funds.allocated'] })).map((r) => r.code);
      const actor: Actor = { id: 'p', name: 'p', role: 'province_user', units: [codes[0]!.slice(0, 2)] };
      const mine = await indicatorsForCounties(synth.store, actor, { unit: '' }, 2022, { ids: ['funds.allocated'] });
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((r) => r.code.startsWith(codes[0]!.slice(0, 2)))).toBe(true);
    });

    it('keeps a set\'s figures: after a write to one county only it is read and evaluated again, and the answer is what a fresh computation gives', async () => {
      const { setReported } = await import('../../src/services/reported.ts');
      const { setTarget } = await import('../../src/services/indicators.ts');
      const ids = ['funds.allocated', 'funds.disbursement_rate', 'meetings.total'];
      const proto = IndicatorEngine.prototype as unknown as { compute: (...a: unknown[]) => unknown };
      const compute = proto.compute;
      const computed = new Set<string>();
      proto.compute = function (this: { county: string }, ...a: unknown[]) {
        computed.add(this.county);
        return compute.apply(this, a);
      };
      const kept = () => indicatorsForCounties(synth.store, SYSTEM, { unit: '' }, 2022, { ids, keep: true });
      const fresh = () => indicatorsForCounties(synth.store, SYSTEM, { unit: '' }, 2022, { ids });
      try {
        const first = await kept();
        const codes = first.map((r) => r.code);
        expect(codes.length).toBe(5);
        computed.clear();
        expect(await kept()).toEqual(first);
        expect([...computed]).toEqual([]);
        // A write to one county: only that county is evaluated again, and its new figure shows.
        await setReported(synth.store, SYSTEM, codes[2]!, 2022, { element: 'meeting.count', text: '41' });
        computed.clear();
        const after = await kept();
        expect([...computed]).toEqual([codes[2]]);
        expect(after).toEqual(await fresh());
        expect(after).not.toEqual(first);
        // A county without data until now joins the set once something is entered for it.
        const unit = await synth.store.db.selectFrom('org_unit').select('code').where('level', '=', 'county').where('code', 'not in', codes).orderBy('code').executeTakeFirstOrThrow();
        await createRecord(synth.store, SYSTEM, 'meeting', unit.code, 2022, { type: 'leading_group', date: '2022-03-01', topic: '新录入的县' });
        computed.clear();
        const joined = await kept();
        expect([...computed]).toEqual([unit.code]);
        expect(joined.map((r) => r.code)).toEqual([...codes, unit.code].sort());
        expect(joined).toEqual(await fresh());
        // A target set for a province can change every county's status there: everything is evaluated again.
        await setTarget(synth.store, SYSTEM, codes[0]!.slice(0, 2), 2022, 'funds.allocated', { op: '>=', value: '1' });
        computed.clear();
        expect(await kept()).toEqual(await fresh());
        expect(computed.size).toBeGreaterThan(1);
        // Each caller is answered the counties it may read, from the same kept figures.
        const actor: Actor = { id: 'p', name: 'p', role: 'province_user', units: [codes[0]!.slice(0, 2)] };
        computed.clear();
        const mine = await indicatorsForCounties(synth.store, actor, { unit: '' }, 2022, { ids, keep: true });
        expect([...computed]).toEqual([]);
        expect(mine).toEqual(await indicatorsForCounties(synth.store, actor, { unit: '' }, 2022, { ids }));
      } finally {
        proto.compute = compute;
      }
    });

    it('finds the counties holding records of a year in given ledgers, for the nation, a province and a list, as the batch counts them', async () => {
      const { countiesWithRecords } = await import('../../src/store/batch-aggregate.ts');
      const pre = await prefetch(synth.store, { kind: 'all' }, 2022);
      for (const ledgers of [['fund_allocation'], ['labour_placement', 'meeting'], ['donation', 'talent_exchange', 'project']]) {
        // The batch's own count of records per county and ledger.
        const counted = pre.withData.filter((c) => ledgers.some((l) => (pre.batch.records(c, l, 2022) ?? 0) > 0));
        expect(counted.length).toBeGreaterThan(0);
        expect(await countiesWithRecords(synth.store, { kind: 'all' }, 2022, ledgers)).toEqual(counted);
        const province = counted[0]!.slice(0, 2);
        expect(await countiesWithRecords(synth.store, { kind: 'prefix', prefix: province }, 2022, ledgers)).toEqual(counted.filter((c) => c.startsWith(province)));
        expect(await countiesWithRecords(synth.store, { kind: 'codes', codes: [counted.at(-1)!, '999999'] }, 2022, ledgers)).toEqual([counted.at(-1)]);
      }
      expect(await countiesWithRecords(synth.store, { kind: 'all' }, 2019)).toEqual([]);
      expect(await countiesWithRecords(synth.store, { kind: 'all' }, 2022, [])).toEqual([]);
    });

    it('reads only what the indicators asked for need, and evaluates them from that alone, with the same counties', async () => {
      const { catalogueFor } = await import('../../src/services/catalogue.ts');
      const { WHOLE_YEAR } = await import('../../src/domain/period.ts');
      const cat = catalogueFor(2022);
      // A county whose only data is a record in a ledger that the indicators below do not read.
      const known = (await prefetch(synth.store, { kind: 'all' }, 2022)).withData;
      const lone = await synth.store.db.selectFrom('org_unit').select('code').where('level', '=', 'county').where('code', 'not in', known).orderBy('code', 'desc').executeTakeFirstOrThrow();
      await createRecord(synth.store, SYSTEM, 'meeting', lone.code, 2022, { type: 'leading_group', date: '2022-05-01', topic: '只有会议记录的县' });
      const full = await prefetch(synth.store, { kind: 'all' }, 2022);
      expect(full.withData).toContain(lone.code);
      let statements = 0;
      const counting: KyselyPlugin = { transformQuery: (a) => { statements++; return a.node; }, transformResult: async (a) => a.result };
      const store = { ...synth.store, db: synth.store.db.withPlugin(counting) };
      await refreshConfig(store);
      for (const ids of [['funds.disbursement_rate'], ['labour.transferred', 'funds.allocated'], cat.indicators.filter((d) => !d.id.startsWith('meetings.')).map((d) => d.id)]) {
        const pre = await prefetch(synth.store, { kind: 'all' }, 2022, cat, WHOLE_YEAR, ids);
        if (ids.length < 3) expect(pre.batch.statements).toBeLessThan(full.batch.statements);
        expect(pre.withData).toEqual(full.withData);
        statements = 0;
        for (const code of pre.withData) {
          const e = new IndicatorEngine(store, code, 2022, { batch: pre });
          const got = await Promise.all(ids.map((id) => e.evaluate(id)));
          expect(statements, `${code} ${ids.join(',')}`).toBe(0);
          const alone = new IndicatorEngine(synth.store, code, 2022);
          expect(got).toEqual(await Promise.all(ids.map((id) => alone.evaluate(id))));
        }
      }
      // What the set-based entry point gives for a few indicators is what each county's own engine gives.
      const rows = await indicatorsForCounties(synth.store, SYSTEM, { unit: '' }, 2022, { ids: ['funds.disbursement_rate'] });
      expect(rows.map((r) => r.code)).toEqual(full.withData);
    });
  });
}

for (const engine of await engines()) {
  describe(`dashboard results kept under the county-year's data version (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => { t = await freshStore(engine); await loadDemo(t.store); }, 120_000);
    afterAll(async () => { await t.dispose(); });

    it('answers a repeated request from the cache and recomputes after a write, also to an earlier year', async () => {
      const { indicatorsAndRules } = await import('../../src/services/indicator-sets.ts');
      const { setReported } = await import('../../src/services/reported.ts');
      const alone = async () => { const e = new IndicatorEngine(t.store, '623023', 2022); return { indicators: await e.all(), rules: await e.rules() }; };
      const a = await indicatorsAndRules(t.store, SYSTEM, '623023', 2022);
      expect(await indicatorsAndRules(t.store, SYSTEM, '623023', 2022)).toBe(a);
      await createRecord(t.store, SYSTEM, 'meeting', '623023', 2022, { type: 'leading_group', date: '2022-12-20', topic: '缓存测试' });
      const b = await indicatorsAndRules(t.store, SYSTEM, '623023', 2022);
      expect(b).not.toBe(a);
      expect(b).toEqual(await alone());
      // A value of the year before feeds this year's change: writing it must not leave the result stale.
      await setReported(t.store, SYSTEM, '623023', 2021, { element: 'edu.undergrad_line_rate', text: '30' });
      const c = await indicatorsAndRules(t.store, SYSTEM, '623023', 2022);
      expect(c).not.toBe(b);
      expect(c).toEqual(await alone());
      expect(c.indicators.find((i) => i.id === 'edu.line_rate_change_1y')!.display).not.toBe(b.indicators.find((i) => i.id === 'edu.line_rate_change_1y')!.display);
    });

    it('recomputes a prefecture and a province when one of their counties changes, from one batch read', async () => {
      const { indicatorsAndRules } = await import('../../src/services/indicator-sets.ts');
      for (const unit of ['6230', '62']) {
        const alone = async () => { const e = new IndicatorEngine(t.store, unit, 2022); return { indicators: await e.all(), rules: await e.rules() }; };
        const a = await indicatorsAndRules(t.store, SYSTEM, unit, 2022);
        expect(a).toEqual(await alone());
        expect(await indicatorsAndRules(t.store, SYSTEM, unit, 2022)).toBe(a);
        await createRecord(t.store, SYSTEM, 'meeting', '623023', 2022, { type: 'leading_group', date: '2022-12-21', topic: `汇总缓存测试 ${unit}` });
        const b = await indicatorsAndRules(t.store, SYSTEM, unit, 2022);
        expect(b).not.toBe(a);
        // Recomputed (not the kept object), and equal to an engine that reads everything afresh.
        expect(b).toEqual(await alone());
      }
    });

    it('after a write to one county reads only that county again, and stays equal to a fresh computation through any write', async () => {
      const { indicatorsAndRules } = await import('../../src/services/indicator-sets.ts');
      const { setReported } = await import('../../src/services/reported.ts');
      const { setTarget } = await import('../../src/services/indicators.ts');
      const { LEDGERS } = await import('../../src/domain/ledgers/declarations.ts');
      const ledgerTables = new Set(LEDGERS.map((l) => l.table));
      // Every statement that reads a ledger table, as its operation tree in text.
      const reads: string[] = [];
      const spying: KyselyPlugin = {
        transformQuery: (a) => {
          const from = (a.node as { from?: { froms?: Array<{ table?: { identifier?: { name?: string } } }> } }).from?.froms?.[0]?.table?.identifier?.name;
          // This year's ledgers (earlier years, which the year-on-year figures read, are not batch-read).
          const text = JSON.stringify(a.node);
          if (from && ledgerTables.has(from) && text.includes('2022')) reads.push(text);
          return a.node;
        },
        transformResult: async (a) => a.result,
      };
      const store = { ...t.store, db: t.store.db.withPlugin(spying) };
      await refreshConfig(store);
      const alone = async () => { const e = new IndicatorEngine(t.store, '62', 2022); return { indicators: await e.all(), rules: await e.rules() }; };
      const meetings = (r: { indicators: Array<{ id: string; exact: unknown }> }) => r.indicators.find((i) => i.id === 'meetings.total')?.exact;
      const first = await indicatorsAndRules(store, SYSTEM, '62', 2022);
      expect(first).toEqual(await alone());
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.every((r) => r.includes('"62"') && r.includes('"63"'))).toBe(true);

      reads.length = 0;
      await setReported(t.store, SYSTEM, '623023', 2022, { element: 'meeting.count', text: '16' });
      const second = await indicatorsAndRules(store, SYSTEM, '62', 2022);
      expect(second).toEqual(await alone());
      expect(meetings(second)).not.toEqual(meetings(first));
      // Only the county written to was read again: no statement covers the province's range or the other county.
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.every((r) => r.includes('"623023"') && !r.includes('"63"') && !r.includes('"623024"'))).toBe(true);

      // Writes to the other county, to the province itself and to an earlier year: always equal to reading everything afresh.
      await createRecord(t.store, SYSTEM, 'meeting', '623024', 2022, { type: 'leading_group', date: '2022-12-23', topic: '另一县' });
      expect(await indicatorsAndRules(store, SYSTEM, '62', 2022)).toEqual(await alone());
      reads.length = 0;
      await setTarget(t.store, SYSTEM, '62', 2022, 'meetings.total', { op: '>=', value: '40' });
      const targeted = await indicatorsAndRules(store, SYSTEM, '62', 2022);
      expect(targeted).toEqual(await alone());
      expect(reads.some((r) => r.includes('"63"'))).toBe(true);
      await setReported(t.store, SYSTEM, '623023', 2021, { element: 'edu.undergrad_line_rate', text: '31' });
      expect(await indicatorsAndRules(store, SYSTEM, '62', 2022)).toEqual(await alone());
    });

    it('after a write evaluates only that county again, also when each request brings its own copy of the period (as the view thread receives it)', async () => {
      const { indicatorsAndRules } = await import('../../src/services/indicator-sets.ts');
      const { setReported } = await import('../../src/services/reported.ts');
      // Which counties' figures are computed, by spying on the engine's computation of one indicator.
      const proto = IndicatorEngine.prototype as unknown as { compute: (...a: unknown[]) => unknown };
      const compute = proto.compute;
      const computed = new Set<string>();
      proto.compute = function (this: { county: string }, ...a: unknown[]) {
        if (this.county.length === 6) computed.add(this.county);
        return compute.apply(this, a);
      };
      // A second county with data under the province, which no write below touches.
      await createRecord(t.store, SYSTEM, 'meeting', '623024', 2022, { type: 'leading_group', date: '2022-04-02', topic: '未改动的县' });
      try {
        for (const [n, copy] of [() => ({ kind: 'year' as const }), () => ({ kind: 'quarter' as const, n: 3 as const })].entries()) {
          await indicatorsAndRules(t.store, SYSTEM, '62', 2022, copy());
          await setReported(t.store, SYSTEM, '623023', 2022, { element: 'meeting.count', text: String(30 + n), asOf: '2022-05-10' });
          computed.clear();
          const after = await indicatorsAndRules(t.store, SYSTEM, '62', 2022, copy());
          expect([...computed]).toEqual(['623023']);
          // The province adds up its prefecture, whose figure keeps the county not written to.
          expect(after.indicators.find((i) => i.id === 'meetings.total')?.trace.some((x) => x.kind === 'indicator' && x.query.id === 'meetings.total@6230')).toBe(true);
          const e = new IndicatorEngine(t.store, '62', 2022, { period: copy() });
          expect(after).toEqual({ indicators: await e.all(), rules: await e.rules() });
        }
      } finally {
        proto.compute = compute;
      }
    });

    it('keeps a bounded number of unit views: the least recently computed one reads everything again', async () => {
      const { indicatorsAndRules, UNIT_VIEWS_KEPT } = await import('../../src/services/indicator-sets.ts');
      const { setReported } = await import('../../src/services/reported.ts');
      const { parsePeriod } = await import('../../src/domain/period.ts');
      const month = (m: number) => { const r = parsePeriod(`M${String(m).padStart(2, '0')}`, {}); if (!r.ok) throw new Error(r.error.en); return r.period; };
      const ranges: boolean[] = [];
      const spying: KyselyPlugin = {
        transformQuery: (a) => { const text = JSON.stringify(a.node); if (text.includes('"meeting"') && text.includes('2022')) ranges.push(text.includes('"63"')); return a.node; },
        transformResult: async (a) => a.result,
      };
      const store = { ...t.store, db: t.store.db.withPlugin(spying) };
      await refreshConfig(store);
      const months = Array.from({ length: UNIT_VIEWS_KEPT + 1 }, (_, i) => month(i + 1));
      for (const m of months) await indicatorsAndRules(store, SYSTEM, '62', 2022, m);
      await setReported(t.store, SYSTEM, '623023', 2022, { element: 'meeting.count', text: '17' });
      ranges.length = 0;
      await indicatorsAndRules(store, SYSTEM, '62', 2022, months.at(-1)!);
      expect(ranges.length).toBeGreaterThan(0);
      expect(ranges.some(Boolean)).toBe(false);
      ranges.length = 0;
      await indicatorsAndRules(store, SYSTEM, '62', 2022, months[0]!);
      expect(ranges.some(Boolean)).toBe(true);
    });
  });
}
