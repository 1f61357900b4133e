/**
 * Finding the ledger a sheet holds and where its header is, then turning each data row into ledger
 * input. A sheet is recognised by its name (the ledger's Chinese or English label, or its kind) or
 * by its headers; title rows above the header are skipped, columns may come in any order, and
 * columns we do not know are ignored with a notice.
 */
import { residentIdCheckChar } from '../domain/ids.ts';
import { LEDGERS, ledgerDecl } from '../domain/ledgers/declarations.ts';
import type { Categories } from '../domain/ledgers/schema.ts';
import type { LedgerDecl } from '../domain/ledgers/types.ts';
import { parseStated } from '../domain/figures.ts';
import { type CellValue, cellText, isBlank, readField, readQualifier } from './cells.ts';
import { columnLetter, EXAMPLE_NOTE, headerKey, type MoneyUnit, matchHeader, normaliseText, type SheetColumn, sheetColumns, TOTAL_LABEL } from './layout.ts';
import type { RawRow } from './read.ts';

/** How many rows from the top may hold titles before the header. */
export const HEADER_SEARCH_ROWS = 12;

export interface BoundColumn {
  /** 0-based index in the row. */
  index: number;
  letter: string;
  header: string;
  column: SheetColumn;
  unit: MoneyUnit;
}

export interface HeaderIssue {
  row: number;
  column: string | null;
  value: string;
  zh: string;
  en: string;
  /** An issue that stops the sheet from being imported (a missing required column); otherwise a notice. */
  blocking: boolean;
}

export interface Recognised {
  decl: LedgerDecl;
  headerRow: number;
  columns: BoundColumn[];
  issues: HeaderIssue[];
}

const columnsCache = new Map<string, SheetColumn[]>();

/** The columns an import understands for a ledger: the input layout plus the export-only ones. */
export function importColumns(decl: LedgerDecl, categories: Categories, year: number): SheetColumn[] {
  const key = `${decl.kind}:${year}`;
  let cols = columnsCache.get(key);
  if (!cols) {
    const input = sheetColumns(decl, categories, { mode: 'input', withCounty: true });
    const extra = sheetColumns(decl, categories, { mode: 'export' }).filter((c) => c.role === 'masked' || c.role === 'hash');
    cols = [...input, ...extra];
    columnsCache.set(key, cols);
  }
  return cols;
}

/** The ledger a sheet's name designates, if any. */
export function ledgerByName(name: string): LedgerDecl | undefined {
  const k = headerKey(name).replace(/[-_\s]?(台账|模板|template)$/, '');
  return LEDGERS.find((d) => [d.kind, d.label.zh, d.label.en, d.table].some((n) => headerKey(n) === k))
    ?? LEDGERS.find((d) => k.includes(headerKey(d.label.zh)));
}

function bind(decl: LedgerDecl, row: RawRow, categories: Categories, year: number) {
  const cols = importColumns(decl, categories, year);
  const bound: BoundColumn[] = [];
  const unknown: Array<{ index: number; text: string }> = [];
  const issues: HeaderIssue[] = [];
  row.cells.forEach((cell, index) => {
    if (isBlank(cell)) return;
    const text = cellText(cell);
    const m = matchHeader(text, cols);
    if (!m) { unknown.push({ index, text }); return; }
    const letter = columnLetter(index + 1);
    const dup = bound.find((b) => b.column === m.column);
    if (dup) {
      issues.push({ row: row.number, column: letter, value: text, blocking: true,
        zh: `与${dup.letter}列重复，都对应“${m.column.header}”`, en: `duplicates column ${dup.letter}; both are "${m.column.headerEn}"` });
      return;
    }
    bound.push({ index, letter, header: text, column: m.column, unit: m.statedUnit ?? m.column.unit ?? 'wan' });
    if (m.column.field?.type === 'money' && (m.column.role === 'value' || m.column.role === 'max') && !m.statedUnit)
      issues.push({ row: row.number, column: letter, value: text, blocking: false,
        zh: '表头未注明金额单位，按万元读取', en: 'the header names no unit; read as 万元' });
  });
  return { bound, unknown, issues };
}

function missingRequired(decl: LedgerDecl, bound: BoundColumn[]): string[] {
  const has = (name: string, roles: string[]) => bound.some((b) => b.column.field?.name === name && roles.includes(b.column.role));
  return decl.fields.filter((f) => f.required && !has(f.name, f.pii ? ['value', 'hash'] : ['value'])).map((f) => f.label.zh);
}

/**
 * Recognises a sheet from its name and first rows. `forced` names the ledger when the caller knows it.
 * Returns undefined when the sheet holds no ledger we know (a cover or summary sheet).
 */
export function recognise(sheetName: string, head: readonly RawRow[], categories: Categories, year: number, forced?: string): Recognised | undefined {
  const byName = forced ? ledgerDecl(forced) : ledgerByName(sheetName);
  const decls = byName ? [byName] : LEDGERS;
  let best: { decl: LedgerDecl; row: RawRow; b: ReturnType<typeof bind>; missing: string[]; score: number } | undefined;
  for (const row of head.slice(0, HEADER_SEARCH_ROWS)) {
    if (row.cells.filter((c) => !isBlank(c)).length < 2) continue;
    for (const decl of decls) {
      const b = bind(decl, row, categories, year);
      const missing = missingRequired(decl, b.bound);
      // Complete headers beat partial ones; then more recognised columns, then fewer unknown ones.
      const score = (missing.length === 0 ? 1e6 : 0) + b.bound.length * 100 - b.unknown.length;
      if (b.bound.length >= 2 && (!best || score > best.score)) best = { decl, row, b, missing, score };
    }
  }
  if (!best) {
    if (!byName) return undefined;
    const row = head[0]?.number ?? 1;
    return { decl: byName, headerRow: row, columns: [], issues: [{ row, column: null, value: sheetName, blocking: true,
      zh: `工作表名称表明是“${byName.label.zh}”，但前${HEADER_SEARCH_ROWS}行中找不到表头`, en: `the sheet name says ${byName.label.en}, but no header row was found in the first ${HEADER_SEARCH_ROWS} rows` }] };
  }
  if (!byName && best.missing.length) return undefined;
  const { decl, row, b, missing } = best;
  const issues = [...b.issues];
  for (const m of missing)
    issues.push({ row: row.number, column: null, value: '', blocking: true, zh: `缺少必填列“${m}”`, en: `required column "${m}" is missing` });
  for (const u of b.unknown)
    issues.push({ row: row.number, column: columnLetter(u.index + 1), value: u.text, blocking: false, zh: '无法识别的列，已忽略', en: 'unrecognised column, ignored' });
  return { decl, headerRow: row.number, columns: b.bound, issues };
}

// ── data rows ──────────────────────────────────────────────────────────────

/** A valid resident ID used only to let an already-hashed row through the schema; never stored. */
export const PLACEHOLDER_ID = (() => {
  const first17 = '11010519900101001'; // a Beijing district code: any valid form will do, it is never stored
  return first17 + residentIdCheckChar(first17);
})();

const HASH = /^[0-9a-f]{64}$/;
const MASKED = /^[0-9]{4}\*+[0-9X]{4}$/;

export interface CellProblem {
  column: BoundColumn | undefined;
  value: string;
  zh: string;
  en: string;
}

export interface RowRead {
  skip?: 'blank' | 'example' | 'total';
  input: Record<string, unknown>;
  problems: CellProblem[];
  /** The county the row names (exports of several counties carry it). */
  county?: string;
  /** A resident ID that arrived already protected (from one of our exports). */
  protectedId?: { hash: string; masked: string };
}

const TOTALS = new Set([TOTAL_LABEL, '总计', '小计', '合 计']);
const TOTAL_START = /^[\s\u3000]*[合总小]/;

/** Reads one data row into ledger input, with every cell that could not be read. */
export function readRow(rec: Recognised, row: RawRow, categories: Categories): RowRead {
  const cells = row.cells;
  let any = false;
  for (const b of rec.columns) if (!isBlank(cells[b.index] ?? null)) { any = true; break; }
  const out: RowRead = { input: {}, problems: [] };
  if (!any) return { ...out, skip: 'blank' };
  const first = cells.find((c) => !isBlank(c));
  // Totals rows start with 合计/总计/小计; only text starting with one of those characters is normalised.
  if (typeof first === 'string' && TOTAL_START.test(first) && TOTALS.has(normaliseText(first))) return { ...out, skip: 'total' };

  const input = out.input;
  let hash: string | undefined;
  let masked: string | undefined;
  let rawIdGiven = false;
  for (const b of rec.columns) {
    const v: CellValue = cells[b.index] ?? null;
    const f = b.column.field;
    switch (b.column.role) {
      case 'note': {
        const t = isBlank(v) ? null : cellText(v).trim();
        if (t && t.startsWith('示例')) return { ...out, skip: 'example' };
        if (t !== null) input.note = t;
        break;
      }
      case 'county':
        if (!isBlank(v)) out.county = normaliseText(cellText(v));
        break;
      case 'hash':
        if (!isBlank(v)) {
          const t = normaliseText(cellText(v)).toLowerCase();
          if (HASH.test(t)) hash = t;
          else problem(out, b, v, '密文已被改动，无法识别', 'the keyed hash has been altered');
        }
        break;
      case 'masked':
        if (!isBlank(v)) masked = normaliseText(cellText(v)).toUpperCase();
        break;
      case 'qual': {
        const r = readQualifier(v);
        if (!r.ok) problem(out, b, v, r.zh, r.en);
        else if (r.value !== null) input[`${f!.name}_qual`] = r.value;
        break;
      }
      case 'max': {
        const r = readField(v, f!, b.unit, undefined);
        if (!r.ok) problem(out, b, v, r.zh, r.en);
        else if (r.value !== null) input[`${f!.name}_max`] = r.value;
        break;
      }
      case 'value': {
        const list = f!.categories ? categories[f!.categories] : undefined;
        const r = readField(v, f!, b.unit, list);
        if (r.ok) {
          if (r.value !== null) input[f!.name] = r.value;
          if (f!.pii && r.value !== null) rawIdGiven = true;
          break;
        }
        // A qualified figure may be written as the report writes it: 约12, 40余, 1.2-1.5.
        if (f!.qualified && typeof v === 'string') {
          const stated = statedCell(v, f!.type === 'money' ? b.unit : undefined);
          if (stated) {
            input[f!.name] = stated.value;
            input[`${f!.name}_qual`] = stated.qual;
            if (stated.max !== null) input[`${f!.name}_max`] = stated.max;
            break;
          }
        }
        problem(out, b, v, r.zh, r.en);
        break;
      }
      default:
        break;
    }
  }
  if (!rawIdGiven && hash) {
    const f = rec.decl.fields.find((x) => x.pii)!;
    if (!masked || !MASKED.test(masked)) {
      const b = rec.columns.find((c) => c.column.role === 'masked');
      out.problems.push({ column: b, value: masked ?? '', zh: '脱敏号码缺失或格式不对', en: 'the masked ID is missing or malformed' });
    } else {
      input[f.name] = PLACEHOLDER_ID;
      out.protectedId = { hash, masked };
    }
  }
  return out;
}

function problem(out: RowRead, b: BoundColumn, v: CellValue, zh: string, en: string): void {
  out.problems.push({ column: b, value: b.column.field?.pii ? maskedForReport(v) : cellText(v), zh, en });
}

function statedCell(text: string, unit: MoneyUnit | undefined): { value: number; qual: string; max: number | null } | undefined {
  const t = normaliseText(text).replace(/\s+/g, '');
  try {
    const withUnit = unit && !/元$/.test(t) ? t.replace(/(余|多|以上|\+)?$/, (m) => `${m}${unit === 'wan' ? '万元' : '元'}`) : t;
    const s = parseStated(unit ? fixRangeUnits(withUnit, unit) : t, unit ? 'money' : 'number');
    const value = Number(s.value);
    const max = s.max === null ? null : Number(s.max);
    if (!Number.isSafeInteger(value) || (max !== null && !Number.isSafeInteger(max))) return undefined;
    return { value, qual: s.qual, max };
  } catch {
    return undefined;
  }
}

/** "1.2-1.5万元" and "1.2万元-1.5万元" both mean a range in 万元; a bare range gets the column's unit on both ends. */
function fixRangeUnits(t: string, unit: MoneyUnit): string {
  const u = unit === 'wan' ? '万元' : '元';
  const m = /^(约)?([\d.,]+)(万元|元)?[-–~～至]([\d.,]+)(万元|元)?$/.exec(t);
  if (!m) return t;
  return `${m[1] ?? ''}${m[2]}${m[3] ?? m[5] ?? u}-${m[4]}${m[5] ?? u}`;
}

/** How a resident ID cell appears in error reports: masked, never the number itself. */
export function maskedForReport(v: CellValue): string {
  const t = cellText(v).trim();
  if (t.length <= 8) return '*'.repeat(t.length);
  return `${t.slice(0, 4)}${'*'.repeat(t.length - 8)}${t.slice(-4)}`;
}

export { EXAMPLE_NOTE };
