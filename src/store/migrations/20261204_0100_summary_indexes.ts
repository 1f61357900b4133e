import type { Kysely } from 'kysely';

// Frozen: indexes that hold every column the catalogue's counts and sums read from the two ledgers
// that grow largest (thousands of labour placements and consumption sales a county), with the date
// a period to date is cut by. The set-based statements that read those ledgers for hundreds of
// counties then read the index alone, already in county and category order, instead of every
// record's row. The year comes first so that the nation (every county of a year), a code range and
// a list of counties are all read in that order. It must never import application code.
type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: Db): Promise<void> {
  await db.schema.createIndex('labour_placement_sum_idx').on('labour_placement')
    .columns(['year', 'county_code', 'destination', 'poverty_alleviated', 'start_date']).execute();
  await db.schema.createIndex('consumption_sale_sum_idx').on('consumption_sale')
    .columns(['year', 'county_code', 'channel', 'date', 'amount_fen']).execute();
}
