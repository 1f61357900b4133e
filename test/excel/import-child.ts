// A separate process that imports files into the database named by XIEZUO_DB or DATABASE_URL and
// reports progress on stdout, so a test can kill it in the middle of the transaction.
import { importFiles } from '../../src/services/imports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { configFromEnv, migrate, openStore } from '../../src/store/db.ts';

const [county, year, ...files] = process.argv.slice(2);
const store = openStore(configFromEnv());
// The schema is current already; migrating loads the configuration stored in the database.
await migrate(store);
const r = await importFiles(store, SYSTEM, files.map((path) => ({ path })), {
  county: county!, year: Number(year),
  onProgress: (n) => process.stdout.write(`progress ${n}\n`),
});
process.stdout.write(`done ${r.committed} ${r.rows}\n`);
await store.close();
