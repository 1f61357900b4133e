/**
 * The full catalogue (every indicator and rule) for 100 / 300 / N counties of a synthetic national
 * dataset (`xiezuo synth`, N = XIEZUO_BENCH_COUNTIES, default 900), measured in the same run as:
 *   engine        — the set-based engine: one statement per ledger for the whole set, then every
 *                   county's indicators and rules evaluated exactly (targets, qualifiers, formatting);
 *   handsql       — the baseline: the figures' conditional aggregates written by hand, one statement
 *                   per ledger, year and grouping, run straight on the driver, rows read into plain
 *                   objects, nothing else;
 *   ownsql        — the engine's own statements run the same way (it reads a ledger-year whose
 *                   conditions test only categories and yes/no fields in one statement grouped by them);
 *   duckdb        — the hand-written statements on DuckDB over a copy of the same tables (query time only);
 *   per-county    — the engine county by county without the batch, on the smallest set.
 * With XIEZUO_BENCH_PG=1 the same is repeated on PostgreSQL (data copied from the SQLite file;
 * XIEZUO_BENCH_PG_COUNTIES, default 300, limits the copy). Ends with one JSON line.
 * The dataset is generated once and reused from XIEZUO_BENCH_DB (default: the temp folder). The
 * engine measured is the one the server and the `xiezuo` command run: the compiled JavaScript in
 * dist/ when it is up to date (`npm run build`), otherwise the TypeScript sources (the line it prints says which).
 * Run: npm run bench -- scale
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ledgerDecl } from '../src/domain/ledgers/declarations.ts';
import { catalogueFor } from '../src/services/catalogue.ts';
import { syntheticDataset } from '../src/services/dataset.ts';
import { compileCatalogue, type prefetch } from '../src/services/indicator-sets.ts';
import type { IndicatorEngine } from '../src/services/indicators.ts';
import { synthesize } from '../src/services/synth.ts';
import { batchStatements, countiesWithData, type CountySet } from '../src/store/batch-aggregate.ts';
import { migrate, openStore, type Store } from '../src/store/db.ts';
import { measuredCode, productModule } from './product.mjs';

process.env.XIEZUO_SECRET ??= 'bench-secret';
const YEAR = 2022;

/**
 * The best of `reps` runs of each function, the runs taken in turns (a, b, a, b, …) so that a burst
 * of load from elsewhere on a shared machine falls on both sides of a ratio alike.
 */
async function paired(a: () => Promise<unknown>, b: () => Promise<unknown>, reps = 3): Promise<[number, number]> {
  const t = [Infinity, Infinity];
  for (let i = 0; i < reps; i++) {
    for (const [k, fn] of [a, b].entries()) {
      const t0 = performance.now();
      await fn();
      t[k] = Math.min(t[k]!, performance.now() - t0);
    }
  }
  return [t[0]!, t[1]!];
}

const best = async (fn: () => Promise<unknown>, reps = 2): Promise<number> => {
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
};

/** The synthetic dataset of `n` counties, generated once and reused. */
export async function scaleDataset(n: number, log: (s: string) => void): Promise<{ file: string; store: Store }> {
  const file = process.env.XIEZUO_BENCH_DB ?? join(tmpdir(), `xiezuo-bench-scale-${n}.sqlite`);
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
  log(`generating ${n} synthetic counties into ${file} (once)…\n`);
  const r = await synthesize(store, { counties: n, year: YEAR, seed: 1 }, () => {});
  log(`  ${r.rows.toLocaleString('en')} rows in ${r.seconds.toFixed(0)} s\n`);
  return { file, store };
}

/** Evenly spread subset of `k` codes. */
const spread = (codes: string[], k: number) => (k >= codes.length ? codes : Array.from({ length: k }, (_, i) => codes[Math.floor((i * codes.length) / k)]!));

interface Measured {
  prefetch: typeof prefetch;
  IndicatorEngine: typeof IndicatorEngine;
  openStore: typeof openStore;
  migrate: typeof migrate;
}

/** The engine's modules as the server runs them (bench/product.mjs). */
async function measured(): Promise<Measured> {
  const [sets, indicators, db] = await Promise.all([
    productModule<typeof import('../src/services/indicator-sets.ts')>('services/indicator-sets'),
    productModule<typeof import('../src/services/indicators.ts')>('services/indicators'),
    productModule<typeof import('../src/store/db.ts')>('store/db'),
  ]);
  return { prefetch: sets.prefetch, IndicatorEngine: indicators.IndicatorEngine, openStore: db.openStore, migrate: db.migrate };
}

async function engineRun(m: Measured, store: Store, set: CountySet, codes: string[]): Promise<void> {
  const pre = await m.prefetch(store, set, YEAR);
  for (const c of codes) {
    const e = new m.IndicatorEngine(store, c, YEAR, { batch: pre });
    await e.all();
    await e.rules();
  }
}

async function perCountyRun(m: Measured, store: Store, codes: string[]): Promise<void> {
  for (const c of codes) {
    const e = new m.IndicatorEngine(store, c, YEAR);
    await e.all();
    await e.rules();
  }
}

/** Copies the ledger tables the statements read into DuckDB (CSV, all columns), returns a connection. */
async function duckdbCopy(sqliteFile: string, tables: string[]) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  const src = new Database(sqliteFile, { readonly: true });
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-duck-'));
  try {
    for (const t of tables) {
      const cols = (src.prepare(`pragma table_info(${t})`).all() as Array<{ name: string; type: string }>);
      const q = (v: unknown) => (v === null || v === undefined ? '' : `"${String(v).replace(/"/g, '""')}"`);
      const lines = [cols.map((c) => c.name).join(',')];
      for (const r of src.prepare(`select * from ${t}`).raw().iterate() as Iterable<unknown[]>) lines.push(r.map(q).join(','));
      const f = join(dir, `${t}.csv`);
      writeFileSync(f, `${lines.join('\n')}\n`);
      const types = Object.fromEntries(cols.map((c) => [c.name, /int/i.test(c.type) ? 'BIGINT' : 'VARCHAR']));
      await conn.run(`create table ${t} as select * from read_csv('${f}', header = true, columns = ${JSON.stringify(types).replace(/"/g, "'")})`);
    }
  } finally {
    src.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { conn, close: () => { conn.closeSync(); inst.closeSync(); } };
}

/** Copies the SQLite dataset (the given counties) into a fresh PostgreSQL database. */
export async function pgCopy(sqliteFile: string, codes: string[], log: (s: string) => void): Promise<{ store: Store; drop: () => Promise<void> }> {
  const { createPgDatabase } = await import('../test/support/engines.ts');
  const db = await createPgDatabase();
  const store = openStore({ engine: 'postgres', url: db.url });
  await migrate(store);
  const src = new Database(sqliteFile, { readonly: true });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const keep = new Set(codes);
  const tables = ['org_unit', 'cooperation_pair', 'report_meta', 'ledger_state', 'reported_value', 'target', 'dataset_info',
    ...((src.prepare(`select name from sqlite_master where type = 'table' and sql like '%county_code%' and name not in ('ledger_state', 'reported_value', 'report_meta', 'audit_log', 'narrative', 'evidence_file')`).all() as Array<{ name: string }>).map((r) => r.name))];
  const t0 = performance.now();
  try {
    await client.query('begin');
    for (const t of [...new Set(tables)]) {
      const cols = (src.prepare(`pragma table_info(${t})`).all() as Array<{ name: string }>).map((c) => c.name).filter((c) => c !== 'id' || t === 'org_unit');
      const hasCounty = cols.includes('county_code');
      const rows = src.prepare(`select ${cols.map((c) => `"${c}"`).join(',')} from ${t}`).raw().all() as unknown[][];
      const ci = cols.indexOf('county_code');
      const wanted = hasCounty ? rows.filter((r) => keep.has(String(r[ci]))) : t === 'cooperation_pair' ? rows.filter((r) => keep.has(String(r[cols.indexOf('west_code')]))) : rows;
      const chunk = Math.floor(30_000 / cols.length);
      for (let i = 0; i < wanted.length; i += chunk) {
        const part = wanted.slice(i, i + chunk);
        const ph = part.map((_, j) => `(${cols.map((_c, k) => `$${j * cols.length + k + 1}`).join(',')})`).join(',');
        await client.query(`insert into ${t} (${cols.map((c) => `"${c}"`).join(',')}) values ${ph}${t === 'org_unit' ? ' on conflict do nothing' : ''}`, part.flat());
      }
    }
    await client.query('commit');
    // As autovacuum leaves a database in use: statistics for the planner, and pages marked
    // all-visible so that a covering index can answer without visiting the rows.
    await client.query('vacuum analyze');
  } finally {
    await client.end();
    src.close();
  }
  log(`  copied to PostgreSQL in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  return { store, drop: async () => { await store.close(); await db.drop(); } };
}

export interface ScalePoint { engine: string; counties: number; engine_ms: number; handsql_ms: number; ownsql_ms: number; duckdb_ms: number | null; percounty_ms: number | null; percounty_unnamed_ms?: number }

export async function run(): Promise<void> {
  const log = (s: string) => process.stdout.write(s);
  const n = Number(process.env.XIEZUO_BENCH_COUNTIES ?? 900);
  const { file, store } = await scaleDataset(n, log);
  const cat = catalogueFor(YEAR);
  const { terms } = compileCatalogue(cat, YEAR);
  const all = await countiesWithData(store, { kind: 'all' }, YEAR);
  const sizes = [...new Set([100, 300, n].filter((k) => k <= all.length))];
  const tables = [...new Set(terms.map((t) => ledgerDecl(t.q.ledger)!.table))];
  const raw = new Database(file, { readonly: true });
  const m = await measured();
  const mstore = m.openStore({ engine: 'sqlite', file });
  await m.migrate(mstore);
  log(`engine: ${measuredCode}\n`);
  log(`measuring on ${all.length} counties; DuckDB copy…\n`);
  const duck = await duckdbCopy(file, tables);
  const points: ScalePoint[] = [];
  for (const k of sizes) {
    const codes = spread(all, k);
    const set: CountySet = { kind: 'codes', codes };
    const statements = batchStatements(store, set, terms, { cube: false });
    const own = batchStatements(store, set, terms);
    const [handsql, engine] = await paired(async () => { for (const s of statements) raw.prepare(s.sql).all(...(s.parameters as unknown[])); }, () => engineRun(m, mstore, set, codes));
    const ownsql = await best(async () => { for (const s of own) raw.prepare(s.sql).all(...(s.parameters as unknown[])); });
    const duckdb = await best(async () => { for (const s of statements) await duck.conn.runAndReadAll(s.sql, s.parameters as never); });
    const percounty = k === sizes[0] ? await best(() => perCountyRun(m, mstore, codes), 1) : null;
    points.push({ engine: 'sqlite', counties: k, engine_ms: Math.round(engine), handsql_ms: Math.round(handsql), ownsql_ms: Math.round(ownsql), duckdb_ms: Math.round(duckdb), percounty_ms: percounty === null ? null : Math.round(percounty) });
    log(`sqlite  ${String(k).padStart(4)} counties: engine ${engine.toFixed(0)} ms, hand SQL ${handsql.toFixed(0)} ms (${(engine / handsql).toFixed(2)}×) [${statements.length} statements], its own ${own.length} statements ${ownsql.toFixed(0)} ms, DuckDB ${duckdb.toFixed(0)} ms${percounty ? `, county by county ${percounty.toFixed(0)} ms` : ''}\n`);
  }
  duck.close();
  raw.close();
  await mstore.close();
  if (process.env.XIEZUO_BENCH_PG === '1') {
    const pk = Math.min(Number(process.env.XIEZUO_BENCH_PG_COUNTIES ?? 300), all.length);
    const codes = spread(all, pk);
    log(`PostgreSQL: copying ${pk} counties…\n`);
    const p = await pgCopy(file, codes, log);
    const named = m.openStore({ engine: 'postgres', url: (p.store.config as { url: string }).url });
    await m.migrate(named);
    try {
      const client = new pg.Client({ connectionString: (p.store.config as { url: string }).url });
      await client.connect();
      for (const k of [...new Set([100, 300, pk].filter((x) => x <= pk))]) {
        const sub = spread(codes, k);
        const set: CountySet = { kind: 'codes', codes: sub };
        const statements = batchStatements(p.store, set, terms, { cube: false });
        const own = batchStatements(p.store, set, terms);
        const [handsql, engine] = await paired(async () => { for (const s of statements) await client.query(s.sql, s.parameters as unknown[]); }, () => engineRun(m, named, set, sub));
        const ownsql = await best(async () => { for (const s of own) await client.query(s.sql, s.parameters as unknown[]); });
        // County by county (about 60 small statements a county), with named prepared statements and without (`prepare: false`, as XIEZUO_PG_PREPARE=off), in turns.
        let percounty: number | null = null;
        let unnamed: number | null = null;
        if (k === 100) {
          const plain = m.openStore({ engine: 'postgres', url: (p.store.config as { url: string }).url, prepare: false });
          await m.migrate(plain);
          [percounty, unnamed] = await paired(() => perCountyRun(m, named, sub), () => perCountyRun(m, plain, sub), 2);
          await plain.close();
        }
        points.push({ engine: 'postgres', counties: k, engine_ms: Math.round(engine), handsql_ms: Math.round(handsql), ownsql_ms: Math.round(ownsql), duckdb_ms: null, percounty_ms: percounty === null ? null : Math.round(percounty), ...(unnamed !== null && { percounty_unnamed_ms: Math.round(unnamed) }) });
        log(`postgres ${String(k).padStart(4)} counties: engine ${engine.toFixed(0)} ms, hand SQL ${handsql.toFixed(0)} ms (${(engine / handsql).toFixed(2)}×), its own statements ${ownsql.toFixed(0)} ms${percounty !== null && unnamed !== null ? `, county by county ${percounty.toFixed(0)} ms (unnamed statements ${unnamed.toFixed(0)} ms, ${(percounty / unnamed).toFixed(2)}×)` : ''}\n`);
      }
      await client.end();
    } finally {
      await named.close();
      await p.drop();
    }
  }
  await store.close();
  const top = points.filter((x) => x.engine === 'sqlite').at(-1)!;
  log(`${JSON.stringify({
    counties: top.counties, engine_ms: top.engine_ms, handsql_ms: top.handsql_ms, ownsql_ms: top.ownsql_ms, duckdb_ms: top.duckdb_ms,
    ratio_handsql: Number((top.engine_ms / top.handsql_ms).toFixed(2)), ratio_duckdb: top.duckdb_ms ? Number((top.engine_ms / top.duckdb_ms).toFixed(2)) : null,
    points,
  })}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
