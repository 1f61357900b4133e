/** Queries of the evidence ledger that must hold under concurrent uploads. */
import type { Insertable, Kysely, Selectable } from 'kysely';
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

export type EvidenceRow = Selectable<FullDatabase['evidence_file']>;

/** Stores an evidence file's record; returns its id. */
export async function insertEvidence(db: Kysely<FullDatabase>, row: Insertable<FullDatabase['evidence_file']>): Promise<number> {
  const r = await db.insertInto('evidence_file').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Evidence of a county-year, optionally of one ledger, record or indicator, by id. */
export async function evidenceOf(
  db: Kysely<FullDatabase>, county: string, year: number, f: { ledger?: string; recordId?: number; indicator?: string } = {},
): Promise<EvidenceRow[]> {
  let q = db.selectFrom('evidence_file').selectAll().where('county_code', '=', county).where('year', '=', year);
  if (f.ledger) q = q.where('ledger', '=', f.ledger);
  if (f.recordId) q = q.where('record_id', '=', f.recordId);
  if (f.indicator) q = q.where('indicator', '=', f.indicator);
  return q.orderBy('id').execute();
}

export async function findEvidence(db: Kysely<FullDatabase>, id: number): Promise<EvidenceRow | undefined> {
  return db.selectFrom('evidence_file').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deleteEvidenceRow(db: Kysely<FullDatabase>, id: number): Promise<void> {
  await db.deleteFrom('evidence_file').where('id', '=', id).execute();
}
