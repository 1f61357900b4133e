import type { Kysely } from 'kysely';

// Frozen: stated figures with the day they refer to ("转移就业1200人，截至2022-06-30"), so the pace of
// a figure kept as a stated total can be followed through the year. A county may state the same
// figure several times a year, once per day; the undated statement in reported_value stays the
// year's figure. It must never import application code.
type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const isPostgres = (db: Db): boolean => db.getExecutor().adapter.constructor.name === 'PostgresAdapter';

export async function up(db: Db): Promise<void> {
  const t = db.schema.createTable('reported_value_dated');
  await (isPostgres(db) ? t.addColumn('id', 'serial', (c) => c.primaryKey()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
    .addColumn('county_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('element', 'text', (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('as_of', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('qual', 'text', (c) => c.notNull().defaultTo('exact'))
    .addColumn('value_max', 'text')
    .addColumn('scale', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('unit_word', 'text')
    .addColumn('note', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('reported_value_dated_uq', ['county_code', 'year', 'element', 'dim', 'as_of'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('reported_value_dated').execute();
}
