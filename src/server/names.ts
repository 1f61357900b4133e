import { displayNameRows } from '../store/accounts-repo.ts';
import type { Store } from '../store/db.ts';
import { accountsDb } from '../store/schema-accounts.ts';

/**
 * Display names of the accounts behind actor ids (usernames) as recorded in the audit log and the
 * workflow states, so that people read "舟曲县协作办审核员" rather than a login name. Ids without an
 * account (the system, deleted accounts) are absent from the map.
 */
export async function displayNames(store: Store, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  const wanted = [...new Set([...ids].filter((x): x is string => !!x && x !== 'system'))];
  if (!wanted.length) return new Map();
  const rows = await displayNameRows(accountsDb(store), wanted);
  return new Map(rows.map((r) => [r.username, r.display_name]));
}
