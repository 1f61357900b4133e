/** Queries over the person-level ledgers by the keyed hash of a resident ID. */
import { type Kysely, sql, type Transaction } from 'kysely';

type AnyDb = Kysely<any> | Transaction<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The hashes shared by more than one record of a county-year in a ledger table, with how many
 * records share each, largest groups first, then by hash; at most `limit`. With `newAbove`, only
 * groups holding a record with id above it and, with `withOlder`, one at or below it as well.
 */
export async function sharedHashGroups(
  db: AnyDb, table: string, hashCol: string, county: string, year: number, opts: { newAbove?: number; withOlder?: boolean; limit: number },
): Promise<Array<Record<string, unknown>>> {
  let q = db.selectFrom(table)
    .select([hashCol, sql<number>`count(*)`.as('n')])
    .where('county_code', '=', county).where('year', '=', year)
    .groupBy(hashCol)
    .having(sql<number>`count(*)`, '>', 1);
  if (opts.newAbove !== undefined) {
    q = q.having(sql<number>`max(id)`, '>', opts.newAbove);
    if (opts.withOlder) q = q.having(sql<number>`min(id)`, '<=', opts.newAbove);
  }
  return await q.orderBy(sql`count(*)`, 'desc').orderBy(hashCol).limit(opts.limit).execute() as Array<Record<string, unknown>>;
}

/** Every record of a county-year in a ledger table whose hash column holds one of `hashes`, by id. */
export async function recordsWithHashes(
  db: AnyDb, table: string, hashCol: string, county: string, year: number, hashes: readonly string[],
): Promise<Array<Record<string, unknown>>> {
  return await db.selectFrom(table).selectAll()
    .where('county_code', '=', county).where('year', '=', year)
    .where(hashCol, 'in', [...hashes])
    .orderBy('id').execute() as Array<Record<string, unknown>>;
}
