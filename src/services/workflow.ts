import { LEDGERS, ledgerDecl } from '../domain/ledgers/declarations.ts';
import { appendAudit } from '../store/audit-repo.ts';
import type { Store } from '../store/db.ts';
import {
  findLedgerState, insertLedgerState, ledgerStatesOf, ledgerStatus, updateLedgerState, updateLedgerStateIfStatus,
} from '../store/ledger-state-repo.ts';
import type { Database } from '../store/schema.ts';
import { conflict, forbidden, invalid, notFound } from './errors.ts';
import { type Actor, assertRead, assertWrite } from './scope.ts';

/**
 * The fill-in-and-approve cycle (填报–审核) of one ledger in one county-year:
 *
 *   draft ──submit──▶ submitted ──approve──▶ approved
 *     ▲                  │                      │
 *     └── returned ◀─return (comment)           └──reopen──▶ draft
 *
 * Records can be written only in draft or returned. Clerks submit their department's ledgers;
 * county reviewers (county_admin) and administrators approve, return and reopen.
 */
export type LedgerStatus = Database['ledger_state']['status'];
export type Transition = 'submit' | 'approve' | 'return' | 'reopen';
export const TRANSITIONS: readonly Transition[] = ['submit', 'approve', 'return', 'reopen'];

const FROM: Record<Transition, readonly LedgerStatus[]> = {
  submit: ['draft', 'returned'],
  approve: ['submitted'],
  return: ['submitted'],
  reopen: ['approved'],
};
const TO: Record<Transition, LedgerStatus> = { submit: 'submitted', approve: 'approved', return: 'returned', reopen: 'draft' };

export const STATUS_LABELS: Record<LedgerStatus, { zh: string; en: string }> = {
  draft: { zh: '填报中', en: 'Draft' },
  submitted: { zh: '已提交待审核', en: 'Submitted' },
  approved: { zh: '已审核通过', en: 'Approved' },
  returned: { zh: '已退回', en: 'Returned' },
};

type Db = Store['db'];

/** Current time as ISO text; tests may replace it. */
export let now = (): string => new Date().toISOString();
export function setWorkflowClock(fn: () => string): void {
  now = fn;
}

/**
 * Refuses (Conflict) a record write to a ledger that is submitted or approved for the county-year.
 * Accepts a transaction so the check and the write see the same state.
 */
export async function assertEditable(store: Store | { db: Db }, county: string, year: number, kind: string): Promise<void> {
  const status = await ledgerStatus(store.db, county, year, kind);
  if (status === 'submitted' || status === 'approved')
    throw conflict(
      `该台账${STATUS_LABELS[status].zh}，已锁定；需退回或重新开启后才能修改`,
      `this ledger is ${status} and locked; it must be returned or reopened before editing`,
    );
}

export interface LedgerStateView {
  ledger: string;
  label: { zh: string; en: string };
  status: LedgerStatus;
  /** The county's own statement: the ledger holds every record (complete), some (partial), or it has not said (unknown). */
  completeness: 'complete' | 'partial' | 'unknown';
  comment: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
  /** Transitions the asking actor may perform now. */
  allowed: Transition[];
}

function mayPerform(actor: Actor, county: string, ledger: string, t: Transition): boolean {
  try {
    assertWrite(actor, county, ledger);
  } catch {
    return false;
  }
  if (t === 'submit') return true;
  return actor.role === 'county_admin' || actor.role === 'admin';
}

/** Every declared ledger's state for a county-year (draft when never touched). Forbidden outside scope. */
export async function ledgerStates(store: Store, actor: Actor, county: string, year: number): Promise<LedgerStateView[]> {
  await assertRead(store, actor, county);
  const rows = await ledgerStatesOf(store.db, county, year);
  const byLedger = new Map(rows.map((r) => [r.ledger, r]));
  return LEDGERS.map((d) => {
    const r = byLedger.get(d.kind);
    const status = r?.status ?? 'draft';
    return {
      ledger: d.kind, label: d.label, status, completeness: (r?.completeness ?? 'unknown') as LedgerStateView['completeness'], comment: r?.comment ?? null,
      updatedBy: r?.updated_by ?? null, updatedAt: r?.updated_at ?? null,
      allowed: TRANSITIONS.filter((t) => FROM[t].includes(status) && mayPerform(actor, county, d.kind, t)),
    };
  });
}

/**
 * Moves one ledger of a county-year to its next state. Refuses with Forbidden when the actor may not
 * perform the step, with Conflict when the ledger is not in a state the step starts from, and with
 * Invalid when a return has no comment. Records who and when, in the state row and the audit log.
 */
export async function transition(
  store: Store, actor: Actor, county: string, year: number, ledger: string, step: Transition, comment?: string | null,
): Promise<LedgerStateView> {
  if (!ledgerDecl(ledger)) throw notFound(`没有名为 ${ledger} 的台账`, `no ledger named ${ledger}`);
  await assertRead(store, actor, county);
  assertWrite(actor, county, ledger);
  if (!mayPerform(actor, county, ledger, step))
    throw forbidden('只有审核员可以审核、退回或重新开启', 'only reviewers approve, return or reopen');
  const text = comment?.trim() || null;
  if (step === 'return' && !text) throw invalid('退回时须填写退回意见', 'a return needs a comment');
  if (text && text.length > 2000) throw invalid('意见不能超过2000字', 'comment is too long');
  await store.db.transaction().execute(async (tx) => {
    const before = await findLedgerState(tx, county, year, ledger);
    const status = before?.status ?? 'draft';
    if (!FROM[step].includes(status))
      throw conflict(`当前状态为“${STATUS_LABELS[status].zh}”，不能执行该操作`, `the ledger is ${status}; cannot ${step}`);
    const at = now();
    const after = { status: TO[step], comment: text, updated_by: actor.id, updated_at: at };
    if (before) {
      if (!(await updateLedgerStateIfStatus(tx, county, year, ledger, status, after))) throw conflict('状态已被他人更改，请刷新', 'the state changed meanwhile; reload');
    } else {
      // A transition never states completeness: that is the county's deliberate statement (setCompleteness).
      await insertLedgerState(tx, { county_code: county, year, ledger, completeness: 'unknown' as never, ...after });
    }
    await appendAudit(tx, {
      at, actor: actor.id, action: `workflow.${step}`, entity: 'ledger_state', entity_id: `${county}/${year}/${ledger}`,
      county_code: county, year, before_json: JSON.stringify({ status, comment: before?.comment ?? null }), after_json: JSON.stringify({ status: after.status, comment: text }),
    });
  });
  return (await ledgerStates(store, actor, county, year)).find((s) => s.ledger === ledger)!;
}

/**
 * Records the county's statement about a ledger: complete (every record is entered, so figures are
 * computed from the records) or partial (only some are, so stated totals stand). Refused once the
 * ledger is submitted or approved; audited. Never changes the workflow status.
 */
export async function setCompleteness(
  store: Store, actor: Actor, county: string, year: number, ledger: string, completeness: 'complete' | 'partial',
): Promise<LedgerStateView> {
  if (!ledgerDecl(ledger)) throw notFound(`没有名为 ${ledger} 的台账`, `no ledger named ${ledger}`);
  await assertRead(store, actor, county);
  assertWrite(actor, county, ledger);
  await store.db.transaction().execute(async (tx) => {
    const before = await findLedgerState(tx, county, year, ledger);
    if (before && (before.status === 'submitted' || before.status === 'approved'))
      throw conflict(`台账已${STATUS_LABELS[before.status].zh}，不能更改完整性`, `the ledger is ${before.status}; its completeness cannot change`);
    const at = now();
    if (before) await updateLedgerState(tx, county, year, ledger, { completeness, updated_by: actor.id, updated_at: at });
    else await insertLedgerState(tx, { county_code: county, year, ledger, completeness, status: 'draft', comment: null, updated_by: actor.id, updated_at: at });
    await appendAudit(tx, {
      at, actor: actor.id, action: 'ledger.completeness', entity: 'ledger_state', entity_id: `${county}/${year}/${ledger}`,
      county_code: county, year, before_json: JSON.stringify({ completeness: before?.completeness ?? 'unknown' }), after_json: JSON.stringify({ completeness }),
    });
  });
  return (await ledgerStates(store, actor, county, year)).find((s) => s.ledger === ledger)!;
}
