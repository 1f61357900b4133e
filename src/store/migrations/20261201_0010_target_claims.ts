import type { Kysely } from 'kysely';

// Frozen: a unit's own statement about a target ("超额完成", with its note) is that unit's data, kept
// apart from the target a higher unit sets, so one county's claim never decides another county's status.
type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('target_claim')
    .addColumn('org_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('target_claim_pk', ['org_code', 'year', 'indicator'])
    .execute();
  // Custom units (开发区, 经开区) have no GB/T 2260 code and hang under a parent.
  await db.schema.alterTable('org_unit').addColumn('custom', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // The scale a figure was written in ('' | '万' | '亿'), so 3.18亿元 and 75.31万人 print the way they were stated.
  await db.schema.alterTable('reported_value').addColumn('scale', 'text', (c) => c.notNull().defaultTo('')).execute();
  // The count word it was written with (名, 家, 人次…) where it differs from the element's own unit.
  await db.schema.alterTable('reported_value').addColumn('unit_word', 'text').execute();
  // When a pairing began, to the month where the source says so (e.g. 2021-05).
  await db.schema.alterTable('cooperation_pair').addColumn('since', 'text').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable('cooperation_pair').dropColumn('since').execute();
  await db.schema.alterTable('reported_value').dropColumn('unit_word').execute();
  await db.schema.alterTable('reported_value').dropColumn('scale').execute();
  await db.schema.alterTable('org_unit').dropColumn('custom').execute();
  await db.schema.dropTable('target_claim').execute();
}
