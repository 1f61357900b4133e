/**
 * Every county's Word report (with its sources annex) of a synthetic national dataset as one zip,
 * N = XIEZUO_BENCH_COUNTIES counties (default 100; the real target is 900 in under a minute),
 * measured in the same run as:
 *   job        — the zip job of the server and `xiezuo report --all`: reports rendered in the report
 *                threads (XIEZUO_REPORT_THREADS, default here: every core), the zip streamed to a file;
 *                the event loop's worst delay while it runs shows the rendering stays off it;
 *   sequential — the baseline: the same reports one after another on this thread, the Word report and
 *                its annex each from its own report model (as the command line did before), for a
 *                sample of 20 counties spread over the set, extrapolated to N.
 * The dataset is the one of `scale.bench.ts` (generated once, reused). Ends with one JSON line.
 * Run: npm run bench -- report-jobs
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { refreshConfig } from '../src/services/config.ts';
import { ReportJobs } from '../src/services/report-jobs.ts';
import { renderReportHere, ReportPool } from '../src/services/report-threads.ts';
import { SYSTEM } from '../src/services/scope.ts';
import { countiesWithData } from '../src/store/batch-aggregate.ts';
import { scaleDataset } from './scale.bench.ts';

const YEAR = 2022;
const SAMPLE = 20;

export async function run(): Promise<void> {
  const log = (s: string) => process.stdout.write(s);
  const n = Number(process.env.XIEZUO_BENCH_COUNTIES ?? 100);
  const threads = Number(process.env.XIEZUO_REPORT_THREADS ?? availableParallelism());
  const { store } = await scaleDataset(n, log);
  await refreshConfig(store);
  const all = await countiesWithData(store, { kind: 'all' }, YEAR);
  log(`${all.length} counties with data, ${availableParallelism()} cores, ${threads} report threads\n`);

  // Baseline first, on a cold process like the old command line: Word report, then annex, each its own model.
  const sample = Array.from({ length: Math.min(SAMPLE, all.length) }, (_, i) => all[Math.floor((i * all.length) / Math.min(SAMPLE, all.length))]!);
  await renderReportHere(store, { actor: SYSTEM, unit: sample[0]!, year: YEAR, kind: 'docx' }); // loads the renderers
  const t0 = performance.now();
  for (const code of sample) {
    await renderReportHere(store, { actor: SYSTEM, unit: code, year: YEAR, kind: 'docx', appendix: 'none' });
    await renderReportHere(store, { actor: SYSTEM, unit: code, year: YEAR, kind: 'annex' });
  }
  const seqPer = (performance.now() - t0) / sample.length;
  log(`sequential, one thread: ${seqPer.toFixed(0)} ms per county over ${sample.length} → ${((seqPer * all.length) / 1000).toFixed(1)} s for ${all.length} (extrapolated)\n`);

  const pool = new ReportPool(store.config, threads);
  const jobs = new ReportJobs(store, pool, { perServer: 1, perUser: 1, keepMs: Infinity });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    const t1 = performance.now();
    loop.enable();
    let shown = 0;
    const job = await jobs.start(SYSTEM, { unit: '', year: YEAR, format: 'docx', appendix: 'annex' }, (j) => {
      if (j.done - shown >= Math.max(1, Math.floor(j.total / 10)) || j.done === j.total) {
        shown = j.done;
        log(`  [${j.done}/${j.total}] about ${j.etaSeconds} s left\n`);
      }
    });
    const done = await jobs.wait(SYSTEM, job.id);
    loop.disable();
    const total = (performance.now() - t1) / 1000;
    if (done.state !== 'done') throw new Error(`the zip job ended ${done.state}: ${done.error?.en ?? ''}`);
    const bytes = statSync(jobs.zip(SYSTEM, done.id).path).size;
    const per = (total * 1000) / done.total;
    const worst = loop.max / 1e6;
    log(`zip job, ${threads} threads: ${total.toFixed(1)} s for ${done.total} counties (${per.toFixed(0)} ms per county, ${done.failures.length} failed), zip ${(bytes / 1024 / 1024).toFixed(1)} MB\n`);
    log(`  event loop while it ran: p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, worst ${worst.toFixed(0)} ms\n`);
    log(`  ${(seqPer / per).toFixed(2)}× the sequential pace; 900 counties at this pace: ${((per * 900) / 1000).toFixed(0)} s\n`);
    console.log(JSON.stringify({
      bench: 'report-jobs', counties: done.total, cores: availableParallelism(), threads, total_s: Number(total.toFixed(2)), per_county_ms: Math.round(per),
      sequential_per_county_ms: Math.round(seqPer), sequential_sample: sample.length, sequential_extrapolated_s: Number(((seqPer * done.total) / 1000).toFixed(1)),
      speedup: Number((seqPer / per).toFixed(2)), projected_900_s: Math.round((per * 900) / 1000), failed: done.failures.length, zip_bytes: bytes,
      loop_p99_ms: Math.round(loop.percentile(99) / 1e6), loop_max_ms: Math.round(worst),
    }));
  } finally {
    await jobs.close();
    await pool.close();
    await store.close();
  }
}
