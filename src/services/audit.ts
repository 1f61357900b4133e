import { auditEntries, verifyChain } from '../store/audit-repo.ts';
import type { Store } from '../store/db.ts';
import { forbidden } from './errors.ts';
import { type Actor, assertRead } from './scope.ts';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  county: string | null;
  year: number | null;
  before: unknown;
  after: unknown;
}

export interface AuditQuery {
  county?: string;
  year?: number;
  actor?: string;
  entity?: string;
  action?: string;
  offset?: number;
  limit?: number;
}

const parse = (s: string | null): unknown => {
  if (s === null) return null;
  try { return JSON.parse(s) as unknown; } catch { return s; }
};

/**
 * Reads the audit log, newest first. Anyone but an administrator must name a county they may read,
 * and then sees only that county's entries; entries without a county (accounts, system) are for
 * administrators only.
 */
export async function listAudit(store: Store, actor: Actor, q: AuditQuery): Promise<{ rows: AuditEntry[]; total: number }> {
  if (actor.role !== 'admin') {
    if (!q.county) throw forbidden('请选择有权查看的县', 'choose a county you may read');
    await assertRead(store, actor, q.county);
  }
  const { rows, total } = await auditEntries(store.db, {
    ...(q.county ? { county: q.county } : {}), ...(q.year !== undefined ? { year: q.year } : {}),
    ...(q.actor ? { actor: q.actor } : {}), ...(q.entity ? { entity: q.entity } : {}),
    // Wildcards in the asked prefix are dropped: it matches literally, at the start.
    ...(q.action ? { actionPrefix: q.action.replace(/[%_]/g, '') } : {}),
  }, Math.min(q.limit ?? 50, 500), q.offset ?? 0);
  return {
    total,
    rows: rows.map((r) => ({
      id: Number(r.id), at: r.at, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entity_id,
      county: r.county_code, year: r.year === null ? null : Number(r.year), before: parse(r.before_json), after: parse(r.after_json),
    })),
  };
}

export type { ChainProblem } from '../store/audit-repo.ts';

/**
 * Checks the audit log's hash chain from the first entry to the chain head and names every entry
 * that was edited, deleted, moved or written outside the chain. `head` is the last position and
 * hash: kept somewhere else (printed by `xiezuo audit-log verify`), it also exposes a rewrite of
 * the whole chain.
 */
export async function verifyAuditLog(store: Store): Promise<Awaited<ReturnType<typeof verifyChain>>> {
  return verifyChain(store.db);
}
