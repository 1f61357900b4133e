import { type CreateTableBuilder, type Kysely, sql } from 'kysely';

// Frozen: the schema as of this migration. It must never import application code.

type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

function withId<T extends string>(db: Db, t: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return isPostgres(db)
    ? t.addColumn('id', 'serial', (c) => c.primaryKey())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

async function ledgerTable(
  db: Db,
  name: string,
  fields: (t: CreateTableBuilder<string, string>) => CreateTableBuilder<string, string>,
  naturalKey: string[],
): Promise<void> {
  let t = withId(db, db.schema.createTable(name)) as CreateTableBuilder<string, string>;
  t = t
    .addColumn('county_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('year', 'integer', (c) => c.notNull());
  t = fields(t)
    .addColumn('note', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull());
  await t.execute();
  await db.schema.createIndex(`${name}_scope_idx`).on(name).columns(['county_code', 'year']).execute();
  await db.schema
    .createIndex(`${name}_key_idx`)
    .on(name)
    .columns(['county_code', 'year', ...naturalKey])
    .execute();
}

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('org_unit')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('parent_code', 'text')
    .execute();
  await db.schema.createIndex('org_unit_parent_idx').on('org_unit').column('parent_code').execute();

  await withId(db, db.schema.createTable('cooperation_pair'))
    .addColumn('east_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('west_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('since_year', 'integer')
    .addColumn('until_year', 'integer')
    .addUniqueConstraint('cooperation_pair_uq', ['east_code', 'west_code'])
    .execute();

  await db.schema
    .createTable('ledger_state')
    .addColumn('county_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('ledger', 'text', (c) => c.notNull())
    .addColumn('completeness', 'text', (c) => c.notNull().defaultTo('complete'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('comment', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_state_pk', ['county_code', 'year', 'ledger'])
    .execute();

  await withId(db, db.schema.createTable('reported_value'))
    .addColumn('county_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('element', 'text', (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('qual', 'text', (c) => c.notNull().defaultTo('exact'))
    .addColumn('value_max', 'text')
    .addColumn('note', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('reported_value_uq', ['county_code', 'year', 'element', 'dim'])
    .execute();

  await withId(db, db.schema.createTable('target'))
    .addColumn('org_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('value_max', 'text')
    .addColumn('reported_status', 'text')
    .addColumn('set_by', 'text')
    .addColumn('note', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('target_uq', ['org_code', 'year', 'indicator'])
    .execute();

  await withId(db, db.schema.createTable('narrative'))
    .addColumn('county_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('section', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('narrative_uq', ['county_code', 'year', 'section', 'seq'])
    .execute();

  await db.schema
    .createTable('report_meta')
    .addColumn('county_code', 'text', (c) => c.notNull().references('org_unit.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('report_date', 'text', (c) => c.notNull())
    .addColumn('partner_code', 'text')
    .addPrimaryKeyConstraint('report_meta_pk', ['county_code', 'year'])
    .execute();

  await withId(db, db.schema.createTable('audit_log'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('county_code', 'text')
    .addColumn('year', 'integer')
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .execute();
  await db.schema.createIndex('audit_log_scope_idx').on('audit_log').columns(['county_code', 'year', 'at']).execute();

  await ledgerTable(db, 'meeting', (t) =>
    t
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
  , ['type', 'date', 'topic']);
  await ledgerTable(db, 'visit', (t) =>
    t
      .addColumn('start_date', 'text', (c) => c.notNull())
      .addColumn('end_date', 'text', (c) => c.notNull())
      .addColumn('delegation', 'text', (c) => c.notNull())
      .addColumn('leader', 'text')
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('destination', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text')
  , ['start_date', 'delegation']);
  await ledgerTable(db, 'pairing', (t) =>
    t
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('east_party', 'text', (c) => c.notNull())
      .addColumn('west_party', 'text', (c) => c.notNull())
      .addColumn('west_unit', 'text')
      .addColumn('since', 'text')
  , ['type', 'east_party', 'west_party']);
  await ledgerTable(db, 'fund_allocation', (t) =>
    t
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('amount_fen', 'bigint', (c) => c.notNull())
      .addColumn('source', 'text')
  , ['category', 'source']);
  await ledgerTable(db, 'fund_earmark', (t) =>
    t
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('amount_fen', 'bigint', (c) => c.notNull())
  , ['purpose']);
  await ledgerTable(db, 'fund_disbursement', (t) =>
    t
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('amount_fen', 'bigint', (c) => c.notNull())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('voucher', 'text')
  , ['date', 'project', 'voucher']);
  await ledgerTable(db, 'project', (t) =>
    t
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('category', 'text')
      .addColumn('location', 'text')
      .addColumn('village', 'text')
      .addColumn('demo_village', 'integer')
      .addColumn('coop_funds_fen', 'bigint')
      .addColumn('coop_funds_fen_qual', 'text')
      .addColumn('coop_funds_fen_max', 'bigint')
      .addColumn('other_funds_fen', 'bigint')
      .addColumn('other_funds_fen_qual', 'text')
      .addColumn('other_funds_fen_max', 'bigint')
      .addColumn('other_source', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('start_date', 'text')
      .addColumn('completion_date', 'text')
      .addColumn('households', 'integer')
      .addColumn('households_qual', 'text')
      .addColumn('households_max', 'integer')
      .addColumn('rural_people', 'integer')
      .addColumn('rural_people_qual', 'text')
      .addColumn('rural_people_max', 'integer')
      .addColumn('poverty_alleviated', 'integer')
      .addColumn('jobs', 'integer')
      .addColumn('jobs_qual', 'text')
      .addColumn('jobs_max', 'integer')
      .addColumn('outputs', 'text')
  , ['name']);
  await ledgerTable(db, 'job_fair', (t) =>
    t
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('mode', 'text')
      .addColumn('date', 'text')
      .addColumn('organiser', 'text')
      .addColumn('employers', 'integer')
      .addColumn('jobs_offered', 'integer')
  , ['name']);
  await ledgerTable(db, 'labour_placement', (t) =>
    t
      .addColumn('person_name', 'text', (c) => c.notNull())
      .addColumn('resident_id_hash', 'text', (c) => c.notNull())
      .addColumn('resident_id_masked', 'text')
      .addColumn('destination', 'text', (c) => c.notNull())
      .addColumn('employer', 'text')
      .addColumn('workplace', 'text')
      .addColumn('start_date', 'text', (c) => c.notNull())
      .addColumn('months', 'integer')
      .addColumn('poverty_alleviated', 'integer')
      .addColumn('monitored', 'integer')
  , ['resident_id_hash', 'start_date']);
  await ledgerTable(db, 'consumption_sale', (t) =>
    t
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('seller', 'text', (c) => c.notNull())
      .addColumn('buyer', 'text')
      .addColumn('product', 'text')
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('amount_fen', 'bigint', (c) => c.notNull())
  , ['channel', 'seller', 'date', 'product']);
  await ledgerTable(db, 'insurance', (t) =>
    t
      .addColumn('scheme', 'text', (c) => c.notNull())
      .addColumn('premium_fen', 'bigint', (c) => c.notNull())
      .addColumn('households', 'integer', (c) => c.notNull())
      .addColumn('people', 'integer', (c) => c.notNull())
      .addColumn('claimants', 'integer', (c) => c.notNull())
      .addColumn('payout_fen', 'bigint', (c) => c.notNull())
  , ['scheme']);
  await ledgerTable(db, 'enterprise', (t) =>
    t
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('credit_code', 'text')
      .addColumn('origin', 'text')
      .addColumn('agreement', 'text')
      .addColumn('signed_date', 'text')
      .addColumn('planned_investment_fen', 'bigint')
      .addColumn('planned_investment_fen_qual', 'text')
      .addColumn('planned_investment_fen_max', 'bigint')
      .addColumn('actual_investment_fen', 'bigint')
      .addColumn('jobs_planned', 'integer')
      .addColumn('jobs_actual', 'integer')
      .addColumn('subsidy_fen', 'bigint')
  , ['name']);
  await ledgerTable(db, 'industrial_park', (t) =>
    t
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('total_investment_fen', 'bigint', (c) => c.notNull())
      .addColumn('coop_funds_fen', 'bigint')
      .addColumn('floor_area_m2', 'integer')
      .addColumn('sows', 'integer')
      .addColumn('piglets', 'integer')
      .addColumn('finishing_pigs', 'integer')
      .addColumn('annual_output', 'integer')
      .addColumn('annual_output_qual', 'text')
      .addColumn('annual_output_max', 'integer')
      .addColumn('status', 'text', (c) => c.notNull())
  , ['name']);
  await ledgerTable(db, 'deal', (t) =>
    t
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('parties', 'text', (c) => c.notNull())
      .addColumn('platform', 'text')
      .addColumn('signed_date', 'text')
      .addColumn('amount_fen', 'bigint')
      .addColumn('amount_fen_qual', 'text')
      .addColumn('amount_fen_max', 'bigint')
  , ['title']);
  await ledgerTable(db, 'talent_exchange', (t) =>
    t
      .addColumn('person_name', 'text')
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('field', 'text')
      .addColumn('rank', 'text')
      .addColumn('post', 'text', (c) => c.notNull())
      .addColumn('start_date', 'text')
      .addColumn('end_date', 'text')
  , ['direction', 'post', 'start_date']);
  await ledgerTable(db, 'talent_plan', (t) =>
    t
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('planned', 'integer', (c) => c.notNull())
      .addColumn('remark', 'text')
  , ['direction', 'kind', 'field']);
  await ledgerTable(db, 'donation', (t) =>
    t
      .addColumn('donor', 'text', (c) => c.notNull())
      .addColumn('donor_kind', 'text', (c) => c.notNull())
      .addColumn('via', 'text')
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('form', 'text', (c) => c.notNull())
      .addColumn('items', 'text')
      .addColumn('value_fen', 'bigint', (c) => c.notNull())
      .addColumn('value_fen_qual', 'text')
      .addColumn('value_fen_max', 'bigint')
      .addColumn('beneficiaries', 'integer')
      .addColumn('date', 'text')
  , ['donor', 'recipient', 'items']);
  await ledgerTable(db, 'demo_village', (t) =>
    t
      .addColumn('village', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('designated_year', 'integer')
      .addColumn('programme', 'text')
  , ['village']);
  await sql`select 1`.execute(db);
}

export async function down(db: Db): Promise<void> {
  for (const t of [
    'meeting', 'visit', 'pairing', 'fund_allocation', 'fund_earmark', 'fund_disbursement', 'project', 'job_fair',
    'labour_placement', 'consumption_sale', 'insurance', 'enterprise', 'industrial_park', 'deal', 'talent_exchange',
    'talent_plan', 'donation', 'demo_village', 'audit_log', 'report_meta', 'narrative', 'target', 'reported_value',
    'ledger_state', 'cooperation_pair', 'org_unit',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
