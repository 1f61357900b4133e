import { CompiledQuery, type Kysely, type Transaction, sql } from 'kysely';
import { columnsOf, type FieldDecl, isAdditive, type LedgerDecl } from '../domain/ledgers/types.ts';
import { EACH_ROW } from './db.ts';
import type { Database } from './schema.ts';

// Ledger tables are declared, not hand-typed: this module is the only place that maps their rows
// to domain records and back, and the only one that writes SQL for them.
type AnyDb = Kysely<any> | Transaction<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Row = Record<string, unknown>;

/** A ledger record in domain form: money in 分 under the field name, booleans as booleans. */
export type LedgerRecord = Record<string, unknown> & {
  id: number;
  county_code: string;
  year: number;
  version: number;
  note: string | null;
  created_at: string;
  updated_at: string;
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v));

function fromRow(decl: LedgerDecl, row: Row): LedgerRecord {
  const out: Row = {
    id: num(row.id), county_code: row.county_code, year: num(row.year), version: num(row.version),
    note: row.note ?? null, created_at: row.created_at, updated_at: row.updated_at,
  };
  for (const f of decl.fields) {
    const [col] = columnsOf(f);
    if (f.pii) {
      out[`${f.name}_masked`] = row[`${f.name}_masked`] ?? null;
      continue;
    }
    const v = row[col!];
    out[f.name] = f.type === 'bool' ? (v === null || v === undefined ? null : Boolean(Number(v)))
      : f.type === 'int' || f.type === 'money' ? num(v) : (v ?? null);
    if (f.qualified) {
      out[`${f.name}_qual`] = row[`${col}_qual`] ?? 'exact';
      out[`${f.name}_max`] = num(row[`${col}_max`]);
    }
  }
  return out as LedgerRecord;
}

/** Per field of a ledger, in order: the field, its columns, and the names of its qualifier inputs. */
type ColumnPlan = Array<{ f: FieldDecl; cols: string[]; qual: string; max: string }>;
const columnPlans = new WeakMap<LedgerDecl, ColumnPlan>();

function columnPlan(decl: LedgerDecl): ColumnPlan {
  let plan = columnPlans.get(decl);
  if (!plan) columnPlans.set(decl, (plan = decl.fields.map((f) => ({ f, cols: columnsOf(f), qual: `${f.name}_qual`, max: `${f.name}_max` }))));
  return plan;
}

/** Column values for a validated domain input. `pii` maps a raw personal ID to its hash and masked form. */
export function toRow(decl: LedgerDecl, input: Row, pii: (f: FieldDecl, raw: string) => { hash: string; masked: string }): Row {
  const row: Row = {};
  for (const { f, cols, qual, max } of columnPlan(decl)) {
    const v = input[f.name];
    if (f.pii) {
      if (typeof v === 'string' && v) {
        const p = pii(f, v);
        row[cols[0]!] = p.hash;
        row[cols[1]!] = p.masked;
      }
      continue;
    }
    row[cols[0]!] = v === undefined ? null : f.type === 'bool' ? (v === null ? null : v ? 1 : 0) : v;
    if (f.qualified) {
      const q = input[qual];
      row[cols[1]!] = v == null ? null : (q ?? 'exact');
      row[cols[2]!] = input[max] ?? null;
    }
  }
  row.note = input.note ?? null;
  return row;
}

interface InsertPlan {
  /** The ledger's own columns in the order each row's values are bound (then county, year, version, times). */
  columns: string[];
  /** Statement text by row count, built once. */
  texts: Map<number, string>;
}

const insertPlans = new WeakMap<LedgerDecl, { sqlite?: InsertPlan; postgres?: InsertPlan }>();

function insertPlan(decl: LedgerDecl, pg: boolean): InsertPlan {
  let byEngine = insertPlans.get(decl);
  if (!byEngine) insertPlans.set(decl, (byEngine = {}));
  const key = pg ? 'postgres' : 'sqlite';
  return (byEngine[key] ??= { columns: [...decl.fields.flatMap((f) => columnsOf(f)), 'note'], texts: new Map() });
}

function insertText(decl: LedgerDecl, plan: InsertPlan, pg: boolean, rows: number): string {
  let text = plan.texts.get(rows);
  if (text) return text;
  const all = [...plan.columns, 'county_code', 'year', 'version', 'created_at', 'updated_at'];
  let p = 0;
  const tuple = () => `(${all.map(() => (pg ? `$${++p}` : '?')).join(',')})`;
  text = `insert into "${decl.table}" (${all.map((c) => `"${c}"`).join(',')}) values ${Array.from({ length: rows }, tuple).join(',')}`;
  plan.texts.set(rows, text);
  return text;
}

/**
 * Inserts new records of one county-year (rows in column form, as `toRow` gives them; columns a
 * row lacks are NULL), version 1, created and updated at `now`, inside the caller's transaction.
 *
 * The statement texts are built once per ledger and kept. On SQLite one single-row INSERT, which
 * the connection keeps prepared, is run for every row of the batch in one call (EACH_ROW): into an
 * indexed table SQLite inserts single rows faster than multi-row VALUES lists (for 200,000
 * placements 1.6–2.1 s against 2.4 s in blocks of 100). On PostgreSQL multi-row statements of
 * PG_INSERT_ROWS rows, the rest in blocks of 64, 32, … 1: at most eight texts per ledger, so the
 * connection's named statements (db.ts) are not spent on one text per batch size.
 */
/** Rows per multi-row INSERT on PostgreSQL; the widest ledger stays far under its 65,535 parameters. */
export const PG_INSERT_ROWS = 100;

export async function insertMany(db: AnyDb, decl: LedgerDecl, county: string, year: number, rows: readonly Row[], now: string): Promise<void> {
  const pg = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
  const plan = insertPlan(decl, pg);
  const cols = plan.columns;
  let at = 0;
  while (at < rows.length) {
    const left = rows.length - at;
    // SQLite: the whole batch in one call, row by row (EACH_ROW); PostgreSQL: one block.
    const n = !pg ? left : left >= PG_INSERT_ROWS ? PG_INSERT_ROWS : 2 ** Math.floor(Math.log2(left));
    const params = new Array<unknown>(n * (cols.length + 5));
    let p = 0;
    for (let j = at; j < at + n; j++) {
      const r = rows[j]!;
      for (let i = 0; i < cols.length; i++) params[p++] = r[cols[i]!] ?? null;
      params[p++] = county;
      params[p++] = year;
      params[p++] = 1;
      params[p++] = now;
      params[p++] = now;
    }
    await db.executeQuery(CompiledQuery.raw(pg ? insertText(decl, plan, true, n) : EACH_ROW + insertText(decl, plan, false, 1), params));
    at += n;
  }
}

export interface ListOptions {
  filters?: Record<string, string>;
  sort?: { field: string; dir: 'asc' | 'desc' };
  offset?: number;
  limit?: number;
}

function columnFor(decl: LedgerDecl, field: string): string | undefined {
  if (['id', 'note', 'created_at', 'updated_at'].includes(field)) return field;
  const f = decl.fields.find((x) => x.name === field);
  return f ? columnsOf(f)[f.pii ? 1 : 0] : undefined;
}

/** Repository for one ledger table. Every query is scoped to a county and year. */
export class LedgerRepo {
  constructor(private readonly db: AnyDb, readonly decl: LedgerDecl) {}

  private get t() { return this.decl.table; }

  /** Lists records; text filters match by substring, other filters by equality; unknown fields are ignored. */
  /**
   * One page of the records matching the filters, how many match, and for each additive field
   * (amounts and counts, `isAdditive`) their sum over every matching record, not only the page's —
   * null when none of them holds a value.
   */
  async list(county: string, year: number, opts: ListOptions = {}): Promise<{ rows: LedgerRecord[]; total: number; totals: Record<string, number | null> }> {
    let q = this.db.selectFrom(this.t).where('county_code', '=', county).where('year', '=', year);
    for (const [field, value] of Object.entries(opts.filters ?? {})) {
      const col = columnFor(this.decl, field);
      const f = this.decl.fields.find((x) => x.name === field);
      if (!col || value === '') continue;
      if (f?.type === 'text' && !f.pii) q = q.where(col, 'like', `%${value.replace(/[%_]/g, '')}%`);
      else if (f?.type === 'bool') q = q.where(col, '=', value === 'true' || value === '1' ? 1 : 0);
      else if (f?.type === 'int' || f?.type === 'money') q = q.where(col, '=', Number(value));
      else q = q.where(col, '=', value);
    }
    const summed = this.decl.fields.filter(isAdditive);
    const total: Row = await q.select((eb) => [
      eb.fn.countAll<number>().as('n'),
      // PostgreSQL sums BIGINT as NUMERIC (a string); converted once below.
      ...summed.map((f, i) => eb.fn.sum(columnsOf(f)[0]!).as(`s${i}`)),
    ]).executeTakeFirstOrThrow();
    const sortCol = (opts.sort && columnFor(this.decl, opts.sort.field)) ?? 'id';
    const rows = await q
      .selectAll()
      .orderBy(sortCol, opts.sort?.dir === 'desc' ? 'desc' : 'asc')
      .orderBy('id', 'asc')
      .limit(opts.limit ?? 1_000_000)
      .offset(opts.offset ?? 0)
      .execute();
    const totals = Object.fromEntries(summed.map((f, i) => [f.name, num(total[`s${i}`])]));
    return { rows: rows.map((r) => fromRow(this.decl, r)), total: Number(total.n), totals };
  }

  async get(id: number): Promise<LedgerRecord | undefined> {
    const row = await this.db.selectFrom(this.t).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(this.decl, row) : undefined;
  }

  /** Finds the record with the same natural key in the county-year (NULL keys match NULL). */
  async findByKey(county: string, year: number, row: Row): Promise<LedgerRecord | undefined> {
    let q = this.db.selectFrom(this.t).selectAll().where('county_code', '=', county).where('year', '=', year);
    for (const k of this.decl.naturalKey) {
      const f = this.decl.fields.find((x) => x.name === k)!;
      const col = columnsOf(f)[0]!;
      const v = row[col];
      q = v === null || v === undefined ? q.where(col, 'is', null) : q.where(col, '=', v);
    }
    const found = await q.executeTakeFirst();
    return found ? fromRow(this.decl, found) : undefined;
  }

  /** Raw stored columns, for comparing an incoming row with what is there. */
  async rawRow(id: number): Promise<Row | undefined> {
    return this.db.selectFrom(this.t).selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insert(county: string, year: number, row: Row, now: string): Promise<number> {
    const r = await this.db
      .insertInto(this.t)
      .values({ ...row, county_code: county, year, version: 1, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  /** Updates when the stored version matches; returns false when it does not (a stale edit). */
  async update(id: number, row: Row, expectedVersion: number, now: string): Promise<boolean> {
    const r = await this.db
      .updateTable(this.t)
      .set({ ...row, version: sql`version + 1`, updated_at: now })
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async delete(id: number, expectedVersion: number): Promise<boolean> {
    const r = await this.db.deleteFrom(this.t).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}

export type { Database };
