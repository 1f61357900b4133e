/**
 * The same person counted twice. Person-level ledgers keep a keyed hash of the resident ID, so two
 * records of one person match on it whoever entered them and from whichever file. Such pairs are
 * findings for a person to look at — a worker may really have had two placements in a year — never
 * merged or dropped silently.
 */
import type { Kysely, Transaction } from 'kysely';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { Store } from '../store/db.ts';
import { recordsWithHashes, sharedHashGroups } from '../store/person-repo.ts';
import { type Actor, assertRead } from './scope.ts';

type AnyDb = Kysely<any> | Transaction<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface PersonRecordRef {
  id: number;
  /** The record's title (the person's name) and the dates that tell the records apart. */
  name: string | null;
  startDate: string | null;
  employer: string | null;
  note: string | null;
}

export interface DuplicatePersonFinding {
  code: 'duplicate_person';
  ledger: string;
  /** The masked resident ID; the number itself is never part of a finding. */
  masked: string;
  records: PersonRecordRef[];
  zh: string;
  en: string;
}

/** Ledgers whose records name a person by resident ID. */
export const PERSON_LEDGERS = LEDGERS.filter((d) => d.fields.some((f) => f.pii === 'resident_id'));

/**
 * Groups of records in one county-year that share a resident ID hash. With `newAbove`, only groups
 * holding at least one record with id above it (added by an import) and, when `withOlder` is set,
 * at least one at or below it. At most `limit` findings (default 1000), largest groups first.
 */
export async function findDuplicatePersonsIn(
  db: AnyDb, county: string, year: number, opts: { newAbove?: number; withOlder?: boolean; limit?: number } = {},
): Promise<DuplicatePersonFinding[]> {
  const out: DuplicatePersonFinding[] = [];
  for (const decl of PERSON_LEDGERS) {
    const f = decl.fields.find((x) => x.pii === 'resident_id')!;
    const hashCol = `${f.name}_hash`;
    const groups = await sharedHashGroups(db, decl.table, hashCol, county, year, {
      ...(opts.newAbove !== undefined ? { newAbove: opts.newAbove } : {}), ...(opts.withOlder ? { withOlder: true } : {}), limit: opts.limit ?? 1000,
    });
    if (!groups.length) continue;
    const hashes = groups.map((g) => String(g[hashCol]));
    const rows = await recordsWithHashes(db, decl.table, hashCol, county, year, hashes);
    for (const h of hashes) {
      const recs = rows.filter((r) => r[hashCol] === h);
      const masked = String(recs[0]?.[`${f.name}_masked`] ?? '');
      out.push({
        code: 'duplicate_person', ledger: decl.kind, masked,
        records: recs.map((r) => ({
          id: Number(r.id), name: (r[decl.titleField] as string | null) ?? null,
          startDate: (r.start_date as string | null) ?? null, employer: (r.employer as string | null) ?? null, note: (r.note as string | null) ?? null,
        })),
        zh: `同一人（${masked}）在“${decl.label.zh}”中有${recs.length}条记录，请核实是否重复统计`,
        en: `the same person (${masked}) has ${recs.length} records in ${decl.label.en}; check whether they are counted twice`,
      });
    }
  }
  return out;
}

/** Duplicate-person findings for a county-year, scoped to what the actor may read. */
export async function findDuplicatePersons(store: Store, actor: Actor, county: string, year: number): Promise<DuplicatePersonFinding[]> {
  await assertRead(store, actor, county);
  return findDuplicatePersonsIn(store.db, county, year);
}
