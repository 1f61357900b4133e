/**
 * Reading one cell into ledger input. Cells arrive as Excel and CSV give them — numbers, text that
 * holds numbers, dates as serials or as Chinese text, labels instead of codes — and leave as the
 * values the ledger schema expects (分 for money, YYYY-MM-DD, category codes, booleans). Never throws:
 * an unreadable cell comes back with a bilingual reason.
 */
import type { CategoryItem } from '../domain/ledgers/schema.ts';
import { isIsoDate } from '../domain/ledgers/schema.ts';
import type { FieldDecl } from '../domain/ledgers/types.ts';
import { parseWan, parseYuan } from '../domain/money.ts';
import { type MoneyUnit, normaliseText, qualifierOf } from './layout.ts';

/** A cell as the readers deliver it. Empty cells are null. */
export type CellValue = string | number | boolean | Date | null;

export type Read<T> = { ok: true; value: T } | { ok: false; zh: string; en: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (zh: string, en: string): Read<never> => ({ ok: false, zh, en });

/** True for a cell with nothing in it (null, or only whitespace). */
export function isBlank(v: CellValue): boolean {
  // String.prototype.trim also removes the ideographic space (U+3000) and no-break spaces.
  return v === null || (typeof v === 'string' && v.trim() === '');
}

/** Cell text for display in error reports and annotations. */
export function cellText(v: CellValue): string {
  if (v === null) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  return String(v);
}

/**
 * A number as decimal text without binary noise: 12.340000000000002 → "12.34". Excel keeps 15
 * significant digits, so nothing a sheet can hold is lost.
 */
export function decimalText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const p = Number(n.toPrecision(15));
  const s = String(p);
  if (!/e/i.test(s)) return s;
  // Small magnitudes print in exponent form; write them out.
  return p.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/** Numeric text as people type it: full-width digits, thousands separators, spaces. */
function numericText(v: string | number): string {
  return typeof v === 'number' ? decimalText(v) : normaliseText(v).replace(/[,，\s]/g, '');
}

export function readInt(v: CellValue): Read<number> {
  if (typeof v !== 'number' && typeof v !== 'string') return bad('应为整数', 'must be a whole number');
  const t = numericText(v);
  if (!/^-?\d+(\.0+)?$/.test(t)) return bad('应为整数', 'must be a whole number');
  const n = Number(t);
  if (!Number.isSafeInteger(n)) return bad('数值过大', 'too large');
  return ok(n);
}

export function readMoney(v: CellValue, unit: MoneyUnit): Read<number> {
  if (typeof v !== 'number' && typeof v !== 'string') return bad('应为金额', 'must be an amount');
  let t = numericText(v);
  // A unit typed into the cell must agree with the column's.
  const suffix = /(万元|元)$/.exec(t);
  if (suffix) {
    if ((suffix[1] === '元') !== (unit === 'yuan'))
      return bad(`单元格写的是${suffix[1]}，但本列单位是${unit === 'wan' ? '万元' : '元'}`, `the cell says ${suffix[1]} but the column is in ${unit === 'wan' ? '万元' : '元'}`);
    t = t.slice(0, -suffix[1]!.length);
  }
  try {
    return ok((unit === 'wan' ? parseWan(t) : parseYuan(t)) as number);
  } catch {
    return unit === 'wan'
      ? bad('应为金额（万元，最多6位小数）', 'must be an amount in 万元 with at most 6 decimals')
      : bad('应为金额（元，最多2位小数）', 'must be an amount in yuan with at most 2 decimals');
  }
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/** An Excel date serial (1900 system) to YYYY-MM-DD; fractional days (times) are dropped. */
export function serialToIso(serial: number): string {
  return new Date(EXCEL_EPOCH + Math.floor(serial) * 86_400_000).toISOString().slice(0, 10);
}

const pad = (n: string) => n.padStart(2, '0');
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD (the same test as the schema's, without building a Date). */
function isCalendarDay(iso: string): boolean {
  if (iso.length !== 10) return isIsoDate(iso);
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  if (!(m >= 1 && m <= 12 && d >= 1)) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/**
 * Dates as sheets hold them: Date cells, serial numbers, 2022-07-13, 2022/7/13, 2022.7.13,
 * 2022年7月13日, 20220713. Always a real calendar date.
 */
export function readDate(v: CellValue): Read<string> {
  const badDate = bad('日期无法识别，应如 2022-07-13 或 2022年7月13日', 'not a date; write 2022-07-13 or 2022年7月13日');
  let iso: string | undefined;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return badDate;
    // Excel stores a calendar day; readers hand it over as midnight UTC (a time of day may follow).
    iso = v.toISOString().slice(0, 10);
  } else if (typeof v === 'number') {
    if (v < 1 || v > 2958465) return badDate;
    iso = serialToIso(v);
  } else if (typeof v === 'string' && ISO_DAY.test(v)) {
    // Already YYYY-MM-DD: what the patterns below would make of it.
    iso = v;
  } else if (typeof v === 'string') {
    const t = normaliseText(v).replace(/\s+/g, '');
    let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(t);
    if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
    if (m) iso = `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)}`;
    else if (/^\d{5}(\.\d+)?$/.test(t)) iso = serialToIso(Number(t));
  }
  if (!iso || !isCalendarDay(iso)) return badDate;
  return ok(iso);
}

const YES = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓', '对']);
const NO = new Set(['否', 'n', 'no', 'false', '0', '×', '✗', '不是']);

export function readBool(v: CellValue): Read<boolean> {
  if (typeof v === 'boolean') return ok(v);
  if (v === '是') return ok(true);
  if (v === '否') return ok(false);
  const t = normaliseText(String(v)).toLowerCase();
  if (YES.has(t)) return ok(true);
  if (NO.has(t)) return ok(false);
  return bad('应为“是”或“否”', 'must be 是 (yes) or 否 (no)');
}

/**
 * A category by its code, its Chinese or English label, or either without a bracketed part at the
 * end ("培训" for "培训（线上）", "协作地（某市）" for "协作地").
 */
const plain = (s: string) => normaliseText(s).replace(/\s+/g, '').toLowerCase();
const enumIndex = new WeakMap<readonly CategoryItem[], Map<string, string>>();

/** Every accepted spelling of a list's items → code; exact labels win over bracket-less ones. */
function indexOf(list: readonly CategoryItem[]): Map<string, string> {
  let m = enumIndex.get(list);
  if (m) return m;
  m = new Map();
  for (const c of list) { const k = plain(c.zh).replace(/\(.*\)$/, ''); if (!m.has(k)) m.set(k, c.value); }
  for (const c of list) for (const k of [plain(c.value), plain(c.zh), plain(c.en), c.zh, c.value, ...(c.aliases ?? []), ...(c.aliases ?? []).map(plain)]) m.set(k, c.value);
  enumIndex.set(list, m);
  return m;
}

export function readEnum(v: CellValue, list: readonly CategoryItem[]): Read<string> {
  const index = indexOf(list);
  // Most cells spell a label or code exactly; only the others are normalised.
  const exact = index.get(String(v));
  if (exact !== undefined) return ok(exact);
  const text = plain(String(v));
  const bare = text.replace(/\(.*\)$/, '');
  const hit = index.get(text) ?? index.get(bare);
  if (hit !== undefined) return ok(hit);
  // A shortened label, as department sheets write them ("协作地（…）" for "东部协作地"): accepted only
  // when exactly one label contains it and it is at least two characters long.
  if (bare.length >= 2) {
    const within = list.filter((c) => plain(c.zh).replace(/\(.*\)$/, '').includes(bare));
    if (within.length === 1) return ok(within[0]!.value);
  }
  return bad(`应为：${list.map((c) => c.zh).join('、')}`, `must be one of: ${list.map((c) => c.en).join(', ')}`);
}

export function readText(v: CellValue, f: FieldDecl): Read<string> {
  if (v instanceof Date) return ok(v.toISOString().slice(0, 10));
  if (typeof v === 'number') {
    // An 18-digit ID typed into a number cell has already lost its last digits in Excel.
    if (f.pii === 'resident_id' || f.creditCode)
      return Number.isSafeInteger(v) ? ok(String(v)) : bad('号码被存成了数字，末几位已丢失；请把该列设为文本后重新录入', 'the number was stored as a number and its last digits are lost; format the column as text and re-enter it');
    return ok(decimalText(v));
  }
  const t = String(v).replace(/[\r\n]+/g, '\n').trim();
  // IDs and codes: compare in half-width upper case, with stray spaces and apostrophes removed.
  if (f.pii === 'resident_id' || f.creditCode) return ok(normaliseText(t).replace(/[\s']/g, '').toUpperCase());
  return ok(t);
}

export function readCode(v: CellValue): Read<string> {
  const t = typeof v === 'number' ? decimalText(v) : normaliseText(String(v)).replace(/\s+/g, '');
  return ok(t);
}

/** The value of one field from one cell; blank cells are null (the schema decides if that is allowed). */
export function readField(v: CellValue, f: FieldDecl, unit: MoneyUnit, categories: readonly CategoryItem[] | undefined): Read<unknown> {
  if (isBlank(v)) return ok(null);
  switch (f.type) {
    case 'text': return readText(v, f);
    case 'int': return readInt(v);
    case 'money': return readMoney(v, unit);
    case 'date': return readDate(v);
    case 'enum': return readEnum(v, categories ?? []);
    case 'bool': return readBool(v);
    case 'code': return readCode(v);
  }
}

/** A qualifier cell: 精确 (or blank), 约, 以上/余, 区间. */
export function readQualifier(v: CellValue): Read<string | null> {
  if (isBlank(v)) return ok(null);
  const q = qualifierOf(String(v));
  return q ? ok(q) : bad('限定应为：精确、约、以上、区间', 'qualifier must be 精确, 约, 以上 or 区间');
}
