import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { migrate, openStore, PG_NAMED_STATEMENTS, STATEMENT_CACHE } from '../../src/store/db.ts';
import { freshStore, postgresAvailable } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

describe('SQLite prepared statements', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  it('prepares a query once and reuses it, with fresh parameters each time', async () => {
    const store = openStore({ engine: 'sqlite', file: ':memory:' });
    await migrate(store);
    await store.db.insertInto('org_unit').values([{ code: '990001', name: '甲', level: 'county', parent_code: null }, { code: '990002', name: '乙', level: 'county', parent_code: null }] as never).execute();
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    const name = (code: string) => store.db.selectFrom('org_unit').select('name').where('code', '=', code).executeTakeFirst();
    expect((await name('990001'))?.name).toBe('甲');
    expect((await name('990002'))?.name).toBe('乙');
    expect((await name('990003'))).toBeUndefined();
    expect(prepare).toHaveBeenCalledTimes(1);
    await store.close();
  });

  it('reuses a statement after a streaming read of it ended early', async () => {
    const store = openStore({ engine: 'sqlite', file: ':memory:' });
    await migrate(store);
    await store.db.insertInto('org_unit').values(Array.from({ length: 5 }, (_, i) => ({ code: `99000${i}`, name: `u${i}`, level: 'county', parent_code: null })) as never).execute();
    const all = () => store.db.selectFrom('org_unit').select('code').where('code', 'like', '9900%').orderBy('code');
    const first: string[] = [];
    for await (const r of all().stream()) { first.push(r.code); break; }
    expect(first).toEqual(['990000']);
    // The kept statement was reset when the stream stopped: the same query reads every row again.
    expect((await all().execute()).map((r) => r.code)).toEqual(['990000', '990001', '990002', '990003', '990004']);
    await store.close();
  });

  it('keeps a bounded number of statements', async () => {
    const store = openStore({ engine: 'sqlite', file: ':memory:' });
    await migrate(store);
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    // More distinct statements than are kept, then the first again: it was dropped and is prepared anew.
    const numbered = (i: number) => sql<{ n: number }>`select ${sql.raw(String(i))} as n`.execute(store.db);
    for (let i = 0; i <= STATEMENT_CACHE; i++) await numbered(i);
    const before = prepare.mock.calls.length;
    expect(before).toBe(STATEMENT_CACHE + 1);
    expect((await numbered(0)).rows).toEqual([{ n: 0 }]);
    expect(prepare.mock.calls.length).toBe(before + 1);
    // The most recent one is still kept.
    await numbered(STATEMENT_CACHE);
    expect(prepare.mock.calls.length).toBe(before + 1);
    await store.close();
  });
});

describe.skipIf(!(await postgresAvailable()))('PostgreSQL named statements', () => {
  it('prepares a parameterised query once per connection, under one name, and keeps the simple protocol for the rest', async () => {
    const t = await freshStore('postgres');
    try {
      const { db } = t.store;
      await db.insertInto('org_unit').values([{ code: '990001', name: '甲', level: 'county', parent_code: null }, { code: '990002', name: '乙', level: 'county', parent_code: null }] as never).execute();
      await db.connection().execute(async (c) => {
        const name = (code: string) => c.selectFrom('org_unit').select('name').where('code', '=', code).executeTakeFirst();
        expect((await name('990001'))?.name).toBe('甲');
        expect((await name('990002'))?.name).toBe('乙');
        expect(await name('990003')).toBeUndefined();
        const kept = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements where statement like '%org_unit%'`.execute(c);
        // The lookup above, three times with three codes, is one statement kept on this connection.
        expect(kept.rows.filter((r) => r.statement.includes('"code" = $1'))).toHaveLength(1);
        expect(kept.rows[0]!.name).toMatch(/^xz\d+$/);
        // Several statements without parameters still go in one message.
        await sql`select 1; select 2`.execute(c);
      });
    } finally {
      await t.dispose();
    }
  });

  it('sends statements unnamed past the bound, still correctly', async () => {
    const t = await freshStore('postgres');
    try {
      await t.store.db.connection().execute(async (c) => {
        for (let i = 0; i < PG_NAMED_STATEMENTS + 20; i++) {
          const r = await sql<{ v: number }>`select ${i}::int + ${String(i)}::int as ${sql.ref(`v${i}`)}`.execute(c);
          expect(Object.values(r.rows[0]!)[0]).toBe(2 * i);
        }
        const n = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where name like 'xz%'`.execute(c);
        expect(n.rows[0]!.n).toBeLessThanOrEqual(PG_NAMED_STATEMENTS);
      });
    } finally {
      await t.dispose();
    }
  });
});
