/**
 * Who may change the report data of a county-year, in one place: the routes, the Excel import's
 * report sheets, the dataset loader and the CLI all ask here, so an import can change only what
 * its user could change through the forms.
 *
 * | what | who |
 * |---|---|
 * | reported values, narrative, report details | the county's users (clerks, reviewers) and administrators; not once the county-year is approved |
 * | a ledger's completeness | whoever may write that ledger |
 * | targets | province and prefecture users for the units they cover, administrators |
 * | the cooperation pair (eastern partner) | administrators |
 */
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { statusesOf } from '../store/ledger-state-repo.ts';
import { conflict, forbidden } from './errors.ts';
import { type Actor, assertWrite } from './scope.ts';

export type ReportPart = 'report' | 'reported' | 'narrative' | 'completeness' | 'target' | 'partner';

/** Refuses (Forbidden) setting a target for `orgCode` unless the actor is an administrator or a province/prefecture user covering it. */
export function assertMaySetTarget(actor: Actor, orgCode: string): void {
  if (actor.readOnly) throw forbidden('该令牌只读，不能修改数据', 'this token is read-only');
  if (actor.onlyCounty !== undefined && orgCode !== actor.onlyCounty) throw forbidden('该令牌仅限另一个县', 'this token is limited to another county');
  if (!(actor.role === 'admin' || (actor.role === 'province_user' && actor.units.some((u) => orgCode.startsWith(u)))))
    throw forbidden('只有省、州用户可以设定目标', 'only province or prefecture users may set targets');
}

/** Refuses (Forbidden) recording a cooperation pair unless the actor is an administrator. */
export function assertMaySetPartner(actor: Actor): void {
  if (actor.readOnly || actor.onlyCounty !== undefined || actor.role !== 'admin')
    throw forbidden('只有系统管理员可以登记东西部协作关系', 'only administrators record cooperation pairs');
}

/** Refuses (Forbidden) one change of report data the actor may not make; `ledger` for a completeness change. */
export function assertMayWriteReport(actor: Actor, county: string, part: ReportPart, key?: string): void {
  switch (part) {
    case 'target': return assertMaySetTarget(actor, key ?? county);
    case 'partner': return assertMaySetPartner(actor);
    case 'completeness': return assertWrite(actor, county, key);
    case 'report':
    case 'reported':
    case 'narrative': return assertWrite(actor, county);
  }
}

/**
 * True when every ledger of the county-year is approved: the report is then final, and its reported
 * values, narrative and details are locked with the ledgers until one is reopened.
 */
export async function reportLocked(db: Kysely<Database>, county: string, year: number): Promise<boolean> {
  const rows = await statusesOf(db, county, year);
  const approved = new Set(rows.filter((r) => r.status === 'approved').map((r) => r.ledger));
  return LEDGERS.every((d) => approved.has(d.kind));
}

/** Refuses (Conflict) a change of reported values, narrative or report details of an approved county-year. */
export async function assertReportOpen(db: Kysely<Database>, county: string, year: number): Promise<void> {
  if (await reportLocked(db, county, year))
    throw conflict('该县该年度的台账已全部审核通过，上报数据和报告文字已锁定；需重新开启台账后才能修改',
      'every ledger of this county-year is approved, so its reported values and narrative are locked; reopen a ledger to change them');
}
