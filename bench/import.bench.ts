/**
 * Import throughput and memory. Measures, each in its own process so peak RSS belongs to one job:
 *   baseline — the same rows (same column values) inserted with one bare prepared statement in one transaction;
 *   csv      — `importFiles` on a CSV of those rows (read, recognise, validate, hash IDs, upsert, one
 *              transaction), as the product runs it: on a machine with a second core a file this large
 *              is read and checked in a thread of its own while the rows are written (`readsInThread`);
 *   csv-inline — the same, read and written on one thread (`parallel: false`), as on a single core;
 *   xlsx     — the same on a streamed .xlsx;
 * Then, at XIEZUO_BENCH_LINEAR_ROWS (default 100,000):
 *   linear   — the same number of new rows imported into an empty county-year and into one that
 *              already holds that many records (goal: within 2×, i.e. linear whatever the database holds),
 *              and the same file imported again (every row matched, none new);
 *   probe    — a health probe (GET /api/health, every 10 ms over loopback) while the server imports
 *              into a county-year with records: in an import thread with its own connection (as the
 *              server does) and, as the baseline, on the server's own connection (goal: < 100 ms throughout).
 * Sizes: XIEZUO_BENCH_CSV_ROWS (default 1,000,000) and XIEZUO_BENCH_XLSX_ROWS (default 200,000);
 * e.g. XIEZUO_BENCH_CSV_ROWS=50000 XIEZUO_BENCH_XLSX_ROWS=20000 XIEZUO_BENCH_LINEAR_ROWS=20000 for a quick run.
 * Run: npm run bench -- import   (or: npx tsx bench/import.bench.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Store } from '../src/store/db.ts';
import { placementRow, writePlacementsCsv, writePlacementsXlsx } from './placements.ts';
import { COUNTY, importInto, measuredCode, prepare, productModule, YEAR } from './import-child.mjs';

process.env.XIEZUO_SECRET ??= 'bench-secret';

export interface Measure { mode: string; rows: number; seconds: number; rowsPerSecond: number; peakRssMb: number }

/** The product's modules the baseline uses, as the server loads them (bench/product.mjs). */
async function product() {
  const [repo, ledgers, pii] = await Promise.all([
    productModule<typeof import('../src/store/ledger-repo.ts')>('store/ledger-repo'),
    productModule<typeof import('../src/domain/ledgers/declarations.ts')>('domain/ledgers/declarations'),
    productModule<typeof import('../src/services/pii.ts')>('services/pii'),
  ]);
  return { ...repo, ...ledgers, ...pii };
}
type Product = Awaited<ReturnType<typeof product>>;

const DEST: Record<string, string> = { '协作地（天津）': 'partner_region', 省内: 'in_province', 省外: 'out_of_province' };

/** The bare baseline: column values as the import would store them, one prepared INSERT, one transaction. */
function baseline(p: Product, dbFile: string, n: number): void {
  const { toRow, protectResidentId } = p;
  const decl = p.ledgerDecl('labour_placement')!;
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  const sample = toRow(decl, { person_name: 'x', resident_id: placementRow(0)[1], destination: 'in_province', start_date: '2022-01-01' }, (_f, raw) => protectResidentId(raw));
  const cols = [...Object.keys(sample), 'county_code', 'year', 'version', 'created_at', 'updated_at'];
  const stmt = db.prepare(`insert into labour_placement (${cols.join(',')}) values (${cols.map(() => '?').join(',')})`);
  const now = new Date().toISOString();
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const r = placementRow(i);
      // Same values the import stores; the hash is computed here too so the baseline pays for it as well.
      const p = protectResidentId(r[1]!);
      stmt.run(r[0], p.hash, p.masked, DEST[r[2]!], r[3], r[4], r[5], Number(r[6]), r[7] === '是' ? 1 : 0, 0, null, COUNTY, YEAR, 1, now, now);
    }
  })();
  db.close();
}

/** The baseline, or the health probe during an import: in a child of this (TypeScript) file. The timed imports run in bench/import-child.mjs. */
async function child(mode: string, dbFile: string, input: string, n: number): Promise<void> {
  const store = await prepare(dbFile);
  const [file, before] = input.split('|') as [string, string | undefined];
  if (before) await importInto(store, before);
  if (mode.startsWith('probe')) {
    process.stdout.write(`${JSON.stringify(await probe(store, file, mode === 'probe-thread'))}\n`);
    await store.close();
    return;
  }
  if (mode !== 'baseline') throw new Error(`unknown child mode ${mode}`);
  await store.close();
  const p = await product();
  const t0 = process.hrtime.bigint();
  baseline(p, dbFile, n);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m: Measure = { mode, rows: n, seconds, rowsPerSecond: Math.round(n / seconds), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function runChild<T = Measure>(mode: string, dbFile: string, input: string, n: number): T {
  // The imports in a plain JavaScript process, as `xiezuo import` runs (its peak memory holds no TypeScript loader).
  const args = mode === 'baseline' || mode.startsWith('probe')
    ? ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, dbFile, input, String(n)]
    : [fileURLToPath(new URL('./import-child.mjs', import.meta.url)), mode, dbFile, input];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

export interface Probe { mode: string; seconds: number; probes: number; p50Ms: number; p99Ms: number; maxMs: number }

/**
 * Serves the API on loopback and imports `file` through the same service the upload route uses,
 * while a client asks for /api/health every 10 ms; returns the probe latencies during the import.
 */
async function probe(store: Store, file: string, thread: boolean): Promise<Probe> {
  const { buildApp } = await productModule<typeof import('../src/server/app.ts')>('server/app');
  const app = await buildApp({ store, dataDir: tmpdir() });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const lat: number[] = [];
  let running = true;
  const client = (async () => {
    while (running) {
      const t = performance.now();
      const r = await fetch(`${address}/api/health`);
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`health probe answered ${r.status}`);
      lat.push(performance.now() - t);
      await new Promise((res) => setTimeout(res, 10));
    }
  })();
  const t0 = performance.now();
  await importInto(store, file, { thread });
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await client;
  await app.close();
  lat.sort((a, b) => a - b);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 10) / 10;
  return { mode: thread ? 'import thread' : 'same connection', seconds, probes: lat.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: Math.round(lat.at(-1)! * 10) / 10 };
}

/** Import into an empty county-year vs one that already holds records; a health probe during the import. */
export async function runLinearBench(log: (s: string) => void = (s) => process.stdout.write(s)): Promise<{ empty: Measure; existing: Measure; again: Measure; probes: Probe[] }> {
  const n = Number(process.env.XIEZUO_BENCH_LINEAR_ROWS ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-bench-'));
  try {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    await writePlacementsCsv(a, n, 0);
    await writePlacementsCsv(b, n, n);
    const empty = runChild('csv', join(dir, 'e.sqlite'), a, n);
    const existing = runChild('csv', join(dir, 'x.sqlite'), `${b}|${a}`, n);
    const again = runChild('csv', join(dir, 'g.sqlite'), `${a}|${a}`, n);
    const probes = [runChild<Probe>('probe-same', join(dir, 'p1.sqlite'), `${b}|${a}`, n), runChild<Probe>('probe-thread', join(dir, 'p2.sqlite'), `${b}|${a}`, n)];
    log(`\nimport of ${n} new labour placements (CSV, SQLite): empty county-year vs one with ${n} records\n`);
    log('into                       seconds   rows/s     vs empty\n');
    const line = (label: string, m: Measure) => log(`${label.padEnd(26)} ${m.seconds.toFixed(2).padEnd(9)} ${String(m.rowsPerSecond).padEnd(10)} ${(m.seconds / empty.seconds).toFixed(2)}×\n`);
    line('empty county-year', empty);
    line(`${n} records already there`, existing);
    line('the same rows again (all matched)', again);
    log(`goal: within 2× of the empty county-year (${(existing.seconds / empty.seconds).toFixed(2)}×)\n`);
    log(`\nhealth probe (GET /api/health every 10 ms) while the server imports ${n} rows into a county-year with records\n`);
    log('import runs on              import s   probes   p50 ms   p99 ms   max ms\n');
    for (const p of probes) log(`${p.mode.padEnd(27)} ${p.seconds.toFixed(2).padEnd(10)} ${String(p.probes).padEnd(8)} ${String(p.p50Ms).padEnd(8)} ${String(p.p99Ms).padEnd(8)} ${p.maxMs}\n`);
    log(`goal: every probe under 100 ms with the import thread (max ${probes[1]!.maxMs} ms; on the same connection: ${probes[0]!.maxMs} ms)\n`);
    return { empty, existing, again, probes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the whole benchmark and prints a table; returns the measures. */
export async function runImportBench(log: (s: string) => void = (s) => process.stdout.write(s)): Promise<Measure[]> {
  const csvRows = Number(process.env.XIEZUO_BENCH_CSV_ROWS ?? 1_000_000);
  const xlsxRows = Number(process.env.XIEZUO_BENCH_XLSX_ROWS ?? 200_000);
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-bench-'));
  try {
    const csv = join(dir, 'placements.csv');
    const xlsx = join(dir, 'placements.xlsx');
    log(`generating ${csvRows} CSV rows and ${xlsxRows} .xlsx rows…\n`);
    await writePlacementsCsv(csv, csvRows);
    await writePlacementsXlsx(xlsx, xlsxRows);
    log(`files: CSV ${(statSync(csv).size / 1e6).toFixed(1)} MB, xlsx ${(statSync(xlsx).size / 1e6).toFixed(1)} MB\n`);
    const results = [
      runChild('baseline', join(dir, 'b1.sqlite'), '', csvRows),
      runChild('csv', join(dir, 'c.sqlite'), csv, csvRows),
      runChild('csv-inline', join(dir, 'ci.sqlite'), csv, csvRows),
      runChild('baseline', join(dir, 'b2.sqlite'), '', xlsxRows),
      runChild('xlsx', join(dir, 'x.sqlite'), xlsx, xlsxRows),
    ];
    const [b1, c, ci, b2, x] = results as [Measure, Measure, Measure, Measure, Measure];
    log(`\nimport of labour placements into SQLite (one transaction; ${measuredCode})\n`);
    log('mode         rows        seconds   rows/s     peak RSS   vs baseline\n');
    const line = (m: Measure, base?: Measure) =>
      log(`${m.mode.padEnd(12)} ${String(m.rows).padEnd(11)} ${m.seconds.toFixed(2).padEnd(9)} ${String(m.rowsPerSecond).padEnd(10)} ${`${m.peakRssMb} MB`.padEnd(10)} ${base ? `${(m.seconds / base.seconds).toFixed(2)}× the time` : ''}\n`);
    line(b1); line(c, b1); line(ci, b1); line(b2); line(x, b2);
    log(`\ngoal: CSV within 1.5× of the baseline (${(c.seconds / b1.seconds).toFixed(2)}×) and peak RSS under 300 MB at 1,000,000 rows (${c.peakRssMb} MB at ${c.rows})\n`);
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv;
if (argv[2] === '--child') await child(argv[3]!, argv[4]!, argv[5]!, Number(argv[6]));
else if (import.meta.url === `file://${argv[1]}`) await runImportBench();

/** Entry for bench/run.ts. XIEZUO_BENCH_IMPORT=linear runs only the linear and probe parts, =throughput only the others. */
export async function run(): Promise<void> {
  const only = process.env.XIEZUO_BENCH_IMPORT;
  if (only !== 'linear') await runImportBench();
  if (only !== 'throughput') await runLinearBench();
}
