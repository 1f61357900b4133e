/**
 * The sheet layout of a ledger, derived from its declaration: which columns a template, an export and
 * an import use, with their Chinese headers, units and notes. Templates and exports write exactly
 * these headers, and the importer recognises them (and the usual variations of them), so a workbook
 * the system wrote always reads back.
 */
import type { CategoryItem, Categories } from '../domain/ledgers/schema.ts';
import type { HeaderFooter, PageSetup } from 'exceljs';
import type { FieldDecl, LedgerDecl, Qualifier } from '../domain/ledgers/types.ts';

/** The unit a money column is written in. 万元 is the default in our sheets; 元 when the header says so. */
export type MoneyUnit = 'wan' | 'yuan';

export type ColumnRole =
  | 'value' // the field's value
  | 'qual' // the qualifier of a qualified figure (精确/约/以上/区间)
  | 'max' // the upper end of a range
  | 'masked' // a resident ID shown masked (exports only; never read back as an ID)
  | 'hash' // the keyed hash of a resident ID (exports only; lets an export be imported again)
  | 'note'
  | 'county';

export interface SheetColumn {
  role: ColumnRole;
  /** The declared field, except for note and county columns. */
  field?: FieldDecl;
  /** Header text as templates and exports write it. */
  header: string;
  headerEn: string;
  unit?: MoneyUnit;
  width: number;
  /** Allowed values for a drop-down, in Chinese. */
  choices?: string[];
  /** The header note: type, unit and allowed values, in Chinese with English after. */
  help: string;
}

export const QUAL_LABELS: Record<Qualifier, string> = { exact: '精确', about: '约', over: '以上', range: '区间' };
/** Extra spellings accepted for qualifiers; 余 and 多 are how reports usually write "more than". */
const QUAL_ALIASES: Record<string, Qualifier> = {
  精确: 'exact', 准确: 'exact', exact: 'exact', '': 'exact',
  约: 'about', 大约: 'about', 近: 'about', about: 'about',
  以上: 'over', 余: 'over', 多: 'over', 超过: 'over', over: 'over',
  区间: 'range', 范围: 'range', range: 'range',
};

/** The qualifier a cell names, or undefined. */
export function qualifierOf(text: string): Qualifier | undefined {
  return QUAL_ALIASES[normaliseText(text).toLowerCase()];
}

export const NOTE_HEADER = '备注';
export const COUNTY_HEADER = '县级区划代码';
/** The note an example row in a template carries; rows whose note starts with 示例 are skipped on import. */
export const EXAMPLE_NOTE = '示例行（导入时忽略）/ example row, ignored on import';
export const TOTAL_LABEL = '合计';

const MASKED_SUFFIX = '（脱敏）';
const HASH_SUFFIX = '密文（勿改）';

function typeHelp(f: FieldDecl, unit: MoneyUnit | undefined, choices: readonly CategoryItem[] | undefined): string {
  const req = f.required ? '必填 / required. ' : '选填 / optional. ';
  switch (f.type) {
    case 'text':
      if (f.pii === 'resident_id') return `${req}18位公民身份号码，请设为文本格式；系统只保存密文与脱敏号码 / 18-character resident ID as text; only a keyed hash and a masked form are stored.`;
      if (f.creditCode) return `${req}18位统一社会信用代码 / 18-character unified social credit code.`;
      return `${req}文本${f.maxLength ? `，不超过${f.maxLength}字` : ''} / text${f.maxLength ? ` up to ${f.maxLength} characters` : ''}.`;
    case 'int':
      return `${req}整数${f.min !== undefined ? `，不小于${f.min}` : '，不小于0'}${f.max !== undefined ? `，不大于${f.max}` : ''} / whole number.`;
    case 'money':
      return `${req}金额，单位${unit === 'yuan' ? '元，最多2位小数' : '万元，最多6位小数'} / amount in ${unit === 'yuan' ? 'yuan' : '10k yuan (万元)'}.`;
    case 'date':
      return `${req}日期，如 2022-07-13 或 2022年7月13日 / date.`;
    case 'enum':
      return `${req}从下拉列表选择：${(choices ?? []).map((c) => c.zh).join('、')} / choose from the list.`;
    case 'bool':
      return `${req}填“是”或“否” / yes or no.`;
    case 'code':
      return `${req}行政区划代码（数字） / GB/T 2260 division code.`;
  }
}

function width(f: FieldDecl): number {
  if (f.type === 'date') return 13;
  if (f.type === 'money' || f.type === 'int') return Math.max(12, f.label.zh.length * 2 + 6);
  if (f.type === 'bool' || f.type === 'code') return 14;
  if (f.pii) return 22;
  return Math.min(40, Math.max(14, (f.maxLength ?? 40) > 200 ? 30 : 18));
}

export interface LayoutOptions {
  /** 'input' for templates and imports (raw resident IDs); 'export' for masked IDs plus their hash. */
  mode: 'input' | 'export';
  /** Add a leading county-code column (exports of several counties). */
  withCounty?: boolean;
}

/** The columns of a ledger's sheet, in order. Required fields are marked with a leading asterisk. */
export function sheetColumns(decl: LedgerDecl, categories: Categories, opts: LayoutOptions): SheetColumn[] {
  const cols: SheetColumn[] = [];
  if (opts.withCounty) cols.push({ role: 'county', header: COUNTY_HEADER, headerEn: 'County code', width: 12, help: '记录所属县的区划代码 / county of the record.' });
  for (const f of decl.fields) {
    const star = f.required ? '*' : '';
    const unit: MoneyUnit | undefined = f.type === 'money' ? 'wan' : undefined;
    const unitText = unit ? '（万元）' : '';
    const list = f.categories ? categories[f.categories] : undefined;
    if (f.pii === 'resident_id' && opts.mode === 'export') {
      cols.push({ role: 'masked', field: f, header: `${f.label.zh}${MASKED_SUFFIX}`, headerEn: `${f.label.en} (masked)`, width: 22, help: '脱敏显示 / masked for display.' });
      cols.push({ role: 'hash', field: f, header: `${f.label.zh}${HASH_SUFFIX}`, headerEn: `${f.label.en} (keyed hash)`, width: 20, help: '本系统生成的密文，用于再次导入时识别同一人，请勿修改 / keyed hash that lets this file be imported again; do not edit.' });
      continue;
    }
    cols.push({
      role: 'value', field: f, header: `${star}${f.label.zh}${unitText}`, headerEn: f.label.en, unit, width: width(f),
      choices: f.type === 'bool' ? ['是', '否'] : list?.map((c) => c.zh), help: typeHelp(f, unit, list),
    });
    if (f.qualified) {
      cols.push({
        role: 'qual', field: f, header: `${f.label.zh}限定`, headerEn: `${f.label.en} qualifier`, width: 10,
        choices: Object.values(QUAL_LABELS),
        help: '数字的精确程度：精确（默认）、约、以上（余）、区间 / how exact the figure is; default exact.',
      });
      cols.push({
        role: 'max', field: f, header: `${f.label.zh}上限${unitText}`, headerEn: `${f.label.en} upper bound`, unit, width: 12,
        help: '仅“区间”填写上限 / upper end, for ranges only.',
      });
    }
  }
  cols.push({ role: 'note', header: NOTE_HEADER, headerEn: 'Note', width: 24, help: '选填 / optional.' });
  return cols;
}

/** Column letter of a 1-based column number (1 → A, 27 → AA). */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/**
 * Text as people type it, made comparable: full-width letters, digits and brackets to ASCII (NFKC),
 * every kind of whitespace removed at the ends and runs inside collapsed.
 */
export function normaliseText(s: string): string {
  // Most cells are plain ASCII without spaces; they are already normal.
  if (!/[^\x21-\x7e]/.test(s)) return s;
  return s.normalize('NFKC').replace(/[\s\u3000\u00a0]+/g, ' ').trim();
}

/** A header reduced for matching: normalised, no spaces, no required-field asterisks, lower case. */
export function headerKey(s: string): string {
  return normaliseText(s).replace(/\s+/g, '').replace(/^[*＊]+|[*＊]+$/g, '').toLowerCase();
}

/** Other names departments use for the same column. Keys and values are compared as header keys. */
const ALIASES: Record<string, string[]> = {
  身份证号: ['身份证号码', '身份证', '公民身份号码', '公民身份证号码', '身份证件号码'],
  姓名: ['人员姓名', '劳动力姓名'],
  备注: ['说明备注', 'note'],
};

export interface HeaderMatch {
  column: SheetColumn;
  /** The unit the header states, when it states one. */
  statedUnit?: MoneyUnit;
}

/**
 * Recognises a header cell as one of a ledger's columns (in input or export layout). Tolerates
 * asterisks, spaces, full-width brackets, English labels and field names, and a money unit in
 * brackets or as a suffix ("金额（元）", "金额(万元)", "金额万元").
 */
export function matchHeader(text: string, columns: readonly SheetColumn[]): HeaderMatch | undefined {
  const full = headerKey(text);
  if (!full) return undefined;
  const unit = /\(?(万元|元|10kyuan|yuan)\)?$/.exec(full);
  const candidates: Array<{ key: string; statedUnit?: MoneyUnit }> = [];
  if (unit && unit.index > 0)
    candidates.push({ key: full.slice(0, unit.index), statedUnit: unit[1] === '元' || unit[1] === 'yuan' ? 'yuan' : 'wan' });
  candidates.push({ key: full });
  for (const { key, statedUnit } of candidates) {
    for (const column of columns) {
      if (statedUnit && column.field?.type !== 'money') continue;
      if (namesOf(column).has(key)) return { column, statedUnit };
    }
  }
  return undefined;
}

const namesCache = new WeakMap<SheetColumn, Set<string>>();

function namesOf(column: SheetColumn): Set<string> {
  let names = namesCache.get(column);
  if (names) return names;
  names = new Set([headerKey(column.header).replace(/\((万元|元)\)$/, ''), headerKey(column.headerEn)]);
  if (column.field) {
    const zh = headerKey(column.field.label.zh);
    if (column.role === 'value') {
      names.add(column.field.name);
      for (const a of ALIASES[zh] ?? []) names.add(headerKey(a));
    }
    if (column.role === 'qual' || column.role === 'max') names.add(`${column.field.name}_${column.role}`);
  } else if (column.role === 'note') {
    for (const a of ALIASES[NOTE_HEADER]!) names.add(headerKey(a));
  } else if (column.role === 'county') names.add('county_code');
  namesCache.set(column, names);
  return names;
}

export { isAdditive, isYearField } from '../domain/ledgers/types.ts';

/** A thin black border on every side, the ruling of a printed 台账. */
export const THIN_BORDER = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } } as const;

/**
 * Print setup of a ledger-style sheet: A4 landscape, fit to one page wide (as many pages down as
 * needed), the header row repeated on every page, the sheet's title in the page header and
 * "第 n 页 共 m 页" in the footer, narrow margins, centred horizontally.
 */
export function printSetup(ws: { pageSetup: Partial<PageSetup>; headerFooter: Partial<HeaderFooter> }, title: string, headerRows = 1): void {
  Object.assign(ws.pageSetup, {
    paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0,
    horizontalCentered: true, printTitlesRow: `1:${headerRows}`,
    margins: { left: 0.4, right: 0.4, top: 0.7, bottom: 0.6, header: 0.3, footer: 0.3 },
  });
  const safe = title.replace(/&/g, '&&');
  Object.assign(ws.headerFooter, { oddHeader: `&C&"宋体,加粗"&14${safe}`, oddFooter: '&C第 &P 页 共 &N 页' });
}

/** Sheet name of a ledger in templates and exports: its Chinese label. */
export function sheetNameOf(decl: LedgerDecl): string {
  return decl.label.zh;
}
