import { loadDivisions } from '../src/services/orgunits.ts';
import type { Store } from '../src/store/db.ts';

/** Deterministic pseudo-random numbers, so every run generates the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const CATS = ['industry', 'labour', 'education_training', 'talent', 'infrastructure_other', 'disability'];

/**
 * Synthetic ledgers for every county of the given provinces: fund allocations by category and a
 * few dozen projects per county, marked complete so indicators read the records.
 */
export async function generateCounties(store: Store, provinces: string[], year: number, projectsPerCounty = 40): Promise<string[]> {
  await loadDivisions(store, provinces, { depth: 'county' });
  const counties = (await store.db.selectFrom('org_unit').select('code').where('level', '=', 'county').execute())
    .map((r) => r.code).filter((c) => provinces.some((p) => c.startsWith(p)));
  const rand = rng(42);
  const now = '2026-01-01T00:00:00Z';
  await store.db.transaction().execute(async (tx) => {
    for (const county of counties) {
      for (const ledger of ['fund_allocation', 'project'])
        await tx.insertInto('ledger_state').values({ county_code: county, year, ledger, completeness: 'complete', status: 'draft', comment: null, updated_by: 'bench', updated_at: now }).execute();
      await tx.insertInto('fund_allocation' as never).values(CATS.map((category) => ({
        county_code: county, year, category, amount_fen: Math.floor(rand() * 1e9), source: 'bench', version: 1, created_at: now, updated_at: now,
      })) as never).execute();
      const projects = Array.from({ length: projectsPerCounty }, (_, i) => {
        const r = rand();
        return {
          county_code: county, year, name: `项目${i + 1}`, category: CATS[i % CATS.length], coop_funds_fen: Math.floor(rand() * 1e8), coop_funds_fen_qual: 'exact',
          status: r < 0.6 ? 'completed' : r < 0.95 ? 'started' : 'planned', rural_people: Math.floor(rand() * 500), poverty_alleviated: Math.floor(rand() * 100),
          jobs: Math.floor(rand() * 50), jobs_qual: 'exact', demo_village: 0, version: 1, created_at: now, updated_at: now,
        };
      });
      await tx.insertInto('project' as never).values(projects as never).execute();
    }
  });
  return counties;
}
