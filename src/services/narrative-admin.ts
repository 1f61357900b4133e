import type { Store } from '../store/db.ts';
import { deleteNarrativeAtVersion, findNarrativeById } from '../store/report-repo.ts';
import { conflict, notFound } from './errors.ts';
import { audit } from './ledgers.ts';
import { type Actor, assertVisible, assertWrite } from './scope.ts';
import { assertReportOpen } from './write-rules.ts';

/**
 * Removes one narrative paragraph; refused when it changed since `expectedVersion`. The paragraph's
 * text stays in the audit log. Readers who may not change the county get Forbidden, others who may
 * not even read it get Forbidden before learning whether the paragraph exists.
 */
export async function deleteNarrative(store: Store, actor: Actor, id: number, expectedVersion: number): Promise<void> {
  const before = await findNarrativeById(store.db, id);
  await assertVisible(store, actor, before?.county_code, () => notFound('该段文字不存在', 'narrative paragraph not found'));
  if (!before) throw notFound('该段文字不存在', 'narrative paragraph not found');
  assertWrite(actor, before.county_code);
  await store.db.transaction().execute(async (tx) => {
    await assertReportOpen(tx, before.county_code, Number(before.year));
    if (!(await deleteNarrativeAtVersion(tx, id, expectedVersion))) throw conflict('该内容已被他人修改，请刷新后重试', 'the text was changed by someone else; reload and try again');
    await audit(tx, actor, 'delete', 'narrative', `${before.section}#${before.seq}`, before.county_code, Number(before.year), before, null);
  });
}
