/**
 * Writing imported rows in bulk inside the caller's transaction. Same upsert rule as the ledger
 * service — match on the ledger's natural key within the county-year; identical rows are left alone
 * (no version bump, no audit entry), changed rows are updated with their before and after in the
 * audit log, new rows are inserted — but in chunks: multi-row INSERTs per chunk (`insertMany`).
 *
 * Matching is linear in rows whatever the county-year holds: the keys of the records already there
 * are read once, page by page, into a fingerprint table (about 32 bytes a record), and each chunk
 * then fetches by id only the records it matches. A sheet that lacks some key columns (a
 * department's own sheet without the voucher or source column), or a row whose key cells are blank,
 * is matched on the key columns it has: one record → matched (only the columns the sheet has are
 * compared and updated), several → ambiguous, a located problem that stops the import.
 */
import type { Transaction } from 'kysely';
import { columnsOf, type LedgerDecl } from '../domain/ledgers/types.ts';
import type { Database } from '../store/schema.ts';
import { insertMany, LedgerRepo } from '../store/ledger-repo.ts';
import { forEachKey, maxRecordId, rowsById } from '../store/import-repo.ts';
import { fingerprint, FingerprintTable } from './fingerprints.ts';
import type { LocatedError } from './import.ts';
import { conflict } from '../services/errors.ts';
import { audit, now, type UpsertSummary } from '../services/ledgers.ts';
import type { Actor } from '../services/scope.ts';
import { assertEditable } from '../services/workflow.ts';

type Tx = Transaction<Database>;
type Row = Record<string, unknown>;
// Ledger tables are typed from declarations, not in Database; queries on them go through this view.

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

/** One chunk of validated rows of one sheet, in column form, with where they came from. */
export interface RowChunk {
  rows: Row[];
  /** The spreadsheet row number of each row. */
  lines: number[];
  file: string;
  sheet: string;
  /** The table columns the sheet supplies; other columns of a matched record are left as they are. */
  present: readonly string[];
}

/** Per ledger: the upsert counts, and how the rows were matched. */
export interface ImportSummary extends UpsertSummary {
  /** Matched to an existing record on the key columns the sheet has (some key columns absent or blank). */
  matchedLoosely: number;
  /** Rows that match several existing records; each is a problem. */
  ambiguous: number;
}

export class LedgerWriter {
  readonly summary: ImportSummary;
  private readonly keyCols: string[];
  private readonly table: string;
  private preexisting = false;
  /** Full natural key of each record there before the import → its id. */
  private readonly existing = new FingerprintTable();
  /** Per set of key columns: partial key → id, or minus the number of records sharing it. */
  private readonly partial = new Map<string, FingerprintTable>();
  /** Existing records already matched by a row of this import (id + 1 → row number). */
  private readonly claimed = new FingerprintTable();
  private writing = true;
  /** Highest id before the import: records above it were added by this import. */
  maxIdBefore = 0;

  constructor(private readonly tx: Tx, private readonly actor: Actor, private readonly county: string,
    private readonly year: number, readonly decl: LedgerDecl) {
    this.summary = { kind: decl.kind, added: 0, updated: 0, unchanged: 0, matchedLoosely: 0, ambiguous: 0 };
    this.keyCols = decl.naturalKey.map((k) => columnsOf(decl.fields.find((f) => f.name === k)!)[0]!);
    this.table = decl.table;
  }

  /** Refuses a locked ledger (submitted or approved) and reads the keys of the records already there. */
  async begin(): Promise<void> {
    await assertEditable({ db: this.tx }, this.county, this.year, this.decl.kind);
    this.maxIdBefore = await maxRecordId(this.tx, this.table);
    await forEachKey(this.tx, this.table, this.county, this.year, this.keyCols, (r) => {
      this.existing.add(fingerprint(this.keyOf(r)), Number(r.id));
    });
    this.preexisting = this.existing.size > 0;
  }

  /** The natural-key identity of a row's columns, for matching within this writer. */
  keyOf(cols: Row): string {
    return keyOf(this.decl, cols);
  }

  /** After a problem elsewhere the import will roll back: rows are still matched and counted, no longer written. */
  stopWriting(): void {
    this.writing = false;
  }

  /**
   * Matches and writes one chunk. Returns the rows that match several existing records (or a record
   * another row of the import already matched), located; those rows are not written.
   */
  async write(chunk: RowChunk): Promise<LocatedError[]> {
    const { rows } = chunk;
    if (!rows.length) return [];
    if (!this.preexisting) {
      if (this.writing) await this.insert(rows);
      this.summary.added += rows.length;
      return [];
    }
    const present = new Set(chunk.present);
    const fullKey = this.keyCols.every((c) => present.has(c));
    const problems: LocatedError[] = [];
    const matches: Array<{ i: number; id: number; loose: string[] | null }> = [];
    const fresh: Row[] = [];
    for (let i = 0; i < rows.length; i++) {
      const cols = rows[i]!;
      let id = fullKey ? this.existing.get(fingerprint(this.keyOf(cols))) : undefined;
      let loose: string[] | null = null;
      if (id === undefined) {
        const subset = this.keyCols.filter((c) => present.has(c) && cols[c] !== null && cols[c] !== undefined);
        if (subset.length > 0 && subset.length < this.keyCols.length) {
          const t = await this.partialTable(subset);
          id = t.get(fingerprint(partialKey(subset, cols)));
          loose = subset;
          if (id !== undefined && id < 0) {
            problems.push(this.problem(chunk, i, subset, `与已有的${-id}条记录都匹配（${this.labels(subset).zh}相同），无法确定对应哪一条；请补上${this.missingLabels(subset).zh}`,
              `matches ${-id} existing records (same ${this.labels(subset).en}); add ${this.missingLabels(subset).en} to tell them apart`));
            this.summary.ambiguous++;
            continue;
          }
        }
      }
      if (id === undefined) { fresh.push(cols); continue; }
      const other = this.claimed.get(id + 1);
      if (other !== undefined) {
        problems.push(this.problem(chunk, i, loose ?? this.keyCols, `与第${other}行对应同一条已有记录`, `matches the same existing record as row ${other}`));
        this.summary.ambiguous++;
        continue;
      }
      this.claimed.add(id + 1, chunk.lines[i]!);
      matches.push({ i, id, loose });
    }
    const found = await rowsById(this.tx, this.table, matches.map((m) => m.id));
    for (const m of matches) {
      const cols = rows[m.i]!;
      const raw = found.get(m.id);
      // A fingerprint collision (never seen in practice) or a record gone: the row is new.
      const same = raw && (m.loose ? partialKey(m.loose, raw) === partialKey(m.loose, cols) : this.keyOf(raw) === this.keyOf(cols));
      if (!same) { fresh.push(cols); continue; }
      if (m.loose) this.summary.matchedLoosely++;
      // Blank key cells of a loosely matched row keep the record's values.
      const keep = m.loose ? this.keyCols.filter((c) => !m.loose!.includes(c)) : [];
      await this.updateIfChanged(raw, cols, chunk.present.filter((c) => !keep.includes(c)));
    }
    if (fresh.length) {
      if (this.writing) await this.insert(fresh);
      this.summary.added += fresh.length;
    }
    return problems;
  }

  /** The partial-key table for a set of key columns, read from the database the first time it is needed. */
  private async partialTable(subset: string[]): Promise<FingerprintTable> {
    const sig = subset.join('\u0001');
    let t = this.partial.get(sig);
    if (t) return t;
    const table = new FingerprintTable();
    await forEachKey(this.tx, this.table, this.county, this.year, subset, (r) => {
      const fp = fingerprint(partialKey(subset, r));
      const had = table.get(fp);
      table.set(fp, had === undefined ? Number(r.id) : had > 0 ? -2 : had - 1);
    });
    t = table;
    this.partial.set(sig, t);
    return t;
  }

  private labels(cols: readonly string[]): { zh: string; en: string } {
    const fs = cols.map((c) => this.decl.fields.find((f) => columnsOf(f)[0] === c)!.label);
    return { zh: fs.map((l) => `“${l.zh}”`).join('、'), en: fs.map((l) => `"${l.en}"`).join(', ') };
  }

  private missingLabels(subset: readonly string[]): { zh: string; en: string } {
    return this.labels(this.keyCols.filter((c) => !subset.includes(c)));
  }

  private problem(chunk: RowChunk, i: number, cols: readonly string[], zh: string, en: string): LocatedError {
    const r = chunk.rows[i]!;
    return { file: chunk.file, sheet: chunk.sheet, row: chunk.lines[i]!, column: null, header: null, field: null,
      value: cols.map((c) => String(r[c] ?? '')).join(' / '), zh, en };
  }

  /** New records of one chunk, through the ledger repository's bulk insert. */
  private async insert(rows: Row[]): Promise<void> {
    await insertMany(this.tx, this.decl, this.county, this.year, rows, now());
  }

  private async updateIfChanged(raw: Row, cols: Row, present: readonly string[]): Promise<void> {
    const set: Row = {};
    let changed = false;
    for (const k of present) {
      const v = cols[k] ?? null;
      set[k] = v;
      if (String(raw[k] ?? '') !== String(v ?? '')) changed = true;
    }
    if (!changed) { this.summary.unchanged++; return; }
    this.summary.updated++;
    if (!this.writing) return;
    const repo = new LedgerRepo(this.tx, this.decl);
    const id = Number(raw.id);
    const before = await repo.get(id);
    if (!(await repo.update(id, set, Number(raw.version), now())))
      throw conflict('导入期间记录被他人修改，请重试', 'a record changed while importing; try again');
    const after = await repo.get(id);
    await audit(this.tx, this.actor, 'import.update', this.decl.kind, id, this.county, this.year, before, after);
  }

  /** One audit entry for the import of this ledger: what came from where, and the counts. */
  async finish(sources: string[]): Promise<void> {
    const { added, updated, unchanged, matchedLoosely } = this.summary;
    await audit(this.tx, this.actor, 'import', this.decl.kind, null, this.county, this.year, null,
      { sources, added, updated, unchanged, matchedLoosely, addedIdsAbove: this.maxIdBefore });
  }
}

/** The identity of a row on some of its key columns. */
function partialKey(cols: readonly string[], row: Row): string {
  let k = '';
  for (const c of cols) {
    const v = row[c];
    k += `${v === null || v === undefined ? '\u0000' : String(v)}\u0001`;
  }
  return k;
}
