import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { LEDGERS } from '../../src/domain/ledgers/declarations.ts';
import { COMMON_COLUMNS, columnsOf } from '../../src/domain/ledgers/types.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

for (const engine of await engines()) {
  describe(`ledger declarations match their tables (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => { t = await freshStore(engine); });
    afterAll(async () => { await t.dispose(); });

    it('has one table per declaration with exactly the declared columns', async () => {
      const tables = await t.store.db.introspection.getTables();
      for (const decl of LEDGERS) {
        const table = tables.find((x) => x.name === decl.table);
        expect(table, `table ${decl.table}`).toBeDefined();
        const expected = [...COMMON_COLUMNS, ...decl.fields.flatMap(columnsOf)].sort();
        expect(table!.columns.map((c) => c.name).sort(), decl.table).toEqual(expected);
        for (const f of decl.fields) {
          const col = table!.columns.find((c) => c.name === columnsOf(f)[0])!;
          expect(col.isNullable, `${decl.table}.${col.name} nullability`).toBe(!f.required);
          if (f.type === 'money') expect(col.dataType.toLowerCase(), `${decl.table}.${col.name}`).toMatch(/int/);
        }
      }
    });

    it('has no ledger table without a declaration', async () => {
      const tables = (await t.store.db.introspection.getTables()).map((x) => x.name);
      const fixed = ['org_unit', 'cooperation_pair', 'ledger_state', 'reported_value', 'target', 'narrative', 'report_meta', 'audit_log', 'warning_ack', 'reported_value_dated'];
      const withCounty = [];
      for (const name of tables) {
        if (fixed.includes(name) || name.startsWith('kysely_')) continue;
        const cols = (await t.store.db.introspection.getTables()).find((x) => x.name === name)!.columns.map((c) => c.name);
        if (cols.includes('county_code') && cols.includes('version') && cols.includes('year')) withCounty.push(name);
      }
      expect(withCounty.sort()).toEqual(LEDGERS.map((l) => l.table).sort());
    });

    it('stores money as exact integers beyond 32 bits', async () => {
      await t.store.db.insertInto('org_unit').values({ code: '62', name: '甘肃省', level: 'province', parent_code: null }).execute();
      await sql`insert into fund_allocation (county_code, year, category, amount_fen, version, created_at, updated_at)
                values ('62', 2022, 'industry', 5100000000, 1, 'now', 'now')`.execute(t.store.db);
      const r = await sql<{ s: unknown }>`select sum(amount_fen) as s from fund_allocation`.execute(t.store.db);
      expect(String(r.rows[0]!.s)).toBe('5100000000');
    });
  });
}
