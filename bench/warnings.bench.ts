// What the early warnings of a whole province cost. On the synthetic province of bench/generate.ts
// (allocations and projects per county) it adds dated disbursements and project dates, sets
// province targets, and times `computeWarnings` for the province as of mid-year against two
// baselines measured in the same run: the bare GROUP BY queries that fetch the figures to date for
// all counties at once, and the indicator engine computing the same targeted indicators county by county.
import { IndicatorEngine, setTarget } from '../src/services/indicators.ts';
import { SYSTEM } from '../src/services/scope.ts';
import { computeWarnings } from '../src/services/warnings.ts';
import { migrate, openStore } from '../src/store/db.ts';
import { generateCounties, rng } from './generate.ts';

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
  const province = process.env.BENCH_PROVINCE ?? '62';
  const year = 2022;
  const counties = await generateCounties(store, [province], year, Number(process.env.BENCH_PROJECTS ?? 40));
  const rand = rng(7);
  const now = '2026-01-01T00:00:00Z';
  const day = (d: number) => new Date(Date.UTC(year, 0, d)).toISOString().slice(0, 10);
  await store.db.transaction().execute(async (tx) => {
    for (const county of counties) {
      await tx.insertInto('ledger_state').values({ county_code: county, year, ledger: 'fund_disbursement', completeness: 'complete', status: 'draft', comment: null, updated_by: 'bench', updated_at: now }).execute();
      const projects = await tx.selectFrom('project' as never).select(['id', 'name', 'status'] as never).where('county_code' as never, '=', county as never).execute() as Array<{ id: number; name: string; status: string }>;
      for (const p of projects) {
        if (p.status === 'planned') continue;
        const start = 1 + Math.floor(rand() * 200);
        const done = p.status === 'completed' ? Math.min(365, start + 30 + Math.floor(rand() * 150)) : null;
        await tx.updateTable('project' as never).set({ start_date: day(start), completion_date: done ? day(done) : null } as never).where('id' as never, '=', p.id as never).execute();
      }
      const rows = Array.from({ length: 60 }, (_, i) => ({
        county_code: county, year, date: day(1 + Math.floor(rand() * 365)), amount_fen: Math.floor(rand() * 5e7), project: projects[i % projects.length]!.name,
        voucher: `b${i}`, version: 1, created_at: now, updated_at: now,
      }));
      await tx.insertInto('fund_disbursement' as never).values(rows as never).execute();
    }
  });
  const ids = ['funds.disbursement_rate', 'funds.disbursed', 'projects.started', 'projects.completion_rate'];
  const province_ = { ...SYSTEM, role: 'province_user' as const, units: [province] };
  await setTarget(store, province_, province, year, 'funds.disbursement_rate', { op: '>=', value: '90' });
  await setTarget(store, province_, province, year, 'funds.disbursed', { op: '>=', value: '1500' });
  await setTarget(store, province_, province, year, 'projects.started', { op: '>=', value: '35' });
  await setTarget(store, province_, province, year, 'projects.completion_rate', { op: '>=', value: '60' });
  const asOf = `${year}-06-30`;

  const bare = await time(async () => {
    await store.db.selectFrom('fund_disbursement' as never).select('county_code' as never)
      .select((eb) => eb.fn.sum(eb.case().when('date' as never, '<=', asOf as never).then(eb.ref('amount_fen' as never)).else(0).end()).as('s') as never)
      .groupBy('county_code' as never).execute();
    await store.db.selectFrom('fund_allocation' as never).select('county_code' as never).select((eb) => eb.fn.sum('amount_fen' as never).as('s') as never).groupBy('county_code' as never).execute();
    await store.db.selectFrom('project' as never).select('county_code' as never)
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum(eb.case().when('start_date' as never, '<=', asOf as never).then(1).else(0).end()).as('st'),
        eb.fn.sum(eb.case().when('completion_date' as never, '<=', asOf as never).then(1).else(0).end()).as('c')] as never)
      .groupBy('county_code' as never).execute();
  });
  const engine = await time(async () => {
    for (const c of counties) {
      const e = new IndicatorEngine(store, c, year);
      for (const id of ids) await e.evaluate(id);
    }
  });
  let warnings = 0;
  const full = await time(async () => {
    const r = await computeWarnings(store, SYSTEM, province, asOf);
    warnings = r.counties.reduce((a, c) => a + c.warnings.length, 0);
  });
  console.log(`province ${province}: ${counties.length} counties, ${ids.length} targets each, ${warnings} warnings as of ${asOf}`);
  console.log(`baseline A (bare GROUP BY of the figures to date, all counties): ${bare.toFixed(1)} ms`);
  console.log(`baseline B (indicator engine, targeted indicators county by county): ${engine.toFixed(1)} ms`);
  console.log(`warnings for the province (pace, projections, reach dates, all rules): ${full.toFixed(1)} ms = ${(full / bare).toFixed(1)}× A, ${(full / engine).toFixed(2)}× B`);
  console.log(`per county: ${(full / counties.length).toFixed(2)} ms`);
  console.log(`goal: within 3× of baseline B, i.e. the warnings cost no more than a few passes of the indicators the province already computes (${(full / engine).toFixed(2)}×)`);
  await store.close();
}
