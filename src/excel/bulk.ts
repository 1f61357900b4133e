/**
 * Writing imported rows in bulk inside the caller's transaction. Same upsert rule as the ledger
 * service — match on the ledger's natural key within the county-year; identical rows are left alone
 * (no version bump, no audit entry), changed rows are updated with their before and after in the
 * audit log, new rows are inserted — but in chunks: a multi-row INSERT per chunk, and key lookups
 * only when the county-year already had records of this ledger before the import.
 */
import { CompiledQuery, sql, type Transaction } from 'kysely';
import { columnsOf, type LedgerDecl } from '../domain/ledgers/types.ts';
import type { Database } from '../store/schema.ts';
import { LedgerRepo } from '../store/ledger-repo.ts';
import { conflict } from '../services/errors.ts';
import { audit, now, type UpsertSummary } from '../services/ledgers.ts';
import type { Actor } from '../services/scope.ts';
import { assertEditable } from '../services/workflow.ts';

type Tx = Transaction<Database>;
type Row = Record<string, unknown>;
// Ledger tables are typed from declarations, not in Database; queries on them go through this view.
type AnyTx = Transaction<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Rows per INSERT statement; keeps bound parameters well under SQLite's and PostgreSQL's limits. */
export const CHUNK_ROWS = 500;

const keyColumns = new WeakMap<LedgerDecl, string[]>();

/** The natural-key identity of a row in column form; equal for rows that are the same record. */
export function keyOf(decl: LedgerDecl, cols: Row): string {
  let kc = keyColumns.get(decl);
  if (!kc) {
    kc = decl.naturalKey.map((k) => columnsOf(decl.fields.find((f) => f.name === k)!)[0]!);
    keyColumns.set(decl, kc);
  }
  let k = '';
  for (const c of kc) {
    const v = cols[c];
    k += `${v === null || v === undefined ? '\u0000' : String(v)}\u0001`;
  }
  return k;
}

export class LedgerWriter {
  readonly summary: UpsertSummary;
  private readonly keyCols: string[];
  private readonly table: string;
  private preexisting = false;
  /** Highest id before the import: records above it were added by this import. */
  maxIdBefore = 0;

  constructor(private readonly tx: Tx, private readonly actor: Actor, private readonly county: string,
    private readonly year: number, readonly decl: LedgerDecl) {
    this.summary = { kind: decl.kind, added: 0, updated: 0, unchanged: 0 };
    this.keyCols = decl.naturalKey.map((k) => columnsOf(decl.fields.find((f) => f.name === k)!)[0]!);
    this.table = decl.table;
  }

  private get db(): AnyTx {
    return this.tx as unknown as AnyTx;
  }

  /** Refuses a locked ledger (submitted or approved) and notes whether any records exist already. */
  async begin(): Promise<void> {
    await assertEditable({ db: this.tx }, this.county, this.year, this.decl.kind);
    const r = await this.db.selectFrom(this.table)
      .select([sql<number>`count(*)`.as('n')])
      .where('county_code', '=', this.county).where('year', '=', this.year)
      .executeTakeFirstOrThrow();
    this.preexisting = Number(r.n) > 0;
    const m = await this.db.selectFrom(this.table).select([sql<number | null>`max(id)`.as('m')]).executeTakeFirstOrThrow();
    this.maxIdBefore = Number(m.m ?? 0);
  }

  /** The natural-key identity of a row's columns, for matching within this writer. */
  keyOf(cols: Row): string {
    return keyOf(this.decl, cols);
  }

  /** Writes one chunk of validated rows (column form, as `toRow` gives them). */
  async write(rows: Row[]): Promise<void> {
    if (!rows.length) return;
    let fresh = rows;
    if (this.preexisting) {
      const found = await this.lookup(rows);
      fresh = [];
      for (const cols of rows) {
        const existing = found.get(this.keyOf(cols));
        if (!existing) { fresh.push(cols); continue; }
        await this.updateIfChanged(existing, cols);
      }
    }
    if (!fresh.length) return;
    await this.insert(fresh);
    this.summary.added += fresh.length;
  }

  private columns: string[] | undefined;
  private readonly statements = new Map<number, string>();

  /**
   * One INSERT per chunk. On SQLite the chunk travels as a single JSON parameter expanded by
   * json_each: the statement text is short and the same for every chunk, where a VALUES list of
   * hundreds of rows costs more to compile than to run. On PostgreSQL a multi-row VALUES list with
   * bound parameters, its text built once per row count.
   */
  private async insert(rows: Row[]): Promise<void> {
    const cols = (this.columns ??= [...this.decl.fields.flatMap((f) => columnsOf(f)), 'note']);
    const all = [...cols, 'county_code', 'year', 'version', 'created_at', 'updated_at'];
    const pg = this.tx.getExecutor().adapter.constructor.name === 'PostgresAdapter';
    const t = now();
    if (!pg) {
      const text = this.statements.get(0) ?? `insert into "${this.table}" (${all.map((c) => `"${c}"`).join(',')}) `
        + `select ${cols.map((_, i) => `value ->> ${i}`).join(', ')}, ?, ?, 1, ?, ? from json_each(?)`;
      this.statements.set(0, text);
      const data: unknown[][] = new Array<unknown[]>(rows.length);
      for (let j = 0; j < rows.length; j++) {
        const r = rows[j]!;
        const v = new Array<unknown>(cols.length);
        for (let i = 0; i < cols.length; i++) v[i] = r[cols[i]!] ?? null;
        data[j] = v;
      }
      await this.tx.executeQuery(CompiledQuery.raw(text, [this.county, this.year, t, t, JSON.stringify(data)]));
      return;
    }
    let text = this.statements.get(rows.length);
    if (!text) {
      let p = 0;
      const tuples = rows.map(() => `(${all.map(() => `$${++p}`).join(',')})`);
      text = `insert into "${this.table}" (${all.map((c) => `"${c}"`).join(',')}) values ${tuples.join(',')}`;
      this.statements.set(rows.length, text);
    }
    const params: unknown[] = [];
    for (const r of rows) {
      for (const c of cols) params.push(r[c] ?? null);
      params.push(this.county, this.year, 1, t, t);
    }
    await this.tx.executeQuery(CompiledQuery.raw(text, params));
  }

  private async lookup(rows: Row[]): Promise<Map<string, Row>> {
    const found = await this.db.selectFrom(this.table).selectAll()
      .where('county_code', '=', this.county).where('year', '=', this.year)
      .where((eb) => eb.or(rows.map((cols) => eb.and(this.keyCols.map((c) =>
        cols[c] === null || cols[c] === undefined ? eb(c, 'is', null) : eb(c, '=', cols[c]))))))
      .execute() as Row[];
    return new Map(found.map((r) => [this.keyOf(r), r]));
  }

  private async updateIfChanged(raw: Row, cols: Row): Promise<void> {
    const changed = Object.entries(cols).some(([k, v]) => String(raw[k] ?? '') !== String(v ?? ''));
    if (!changed) { this.summary.unchanged++; return; }
    const repo = new LedgerRepo(this.tx, this.decl);
    const id = Number(raw.id);
    const before = await repo.get(id);
    if (!(await repo.update(id, cols, Number(raw.version), now())))
      throw conflict('导入期间记录被他人修改，请重试', 'a record changed while importing; try again');
    const after = await repo.get(id);
    await audit(this.tx, this.actor, 'import.update', this.decl.kind, id, this.county, this.year, before, after);
    this.summary.updated++;
  }

  /** One audit entry for the import of this ledger: what came from where, and the counts. */
  async finish(sources: string[]): Promise<void> {
    const { added, updated, unchanged } = this.summary;
    await audit(this.tx, this.actor, 'import', this.decl.kind, null, this.county, this.year, null,
      { sources, added, updated, unchanged, addedIdsAbove: this.maxIdBefore });
  }
}
