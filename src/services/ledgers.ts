import type { Transaction } from 'kysely';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { problemsOf, recordSchema, type Categories, type FieldProblem } from '../domain/ledgers/schema.ts';
import type { LedgerDecl } from '../domain/ledgers/types.ts';
import { appendAudit } from '../store/audit-repo.ts';
import { type LedgerRecord, LedgerRepo, type ListOptions, toRow } from '../store/ledger-repo.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/db.ts';
import { categoriesFor } from './config.ts';
import { conflict, invalid, notFound } from './errors.ts';
import { protectResidentId } from './pii.ts';
import { type Actor, assertRead, assertVisible, assertWrite } from './scope.ts';
import { assertEditable } from './workflow.ts';

export type { LedgerRecord, ListOptions };
export { categoriesFor };

/** Current time as ISO text; tests may replace it to freeze time. */
export let now = (): string => new Date().toISOString();
export function setClock(fn: () => string): void {
  now = fn;
}

/** The declaration of `kind`, or NotFound. */
export function declOf(kind: string): LedgerDecl {
  const d = ledgerDecl(kind);
  if (!d) throw notFound(`没有名为 ${kind} 的台账`, `no ledger named ${kind}`);
  return d;
}

/**
 * The zod schema that record input of `kind` must satisfy in assessment year `year` (and the county's
 * province, prefecture and county), with the category lists stored in `store` when one is given.
 */
export function recordInputSchema(kind: string, year: number, county?: string, store?: Store) {
  return schemaFor(kind, categoriesFor(year, county, store));
}

/** The record input schema of `kind` under the given category lists (built once per lists object). */
export function schemaFor(kind: string, categories: Categories) {
  let byKind = schemas.get(categories);
  if (!byKind) schemas.set(categories, (byKind = new Map()));
  let schema = byKind.get(kind);
  if (!schema) byKind.set(kind, (schema = recordSchema(declOf(kind), categories)));
  return schema;
}

// Schemas depend only on the declaration and the category lists in force, and categoriesFor hands out
// the same object until the configuration changes, so each schema is built once per configuration.
const schemas = new WeakMap<Categories, Map<string, ReturnType<typeof recordSchema>>>();

/** Validates input; returns the parsed record or the per-field problems, never throws for bad input. */
export function validateRecord(kind: string, year: number, input: unknown, county?: string, store?: Store):
  { ok: true; value: Record<string, unknown> } | { ok: false; problems: FieldProblem[] } {
  const r = recordInputSchema(kind, year, county, store).safeParse(input);
  return r.success ? { ok: true, value: r.data as Record<string, unknown> } : { ok: false, problems: problemsOf(r.error) };
}

type Tx = Transaction<Database>;

/** Appends one entry to the audit log inside the caller's transaction. */
export async function audit(
  tx: Tx, actor: Actor, action: string, entity: string, entityId: string | number | null,
  county: string | null, year: number | null, before: unknown, after: unknown,
): Promise<void> {
  await appendAudit(tx, {
    at: now(), actor: actor.id, action, entity, entity_id: entityId === null ? null : String(entityId),
    county_code: county, year, before_json: before === undefined || before === null ? null : JSON.stringify(before),
    after_json: after === undefined || after === null ? null : JSON.stringify(after),
  });
}

const pii = (_f: unknown, raw: string) => protectResidentId(raw);

/** Lists a county-year's records of one ledger, scoped to what the actor may read. */
export async function listRecords(store: Store, actor: Actor, kind: string, county: string, year: number, opts?: ListOptions) {
  const decl = declOf(kind);
  await assertRead(store, actor, county);
  return new LedgerRepo(store.db, decl).list(county, year, opts);
}

/** One record by id; absent and outside the actor's scope answer alike (no existence leak, see assertVisible). */
export async function getRecord(store: Store, actor: Actor, kind: string, id: number): Promise<LedgerRecord> {
  const rec = await new LedgerRepo(store.db, declOf(kind)).get(id);
  await assertVisible(store, actor, rec?.county_code, () => notFound('记录不存在', 'record not found'));
  if (!rec) throw notFound('记录不存在', 'record not found');
  return rec;
}

function parsedOrThrow(kind: string, year: number, input: unknown, county: string, store?: Store): Record<string, unknown> {
  const v = validateRecord(kind, year, input, county, store);
  if (!v.ok) {
    const decl = declOf(kind);
    const label = (f: string, l: 'zh' | 'en') => decl.fields.find((x) => x.name === f)?.label[l] ?? f;
    throw invalid(`数据校验未通过：${v.problems.map((p) => `${label(p.field, 'zh')}${p.zh}`).join('；')}`,
      `validation failed: ${v.problems.map((p) => `${label(p.field, 'en')}: ${p.en}`).join('; ')}`, v.problems);
  }
  return v.value;
}

/** Creates a record; refuses duplicates of the natural key. Audited. */
export async function createRecord(store: Store, actor: Actor, kind: string, county: string, year: number, input: unknown): Promise<LedgerRecord> {
  const decl = declOf(kind);
  assertWrite(actor, county, kind);
  const value = parsedOrThrow(kind, year, input, county, store);
  return store.db.transaction().execute(async (tx) => {
    await assertEditable({ db: tx }, county, year, kind);
    const repo = new LedgerRepo(tx, decl);
    const row = toRow(decl, value, pii);
    if (await repo.findByKey(county, year, row))
      throw conflict('已存在相同的记录（关键字段重复）', `a record with the same ${decl.naturalKey.join(', ')} exists`);
    const id = await repo.insert(county, year, row, now());
    const rec = (await repo.get(id))!;
    await audit(tx, actor, 'create', kind, id, county, year, null, rec);
    return rec;
  });
}

/** Updates a record if `expectedVersion` is still current; a stale edit is refused with Conflict. Audited. */
export async function updateRecord(store: Store, actor: Actor, kind: string, id: number, input: unknown, expectedVersion: number): Promise<LedgerRecord> {
  const decl = declOf(kind);
  const before = await getRecord(store, actor, kind, id);
  assertWrite(actor, before.county_code, kind);
  const value = parsedOrThrow(kind, before.year, input, before.county_code, store);
  return store.db.transaction().execute(async (tx) => {
    await assertEditable({ db: tx }, before.county_code, before.year, kind);
    const repo = new LedgerRepo(tx, decl);
    const row = toRow(decl, value, pii);
    for (const f of decl.fields) if (f.pii && !value[f.name]) { delete row[`${f.name}_hash`]; delete row[`${f.name}_masked`]; }
    if (!(await repo.update(id, row, expectedVersion, now())))
      throw conflict('该记录已被他人修改，请刷新后重试', 'the record was changed by someone else; reload and try again');
    const after = (await repo.get(id))!;
    await audit(tx, actor, 'update', kind, id, before.county_code, before.year, before, after);
    return after;
  });
}

/** Deletes a record if `expectedVersion` is still current. Audited with the deleted content. */
export async function deleteRecord(store: Store, actor: Actor, kind: string, id: number, expectedVersion: number): Promise<void> {
  const decl = declOf(kind);
  const before = await getRecord(store, actor, kind, id);
  assertWrite(actor, before.county_code, kind);
  await store.db.transaction().execute(async (tx) => {
    await assertEditable({ db: tx }, before.county_code, before.year, kind);
    if (!(await new LedgerRepo(tx, decl).delete(id, expectedVersion)))
      throw conflict('该记录已被他人修改，请刷新后重试', 'the record was changed by someone else; reload and try again');
    await audit(tx, actor, 'delete', kind, id, before.county_code, before.year, before, null);
  });
}

export interface UpsertSummary {
  kind: string;
  added: number;
  updated: number;
  unchanged: number;
}

export interface RowProblem extends FieldProblem {
  kind: string;
  index: number;
}

/**
 * Validates every row of every batch, then — only if all are valid — upserts them by natural key in a
 * single transaction (or, with dryRun, computes the same summary and rolls back). Returns problems
 * as values; on any problem nothing is written.
 */
export async function upsertRecords(
  store: Store, actor: Actor, county: string, year: number,
  batches: Array<{ kind: string; rows: unknown[] }>, opts: { dryRun?: boolean } = {},
): Promise<{ ok: true; summary: UpsertSummary[] } | { ok: false; problems: RowProblem[] }> {
  const problems: RowProblem[] = [];
  const parsed = batches.map((b) => {
    declOf(b.kind);
    assertWrite(actor, county, b.kind);
    return {
      kind: b.kind,
      rows: b.rows.map((r, index) => {
        const v = validateRecord(b.kind, year, r, county, store);
        if (!v.ok) problems.push(...v.problems.map((p) => ({ ...p, kind: b.kind, index })));
        return v.ok ? v.value : null;
      }),
    };
  });
  if (problems.length) return { ok: false, problems };
  const rollback = new Error('dry run');
  let summary: UpsertSummary[] = [];
  try {
    await store.db.transaction().execute(async (tx) => {
      summary = await upsertValidated(tx, actor, county, year, parsed);
      if (opts.dryRun) throw rollback;
    });
  } catch (e) {
    if (e !== rollback) throw e;
  }
  return { ok: true, summary };
}

/**
 * Upserts already validated rows by natural key inside the caller's transaction. Rows whose stored
 * columns are identical are left untouched (no version bump, no audit entry).
 */
export async function upsertValidated(
  tx: Tx, actor: Actor, county: string, year: number,
  batches: Array<{ kind: string; rows: Array<Record<string, unknown> | null> }>,
): Promise<UpsertSummary[]> {
  const summary: UpsertSummary[] = [];
  for (const b of batches) {
    const decl = declOf(b.kind);
    await assertEditable({ db: tx }, county, year, b.kind);
    const repo = new LedgerRepo(tx, decl);
    const s: UpsertSummary = { kind: b.kind, added: 0, updated: 0, unchanged: 0 };
    for (const value of b.rows) {
      const row = toRow(decl, value!, pii);
      const existing = await repo.findByKey(county, year, row);
      if (!existing) {
        const id = await repo.insert(county, year, row, now());
        await audit(tx, actor, 'import.create', b.kind, id, county, year, null, row);
        s.added++;
        continue;
      }
      const raw = (await repo.rawRow(existing.id))!;
      const changed = Object.entries(row).some(([k, v]) => String(raw[k] ?? '') !== String(v ?? ''));
      if (!changed) { s.unchanged++; continue; }
      await repo.update(existing.id, row, existing.version, now());
      await audit(tx, actor, 'import.update', b.kind, existing.id, county, year, existing, row);
      s.updated++;
    }
    summary.push(s);
  }
  return summary;
}
