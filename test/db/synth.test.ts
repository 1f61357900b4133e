import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { syntheticDataset } from '../../src/services/dataset.ts';
import { buildReport } from '../../src/services/reports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { PARTNER_PROVINCES, synthesize } from '../../src/services/synth.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

for (const engine of await engines()) {
  describe(`synthetic national dataset (${engine})`, () => {
    let a: TestStore;
    let b: TestStore;
    beforeAll(async () => {
      [a, b] = await Promise.all([freshStore(engine), freshStore(engine)]);
      await synthesize(a.store, { counties: 6, year: 2022, seed: 7 });
      await synthesize(b.store, { counties: 6, year: 2022, seed: 7 });
    }, 120_000);
    afterAll(async () => { await a.dispose(); await b.dispose(); });

    const figures = async (t: TestStore) => {
      const codes = (await t.store.db.selectFrom('report_meta').select('county_code').orderBy('county_code').execute()).map((r) => r.county_code);
      const out: Record<string, Array<string | null>> = {};
      for (const c of codes) {
        const e = new IndicatorEngine(t.store, c, 2022);
        out[c] = await Promise.all(['funds.allocated', 'funds.disbursement_rate', 'labour.transferred', 'consumption.sales', 'projects.completion_rate'].map(async (id) => (await e.evaluate(id)).display));
      }
      return out;
    };

    it('gives the same data for the same seed, over real western county codes paired with the assisting province', async () => {
      const fa = await figures(a);
      expect(Object.keys(fa)).toHaveLength(6);
      expect(await figures(b)).toEqual(fa);
      for (const [code, f] of Object.entries(fa)) {
        expect(Object.keys(PARTNER_PROVINCES)).toContain(code.slice(0, 2));
        expect(f.every((x) => x !== null)).toBe(true);
      }
      const pairs = await a.store.db.selectFrom('cooperation_pair').select(['east_code', 'west_code']).execute();
      expect(pairs).toHaveLength(6);
      for (const p of pairs) {
        const spec = PARTNER_PROVINCES[p.west_code.slice(0, 2)]!;
        expect(p.east_code.slice(0, 2)).toBe(spec.by?.[p.west_code.slice(0, 4)] ?? spec.east);
        const unit = await a.store.db.selectFrom('org_unit').select('level').where('code', '=', p.west_code).executeTakeFirst();
        expect(unit?.level).toBe('county');
      }
      // Volumes are in the ranges the generator promises (about 2,000 placements per county on average).
      const n = await a.store.db.selectFrom('labour_placement' as never).select((eb) => eb.fn.countAll().as('n') as never).executeTakeFirst() as { n: number | string };
      expect(Number(n.n) / 6).toBeGreaterThan(400);
      expect(Number(n.n) / 6).toBeLessThan(4000);
    });

    it('is marked synthetic, and a second run or an impossible count writes nothing', async () => {
      expect(await syntheticDataset(a.store)).toEqual({ seed: 7, counties: 6, year: 2022 });
      const before = await a.store.db.selectFrom('report_meta').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      await expect(synthesize(a.store, { counties: 3, year: 2022, seed: 1 })).rejects.toThrow(/already holds data for 2022/);
      await expect(synthesize(a.store, { counties: 5000, year: 2023 })).rejects.toThrow(/only \d+ western counties/);
      const after = await a.store.db.selectFrom('report_meta').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      expect(after).toEqual(before);
    });

    it('says in the first paragraph of every report that the data is synthetic', async () => {
      const county = (await a.store.db.selectFrom('report_meta').select('county_code').orderBy('county_code').executeTakeFirstOrThrow()).county_code;
      const first = (await buildReport(a.store, SYSTEM, county, 2022, { generatedAt: 'T' })).blocks[0]!;
      expect(JSON.stringify(first)).toContain('【合成数据】本报告依据系统生成的合成数据（种子7，6个县）');
    });

    it('gives different data for another seed', async () => {
      const c = await freshStore(engine);
      try {
        await synthesize(c.store, { counties: 6, year: 2022, seed: 8 });
        expect(await figures(c)).not.toEqual(await figures(a));
      } finally {
        await c.dispose();
      }
    }, 120_000);
  });
}
