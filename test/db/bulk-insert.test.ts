import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerDecl } from '../../src/domain/ledgers/declarations.ts';
import { CompiledQuery } from 'kysely';
import { EACH_ROW } from '../../src/store/db.ts';
import { insertMany, LedgerRepo, toRow } from '../../src/store/ledger-repo.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

const NOW = '2022-08-01T00:00:00.000Z';
const labour = ledgerDecl('labour_placement')!;
const sales = ledgerDecl('consumption_sale')!;
const pii = (_f: unknown, raw: string) => ({ hash: `h${raw}`.padEnd(64, '0'), masked: `${raw.slice(0, 4)}**********${raw.slice(-4)}` });

function placement(i: number): Record<string, unknown> {
  return toRow(labour, {
    person_name: `名${i}`, resident_id: `62302319900101${String(i).padStart(4, '0')}`, destination: i % 2 ? 'in_province' : 'partner_region',
    employer: i % 3 ? `企业${i}` : undefined, start_date: '2022-03-01', months: i % 5 ? i % 12 : null, poverty_alleviated: i % 4 === 0, monitored: null,
    note: i % 7 ? null : `备注${i}`,
  }, pii);
}

function sale(i: number): Record<string, unknown> {
  return toRow(sales, { channel: 'eastern_procurement', seller: `合作社${i}`, date: '2022-05-01', amount: 1000 + i, amount_qual: i % 2 ? 'about' : undefined }, pii);
}

/** Stored rows without the ids, in insertion order. */
async function stored(t: TestStore, table: string, county: string): Promise<unknown[]> {
  const rows = await t.store.db.selectFrom(table as 'org_unit').selectAll().where('county_code' as 'code', '=', county).orderBy('id' as 'code').execute();
  return rows.map(({ id: _id, county_code: _c, ...r }: Record<string, unknown>) => r);
}

for (const engine of await engines()) {
  describe(`bulk insert of ledger rows (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await freshStore(engine);
      // One county per batch size and way of inserting, so their rows can be told apart.
      const counties = [1, 3, 100, 237].flatMap((n) => [`a${n}`, `b${n}`]);
      await t.store.db.insertInto('org_unit').values([
        { code: '62', name: '甘肃省', level: 'province', parent_code: null },
        ...counties.map((code) => ({ code, name: code, level: 'county' as const, parent_code: '62' })),
      ]).execute();
    });
    afterAll(async () => { await t.dispose(); });

    // Batch sizes around PostgreSQL's block size and its remainders (237 = 100 + 100 + 32 + 4 + 1).
    for (const n of [1, 3, 100, 237]) {
      it(`stores ${n} rows exactly as one insert per record does`, async () => {
        for (const [decl, make] of [[labour, placement], [sales, sale]] as const) {
          const rows = Array.from({ length: n }, (_, i) => make(i));
          const one = new LedgerRepo(t.store.db, decl);
          for (const r of rows) await one.insert(`a${n}`, 2022, r, NOW);
          await t.store.db.transaction().execute((tx) => insertMany(tx, decl, `b${n}`, 2022, rows, NOW));
          const a = await stored(t, decl.table, `a${n}`);
          expect(a).toHaveLength(n);
          expect(await stored(t, decl.table, `b${n}`)).toEqual(a);
        }
      });
    }

    it('writes a batch inside the caller\'s transaction: a rollback leaves none of its rows', async () => {
      const rows = Array.from({ length: 50 }, (_, i) => placement(1000 + i));
      await expect(t.store.db.transaction().execute(async (tx) => {
        await insertMany(tx, labour, 'a1', 2022, rows, NOW);
        throw new Error('stop');
      })).rejects.toThrow('stop');
      expect(await stored(t, labour.table, 'a1')).toHaveLength(1);
    });

    if (engine === 'sqlite') {
      it('runs an each-row statement once per row, and refuses parameters that are not whole rows', async () => {
        const text = `${EACH_ROW}insert into org_unit (code, name, level, parent_code) values (?, ?, 'county', '62')`;
        await t.store.db.executeQuery(CompiledQuery.raw(text, ['e1', 'e1', 'e2', 'e2', 'e3', 'e3']));
        const made = await t.store.db.selectFrom('org_unit').select('code').where('code', 'like', 'e%').orderBy('code').execute();
        expect(made.map((r) => r.code)).toEqual(['e1', 'e2', 'e3']);
        await expect(t.store.db.executeQuery(CompiledQuery.raw(text, ['e4', 'e4', 'e5']))).rejects.toThrow(/not whole rows of 2/);
        expect(await t.store.db.selectFrom('org_unit').select('code').where('code', '=', 'e4').execute()).toEqual([]);
      });
    }
  });
}
