/**
 * The report sheets of an export workbook: what a county-year's report needs besides its ledger
 * records (report details, ledger completeness, reported values, earlier years' values, targets,
 * narrative), one sheet each, with Chinese headers and figures as reports write them. Elements,
 * indicators, breakdowns, comparisons, statuses and narrative parts are written as words (their
 * catalogue or category labels); an import recognises these sheets by name and reads them back,
 * taking either the word or the code (files written before the words keep importing), every problem
 * located like a ledger cell's.
 */
import type { Store } from '../store/db.ts';
import type ExcelJS from 'exceljs';
import { parseStated } from '../domain/figures.ts';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { Categories } from '../domain/ledgers/schema.ts';
import { type Catalogue, catalogueFor } from '../services/catalogue.ts';
import { categoriesFor } from '../services/config.ts';
import type { NarrativeSection } from '../services/reported.ts';
import { type Completeness, moneyElement, moneyIndicator, type ReportData } from '../services/report-data.ts';
import { cellText } from './cells.ts';
import type { LocatedError } from './import.ts';
import { columnLetter, printSetup, sheetNameOf, THIN_BORDER } from './layout.ts';
import type { RawRow } from './read.ts';

export const REPORT_SHEETS = {
  meta: '报告信息',
  states: '台账状态',
  reported: '上报数据',
  earlier: '往年数据',
  targets: '目标',
  narratives: '报告文字',
} as const;

export type SheetKey = keyof typeof REPORT_SHEETS;

/**
 * Which report sheet a sheet is, by its name; a CSV file saved from one sheet of the workbook
 * (`导出-上报数据.csv`) counts as that sheet.
 */
export function reportSheetKey(name: string): SheetKey | undefined {
  const t = name.trim();
  return (Object.keys(REPORT_SHEETS) as SheetKey[]).find((k) => t === REPORT_SHEETS[k] || t.endsWith(`-${REPORT_SHEETS[k]}`) || t.endsWith(`_${REPORT_SHEETS[k]}`));
}

/** Whether a sheet of that name is one of the report sheets. */
export const isReportSheet = (name: string): boolean => reportSheetKey(name) !== undefined;

/** A column of a report sheet; `help` is the note a template puts on its header (Chinese only). */
export interface ReportColumn { header: string; key: string; width: number; required?: boolean; help?: string }

const FIGURE_HELP = '按报告的写法填写，可带限定词：12、约12、40余、1.2-1.5；金额单位为万元（也可写“3.18亿元”）';

/** The columns of each report sheet, as exports write them and templates offer them. */
export const REPORT_COLUMNS: Record<SheetKey, ReportColumn[]> = {
  meta: [
    { header: '项目', key: 'item', width: 16, required: true, help: '报告信息的项目名称，不要修改' },
    { header: '内容', key: 'value', width: 40, help: '报告日期写作 2023-01-05；东部协作方代码为6位区划代码' },
  ],
  states: [
    { header: '台账', key: 'ledger', width: 20, required: true, help: '从下拉列表选择台账' },
    { header: '完整性', key: 'completeness', width: 10, required: true, help: '完整：台账已逐条录入全部记录；部分：只录入了一部分，相关指标改用上报数据' },
  ],
  reported: [
    { header: '要素', key: 'element', width: 34, required: true, help: '从下拉列表选择上报项（名称与“上报项目录”一致）' },
    { header: '分项', key: 'dim', width: 16, help: '只对有分项的上报项填写（见“上报项目录”），否则留空' },
    { header: '数值', key: 'value', width: 20, required: true, help: FIGURE_HELP },
    { header: '备注', key: 'note', width: 50, help: '数据来源，例如报告的章节或提供数据的部门' },
  ],
  earlier: [
    { header: '年度', key: 'year', width: 8, required: true, help: '早于本年度的年份，例如 2021' },
    { header: '要素', key: 'element', width: 34, required: true, help: '从下拉列表选择上报项' },
    { header: '分项', key: 'dim', width: 16, help: '只对有分项的上报项填写，否则留空' },
    { header: '数值', key: 'value', width: 20, required: true, help: FIGURE_HELP },
    { header: '备注', key: 'note', width: 50, help: '数据来源' },
  ],
  targets: [
    { header: '单位代码', key: 'org', width: 10, required: true, help: '下达目标的单位：本县、所属市州或省的区划代码（6位、4位或2位）' },
    { header: '指标', key: 'indicator', width: 34, required: true, help: '从下拉列表选择指标' },
    { header: '比较', key: 'op', width: 8, required: true, help: '从下拉列表选择；“介于”时同时填写目标值和目标上限' },
    { header: '目标值', key: 'value', width: 16, help: FIGURE_HELP },
    { header: '目标上限', key: 'value_max', width: 16, help: '仅“介于”时填写' },
    { header: '上报状态', key: 'reported_status', width: 12, help: '本县对目标完成情况的自评（目标值未列明时填写），否则留空' },
    { header: '备注', key: 'note', width: 50, help: '目标出处' },
  ],
  narratives: [
    { header: '部分', key: 'section', width: 16, required: true, help: '从下拉列表选择报告中的位置' },
    { header: '序号', key: 'seq', width: 6, required: true, help: '同一部分内的顺序：1、2、3……' },
    { header: '标题', key: 'title', width: 30, help: '小标题；“未达标说明”填写所说明的指标名称' },
    { header: '正文', key: 'body', width: 100, required: true, help: '一段文字' },
    { header: '备注', key: 'note', width: 30 },
  ],
};
const COLUMNS = REPORT_COLUMNS;

/** The optional column of 上报数据 that makes a row the figure as of a day. */
const AS_OF_HEADER = '截至日期';

export const META_ITEMS = { county: '县级区划代码', year: '年度', issuer: '报告单位', date: '报告日期', partner: '东部协作方代码' } as const;
export const COMPLETENESS: Record<Completeness, string> = { complete: '完整', partial: '部分' };

/** How a target compares, in words; the sheet also takes the operator itself (and ≥, ≤). */
export const OP_WORDS: Record<string, string> = { '>=': '不少于', '>': '超过', '<=': '不超过', '<': '少于', '=': '等于', between: '介于' };
const OP_SIGNS: Record<string, string> = { '≥': '>=', '≤': '<=', '＞': '>', '＜': '<', '＝': '=', '>＝': '>=', '<＝': '<=' };
/** A county's own statement about a target. */
export const STATUS_WORDS: Record<string, string> = { met: '完成', exceeded: '超额完成', missed: '未完成' };
const STATUS_ALSO: Record<string, string> = { 达标: 'met', 未达标: 'missed' };
/** The parts of the report's own words, as the narrative page names them. */
export const SECTION_WORDS: Record<NarrativeSection, string> = { highlights: '特色亮点', problem: '存在的问题（补充）', problem_note: '未达标说明', plan: '下年度计划' };

/** The code a cell names, by the code itself or its word; undefined when it names neither. */
function codeOf(words: Record<string, string>, v: string, also: Record<string, string> = {}): string | undefined {
  const t = v.trim();
  if (Object.hasOwn(words, t)) return t;
  return Object.keys(words).find((k) => words[k] === t) ?? (Object.hasOwn(also, t) ? also[t] : undefined);
}

/** The words of a report sheet's codes, for one year's catalogue and one county's category lists. */
class Words {
  private readonly elementByLabel: Map<string, string>;
  private readonly indicatorByLabel: Map<string, string>;
  constructor(readonly cat: Catalogue, readonly categories: Categories) {
    this.elementByLabel = new Map(Object.values(cat.elements).map((e) => [e.label.zh, e.id]));
    this.indicatorByLabel = new Map(cat.indicators.map((d) => [d.label.zh, d.id]));
  }
  element = (id: string): string => this.cat.elements[id]?.label.zh ?? id;
  indicator = (id: string): string => this.cat.byId.get(id)?.label.zh ?? id;
  dim = (element: string, dim: string): string => {
    const list = this.categories[this.cat.elements[element]?.dims ?? ''];
    return list?.find((c) => c.value === dim)?.zh ?? dim;
  };
  elementOf = (v: string): string | undefined => (Object.hasOwn(this.cat.elements, v) ? v : this.elementByLabel.get(v));
  indicatorOf = (v: string): string | undefined => (this.cat.byId.has(v) ? v : this.indicatorByLabel.get(v));
  /** The breakdown list of an element (undefined when it has none). */
  dims = (element: string) => this.categories[this.cat.elements[element]?.dims ?? ''];
}

/** A ledger kind from a sheet cell: its sheet name, its Chinese label or its kind. */
function ledgerOf(v: string): string | undefined {
  const t = v.trim();
  return LEDGERS.find((d) => d.kind === t || sheetNameOf(d) === t || d.label.zh === t)?.kind;
}

/** Adds the report sheets for one county-year to a streamed workbook. */
export async function writeReportSheets(wb: ExcelJS.stream.xlsx.WorkbookWriter, county: string, year: number, data: ReportData, categories: Categories = categoriesFor(year, county), store?: Store): Promise<void> {
  const w = new Words(catalogueFor(year, county, store), categories);
  const sheet = async (key: SheetKey, rows: ExcelJS.CellValue[][]) => {
    const ws = wb.addWorksheet(REPORT_SHEETS[key], { views: [{ state: 'frozen', ySplit: 1 }] });
    printSetup(ws, `${year}年度${REPORT_SHEETS[key]}`);
    ws.columns = COLUMNS[key].map((c) => ({ header: c.header, width: c.width, style: { border: THIN_BORDER, alignment: { wrapText: true, vertical: 'top' } } }));
    const head = ws.getRow(1);
    head.font = { bold: true };
    head.commit();
    for (const r of rows) ws.addRow(r).commit();
    await ws.commit();
  };
  await sheet('meta', [
    [META_ITEMS.county, county], [META_ITEMS.year, year],
    [META_ITEMS.issuer, data.report?.issuer ?? null], [META_ITEMS.date, data.report?.date ?? null], [META_ITEMS.partner, data.partner ?? null],
  ]);
  await sheet('states', LEDGERS.filter((d) => data.completeness[d.kind]).map((d) => [sheetNameOf(d), COMPLETENESS[data.completeness[d.kind]!]]));
  const dim = (element: string, d?: string) => (d ? w.dim(element, d) : null);
  await sheet('reported', data.reported.map((r) => [w.element(r.element), dim(r.element, r.dim), r.value, r.note ?? null]));
  await sheet('earlier', data.earlier.map((r) => [r.year, w.element(r.element), dim(r.element, r.dim), r.value, r.note ?? null]));
  await sheet('targets', data.targets.map((t) => [
    t.org, w.indicator(t.indicator), OP_WORDS[t.op] ?? t.op, t.value ?? null, t.value_max ?? null,
    t.reported_status ? STATUS_WORDS[t.reported_status] ?? t.reported_status : null, t.note ?? null,
  ]));
  await sheet('narratives', data.narratives.map((n) => [
    SECTION_WORDS[n.section as NarrativeSection] ?? n.section, n.seq,
    n.title ? (n.section === 'problem_note' ? w.indicator(n.title) : n.title) : null, n.body, n.note ?? null,
  ]));
}

export interface ReportSheetRows { file: string; sheet: string; rows: RawRow[] }

/**
 * Reads the report sheets of an import for one county-year. Returns the data (only the parts whose
 * sheets were present) and every problem, located by file, sheet, row and column.
 */
export function readReportSheets(
  sheets: readonly ReportSheetRows[], county: string, year: number, categories: Categories = categoriesFor(year, county), store?: Store,
): { data: ReportData; present: Set<string>; errors: LocatedError[] } {
  const data: ReportData = { completeness: {}, reported: [], earlier: [], targets: [], narratives: [] };
  const errors: LocatedError[] = [];
  const present = new Set<string>();
  const words = new Words(catalogueFor(year, county, store), categories);
  const seen = new Set<string>();
  for (const s of sheets) {
    const key = reportSheetKey(s.sheet)!;
    const cols = COLUMNS[key];
    const idx = new Map<string, number>();
    const err = (row: number | null, col: number | null, value: string, zh: string, en: string) => errors.push({
      file: s.file, sheet: s.sheet, row, column: col === null ? null : columnLetter(col + 1),
      header: col === null ? null : cols.find((c) => idx.get(c.key) === col)?.header ?? null, field: null, value, zh, en,
    });
    if (seen.has(key)) { err(null, null, '', `工作表重复：${s.sheet}`, `the sheet ${s.sheet} appears twice`); continue; }
    seen.add(key);
    present.add(key);
    // The header row: the first of the first rows naming every required column.
    const head = s.rows.slice(0, 12).find((r) => {
      const names = r.cells.map((c) => cellText(c).replace(/[\s*＊]/g, ''));
      return cols.filter((c) => c.required).every((c) => names.includes(c.header));
    });
    if (!head) {
      err(null, null, '', `找不到表头（应有：${cols.map((c) => c.header).join('、')}）`, `no header row (expected: ${cols.map((c) => c.header).join(', ')})`);
      continue;
    }
    head.cells.forEach((c, i) => {
      const name = cellText(c).replace(/[\s*＊]/g, '');
      const col = cols.find((x) => x.header === name);
      if (col && !idx.has(col.key)) idx.set(col.key, i);
      // A figure as of a day: read when the sheet has the column (the export does not write it).
      if (key === 'reported' && name === AS_OF_HEADER && !idx.has('as_of')) idx.set('as_of', i);
    });
    for (const row of s.rows) {
      if (row.number <= head.number) continue;
      const raw = (k: string) => { const i = idx.get(k); return i === undefined ? null : row.cells[i] ?? null; };
      const text = (k: string) => cellText(raw(k)).trim();
      if (cols.every((c) => text(c.key) === '')) continue;
      const bad = (k: string, zh: string, en: string) => err(row.number, idx.get(k) ?? null, text(k), zh, en);
      const need = (k: string): boolean => {
        if (text(k) !== '') return true;
        bad(k, '不能为空', 'required');
        return false;
      };
      /** A figure as written; a bare number in a money column is 万元. */
      const figure = (k: string, money: boolean): string | number | undefined => {
        const v = raw(k);
        if (v === null || text(k) === '') return undefined;
        const written = typeof v === 'number' ? (money ? `${v}万元` : v) : money && /^[\d.,，\s约余多-]+$/.test(text(k)) ? `${text(k)}万元` : text(k);
        try {
          parseStated(written, money ? 'money' : 'number');
          return written;
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          const [zh, en] = e.message.includes(' / ') ? e.message.split(' / ', 2) : [e.message, e.message];
          bad(k, zh!, en!);
          return undefined;
        }
      };
      const integer = (k: string): number | undefined => {
        const n = Number(text(k));
        if (Number.isInteger(n) && text(k) !== '') return n;
        bad(k, '应为整数', 'must be a whole number');
        return undefined;
      };
      const opt = (k: string) => (text(k) === '' ? {} : { [k]: text(k) });
      switch (key) {
        case 'meta': {
          const item = text('item');
          const value = text('value');
          // A template leaves the county (and year) blank when it was made for no county.
          if (item === META_ITEMS.county) { if (value !== '' && value !== county) bad('value', `与导入的县（${county}）不符`, `does not match the county imported into (${county})`); }
          else if (item === META_ITEMS.year) { if (value !== '' && value !== String(year)) bad('value', `与导入的年度（${year}）不符`, `does not match the year imported into (${year})`); }
          else if (item === META_ITEMS.issuer) { if (value !== '') data.report = { issuer: value, date: data.report?.date ?? '' }; }
          else if (item === META_ITEMS.date) {
            if (value === '') break;
            if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) bad('value', '日期应写作 YYYY-MM-DD', 'the date must read YYYY-MM-DD');
            else data.report = { issuer: data.report?.issuer ?? '', date: value };
          } else if (item === META_ITEMS.partner) {
            if (value !== '' && !/^\d{6}$/.test(value)) bad('value', '应为6位区划代码', 'must be a 6-digit division code');
            else if (value !== '') data.partner = value;
          } else bad('item', '未知项目', 'unknown item');
          break;
        }
        case 'states': {
          if (!need('ledger') || !need('completeness')) break;
          const kind = ledgerOf(text('ledger'));
          const c = (Object.keys(COMPLETENESS) as Completeness[]).find((x) => x === text('completeness') || COMPLETENESS[x] === text('completeness'));
          if (!kind) bad('ledger', '未知台账', 'unknown ledger');
          else if (!c) bad('completeness', '应为“完整”或“部分”', 'must be 完整 (complete) or 部分 (partial)');
          else data.completeness[kind] = c;
          break;
        }
        case 'reported':
        case 'earlier': {
          if (!need('element') || !need('value')) break;
          const element = words.elementOf(text('element'));
          if (!element) { bad('element', '指标目录中没有该上报项（请填写目录中的名称）', 'no such element in the catalogue (write its name as the catalogue has it)'); break; }
          let dim: string | undefined;
          if (text('dim') !== '') {
            const list = words.dims(element);
            dim = list?.find((c) => c.value === text('dim') || c.zh === text('dim'))?.value;
            if (!list) bad('dim', `“${words.element(element)}”不分类别，分项应留空`, `${words.cat.elements[element]!.label.en} has no breakdown; leave this blank`);
            else if (!dim) bad('dim', `“${words.element(element)}”没有该分项（可选：${list.map((c) => c.zh).join('、')}）`, `no such part of ${words.cat.elements[element]!.label.en} (choose from ${list.map((c) => c.zh).join(', ')})`);
          }
          const value = figure('value', moneyElement(year, element, county, store));
          const y = key === 'earlier' ? integer('year') : year;
          if (value === undefined || y === undefined || (text('dim') !== '' && !dim)) break;
          if (key === 'earlier' && y >= year) { bad('year', `应早于${year}年`, `must be before ${year}`); break; }
          const entry = { element, ...(dim ? { dim } : {}), value, ...opt('note') };
          if (key === 'earlier') { data.earlier.push({ year: y, ...entry }); break; }
          const asOf = text('as_of');
          if (asOf === '') data.reported.push(entry);
          else if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || !asOf.startsWith(`${year}-`)) bad('as_of', `截至日期应为${year}年内的日期（YYYY-MM-DD）`, `the as-of date must be a day of ${year} (YYYY-MM-DD)`);
          else (data.dated ??= []).push({ ...entry, as_of: asOf });
          break;
        }
        case 'targets': {
          if (!need('org') || !need('indicator') || !need('op')) break;
          const org = text('org');
          const indicator = words.indicatorOf(text('indicator'));
          if (!/^\d{2}(\d{2}(\d{2})?)?$/.test(org) || !county.startsWith(org)) { bad('org', '应为本县或其所属市、省的区划代码', 'must be the county or its prefecture or province'); break; }
          if (!indicator) { bad('indicator', '指标目录中没有该指标（请填写目录中的名称）', 'no such indicator in the catalogue (write its name as the catalogue has it)'); break; }
          const op = codeOf(OP_WORDS, text('op'), OP_SIGNS);
          if (!op) bad('op', `应为${Object.values(OP_WORDS).join('、')}之一`, `must be one of ${Object.values(OP_WORDS).join(', ')} (or >=, >, <=, <, =, between)`);
          const status = text('reported_status') === '' ? undefined : codeOf(STATUS_WORDS, text('reported_status'), STATUS_ALSO);
          if (text('reported_status') !== '' && !status)
            bad('reported_status', `应为${Object.values(STATUS_WORDS).join('、')}之一，或留空`, `must be one of ${Object.values(STATUS_WORDS).join(', ')} (met, exceeded, missed), or blank`);
          const m = moneyIndicator(year, indicator);
          const value = figure('value', m);
          const max = figure('value_max', m);
          if ((text('value') !== '' && value === undefined) || (text('value_max') !== '' && max === undefined) || !op || (text('reported_status') !== '' && !status)) break;
          data.targets.push({
            org, indicator, op, ...(value !== undefined ? { value } : {}), ...(max !== undefined ? { value_max: max } : {}),
            ...(status ? { reported_status: status } : {}), ...opt('note'),
          });
          break;
        }
        case 'narratives': {
          if (!need('section') || !need('seq') || !need('body')) break;
          const section = codeOf(SECTION_WORDS, text('section'));
          if (!section) bad('section', `应为${Object.values(SECTION_WORDS).join('、')}之一`, `must be one of ${Object.values(SECTION_WORDS).join(', ')}`);
          const seq = integer('seq');
          // A note on a missed target is titled with its indicator.
          const title = section === 'problem_note' && text('title') !== '' ? words.indicatorOf(text('title')) : text('title') || undefined;
          if (section === 'problem_note' && text('title') !== '' && !title) bad('title', '未达标说明的标题应为指标目录中的指标名称', 'a note on a missed target is titled with an indicator of the catalogue');
          if (seq === undefined || !section || (text('title') !== '' && !title)) break;
          data.narratives.push({ section, seq, ...(title ? { title } : {}), body: cellText(raw('body')), ...opt('note') });
          break;
        }
      }
    }
    if (key === 'meta' && data.report && (!data.report.issuer || !data.report.date))
      err(null, null, '', `缺少${!data.report.issuer ? META_ITEMS.issuer : META_ITEMS.date}`, `${!data.report.issuer ? 'issuer' : 'report date'} missing`);
  }
  return { data, present, errors };
}
