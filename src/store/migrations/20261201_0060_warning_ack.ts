import type { Kysely } from 'kysely';

// Frozen: a county's acknowledgement of an early warning, with its note. Warnings themselves are
// computed from the records on every request; only what people say about them is stored.
// It must never import application code.
type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const isPostgres = (db: Db): boolean => db.getExecutor().adapter.constructor.name === 'PostgresAdapter';

export async function up(db: Db): Promise<void> {
  const t = db.schema.createTable('warning_ack');
  await (isPostgres(db) ? t.addColumn('id', 'serial', (c) => c.primaryKey()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
    .addColumn('county_code', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('warning_key', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('acked_by', 'text', (c) => c.notNull())
    .addColumn('acked_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('warning_ack_key', ['county_code', 'year', 'warning_key'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('warning_ack').execute();
}
