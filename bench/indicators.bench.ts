// How much the indicator engine costs over the bare SQL it needs. For every county of a province it
// computes allocated funds, projects completed and the completion rate through the catalogue
// (parse once, evaluate, aggregate in the database, format), and compares with the bare GROUP BY
// queries that fetch the same figures for all counties at once, measured in the same run.
import { IndicatorEngine } from '../src/services/indicators.ts';
import { migrate, openStore } from '../src/store/db.ts';
import { generateCounties } from './generate.ts';

const time = async (fn: () => Promise<unknown>, reps = 3): Promise<number> => {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
};

export async function run(): Promise<void> {
  const store = openStore({ engine: 'sqlite', file: ':memory:' });
  await migrate(store);
  const provinces = (process.env.BENCH_PROVINCES ?? '62').split(',');
  const counties = await generateCounties(store, provinces, 2022, Number(process.env.BENCH_PROJECTS ?? 40));
  const ids = ['funds.allocated', 'projects.completed', 'projects.completion_rate', 'funds.by_category'];

  const baseline = await time(async () => {
    await store.db.selectFrom('fund_allocation' as never).select(['county_code', 'category'] as never)
      .select((eb) => eb.fn.sum('amount_fen' as never).as('s') as never).groupBy(['county_code', 'category'] as never).execute();
    await store.db.selectFrom('project' as never).select('county_code' as never)
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum(eb.case().when('status' as never, '=', 'completed' as never).then(1).else(0).end()).as('c')] as never)
      .groupBy('county_code' as never).execute();
  });
  const engine = await time(async () => {
    for (const c of counties) {
      const e = new IndicatorEngine(store, c, 2022);
      for (const id of ids) await e.evaluate(id);
    }
  });
  const sample = await new IndicatorEngine(store, counties[0]!, 2022).evaluate('projects.completion_rate');
  console.log(`counties: ${counties.length}, indicators per county: ${ids.length}, sample ${counties[0]} completion rate ${sample.display}`);
  console.log(`baseline (bare GROUP BY over all counties): ${baseline.toFixed(1)} ms`);
  console.log(`indicator engine, county by county:          ${engine.toFixed(1)} ms  = ${(engine / baseline).toFixed(1)}× baseline`);
  console.log(`per county: ${(engine / counties.length).toFixed(2)} ms`);
  await store.close();
}
