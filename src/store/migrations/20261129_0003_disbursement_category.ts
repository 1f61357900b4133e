import type { Kysely } from 'kysely';

// Frozen: disbursements carry the fund category they draw on, so disbursed-by-category can be shown.
type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('fund_disbursement').addColumn('category', 'text').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable('fund_disbursement').dropColumn('category').execute();
}
