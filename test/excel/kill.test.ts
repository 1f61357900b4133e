import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePlacementsCsv } from '../../bench/placements.ts';
import { importFiles } from '../../src/services/imports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { migrate, openStore, type Store, type StoreConfig } from '../../src/store/db.ts';
import { createPgDatabase, postgresAvailable } from '../support/engines.ts';
import { addOrgUnits, COUNTY, snapshot, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const ROWS = 20_000;
const CHILD = join(import.meta.dirname, 'import-child.ts');

/** A database the child process can reach by environment, on either engine. */
async function database(engine: 'sqlite' | 'postgres', dir: string): Promise<{ config: StoreConfig; env: Record<string, string>; drop: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const file = join(dir, 'kill.sqlite');
    return { config: { engine, file }, env: { XIEZUO_DB: file, DATABASE_URL: '' }, drop: async () => {} };
  }
  const db = await createPgDatabase();
  return { config: { engine, url: db.url }, env: { DATABASE_URL: db.url }, drop: db.drop };
}

/** Starts the import in a child process and kills it with SIGKILL once it has written at least `after` rows. */
function importAndKill(env: Record<string, string>, file: string, after: number): Promise<{ killedAt: number; finished: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, COUNTY, String(YEAR), file], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let killedAt = 0;
    let finished = false;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const m of buf.matchAll(/progress (\d+)\n/g)) {
        if (!killedAt && Number(m[1]) >= after) { killedAt = Number(m[1]); child.kill('SIGKILL'); }
      }
      if (/done /.test(buf)) finished = true;
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ killedAt, finished });
    });
  });
}

const engineList: Array<'sqlite' | 'postgres'> = (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];

describe.each(engineList)('killing the import halfway (%s)', (engine) => {
  const dir = tempDir('kill');
  const big = join(dir, 'placements.csv');
  let db: Awaited<ReturnType<typeof database>>;
  let store: Store;

  beforeAll(async () => {
    await writePlacementsCsv(big, ROWS);
    db = await database(engine, dir);
    store = openStore(db.config);
    await migrate(store);
    await addOrgUnits(store);
    // Records already there before the import, which must survive it untouched.
    const small = join(dir, 'first.csv');
    await writePlacementsCsv(small, 50);
    const r = await importFiles(store, SYSTEM, [{ path: small }], { county: COUNTY, year: YEAR });
    expect(r.committed).toBe(true);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('leaves the database exactly as it was before the import started', async () => {
    const before = await snapshot(store);
    const { killedAt, finished } = await importAndKill(db.env, big, ROWS / 2);
    expect(finished).toBe(false);
    expect(killedAt).toBeGreaterThanOrEqual(ROWS / 2);
    expect(killedAt).toBeLessThan(ROWS);
    // A fresh connection sees exactly what was there before.
    await store.close();
    store = openStore(db.config);
    expect(await snapshot(store)).toBe(before);
    await migrate(store);
    // And the database is usable: the same import, run to the end, commits.
    const r = await importFiles(store, SYSTEM, [{ path: big }], { county: COUNTY, year: YEAR });
    expect(r.committed).toBe(true);
    expect(r.summary).toEqual([{ kind: 'labour_placement', added: ROWS - 50, updated: 0, unchanged: 50 }]);
  });
});
