import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueFor } from '../../src/services/catalogue.ts';
import { compileCatalogue } from '../../src/services/indicator-sets.ts';
import { synthesize } from '../../src/services/synth.ts';
import { batchStatements, countiesWithRecordsQuery } from '../../src/store/batch-aggregate.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

// The batch statements for a province or prefecture restrict county_code to a range, so the
// (county_code, year) index of every ledger serves them; the plans below prove the index is usable.
for (const engine of await engines()) {
  describe(`batch statements use the county index (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await freshStore(engine);
      await synthesize(t.store, { counties: 3, year: 2022, seed: 2 });
    }, 120_000);
    afterAll(async () => { await t.dispose(); });

    it('plans every per-ledger statement of a province as an index search', async () => {
      const province = (await t.store.db.selectFrom('report_meta').select('county_code').executeTakeFirstOrThrow()).county_code.slice(0, 2);
      const statements = batchStatements(t.store, { kind: 'prefix', prefix: province }, compileCatalogue(catalogueFor(2022), 2022).terms);
      expect(statements.length).toBeGreaterThan(10);
      await t.store.db.connection().execute(async (c) => {
        if (engine === 'postgres') await c.executeQuery(CompiledQuery.raw('set enable_seqscan = off'));
        for (const s of statements) {
          const q = engine === 'postgres' ? `explain ${s.sql}` : `explain query plan ${s.sql}`;
          const rows = (await c.executeQuery(CompiledQuery.raw(q, [...s.parameters]))).rows as Array<Record<string, unknown>>;
          const plan = rows.map((r) => String(r['QUERY PLAN'] ?? r.detail)).join('\n');
          expect(plan, s.sql).toMatch(engine === 'postgres' ? /Index (Only )?Scan using \w+_(scope|key|sum)_idx|Bitmap Index Scan on \w+_(scope|key|sum)_idx/ : /USING (COVERING )?INDEX \w+_(scope|key|sum)_idx \((year=\? AND )?county_code>\? AND county_code<\?\)/);
        }
        if (engine === 'postgres') await c.executeQuery(CompiledQuery.raw('reset enable_seqscan'));
      });
    });

    // The two ledgers that grow largest are read from an index holding every column their counts
    // and sums need (migration 0100), never from the records' rows.
    if (engine === 'sqlite') it('reads the placements and sales statements from their covering index alone', async () => {
      const province = (await t.store.db.selectFrom('report_meta').select('county_code').executeTakeFirstOrThrow()).county_code;
      const { terms } = compileCatalogue(catalogueFor(2022), 2022);
      // The nation, a province, a list of counties.
      const statements = [{ kind: 'all' as const }, { kind: 'prefix' as const, prefix: province.slice(0, 2) }, { kind: 'codes' as const, codes: [province] }]
        .flatMap((set) => batchStatements(t.store, set, terms)).filter((s) => /from "(labour_placement|consumption_sale)"/.test(s.sql));
      // Each ledger-year in one statement: its breakdown and its plain counts and sums together.
      expect(statements.length).toBeGreaterThanOrEqual(6);
      for (const s of statements) {
        const rows = (await t.store.db.executeQuery(CompiledQuery.raw(`explain query plan ${s.sql}`, [...s.parameters]))).rows as Array<{ detail: string }>;
        const plan = rows.map((r) => r.detail).join('\n');
        expect(plan, s.sql).toMatch(/USING COVERING INDEX (labour_placement|consumption_sale)_sum_idx/);
        // Already in county and category order: no sort for a breakdown.
        expect(plan, s.sql).not.toMatch(/TEMP B-TREE/);
      }
    });

    it('finds a province\'s counties holding records by the level index and one index probe per ledger', async () => {
      const province = (await t.store.db.selectFrom('report_meta').select('county_code').executeTakeFirstOrThrow()).county_code.slice(0, 2);
      const s = countiesWithRecordsQuery(t.store, { kind: 'prefix', prefix: province }, 2022)!.compile();
      await t.store.db.connection().execute(async (c) => {
        if (engine === 'postgres') await c.executeQuery(CompiledQuery.raw('set enable_seqscan = off'));
        const q = engine === 'postgres' ? `explain ${s.sql}` : `explain query plan ${s.sql}`;
        const plan = ((await c.executeQuery(CompiledQuery.raw(q, [...s.parameters]))).rows as Array<Record<string, unknown>>).map((r) => String(r['QUERY PLAN'] ?? r.detail)).join('\n');
        expect(plan).toMatch(engine === 'postgres' ? /Index (Only )?Scan using org_unit_level_code_idx/ : /USING (COVERING )?INDEX org_unit_level_code_idx \(level=\? AND code>\? AND code<\?\)/);
        // Each ledger is probed by its county index, never scanned.
        expect(plan).not.toMatch(engine === 'postgres' ? /Seq Scan on (?!org_unit)/ : /SCAN (?!u\b)/);
        if (engine === 'postgres') await c.executeQuery(CompiledQuery.raw('reset enable_seqscan'));
      });
    });
  });
}
