/**
 * HTTP under load on loopback (autocannon, bounded in time: XIEZUO_BENCH_SECONDS, default 5 s, 10
 * connections, the load generated in its own worker thread so that the server's thread serves only),
 * all with an API token:
 *   health     — GET /api/health, the framework's ceiling (baseline of the same run);
 *   dashboard  — GET /api/dashboard/{county}/{year} on the demo county (indicators and rules, one engine),
 *                plain and as a browser asks for it (accept-encoding: br, gzip; the kept text's compressed bytes);
 *   province   — GET /api/indicators/{province}/{year} on the synthetic dataset, for the province the
 *                server computes ahead first (the one with most counties): the first request after
 *                a start without views computed ahead (XIEZUO_WARM_VIEWS=0: the roll-up computed, its
 *                counties batch-read) and after a start that computed them, each timed alone; then under load (kept
 *                under the data version until something under the province changes), and the request
 *                after each of five writes to one of its counties;
 *   probe      — GET /api/health latency while GET /api/overview/{year} computes the national
 *                ranking of the synthetic dataset (XIEZUO_BENCH_COUNTIES, default 900) in its worker.
 * The server is the product's modules as `npm start` loads them (bench/product.mjs).
 * Run: npm run bench -- api
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import type { Store } from '../src/store/db.ts';
import { measuredCode, productModule } from './product.mjs';
import { scaleDataset } from './scale.bench.ts';

const [{ buildApp }, { viewsComputedAhead }, { createApiToken, createUser }, { loadDemo }, { migrate, openStore }] = await Promise.all([
  productModule<typeof import('../src/server/app.ts')>('server/app'),
  productModule<typeof import('../src/server/routes/indicators.ts')>('server/routes/indicators'),
  productModule<typeof import('../src/services/accounts.ts')>('services/accounts'),
  productModule<typeof import('../src/services/demo.ts')>('services/demo'),
  productModule<typeof import('../src/store/db.ts')>('store/db'),
]);

process.env.XIEZUO_SECRET ??= 'bench-secret';
const seconds = Number(process.env.XIEZUO_BENCH_SECONDS ?? 5);
/** A load run against one URL: 10 connections from one worker thread. */
const load = (url: string, headers: Record<string, string>, duration = seconds) => autocannon({ url, connections: 10, duration, headers, workers: 1 });

async function serve(store: Store, dir: string) {
  await createUser(store, { username: 'bench', displayName: 'bench', password: 'correct horse battery', role: 'admin', units: [] }).catch(() => undefined);
  const token = (await createApiToken(store, 'bench', `bench ${Date.now()}`)).token;
  const app = await buildApp({ store, dataDir: dir }, { logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, headers: { authorization: `Bearer ${token}` } };
}

/** What the server just started computes ahead, once computed (the hook that starts it runs right after listening). */
async function computedAhead(store: Store) {
  for (let i = 0; i < 100; i++) {
    const w = viewsComputedAhead(store);
    if (w) return w;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the server did not start computing views ahead');
}

const line = (name: string, r: Result, base?: Result) =>
  `${name.padEnd(11)} ${String(Math.round(r.requests.average)).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   max ${String(r.latency.max).padStart(5)} ms${r.non2xx ? `   non-2xx ${r.non2xx}` : ''}${base ? `   ${(r.requests.average / base.requests.average).toFixed(3)}× the trivial route` : ''}\n`;

export async function run(): Promise<void> {
  const log = (s: string) => process.stdout.write(s);
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-bench-api-'));
  const out: Record<string, unknown> = {};
  try {
    const demo = openStore({ engine: 'sqlite', file: join(dir, 'demo.sqlite') });
    await migrate(demo);
    await loadDemo(demo);
    const s = await serve(demo, dir);
    const health = await load(`${s.url}/api/health`, s.headers);
    const dash = await load(`${s.url}/api/dashboard/623023/2022`, s.headers);
    // As a browser asks: Brotli (quality 5), compressed once and the bytes kept with the answer's text.
    const dashBr = await load(`${s.url}/api/dashboard/623023/2022`, { ...s.headers, 'accept-encoding': 'br, gzip' });
    log(`loopback, ${seconds} s each, 10 connections, demo database (SQLite file); server: ${measuredCode}\n`);
    log(line('health', health));
    log(line('dashboard', dash, health));
    log(line('  br', dashBr, health));
    await s.app.close();
    await demo.close();
    out.health_rps = Math.round(health.requests.average);
    out.dashboard_rps = Math.round(dash.requests.average);
    out.dashboard_p99_ms = dash.latency.p99;
    out.dashboard_br_rps = Math.round(dashBr.requests.average);
    out.dashboard_br_p99_ms = dashBr.latency.p99;

    const n = Number(process.env.XIEZUO_BENCH_COUNTIES ?? 900);
    // The dataset is made (once) through the sources; the server opens it as the product does.
    const made = await scaleDataset(n, log);
    await made.store.close();
    const store = openStore({ engine: 'sqlite', file: made.file });
    await migrate(store);
    const timedGet = async (url: string, headers: Record<string, string>) => {
      const t = performance.now();
      const r = await fetch(url, { headers });
      await r.arrayBuffer();
      return { ms: performance.now() - t, status: r.status };
    };
    // A start as `npm start` makes it: the national ranking and the largest provinces' views computed ahead in the view thread.
    const w0 = performance.now();
    const big = await serve(store, dir);
    const ahead = await computedAhead(store);
    const aheadMs = performance.now() - w0;
    const province = ahead.units[0];
    if (!province) throw new Error('the server computed no province view ahead');
    const warmFirst = await timedGet(`${big.url}/api/indicators/${province}/2022`, big.headers);
    const rankingFirst = await timedGet(`${big.url}/api/overview/2022`, big.headers);
    await big.app.close();
    // A start that computes nothing ahead: the first request reads and evaluates every county of the province.
    process.env.XIEZUO_WARM_VIEWS = '0';
    const cold = await serve(store, dir);
    await computedAhead(store);
    delete process.env.XIEZUO_WARM_VIEWS;
    const coldFirst = await timedGet(`${cold.url}/api/indicators/${province}/2022`, cold.headers);
    log(`province   GET /api/indicators/${province}/2022, first request after the server starts: ${coldFirst.ms.toFixed(0)} ms computing nothing ahead (HTTP ${coldFirst.status}; every county read and evaluated), `
      + `${warmFirst.ms.toFixed(1)} ms after the views were computed ahead (HTTP ${warmFirst.status}; ${(warmFirst.ms / coldFirst.ms).toFixed(3)}×; ${ahead.units.join(', ')} computed in ${(aheadMs / 1000).toFixed(1)} s from the start)\n`);
    const prov = await load(`${cold.url}/api/indicators/${province}/2022`, cold.headers);
    log(line('  repeated', prov));
    out.province_first_ms = Math.round(coldFirst.ms);
    out.province_first_computed_ahead_ms = Number(warmFirst.ms.toFixed(1));
    out.views_ahead_s = Number((aheadMs / 1000).toFixed(1));
    out.province_rps = Math.round(prov.requests.average);
    out.province_p99_ms = prov.latency.p99;
    // After a write to one county under the province (a figure stated over HTTP): the next request.
    const county = (await store.db.selectFrom('report_meta').select('county_code').where('county_code', '>=', province).where('county_code', '<', String(Number(province) + 1))
      .orderBy('county_code').executeTakeFirstOrThrow()).county_code;
    const after: number[] = [];
    for (let i = 0; i < 5; i++) {
      // The synthetic ledgers are approved (locked), so the write is a figure the county states as of a day.
      const w = await fetch(`${cold.url}/api/reported/${county}/2022/meeting.count`, { method: 'PUT', headers: { ...cold.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ text: String(20 + i), asOf: `2022-0${String(i + 1)}-15` }) });
      await w.arrayBuffer();
      if (w.status !== 200) throw new Error(`stating a figure answered HTTP ${w.status}`);
      const t = performance.now();
      const r = await fetch(`${cold.url}/api/indicators/${province}/2022`, { headers: cold.headers });
      await r.arrayBuffer();
      after.push(performance.now() - t);
    }
    after.sort((a, b) => a - b);
    log(`  after a write to one of its counties (${county}), 5 times: median ${after[2]!.toFixed(0)} ms, max ${after[4]!.toFixed(0)} ms (only that county read and evaluated again)\n`);
    out.province_after_write_ms = Math.round(after[2]!);
    out.province_after_write_max_ms = Math.round(after[4]!);
    const idle = await autocannon({ url: `${cold.url}/api/health`, connections: 2, duration: 2, headers: cold.headers });
    const t0 = performance.now();
    let overviewMs = 0;
    const overview = fetch(`${cold.url}/api/overview/2022`, { headers: cold.headers }).then(async (r) => { await r.arrayBuffer(); overviewMs = performance.now() - t0; return r.status; });
    // Probe for as long as the national ranking takes (at most two minutes).
    const probes: number[] = [];
    let status = 0;
    void overview.then((st) => { status = st; });
    while (!status && performance.now() - t0 < 120_000) {
      const p0 = performance.now();
      await fetch(`${cold.url}/api/health`).then((r) => r.arrayBuffer());
      probes.push(performance.now() - p0);
      await new Promise((r) => setTimeout(r, 20));
    }
    await overview;
    probes.sort((a, b) => a - b);
    const pct = (q: number) => probes[Math.min(probes.length - 1, Math.floor(q * probes.length))]!;
    log(`probe      health while the national ranking of ${n} counties ran (${(overviewMs / 1000).toFixed(1)} s, HTTP ${status}): ${probes.length} probes, p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${probes.at(-1)!.toFixed(1)} ms; idle baseline p99 ${idle.latency.p99} ms\n`);
    const t1 = performance.now();
    await fetch(`${cold.url}/api/overview/2022`, { headers: cold.headers }).then((r) => r.arrayBuffer());
    log(`overview   again, unchanged data (cached under the data version): ${(performance.now() - t1).toFixed(0)} ms\n`);
    // The ranking after a write to one county: the thread kept every county's figures and evaluates that county again.
    const rankedAfter: number[] = [];
    for (let i = 0; i < 5; i++) {
      const w = await fetch(`${cold.url}/api/reported/${county}/2022/meeting.count`, { method: 'PUT', headers: { ...cold.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ text: String(40 + i), asOf: `2022-${String(i + 6).padStart(2, '0')}-15` }) });
      const said = await w.text();
      if (w.status !== 200) throw new Error(`stating a figure answered HTTP ${w.status}: ${said}`);
      rankedAfter.push((await timedGet(`${cold.url}/api/overview/2022`, cold.headers)).ms);
    }
    rankedAfter.sort((a, b) => a - b);
    log(`  after a write to one county (${county}), 5 times: median ${rankedAfter[2]!.toFixed(0)} ms, max ${rankedAfter[4]!.toFixed(0)} ms (${(rankedAfter[2]! / overviewMs).toFixed(3)}× the whole computation above); `
      + `first request after a start that computed it ahead: ${rankingFirst.ms.toFixed(1)} ms (HTTP ${rankingFirst.status})\n`);
    out.overview_after_write_ms = Math.round(rankedAfter[2]!);
    out.overview_after_write_max_ms = Math.round(rankedAfter[4]!);
    out.overview_first_computed_ahead_ms = Number(rankingFirst.ms.toFixed(1));
    // Counties ranked by one indicator (the largest ledger's): the first time reads only that ledger for every county.
    const byIndicator = `${cold.url}/api/rankings/2022/labour.transferred`;
    const rankFirst = await timedGet(byIndicator, cold.headers);
    const rankAgain = await timedGet(byIndicator, cold.headers);
    const w = await fetch(`${cold.url}/api/reported/${county}/2022/meeting.count`, { method: 'PUT', headers: { ...cold.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: '50', asOf: '2022-11-15' }) });
    const said = await w.text();
    if (w.status !== 200) throw new Error(`stating a figure answered HTTP ${w.status}: ${said}`);
    const rankAfter = await timedGet(byIndicator, cold.headers);
    log(`ranking    GET /api/rankings/2022/labour.transferred (${n} counties by one indicator): first ${rankFirst.ms.toFixed(0)} ms (HTTP ${rankFirst.status}), again ${rankAgain.ms.toFixed(1)} ms, `
      + `after a write to one county ${rankAfter.ms.toFixed(0)} ms (HTTP ${rankAfter.status})\n`);
    out.ranking_first_ms = Math.round(rankFirst.ms);
    out.ranking_again_ms = Number(rankAgain.ms.toFixed(1));
    out.ranking_after_write_ms = Math.round(rankAfter.ms);
    out.overview_ms = Math.round(overviewMs);
    out.probe_p99_ms = Number(pct(0.99).toFixed(1));
    out.probe_max_ms = Number(probes.at(-1)!.toFixed(1));
    await cold.app.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(`${JSON.stringify(out)}\n`);
}
