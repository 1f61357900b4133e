import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { LEDGERS } from '../../src/domain/ledgers/declarations.ts';
import { listRecords } from '../../src/services/ledgers.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import type { Store } from '../../src/store/db.ts';

export const COUNTY = '623023';
export const YEAR = 2022;

/** The org units the tests need: 甘肃省, 甘南州, 舟曲县 (and a neighbour county for scope checks). */
export async function addOrgUnits(store: Store): Promise<void> {
  await store.db.insertInto('org_unit').values([
    { code: '62', name: '甘肃省', level: 'province', parent_code: null },
    { code: '6230', name: '甘南藏族自治州', level: 'prefecture', parent_code: '62' },
    { code: '623023', name: '舟曲县', level: 'county', parent_code: '6230' },
    { code: '623024', name: '迭部县', level: 'county', parent_code: '6230' },
  ]).execute();
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `xiezuo-${tag}-`));
}

/** Every ledger's records of the county-year in domain form, without ids, versions and timestamps. */
export async function records(store: Store, county = COUNTY, year = YEAR): Promise<Record<string, Array<Record<string, unknown>>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  for (const d of LEDGERS) {
    const { rows } = await listRecords(store, SYSTEM, d.kind, county, year);
    out[d.kind] = rows
      .map(({ id: _i, created_at: _c, updated_at: _u, version: _v, ...r }) => r)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

/** Everything an import could touch, as raw rows: every ledger table and the audit log. */
export async function snapshot(store: Store): Promise<string> {
  const db = store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
  const parts: Record<string, unknown> = {};
  for (const t of [...LEDGERS.map((d) => d.table), 'audit_log', 'ledger_state']) {
    parts[t] = await db.selectFrom(t).selectAll().orderBy(sql`1`).execute();
  }
  return JSON.stringify(parts);
}
