import type { Kysely } from 'kysely';

// Frozen: an index on the divisions by level and code, so that the counties of a province (or of
// the nation) are found without walking its townships and villages, which outnumber them a
// hundredfold. It must never import application code.
type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: Db): Promise<void> {
  await db.schema.createIndex('org_unit_level_code_idx').on('org_unit').columns(['level', 'code']).execute();
}
