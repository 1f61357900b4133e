import { type Kysely, sql } from 'kysely';

// Frozen: outputs and capacity (头, 亩, 平方米, 吨…) become typed rows tied to the record they belong to,
// replacing the park columns that named one kind of livestock. Existing values move to the new rows.
type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const isPostgres = (db: Db) => db.getExecutor().adapter.constructor.name === 'PostgresAdapter';

const MOVED: Array<[string, string]> = [['sows', '母猪存栏'], ['piglets', '仔猪'], ['finishing_pigs', '育肥猪'], ['annual_output', '年出栏仔猪']];

export async function up(db: Db): Promise<void> {
  let t = db.schema.createTable('record_output');
  t = isPostgres(db) ? t.addColumn('id', 'serial', (c) => c.primaryKey()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await t
    .addColumn('county_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('quantity_qual', 'text')
    .addColumn('quantity_max', 'integer')
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('record_output_scope_idx').on('record_output').columns(['county_code', 'year']).execute();
  await db.schema.createIndex('record_output_key_idx').on('record_output').columns(['county_code', 'year', 'owner_kind', 'owner', 'item']).execute();
  for (const [col, item] of MOVED) {
    const qual = col === 'annual_output' ? sql.ref('annual_output_qual') : sql`null`;
    const max = col === 'annual_output' ? sql.ref('annual_output_max') : sql`null`;
    await sql`insert into record_output (county_code, year, owner_kind, owner, item, quantity, quantity_qual, quantity_max, unit, note, version, created_at, updated_at)
      select county_code, year, 'industrial_park', name, ${item}, ${sql.ref(col)}, ${qual}, ${max}, '头', note, 1, created_at, updated_at
      from industrial_park where ${sql.ref(col)} is not null`.execute(db);
  }
  for (const col of ['sows', 'piglets', 'finishing_pigs', 'annual_output', 'annual_output_qual', 'annual_output_max'])
    await db.schema.alterTable('industrial_park').dropColumn(col).execute();
}

export async function down(db: Db): Promise<void> {
  for (const col of ['sows', 'piglets', 'finishing_pigs', 'annual_output', 'annual_output_max'])
    await db.schema.alterTable('industrial_park').addColumn(col, 'integer').execute();
  await db.schema.alterTable('industrial_park').addColumn('annual_output_qual', 'text').execute();
  await db.schema.dropTable('record_output').execute();
}
