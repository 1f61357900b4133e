/**
 * What the early warnings of a whole province cost, on the synthetic national dataset
 * (`xiezuo synth --counties N --year 2022 --seed 1`, N = XIEZUO_BENCH_COUNTIES, default 900: dated
 * disbursements, project starts and completions, placements, sales, exchanges, and six province
 * targets). The dataset is generated once into XIEZUO_BENCH_WARNINGS_DB (default: the temp folder)
 * and reused. The province is BENCH_PROVINCE, by default the one with the most counties in it.
 * `computeWarnings` for the province as of three days of the year is timed against two baselines
 * measured in the same run:
 *   A scan       — one plain GROUP BY per ledger the targets read, over the province's records:
 *                  count and count to date per county (reading the records once, nothing else);
 *   B indicators — the set-based engine computing the targeted indicators for every county of the
 *                  province (what the province's indicator view already costs).
 * With XIEZUO_BENCH_PG=1 the same is repeated on PostgreSQL, the province's counties copied there.
 * Ends with one JSON line. Run: npm run bench -- warnings
 */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { syntheticDataset } from '../src/services/dataset.ts';
import { prefetch } from '../src/services/indicator-sets.ts';
import { IndicatorEngine } from '../src/services/indicators.ts';
import { SYSTEM } from '../src/services/scope.ts';
import { synthesize } from '../src/services/synth.ts';
import { computeWarnings } from '../src/services/warnings.ts';
import { migrate, openStore, type Store } from '../src/store/db.ts';
import { pgCopy } from './scale.bench.ts';

process.env.XIEZUO_SECRET ??= 'bench-secret';
const YEAR = 2022;

const best = async (fn: () => Promise<unknown>, reps = 2): Promise<number> => {
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
};

/** The synthetic national dataset of `n` counties in a file of this benchmark's own, generated once. */
async function dataset(n: number): Promise<{ file: string; store: Store }> {
  const file = process.env.XIEZUO_BENCH_WARNINGS_DB ?? join(tmpdir(), `xiezuo-bench-warnings-${n}.sqlite`);
  if (existsSync(file)) {
    const store = openStore({ engine: 'sqlite', file });
    await migrate(store);
    const mark = await syntheticDataset(store);
    if (mark?.counties === n && mark.year === YEAR) return { file, store };
    await store.close();
    for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
  }
  const store = openStore({ engine: 'sqlite', file });
  await migrate(store);
  console.log(`generating ${n} synthetic counties into ${file} (once)…`);
  const r = await synthesize(store, { counties: n, year: YEAR, seed: 1 });
  console.log(`  ${r.rows.toLocaleString('en')} rows in ${r.seconds.toFixed(0)} s`);
  return { file, store };
}

/** The ledgers the synthetic targets read, with the date that places their records (warnings.yaml). */
const LEDGERS: Array<[table: string, date: string | null]> = [
  ['fund_disbursement', 'date'], ['fund_allocation', null], ['project', 'start_date'], ['labour_placement', 'start_date'],
  ['consumption_sale', 'date'], ['talent_exchange', 'start_date'], ['enterprise', 'signed_date'],
];

interface Figures { engine: string; counties: number; records: number; scanMs: number; indicatorsMs: number; warnings: Record<string, { ms: number; warnings: number; vsScan: number; vsIndicators: number }> }

/** Baselines A and B, then the warnings as of each day, on one store holding the province. */
async function measure(store: Store, engine: string, province: string): Promise<Figures> {
  const counties = (await store.db.selectFrom('ledger_state').select('county_code').distinct().where('year', '=', YEAR).where('county_code', 'like', `${province}%`).execute()).length;
  const records = Number((await sql<{ n: unknown }>`select ${sql.raw(LEDGERS.map(([t]) => `(select count(*) from ${t} where county_code like '${province}%' and year = ${YEAR})`).join(' + '))} as n`.execute(store.db)).rows[0]!.n);
  const targets = (await store.db.selectFrom('target').select('indicator').where('org_code', '=', province).where('year', '=', YEAR).execute()).map((t) => t.indicator);
  const days = [`${YEAR}-03-31`, `${YEAR}-06-30`, `${YEAR}-09-30`];
  const scan = async (asOf: string) => {
    for (const [table, date] of LEDGERS) {
      const toDate = date ? sql`sum(case when ${sql.ref(date)} <= ${asOf} then 1 else 0 end)` : sql`count(*)`;
      await sql`select county_code, count(*) as n, ${toDate} as d from ${sql.table(table)} where county_code like ${`${province}%`} and year = ${YEAR} group by county_code`.execute(store.db);
    }
  };
  const indicators = async () => {
    const pre = await prefetch(store, { kind: 'prefix', prefix: province }, YEAR);
    for (const c of pre.withData) {
      const e = new IndicatorEngine(store, c, YEAR, { batch: pre });
      for (const id of targets) await e.evaluate(id);
    }
  };
  const a = await best(() => scan(days[1]!));
  const b = await best(indicators);
  console.log(`${engine}, province ${province}: ${counties} counties, ${records.toLocaleString('en')} records in the ledgers the targets read, ${targets.length} targets`);
  console.log(`  baseline A (plain GROUP BY scan of those ledgers, count to date per county): ${a.toFixed(0)} ms`);
  console.log(`  baseline B (set-based indicator engine, the ${targets.length} targeted indicators for every county): ${b.toFixed(0)} ms`);
  const out: Figures['warnings'] = {};
  for (const asOf of days) {
    let warnings = 0;
    const ms = await best(async () => {
      const r = await computeWarnings(store, SYSTEM, province, asOf);
      warnings = r.counties.reduce((x, c) => x + c.warnings.length, 0);
    });
    out[asOf] = { ms: Math.round(ms), warnings, vsScan: Number((ms / a).toFixed(1)), vsIndicators: Number((ms / b).toFixed(2)) };
    console.log(`  warnings as of ${asOf} (pace, projections, reach dates, all rules): ${ms.toFixed(0)} ms = ${(ms / a).toFixed(1)}× A, ${(ms / b).toFixed(2)}× B; ${warnings} warnings, ${(ms / counties).toFixed(1)} ms per county`);
  }
  return { engine, counties, records, scanMs: Math.round(a), indicatorsMs: Math.round(b), warnings: out };
}

export async function run(): Promise<void> {
  const n = Number(process.env.XIEZUO_BENCH_COUNTIES ?? 900);
  const { file, store } = await dataset(n);
  const sizes = await store.db.selectFrom('ledger_state').select(sql<string>`substr(county_code, 1, 2)`.as('p')).select((eb) => eb.fn.count(sql`distinct county_code`).as('n'))
    .where('year', '=', YEAR).groupBy(sql`substr(county_code, 1, 2)`).execute();
  const province = process.env.BENCH_PROVINCE ?? [...sizes].sort((a, b) => Number(b.n) - Number(a.n))[0]!.p;
  const figures = [await measure(store, 'sqlite', province)];
  if (process.env.XIEZUO_BENCH_PG === '1') {
    const codes = (await store.db.selectFrom('ledger_state').select('county_code').distinct().where('year', '=', YEAR).where('county_code', 'like', `${province}%`).execute()).map((r) => r.county_code);
    console.log(`PostgreSQL: copying the ${codes.length} counties of ${province}…`);
    const pg = await pgCopy(file, codes, (s) => process.stdout.write(s));
    try { figures.push(await measure(pg.store, 'postgres', province)); } finally { await pg.drop(); }
  }
  console.log('goal: within 3× of baseline B — the warnings cost no more than a few passes of the indicators the province already computes');
  console.log(JSON.stringify({ bench: 'warnings', datasetCounties: n, province, figures }));
  await store.close();
}
