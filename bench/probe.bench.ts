/**
 * Does heavy work slow other users? A health probe (GET /api/health over loopback, one at a time,
 * every 10 ms) is timed on the demo database (SQLite file):
 *   alone    — nothing else running: the baseline of the same run;
 *   word     — while XIEZUO_BENCH_DOWNLOADS (default 10) clients download the Word report over and
 *              over for XIEZUO_BENCH_SECONDS (default 5), rendered in report threads (as the server
 *              does) and, for comparison, with XIEZUO_REPORT_THREADS=0 on the server's own thread;
 *   import   — while the server imports XIEZUO_BENCH_IMPORT_ROWS (default 100,000) labour placements
 *              into the demo county-year (which holds records) in its import thread.
 * Figures are printed as ratios against the probe alone; nothing here is a pass/fail threshold.
 * Run: npm run bench -- probe
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/server/app.ts';
import { createApiToken, createUser } from '../src/services/accounts.ts';
import { loadDemo } from '../src/services/demo.ts';
import { importFiles } from '../src/services/imports.ts';
import { SYSTEM } from '../src/services/scope.ts';
import { reportThreads } from '../src/services/report-threads.ts';
import { migrate, openStore, type Store } from '../src/store/db.ts';
import { stopImportThreads } from '../src/excel/import-thread.ts';
import { writePlacementsCsv } from './placements.ts';

process.env.XIEZUO_SECRET ??= 'bench-secret';
const seconds = Number(process.env.XIEZUO_BENCH_SECONDS ?? 5);
const downloads = Number(process.env.XIEZUO_BENCH_DOWNLOADS ?? 10);
const importRows = Number(process.env.XIEZUO_BENCH_IMPORT_ROWS ?? 100_000);

interface Probe { probes: number; p50: number; p99: number; max: number }

/** Probes /api/health one request at a time, every 10 ms, until `until` settles. */
async function probeWhile(url: string, until: Promise<unknown>): Promise<Probe> {
  let done = false;
  void until.finally(() => { done = true; });
  const lat: number[] = [];
  while (!done) {
    const t = performance.now();
    const r = await fetch(`${url}/api/health`);
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`health probe answered ${r.status}`);
    lat.push(performance.now() - t);
    await new Promise((res) => setTimeout(res, 10));
  }
  await until;
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  return { probes: lat.length, p50: q(0.5), p99: q(0.99), max: lat.at(-1)! };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serve(store: Store, dir: string) {
  const token = (await createApiToken(store, 'bench', `bench ${Date.now()} ${Math.random()}`)).token;
  const app = await buildApp({ store, dataDir: dir }, { logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, headers: { authorization: `Bearer ${token}` } };
}

/** `clients` loops downloading the Word report for `ms`; returns the downloads' latencies. */
async function downloadLoad(url: string, headers: Record<string, string>, clients: number, ms: number): Promise<number[]> {
  const end = performance.now() + ms;
  const took: number[] = [];
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const r = await fetch(`${url}/api/reports/623023/2022?format=docx`, { headers });
      const body = await r.arrayBuffer();
      if (!r.ok || body.byteLength < 1000) throw new Error(`download answered ${r.status}`);
      took.push(performance.now() - t);
    }
  }));
  return took.sort((a, b) => a - b);
}

const f1 = (n: number) => n.toFixed(1).padStart(7);
const row = (name: string, p: Probe, base: Probe, extra = '') =>
  `${name.padEnd(30)} ${String(p.probes).padStart(6)} ${f1(p.p50)} ${f1(p.p99)} ${f1(p.max)}   ${(p.p50 / base.p50).toFixed(2).padStart(6)}× ${(p.p99 / base.p99).toFixed(2).padStart(6)}×${extra}\n`;

export async function run(): Promise<void> {
  const log = (s: string) => process.stdout.write(s);
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-bench-probe-'));
  const out: Record<string, number> = {};
  try {
    const store = openStore({ engine: 'sqlite', file: join(dir, 'demo.sqlite') });
    await migrate(store);
    await loadDemo(store);
    await createUser(store, { username: 'bench', displayName: 'bench', password: 'correct horse battery', role: 'admin', units: [] });

    const threaded = await serve(store, dir);
    // One download first: loads the Word writer and starts a report thread, as any first download would.
    await downloadLoad(threaded.url, threaded.headers, 1, 1);
    const alone = await probeWhile(threaded.url, sleep(3000));
    log(`health probe (one request at a time, every 10 ms), demo database (SQLite file); ${downloads} downloaders for ${seconds} s; report threads: ${reportThreads()}\n`);
    log(`${'while'.padEnd(30)} probes  p50 ms  p99 ms  max ms   p50/alone p99/alone\n`);
    log(row('nothing else (baseline)', alone, alone));

    const t1 = downloadLoad(threaded.url, threaded.headers, downloads, seconds * 1000);
    const word = await probeWhile(threaded.url, t1);
    const took = await t1;
    log(row(`${downloads} Word downloads, threads`, word, alone, `   ${took.length} downloads, p50 ${Math.round(took[Math.floor(took.length / 2)]!)} ms each`));
    await threaded.app.close();

    process.env.XIEZUO_REPORT_THREADS = '0';
    const inline = await serve(store, dir);
    delete process.env.XIEZUO_REPORT_THREADS;
    const t2 = downloadLoad(inline.url, inline.headers, downloads, seconds * 1000);
    const same = await probeWhile(inline.url, t2);
    const took2 = await t2;
    log(row(`${downloads} Word downloads, no threads`, same, alone, `   ${took2.length} downloads, p50 ${Math.round(took2[Math.floor(took2.length / 2)]!)} ms each`));
    await inline.app.close();

    const csv = join(dir, 'placements.csv');
    await writePlacementsCsv(csv, importRows);
    const server = await serve(store, dir);
    const t0 = performance.now();
    const imported = importFiles(store, SYSTEM, [{ path: csv }], { county: '623023', year: 2022, thread: true });
    const during = await probeWhile(server.url, imported);
    const r = await imported;
    if (!r.committed) throw new Error(`import failed: ${JSON.stringify(r.errors.slice(0, 3))}`);
    log(row(`import of ${importRows} rows, thread`, during, alone, `   import ${((performance.now() - t0) / 1000).toFixed(1)} s`));
    await server.app.close();
    await stopImportThreads();
    await store.close();

    Object.assign(out, {
      alone_p50_ms: +alone.p50.toFixed(1), alone_p99_ms: +alone.p99.toFixed(1),
      word_threads_p50_ratio: +(word.p50 / alone.p50).toFixed(2), word_threads_p99_ratio: +(word.p99 / alone.p99).toFixed(2),
      word_inline_p50_ratio: +(same.p50 / alone.p50).toFixed(2), word_inline_p99_ratio: +(same.p99 / alone.p99).toFixed(2),
      import_p50_ratio: +(during.p50 / alone.p50).toFixed(2), import_p99_ratio: +(during.p99 / alone.p99).toFixed(2),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(`${JSON.stringify(out)}\n`);
}
