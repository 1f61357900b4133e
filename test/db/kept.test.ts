import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../src/services/demo.ts';
import { setReported } from '../../src/services/reported.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { unitDataVersion } from '../../src/services/indicator-sets.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { keptUntilWrite } from '../../src/store/kept.ts';
import { freshStore, postgresAvailable } from '../support/engines.ts';

/**
 * Values kept until anything is written (keptUntilWrite): on SQLite the store's generation changes
 * with every statement that may write, its own or another connection's (another thread or process
 * on the same file), so a data version read from it is never older than the data.
 */
describe('kept until a write (SQLite file, two connections)', () => {
  let dir: string;
  let a: Store;
  let b: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-kept-'));
    a = openStore({ engine: 'sqlite', file: join(dir, 'x.sqlite') });
    await migrate(a);
    await loadDemo(a);
    b = openStore({ engine: 'sqlite', file: join(dir, 'x.sqlite') });
    await migrate(b);
  }, 120_000);
  afterAll(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('changes the generation on a write of this connection or another, and not on reads', async () => {
    const g0 = a.generation!();
    await a.db.selectFrom('org_unit').select('code').limit(3).execute();
    expect(a.generation!()).toBe(g0);
    await a.db.updateTable('org_unit').set({ name: '舟曲县' }).where('code', '=', '623023').execute();
    const g1 = a.generation!();
    expect(g1).not.toBe(g0);
    // An insert answering its new row is a read to the driver, and a write all the same.
    await a.db.insertInto('cooperation_pair').values({ east_code: '120101', west_code: '623024', since_year: null, until_year: null }).returning('id').execute();
    const g2 = a.generation!();
    expect(g2).not.toBe(g1);
    await b.db.deleteFrom('cooperation_pair').where('east_code', '=', '120101').where('west_code', '=', '623024').execute();
    expect(a.generation!()).not.toBe(g2);
  });

  it('reads a kept value once while nothing is written, and again after a write through another connection', async () => {
    let reads = 0;
    const read = () => keptUntilWrite(a, 'test:count', async () => { reads++; return Number((await a.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n); });
    const n0 = await read();
    expect(await read()).toBe(n0);
    expect(reads).toBe(1);
    // An audited write through the other connection.
    await setReported(b, SYSTEM, '623023', 2022, { element: 'donation.social_orgs', text: '3' });
    const n1 = await read();
    expect(reads).toBe(2);
    expect(n1).toBe(n0 + 1);
  });

  it("keeps a county's data version in step with writes through another connection", async () => {
    const v0 = await unitDataVersion(a, '623023', 2022);
    expect(await unitDataVersion(a, '623023', 2022)).toBe(v0);
    await b.db.updateTable('ledger_state').set({ updated_at: '2099-01-01T00:00:00.000Z' }).where('county_code', '=', '623023').where('year', '=', 2022).where('ledger', '=', 'meeting').execute();
    expect(await unitDataVersion(a, '623023', 2022)).not.toBe(v0);
  });
});

describe('kept until a write (PostgreSQL): read each time', () => {
  it('has no generation, so every call reads', async ({ skip }) => {
    if (!(await postgresAvailable())) skip();
    const t = await freshStore('postgres');
    try {
      expect(t.store.generation).toBeUndefined();
      let reads = 0;
      const read = () => keptUntilWrite(t.store, 'k', async () => ++reads);
      expect(await read()).toBe(1);
      expect(await read()).toBe(2);
    } finally {
      await t.dispose();
    }
  });
});
