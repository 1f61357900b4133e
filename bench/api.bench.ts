/**
 * HTTP under load on loopback (autocannon, bounded in time: XIEZUO_BENCH_SECONDS, default 5 s, 10
 * connections, the load generated in its own worker thread so that the server's thread serves only),
 * all with an API token:
 *   health     — GET /api/health, the framework's ceiling (baseline of the same run);
 *   dashboard  — GET /api/dashboard/{county}/{year} on the demo county (indicators and rules, one engine);
 *   province   — GET /api/indicators/{province}/{year} on the synthetic dataset: the first request
 *                (the roll-up computed, its counties batch-read) timed alone, then under load (kept
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

const [{ buildApp }, { createApiToken, createUser }, { loadDemo }, { migrate, openStore }] = await Promise.all([
  productModule<typeof import('../src/server/app.ts')>('server/app'),
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
    log(`loopback, ${seconds} s each, 10 connections, demo database (SQLite file); server: ${measuredCode}\n`);
    log(line('health', health));
    log(line('dashboard', dash, health));
    await s.app.close();
    await demo.close();
    out.health_rps = Math.round(health.requests.average);
    out.dashboard_rps = Math.round(dash.requests.average);
    out.dashboard_p99_ms = dash.latency.p99;

    const n = Number(process.env.XIEZUO_BENCH_COUNTIES ?? 900);
    // The dataset is made (once) through the sources; the server opens it as the product does.
    const made = await scaleDataset(n, log);
    await made.store.close();
    const store = openStore({ engine: 'sqlite', file: made.file });
    await migrate(store);
    const province = (await store.db.selectFrom('report_meta').select('county_code').orderBy('county_code').executeTakeFirstOrThrow()).county_code.slice(0, 2);
    const big = await serve(store, dir);
    const p0 = performance.now();
    const first = await fetch(`${big.url}/api/indicators/${province}/2022`, { headers: big.headers });
    await first.arrayBuffer();
    const firstMs = performance.now() - p0;
    const prov = await load(`${big.url}/api/indicators/${province}/2022`, big.headers);
    log(`province   GET /api/indicators/${province}/2022: first request ${firstMs.toFixed(0)} ms (HTTP ${first.status}; roll-up computed, counties batch-read)\n`);
    log(line('  repeated', prov));
    out.province_first_ms = Math.round(firstMs);
    out.province_rps = Math.round(prov.requests.average);
    out.province_p99_ms = prov.latency.p99;
    // After a write to one county under the province (a figure stated over HTTP): the next request.
    const county = (await store.db.selectFrom('report_meta').select('county_code').where('county_code', '>=', province).where('county_code', '<', String(Number(province) + 1))
      .orderBy('county_code').executeTakeFirstOrThrow()).county_code;
    const after: number[] = [];
    for (let i = 0; i < 5; i++) {
      // The synthetic ledgers are approved (locked), so the write is a figure the county states as of a day.
      const w = await fetch(`${big.url}/api/reported/${county}/2022/meeting.count`, { method: 'PUT', headers: { ...big.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ text: String(20 + i), asOf: `2022-0${String(i + 1)}-15` }) });
      await w.arrayBuffer();
      if (w.status !== 200) throw new Error(`stating a figure answered HTTP ${w.status}`);
      const t = performance.now();
      const r = await fetch(`${big.url}/api/indicators/${province}/2022`, { headers: big.headers });
      await r.arrayBuffer();
      after.push(performance.now() - t);
    }
    after.sort((a, b) => a - b);
    log(`  after a write to one of its counties (${county}), 5 times: median ${after[2]!.toFixed(0)} ms, max ${after[4]!.toFixed(0)} ms (only that county read and evaluated again)\n`);
    out.province_after_write_ms = Math.round(after[2]!);
    out.province_after_write_max_ms = Math.round(after[4]!);
    const idle = await autocannon({ url: `${big.url}/api/health`, connections: 2, duration: 2, headers: big.headers });
    const t0 = performance.now();
    let overviewMs = 0;
    const overview = fetch(`${big.url}/api/overview/2022`, { headers: big.headers }).then(async (r) => { await r.arrayBuffer(); overviewMs = performance.now() - t0; return r.status; });
    // Probe for as long as the national ranking takes (at most two minutes).
    const probes: number[] = [];
    let status = 0;
    void overview.then((st) => { status = st; });
    while (!status && performance.now() - t0 < 120_000) {
      const p0 = performance.now();
      await fetch(`${big.url}/api/health`).then((r) => r.arrayBuffer());
      probes.push(performance.now() - p0);
      await new Promise((r) => setTimeout(r, 20));
    }
    await overview;
    probes.sort((a, b) => a - b);
    const pct = (q: number) => probes[Math.min(probes.length - 1, Math.floor(q * probes.length))]!;
    log(`probe      health while the national ranking of ${n} counties ran (${(overviewMs / 1000).toFixed(1)} s, HTTP ${status}): ${probes.length} probes, p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${probes.at(-1)!.toFixed(1)} ms; idle baseline p99 ${idle.latency.p99} ms\n`);
    const t1 = performance.now();
    await fetch(`${big.url}/api/overview/2022`, { headers: big.headers }).then((r) => r.arrayBuffer());
    log(`overview   again, unchanged data (cached under the data version): ${(performance.now() - t1).toFixed(0)} ms\n`);
    out.overview_ms = Math.round(overviewMs);
    out.probe_p99_ms = Number(pct(0.99).toFixed(1));
    out.probe_max_ms = Number(probes.at(-1)!.toFixed(1));
    await big.app.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(`${JSON.stringify(out)}\n`);
}
