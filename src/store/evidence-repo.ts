/** Queries of the evidence ledger that must hold under concurrent uploads. */
import type { Kysely } from 'kysely';
import type { FullDatabase } from './schema-accounts.ts';

/**
 * Serialises evidence changes of one county until the caller's transaction ends: a no-op update of the
 * county's org-unit row takes its row lock on PostgreSQL and the write lock on SQLite, so two
 * uploads cannot both see room left in the quota.
 */
export async function lockCountyEvidence(tx: Kysely<FullDatabase>, county: string): Promise<void> {
  await tx.updateTable('org_unit').set((eb) => ({ code: eb.ref('code') })).where('code', '=', county).execute();
}

/** Bytes of evidence a county keeps. */
export async function evidenceBytes(db: Kysely<FullDatabase>, county: string): Promise<number> {
  const r = await db.selectFrom('evidence_file').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('n'))
    .where('county_code', '=', county).executeTakeFirstOrThrow();
  return Number(r.n);
}
