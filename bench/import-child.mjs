// The timed import of bench/import.bench.ts, in a process of its own that loads the product as the
// `xiezuo import` command does: the compiled build when it is fresh, with no TypeScript loader in
// the process, so the peak memory it reports is the product's own; the sources through tsx when
// dist/ is missing or older than src/.
//   node bench/import-child.mjs <csv|csv-inline|xlsx> <database file> <file>[|<file imported first, untimed>]
// Prints one JSON line: mode, rows, seconds, rowsPerSecond, peakRssMb.
import { fileURLToPath } from 'node:url';
import { measuresBuild, productModule } from './product.mjs';

if (!measuresBuild) (await import('tsx/esm/api')).register();

export { measuredCode, productModule } from './product.mjs';

export const COUNTY = '623023';
export const YEAR = 2022;

let importFiles;
let SYSTEM;

/** A migrated SQLite store holding the county the benchmark imports into, and its parents. */
export async function prepare(file) {
  // The configuration module first, so that migrating loads the stored configuration imports read.
  await productModule('services/config');
  // Loaded here, before any clock starts: the import's own modules are not part of its time.
  [{ importFiles }, { SYSTEM }] = await Promise.all([productModule('services/imports'), productModule('services/scope')]);
  const { openStore, migrate } = await productModule('store/db');
  const store = openStore({ engine: 'sqlite', file });
  await migrate(store);
  await store.db.insertInto('org_unit').values([
    { code: '62', name: '甘肃省', level: 'province', parent_code: null },
    { code: '6230', name: '甘南藏族自治州', level: 'prefecture', parent_code: '62' },
    { code: COUNTY, name: '舟曲县', level: 'county', parent_code: '6230' },
  ]).execute();
  return store;
}

/** Imports `file` into the county-year of a store from `prepare`, as the product does; throws when it does not commit. */
export async function importInto(store, file, opts = {}) {
  const r = await importFiles(store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, ...opts });
  if (!r.committed) throw new Error(`import failed: ${JSON.stringify(r.errors.slice(0, 3))}`);
  return r;
}

async function main([mode, dbFile, input]) {
  process.env.XIEZUO_SECRET ??= 'bench-secret';
  const store = await prepare(dbFile);
  const [file, before] = input.split('|');
  if (before) await importInto(store, before);
  const t0 = process.hrtime.bigint();
  const r = await importInto(store, file, mode === 'csv-inline' ? { parallel: false } : {});
  await store.close();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ mode, rows: r.rows, seconds, rowsPerSecond: Math.round(r.rows / seconds), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
