/**
 * The audit log as a hash chain: every entry carries its position (`seq`), the hash of the entry
 * before it and its own hash over both and its content. Appending first updates the one-row
 * `audit_chain` head, which on PostgreSQL takes that row's lock until the transaction ends, so
 * concurrent writers are chained one after another; SQLite runs one write transaction at a time.
 * An entry edited, deleted or moved in the database no longer fits the chain, and `verifyChain`
 * names it.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export interface AuditInput {
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  county_code: string | null;
  year: number | null;
  before_json: string | null;
  after_json: string | null;
}

/** The first entry's "previous hash". */
export const GENESIS = '0'.repeat(64);

/** The hash of an entry: SHA-256 over its position, the previous hash and every content column. */
export function entryHash(seq: number, prev: string, e: AuditInput): string {
  const canonical = JSON.stringify([
    seq, prev, e.at, e.actor, e.action, e.entity, e.entity_id, e.county_code, e.year === null ? null : Number(e.year), e.before_json, e.after_json,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Locks the chain head; the first time, creates it and chains the entries written before the chain existed. */
async function lockHead(tx: Transaction<Database>): Promise<{ seq: number; hash: string }> {
  const r = await tx.updateTable('audit_chain').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 1) {
    const head = await tx.selectFrom('audit_chain').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { seq: Number(head.seq), hash: head.hash };
  }
  await tx.insertInto('audit_chain').values({ id: 1, seq: 0, hash: GENESIS }).onConflict((oc) => oc.column('id').doNothing()).execute();
  await tx.updateTable('audit_chain').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1).execute();
  const got = await tx.selectFrom('audit_chain').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  let head = { seq: Number(got.seq), hash: got.hash };
  if (head.seq > 0) return head;
  // Entries from before the chain (a database migrated from an earlier version) join it in id order,
  // once. Later entries without a place in the chain were written around it, and verify names them.
  const legacy = await tx.selectFrom('audit_log').selectAll().where('seq', 'is', null).orderBy('id').execute();
  for (const e of legacy) {
    const seq = head.seq + 1;
    const hash = entryHash(seq, head.hash, e);
    await tx.updateTable('audit_log').set({ seq, prev_hash: head.hash, hash }).where('id', '=', e.id).execute();
    head = { seq, hash };
  }
  return head;
}

/** Appends one entry to the chain inside the caller's transaction (or a transaction of its own). */
export async function appendAudit(db: Db | Transaction<Database>, entry: AuditInput): Promise<void> {
  if (!db.isTransaction) {
    await db.transaction().execute((tx) => appendAudit(tx, entry));
    return;
  }
  const tx = db as Transaction<Database>;
  const head = await lockHead(tx);
  const seq = head.seq + 1;
  const hash = entryHash(seq, head.hash, entry);
  await tx.insertInto('audit_log').values({ ...entry, seq, prev_hash: head.hash, hash }).execute();
  await tx.updateTable('audit_chain').set({ seq, hash }).where('id', '=', 1).execute();
}

export interface ChainProblem {
  /** The entry's id in the table, or null for entries missing at the end. */
  id: number | null;
  seq: number | null;
  kind: 'edited' | 'deleted' | 'reordered' | 'unchained' | 'truncated';
  zh: string;
  en: string;
}

/**
 * Walks the whole log in id order and returns every place where it no longer fits its chain, with
 * the entry named; never throws for a damaged log. Reads in pages, so a long log is not held in memory.
 */
export async function verifyChain(db: Db, page = 5000): Promise<{ entries: number; head: { seq: number; hash: string } | null; problems: ChainProblem[] }> {
  const problems: ChainProblem[] = [];
  const head = await db.selectFrom('audit_chain').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  let expected = 1;
  let prevHash = GENESIS;
  let entries = 0;
  let lastId = -1;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('id', '>', lastId).orderBy('id').limit(page).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      entries++;
      lastId = Number(r.id);
      const id = Number(r.id);
      if (r.seq === null || r.hash === null || r.prev_hash === null) {
        problems.push({ id, seq: null, kind: 'unchained', zh: `第${id}条记录不在链中（在链之外写入）`, en: `entry #${id} is not chained (written outside the chain)` });
        continue;
      }
      const seq = Number(r.seq);
      if (seq > expected) {
        const gap = seq - expected === 1 ? `${expected}` : `${expected}–${seq - 1}`;
        problems.push({ id, seq: expected, kind: 'deleted', zh: `第${id}条记录之前缺少链位置 ${gap} 的记录（已被删除）`, en: `entries at chain position ${gap} before entry #${id} are missing (deleted)` });
      } else if (seq < expected) {
        problems.push({ id, seq, kind: 'reordered', zh: `第${id}条记录的链位置 ${seq} 不在应有的顺序上（被移动或重复）`, en: `entry #${id} has chain position ${seq} out of order (moved or duplicated)` });
      } else if (r.prev_hash !== prevHash) {
        problems.push({ id, seq, kind: 'reordered', zh: `第${id}条记录与前一条记录接不上（顺序被改动或前一条被替换）`, en: `entry #${id} does not follow the entry before it (order changed or the previous entry replaced)` });
      }
      if (entryHash(seq, r.prev_hash, r) !== r.hash)
        problems.push({ id, seq, kind: 'edited', zh: `第${id}条记录（链位置 ${seq}）的内容被修改`, en: `entry #${id} (chain position ${seq}) was edited` });
      expected = Math.max(expected, seq + 1);
      prevHash = r.hash;
    }
  }
  if (head && Number(head.seq) >= expected)
    problems.push({ id: null, seq: expected, kind: 'truncated', zh: `链末尾缺少位置 ${expected}–${Number(head.seq)} 的记录（已被删除）`, en: `the last entries, chain positions ${expected}–${Number(head.seq)}, are missing (deleted)` });
  else if (head && Number(head.seq) === expected - 1 && head.hash !== prevHash && entries > 0)
    problems.push({ id: lastId, seq: expected - 1, kind: 'edited', zh: `最后一条记录（第${lastId}条）与链头不符`, en: `the last entry (#${lastId}) does not match the chain head` });
  return { entries, head: head ? { seq: Number(head.seq), hash: head.hash } : null, problems };
}

/** Which audit entries to read; `actionPrefix` is matched at the start of the action. */
export interface AuditFilter {
  county?: string;
  year?: number;
  actor?: string;
  entity?: string;
  actionPrefix?: string;
}

/** Audit entries matching the filter, newest first, one page of them, with how many match in all. */
export async function auditEntries(db: Db, f: AuditFilter, limit: number, offset: number): Promise<{ rows: Array<Selectable<Database['audit_log']>>; total: number }> {
  let base = db.selectFrom('audit_log');
  if (f.county) base = base.where('county_code', '=', f.county);
  if (f.year !== undefined) base = base.where('year', '=', f.year);
  if (f.actor) base = base.where('actor', '=', f.actor);
  if (f.entity) base = base.where('entity', '=', f.entity);
  if (f.actionPrefix !== undefined) base = base.where('action', 'like', `${f.actionPrefix}%`);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
  return { rows, total: Number(total.n) };
}
