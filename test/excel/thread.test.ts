import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Kysely, sql } from 'kysely';
import { stopImportThreads } from '../../src/excel/import-thread.ts';
import { readsInThread, THREAD_FROM_BYTES } from '../../src/excel/import.ts';
import { importFiles } from '../../src/services/imports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { writePlacementsCsv } from '../../bench/placements.ts';
import { addOrgUnits, COUNTY, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

// SQLite only: the import thread exists because better-sqlite3 is synchronous (PostgreSQL's driver is not).
describe('an import in its own thread and SQLite connection', () => {
  const dir = tempDir('thread');
  let store: Store;
  beforeAll(async () => {
    store = openStore({ engine: 'sqlite', file: join(dir, 'x.sqlite') });
    await migrate(store);
    await addOrgUnits(store);
  });
  afterAll(async () => { await stopImportThreads(); await store?.close(); });

  const count = async () => Number((await (store.db as unknown as Kysely<Record<string, Record<string, unknown>>>).selectFrom('labour_placement')
    .select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);

  it('leaves the server connection answering while it runs, which sees nothing until the import commits all at once', async () => {
    const file = join(dir, 'p.csv');
    await writePlacementsCsv(file, 6000);
    const seen: number[] = [];
    let done = false;
    let firstProgress: () => void = () => {};
    const progressed = new Promise<void>((r) => { firstProgress = r; });
    const run = importFiles(store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, thread: true, onProgress: (n) => { if (n > 0 && n < 6000) firstProgress(); } })
      .finally(() => { done = true; });
    await progressed;
    // Rows are already written inside the import's transaction; this connection still reads and sees none of them.
    seen.push(await count());
    expect(done).toBe(false);
    const r = await run;
    expect(r.committed).toBe(true);
    expect(seen).toEqual([0]);
    expect(await count()).toBe(6000);
  });

  it('rolls back as a whole when a row is wrong, and reports the problem from the thread', async () => {
    const file = join(dir, 'bad.csv');
    await writePlacementsCsv(file, 3000, 10_000);
    const { appendFile } = await import('node:fs/promises');
    await appendFile(file, '某人,123,省内,,,2022-01-01,1,否,否\n');
    const r = await importFiles(store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, thread: true });
    expect(r.committed).toBe(false);
    expect(r.errors).toEqual([expect.objectContaining({ row: 3002, column: 'B' })]);
    expect(await count()).toBe(6000);
  });

  it('reads the configuration changed since the thread started: a destination added to the list is accepted', async () => {
    const { readFileSync } = await import('node:fs');
    const { setCategories } = await import('../../src/services/config-admin.ts');
    const { categoriesFor } = await import('../../src/services/config.ts');
    // The thread has run imports above, with the list as it was then.
    const file = join(dir, 'new-destination.csv');
    await writePlacementsCsv(file, 1, 50_000);
    const [header, row] = readFileSync(file, 'utf8').trim().split('\n');
    const cells = row!.split(',');
    cells[2] = '县内就近';
    writeFileSync(file, `${header}\n${cells.join(',')}\n`);
    const refused = await importFiles(store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, thread: true });
    expect(refused.committed).toBe(false);
    expect(refused.errors).toEqual([expect.objectContaining({ row: 2, column: 'C' })]);
    const items = categoriesFor(YEAR, undefined, store).labour_destination!;
    await setCategories(store, SYSTEM, { year: YEAR, unit: '', list: 'labour_destination', items: [...items, { value: 'nearby', zh: '县内就近', en: 'Near home' }] });
    const r = await importFiles(store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, thread: true });
    expect(r.errors).toEqual([]);
    expect(r.committed).toBe(true);
    expect(await count()).toBe(6001);
  });

  it('passes domain refusals through as they are', async () => {
    await expect(importFiles(store, SYSTEM, [{ path: join(dir, 'p.csv') }], { county: '999999', year: YEAR, thread: true }))
      .rejects.toMatchObject({ code: 'INVALID', zh: expect.stringContaining('999999') });
  });
});

describe('reading in a thread of its own, when the caller does not say', () => {
  const dir = tempDir('reads-in-thread');

  it('for files large enough to repay the thread, with a core free; never on one core, with every core busy, or for a small upload', async () => {
    const big = join(dir, 'big.csv');
    await writePlacementsCsv(big, 20_000);
    expect(statSync(big).size).toBeGreaterThanOrEqual(THREAD_FROM_BYTES);
    const small = join(dir, 'small.csv');
    await writePlacementsCsv(small, 20);
    expect(readsInThread([{ path: big }], 2, 0.4)).toBe(true);
    expect(readsInThread([{ path: big }], 1, 0)).toBe(false);
    expect(readsInThread([{ path: small }], 2, 0.4)).toBe(false);
    // Every core busy: the thread would only wait for one.
    expect(readsInThread([{ path: big }], 2, 1.5)).toBe(false);
    expect(readsInThread([{ path: big }], 8, 3)).toBe(true);
    // Several files count together; a path that cannot be read weighs nothing (its reader reports it).
    const half = join(dir, 'half.csv');
    writeFileSync(half, Buffer.alloc(THREAD_FROM_BYTES / 2 + 1, 0x20));
    expect(readsInThread([{ path: half }], 2, 0)).toBe(false);
    expect(readsInThread([{ path: half }, { path: half }], 2, 0)).toBe(true);
    expect(readsInThread([{ path: join(dir, 'missing.csv') }], 2, 0)).toBe(false);
  });
});
