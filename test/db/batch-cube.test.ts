import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AggregateQuery, type Expr, parse } from '../../src/domain/expr/index.ts';
import { synthesize } from '../../src/services/synth.ts';
import { aggregateLedger, qualifiedCount, statedCount } from '../../src/store/aggregate.ts';
import { batchAggregates, batchStatements, type BatchTerm } from '../../src/store/batch-aggregate.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

// A ledger-year whose terms test only categories and yes/no fields is read in one statement grouped
// by those fields, and each term adds up the groups its condition holds for. These terms test every
// form of condition, over records whose tested fields are blank in places (SQL's unknown), and
// must give each county exactly what the county's own statement gives.
const FORMULAS = [
  "count(project where demo_village = true)",
  "count(project where demo_village != true)",
  "count(project where not (demo_village = true))",
  "count(project where category is null or demo_village = false)",
  "count(project where category not in ('industry', 'infrastructure'))",
  "count(project where category in ('industry') and not (demo_village != true))",
  "sum(project.coop_funds)",
  "sum(project.coop_funds where category != 'industry')",
  "sum(project.coop_funds where demo_village = true or category is not null)",
  "count(project) by category",
  "sum(project.coop_funds where demo_village = true) by category",
  "count(labour_placement where poverty_alleviated = true and destination != 'in_province')",
  "count(labour_placement where destination in ('out_of_province', 'partner_region'))",
  "count(labour_placement) by destination",
];

function queryOf(text: string, year: number): AggregateQuery {
  const r = parse(text);
  if (!r.ok) throw new Error(r.error.message);
  const e = r.ast as Extract<Expr, { kind: 'count' | 'sum' }>;
  return { fn: e.kind, ledger: e.ledger, ...(e.kind === 'sum' && { field: e.field }), ...(e.where && { where: e.where }), ...(e.by !== undefined && { by: e.by }), year };
}

for (const engine of await engines()) {
  describe(`one statement per ledger-year, grouped by the fields its conditions test (${engine})`, () => {
    let t: TestStore;
    // The ledger tables are declared at run time, which the schema's types cannot follow.
    const ledgers = () => t.store.db as unknown as Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    beforeAll(async () => {
      t = await freshStore(engine);
      await synthesize(t.store, { counties: 4, year: 2022, seed: 5 });
      // Blanks where a field may be blank, and figures stated only approximately.
      for (const statement of [
        'update project set category = null where id % 5 = 0',
        'update project set demo_village = null where id % 3 = 0',
        'update project set coop_funds_fen = null where id % 4 = 1',
        "update project set coop_funds_fen_qual = 'about' where id % 7 = 2",
        'update labour_placement set poverty_alleviated = null where id % 6 = 0',
      ]) await sql.raw(statement).execute(t.store.db);
    }, 120_000);
    afterAll(async () => { await t.dispose(); });

    it('answers every form of condition as the county\'s own statement does, blanks included', async () => {
      const terms: BatchTerm[] = FORMULAS.map((f, i) => ({ key: `k${i}`, q: queryOf(f, 2022) }));
      const counties = (await ledgers().selectFrom('project').select('county_code').distinct().orderBy('county_code').execute()).map((r) => String(r.county_code));
      expect(counties.length).toBe(4);
      const set = { kind: 'codes' as const, codes: counties };
      // Two ledgers, one statement each, grouped by the fields tested.
      const statements = batchStatements(t.store, set, terms);
      expect(statements).toHaveLength(2);
      expect(statements.map((s) => s.sql).join('\n')).not.toMatch(/case when "(category|demo_village|destination|poverty_alleviated)"/);
      const batch = await batchAggregates(t.store, set, terms);
      expect(batch.statements).toBe(2);
      let nonZero = 0;
      for (const c of counties) {
        for (const term of terms) {
          const own = await aggregateLedger(t.store, c, term.q);
          expect(batch.value(c, term.key), `${c} ${FORMULAS[Number(term.key.slice(1))]}`).toEqual(own);
          if (!Array.isArray(own) && !own.isZero()) nonZero++;
          if (term.q.fn === 'sum' && !term.q.by) {
            expect(batch.qualified(c, term.key)).toBe(await qualifiedCount(t.store, c, term.q));
            expect(batch.stated(c, term.key)).toBe(await statedCount(t.store, c, term.q));
          }
        }
        expect(batch.records(c, 'project', 2022)).toBe(Number((await ledgers().selectFrom('project').select((eb) => eb.fn.countAll().as('n')).where('county_code', '=', c).where('year', '=', 2022).executeTakeFirstOrThrow()).n));
      }
      // The data is not trivial: most figures are not zero, and some sums are stated only approximately.
      expect(nonZero).toBeGreaterThan(counties.length * 6);
      expect(counties.some((c) => (batch.qualified(c, 'k6') ?? 0) > 0)).toBe(true);
    });

    it('keeps conditional aggregates where a condition compares by order or a field has many values', async () => {
      const terms: BatchTerm[] = ["count(project where status = 'done')", 'count(project) by category', 'sum(project.coop_funds where households > 10)']
        .map((f, i) => ({ key: `k${i}`, q: queryOf(f, 2022) }));
      expect(batchStatements(t.store, { kind: 'all' }, terms)).toHaveLength(2);
      expect(batchStatements(t.store, { kind: 'all' }, terms.slice(0, 2))).toHaveLength(1);
    });
  });
}
