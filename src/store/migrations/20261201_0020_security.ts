import { type Kysely } from 'kysely';

// Frozen: account state (demo marking, lock, sign-in scope of tokens), the audit log's hash chain
// and deployment facts (demo marker, fingerprint of the resident-ID key). It must never import
// application code.

type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('app_user').addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('app_user').addColumn('locked_at', 'text').execute();
  await db.schema.alterTable('app_user').addColumn('updated_at', 'text').execute();
  await db.schema.alterTable('api_token').addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('api_token').addColumn('county_code', 'text').execute();
  await db.schema.alterTable('api_token').addColumn('expires_at', 'text').execute();

  await db.schema.alterTable('audit_log').addColumn('seq', 'integer').execute();
  await db.schema.alterTable('audit_log').addColumn('prev_hash', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
  await db.schema.createIndex('audit_log_seq_idx').on('audit_log').column('seq').unique().execute();
  // One row (id 1): the chain's last position and hash. Appending updates it first, which takes the
  // row lock on PostgreSQL, so concurrent appends are chained one after the other.
  await db.schema.createTable('audit_chain')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('deployment_meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('deployment_meta').execute();
  await db.schema.dropTable('audit_chain').execute();
  await db.schema.dropIndex('audit_log_seq_idx').execute();
  for (const c of ['hash', 'prev_hash', 'seq']) await db.schema.alterTable('audit_log').dropColumn(c).execute();
  for (const c of ['expires_at', 'county_code', 'read_only']) await db.schema.alterTable('api_token').dropColumn(c).execute();
  for (const c of ['updated_at', 'locked_at', 'demo']) await db.schema.alterTable('app_user').dropColumn(c).execute();
}
