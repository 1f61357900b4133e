/**
 * Blank ledger templates: the columns of the declaration with Chinese headers, a note on each header
 * (type, unit, allowed values), drop-down lists for categories, yes/no and qualifiers, text format
 * for ID columns, a frozen header row, and one example row marked as such (skipped on import).
 */
import ExcelJS from 'exceljs';
import { LEDGERS, ledgerDecl } from '../domain/ledgers/declarations.ts';
import type { Categories } from '../domain/ledgers/schema.ts';
import type { FieldDecl, LedgerDecl } from '../domain/ledgers/types.ts';
import { catalogueFor } from '../services/catalogue.ts';
import { categoriesFor } from '../services/config.ts';
import type { Store } from '../store/db.ts';
import { invalid } from '../services/errors.ts';
import { columnLetter, EXAMPLE_NOTE, isYearField, printSetup, type SheetColumn, sheetColumns, sheetNameOf, THIN_BORDER } from './layout.ts';
import { PLACEHOLDER_ID } from './recognise.ts';
import { COMPLETENESS, META_ITEMS, OP_WORDS, REPORT_COLUMNS, REPORT_SHEETS, SECTION_WORDS, type SheetKey, STATUS_WORDS } from './report-sheets.ts';

export const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
export const CHOICES_SHEET = '选项';
/** How many rows of a template carry drop-downs and formats. */
const TEMPLATE_ROWS = 2000;

export { sheetNameOf } from './layout.ts';

/** Number format of a column's cells. */
export function numFmtOf(c: SheetColumn): string | undefined {
  const f = c.field;
  if (!f) return c.role === 'county' ? '@' : undefined;
  if (c.role === 'value' || c.role === 'max') {
    if (f.type === 'money') return '#,##0.00####';
    if (f.type === 'int') return isYearField(f) ? '0' : '#,##0';
    if (f.type === 'date') return 'yyyy-mm-dd';
    if (f.type === 'code' || f.pii || f.creditCode) return '@';
  }
  if (c.role === 'masked' || c.role === 'hash') return '@';
  return undefined;
}

/** The Chinese parts of a bilingual help text ("必填 / required. 整数 / whole number." → "必填；整数"). */
export function chineseOnly(help: string): string {
  return help.replace(/ \/ (?:[^\u4e00-\u9fff]|万元)*?\.(?:\s+|$)/g, '；').replace(/；+$/, '').trim();
}

/** Styles the header row: bold, shaded, required columns in red, each header with its note. */
export function styleHeader(row: ExcelJS.Row, cols: readonly SheetColumn[], notes: boolean): void {
  row.height = 30;
  cols.forEach((c, i) => {
    const cell = row.getCell(i + 1);
    cell.font = { bold: true, color: { argb: c.field?.required && (c.role === 'value') ? 'FFC00000' : 'FF000000' } };
    cell.fill = HEADER_FILL;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.border = { bottom: { style: 'thin' } };
    // Notes are for the clerk filling the sheet: Chinese only (the English header stays in the column matching).
    if (notes && c.help) cell.note = chineseOnly(c.help);
  });
}

function example(f: FieldDecl, c: SheetColumn, categories: Categories, year: number): ExcelJS.CellValue {
  if (c.role === 'qual') return '约';
  if (c.role === 'max') return null;
  switch (f.type) {
    case 'text': return f.pii ? PLACEHOLDER_ID : f.creditCode ? '（18位统一社会信用代码）' : `（${f.label.zh}）`;
    // A year is this template's year; a bounded number (months of 12) sits inside its bounds.
    case 'int': return isYearField(f) ? year : f.max !== undefined ? Math.min(f.max, Math.max(f.min ?? 0, 6)) : 10;
    case 'money': return 12.5;
    case 'date': return new Date(Date.UTC(year, 6, 1));
    case 'enum': return categories[f.categories ?? '']?.[0]?.zh ?? null;
    case 'bool': return '否';
    case 'code': return '（12位村级区划代码）';
  }
}

/** Adds the ledger's template sheet to a workbook; drop-down lists refer to the hidden choices sheet. */
function addTemplateSheet(wb: ExcelJS.Workbook, decl: LedgerDecl, categories: Categories, year: number, choices: Map<string, string>): void {
  const cols = sheetColumns(decl, categories, { mode: 'input' });
  const ws = wb.addWorksheet(sheetNameOf(decl), { views: [{ state: 'frozen', ySplit: 1 }] });
  printSetup(ws, `${year}年度${decl.label.zh}台账`);
  ws.columns = cols.map((c) => ({ header: c.header, width: c.width, style: { border: THIN_BORDER, ...(numFmtOf(c) ? { numFmt: numFmtOf(c)! } : {}) } }));
  styleHeader(ws.getRow(1), cols, true);
  const ex = ws.getRow(2);
  cols.forEach((c, i) => {
    const v = c.field ? example(c.field, c, categories, year) : c.role === 'note' ? EXAMPLE_NOTE : null;
    if (v !== null) ex.getCell(i + 1).value = v;
  });
  ex.font = { italic: true, color: { argb: 'FF808080' } };
  cols.forEach((c, i) => {
    if (!c.choices?.length) return;
    const ref = choiceRange(wb, choices, c.choices);
    const letter = columnLetter(i + 1);
    (ws as unknown as { dataValidations: { add(ref: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${letter}2:${letter}${TEMPLATE_ROWS + 1}`, {
      type: 'list', allowBlank: true, formulae: [ref], showErrorMessage: true,
      errorTitle: '不在列表中', error: `请从下拉列表选择 / choose from the list`,
    });
  });
}

/** The list a report sheet's column is filled from, when it has one. */
type ReportLists = Partial<Record<SheetKey, Record<string, readonly string[]>>>;

/** A sheet listing the reported-value elements with their units and breakdowns, for the clerk filling 上报数据. */
export const ELEMENTS_SHEET = '上报项目录';

/**
 * Adds the report sheets (report details, ledger completeness, reported values, earlier years,
 * targets, narrative) in the layout an export writes, empty but for the report-detail items, with
 * Chinese notes on the headers and drop-down lists where a value comes from a list; and a sheet
 * listing the elements a county may report. What a clerk fills in imports like an export's sheets.
 */
function addReportTemplateSheets(wb: ExcelJS.Workbook, categories: Categories, opts: TemplateOptions, choices: Map<string, string>): void {
  const cat = catalogueFor(opts.year);
  const elements = Object.values(cat.elements);
  const offered = (list?: string) => (categories[list ?? ''] ?? []).filter((c) => !c.retired).map((c) => c.zh);
  const dims = [...new Set(elements.flatMap((e) => offered(e.dims)))];
  const elementNames = elements.map((e) => e.label.zh);
  const orgs = opts.county ? [opts.county, opts.county.slice(0, 4), opts.county.slice(0, 2)] : [];
  const lists: ReportLists = {
    meta: { item: Object.values(META_ITEMS) },
    states: { ledger: LEDGERS.map(sheetNameOf), completeness: Object.values(COMPLETENESS) },
    reported: { element: elementNames, dim: dims },
    earlier: { element: elementNames, dim: dims },
    targets: { ...(orgs.length ? { org: orgs } : {}), indicator: cat.indicators.map((d) => d.label.zh), op: Object.values(OP_WORDS), reported_status: Object.values(STATUS_WORDS) },
    narratives: { section: Object.values(SECTION_WORDS) },
  };
  for (const key of Object.keys(REPORT_SHEETS) as SheetKey[]) {
    const cols = REPORT_COLUMNS[key];
    const ws = wb.addWorksheet(REPORT_SHEETS[key], { views: [{ state: 'frozen', ySplit: 1 }] });
    printSetup(ws, `${opts.year}年度${REPORT_SHEETS[key]}`);
    // Codes, dates and figures stay as typed (a figure like 40余 is text anyway).
    ws.columns = cols.map((c) => ({ header: c.header, width: c.width, style: { border: THIN_BORDER, alignment: { wrapText: true, vertical: 'top' }, ...(c.key === 'seq' || c.key === 'year' ? {} : { numFmt: '@' }) } }));
    const head = ws.getRow(1);
    head.height = 30;
    cols.forEach((c, i) => {
      const cell = head.getCell(i + 1);
      cell.font = { bold: true, color: { argb: c.required ? 'FFC00000' : 'FF000000' } };
      cell.fill = HEADER_FILL;
      cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
      if (c.help) cell.note = c.help;
    });
    if (key === 'meta') {
      const values: Record<string, string | number | null> = { [META_ITEMS.county]: opts.county ?? null, [META_ITEMS.year]: String(opts.year) };
      Object.values(META_ITEMS).forEach((item, i) => {
        ws.getCell(`A${i + 2}`).value = item;
        const v = values[item];
        if (v !== undefined && v !== null) ws.getCell(`B${i + 2}`).value = v;
      });
    }
    cols.forEach((c, i) => {
      const list = lists[key]?.[c.key];
      if (!list?.length) return;
      const letter = columnLetter(i + 1);
      (ws as unknown as { dataValidations: { add(ref: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${letter}2:${letter}${TEMPLATE_ROWS + 1}`, {
        type: 'list', allowBlank: true, formulae: [choiceRange(wb, choices, list)], showErrorMessage: true,
        errorTitle: '不在列表中', error: '请从下拉列表选择',
      });
    });
  }
  const ref = wb.addWorksheet(ELEMENTS_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  printSetup(ref, `${opts.year}年度上报项目录`);
  ref.columns = [{ header: '上报项', width: 34 }, { header: '单位', width: 10 }, { header: '分项（可选值）', width: 60 }]
    .map((c) => ({ ...c, style: { border: THIN_BORDER, alignment: { wrapText: true, vertical: 'top' } } }));
  ref.getRow(1).eachCell((c) => { c.font = { bold: true }; c.fill = HEADER_FILL; });
  for (const e of elements) ref.addRow([e.label.zh, cat.units[e.unit]?.zh ?? '', offered(e.dims).join('、')]);
}

/** The range on the choices sheet that holds a list, adding it on first use. */
function choiceRange(wb: ExcelJS.Workbook, choices: Map<string, string>, list: readonly string[]): string {
  const key = list.join('\u0001');
  const known = choices.get(key);
  if (known) return known;
  const ws = wb.getWorksheet(CHOICES_SHEET) ?? wb.addWorksheet(CHOICES_SHEET, { state: 'veryHidden' });
  const col = columnLetter(choices.size + 1);
  list.forEach((v, i) => { ws.getCell(`${col}${i + 1}`).value = v; });
  const ref = `${CHOICES_SHEET}!$${col}$1:$${col}$${list.length}`;
  choices.set(key, ref);
  return ref;
}

export interface TemplateOptions {
  /** One ledger kind, or every ledger when absent. */
  ledger?: string;
  year: number;
  county?: string;
  /** The database whose stored category lists apply; shipped files only when absent. */
  store?: Store;
  /** Add the report sheets (default: with the all-ledgers template, not with one ledger's). */
  report?: boolean;
}

/**
 * A template workbook for one ledger or for all of them. Throws Invalid for an unknown ledger kind.
 * The categories are those in force for `year`.
 */
export async function templateWorkbook(opts: TemplateOptions): Promise<ExcelJS.Workbook> {
  const decls = opts.ledger ? [ledgerDecl(opts.ledger)] : LEDGERS;
  if (decls.some((d) => !d))
    throw invalid(`没有名为 ${opts.ledger} 的台账；可选：${LEDGERS.map((d) => d.kind).join(', ')}`, `no ledger named ${opts.ledger}; choose one of ${LEDGERS.map((d) => d.kind).join(', ')}`);
  const categories = categoriesFor(opts.year, opts.county, opts.store);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'xiezuo';
  const about = wb.addWorksheet('说明');
  about.columns = [{ width: 100 }];
  const lines = [
    `东西部协作台账导入模板${opts.county ? `（${opts.county}，${opts.year}年）` : `（${opts.year}年）`}`,
    '每个工作表对应一种台账；第1行为表头，红色表头为必填列；鼠标停在表头上可查看填写说明。',
    '第2行是示例，导入时会被忽略，可以删除；金额单位为万元（表头写“（元）”时按元读取）。',
    '日期可写 2022-07-13 或 2022年7月13日；类别请从下拉列表选择；身份证号请按文本录入。',
  ];
  const report = opts.report ?? !opts.ledger;
  if (report) lines.push(
    `最后几个工作表填写报告所需的其他内容：${Object.values(REPORT_SHEETS).join('、')}。这些表没有示例行，填写的每一行都会导入。`,
    '“上报数据”填写没有逐条台账、只有合计数的数据（例如招聘会场次），名称和分项见“上报项目录”；“目标”填写省、州下达的目标；“报告文字”填写报告中的亮点、问题说明和下年度计划。',
  );
  lines.forEach((l, i) => { about.getCell(`A${i + 1}`).value = l; });
  about.getCell('A1').font = { bold: true, size: 14 };
  const choices = new Map<string, string>();
  for (const d of decls) addTemplateSheet(wb, d!, categories, opts.year, choices);
  if (report) addReportTemplateSheets(wb, categories, opts, choices);
  return wb;
}
