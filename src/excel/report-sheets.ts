/**
 * The report sheets of an export workbook: what a county-year's report needs besides its ledger
 * records (report details, ledger completeness, reported values, earlier years' values, targets,
 * narrative), one sheet each, with Chinese headers and figures as reports write them. An import
 * recognises these sheets by name and reads them back, every problem located like a ledger cell's.
 */
import type ExcelJS from 'exceljs';
import { parseStated } from '../domain/figures.ts';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import { catalogueFor } from '../services/catalogue.ts';
import { type Completeness, moneyElement, moneyIndicator, type ReportData } from '../services/report-data.ts';
import { cellText } from './cells.ts';
import type { LocatedError } from './import.ts';
import { columnLetter, printSetup, THIN_BORDER } from './layout.ts';
import type { RawRow } from './read.ts';
import { sheetNameOf } from './template.ts';

export const REPORT_SHEETS = {
  meta: '报告信息',
  states: '台账状态',
  reported: '上报数据',
  earlier: '往年数据',
  targets: '目标',
  narratives: '报告文字',
} as const;

type SheetKey = keyof typeof REPORT_SHEETS;

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

interface Col { header: string; key: string; width: number; required?: boolean }

const COLUMNS: Record<SheetKey, Col[]> = {
  meta: [{ header: '项目', key: 'item', width: 16, required: true }, { header: '内容', key: 'value', width: 40 }],
  states: [{ header: '台账', key: 'ledger', width: 20, required: true }, { header: '完整性', key: 'completeness', width: 10, required: true }],
  reported: [
    { header: '要素', key: 'element', width: 34, required: true }, { header: '分项', key: 'dim', width: 16 },
    { header: '数值', key: 'value', width: 20, required: true }, { header: '备注', key: 'note', width: 50 },
  ],
  earlier: [
    { header: '年度', key: 'year', width: 8, required: true }, { header: '要素', key: 'element', width: 34, required: true },
    { header: '分项', key: 'dim', width: 16 }, { header: '数值', key: 'value', width: 20, required: true }, { header: '备注', key: 'note', width: 50 },
  ],
  targets: [
    { header: '单位代码', key: 'org', width: 10, required: true }, { header: '指标', key: 'indicator', width: 34, required: true },
    { header: '比较', key: 'op', width: 8, required: true }, { header: '目标值', key: 'value', width: 16 }, { header: '目标上限', key: 'value_max', width: 16 },
    { header: '上报状态', key: 'reported_status', width: 12 }, { header: '备注', key: 'note', width: 50 },
  ],
  narratives: [
    { header: '部分', key: 'section', width: 16, required: true }, { header: '序号', key: 'seq', width: 6, required: true },
    { header: '标题', key: 'title', width: 30 }, { header: '正文', key: 'body', width: 100, required: true }, { header: '备注', key: 'note', width: 30 },
  ],
};

/** The optional column of 上报数据 that makes a row the figure as of a day. */
const AS_OF_HEADER = '截至日期';

const META_ITEMS = { county: '县级区划代码', year: '年度', issuer: '报告单位', date: '报告日期', partner: '东部协作方代码' } as const;
const COMPLETENESS: Record<Completeness, string> = { complete: '完整', partial: '部分' };

/** A ledger kind from a sheet cell: its sheet name, its Chinese label or its kind. */
function ledgerOf(v: string): string | undefined {
  const t = v.trim();
  return LEDGERS.find((d) => d.kind === t || sheetNameOf(d) === t || d.label.zh === t)?.kind;
}

/** Adds the report sheets for one county-year to a streamed workbook. */
export async function writeReportSheets(wb: ExcelJS.stream.xlsx.WorkbookWriter, county: string, year: number, data: ReportData): Promise<void> {
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
  await sheet('reported', data.reported.map((r) => [r.element, r.dim ?? null, r.value, r.note ?? null]));
  await sheet('earlier', data.earlier.map((r) => [r.year, r.element, r.dim ?? null, r.value, r.note ?? null]));
  await sheet('targets', data.targets.map((t) => [t.org, t.indicator, t.op, t.value ?? null, t.value_max ?? null, t.reported_status ?? null, t.note ?? null]));
  await sheet('narratives', data.narratives.map((n) => [n.section, n.seq, n.title ?? null, n.body, n.note ?? null]));
}

export interface ReportSheetRows { file: string; sheet: string; rows: RawRow[] }

/**
 * Reads the report sheets of an import for one county-year. Returns the data (only the parts whose
 * sheets were present) and every problem, located by file, sheet, row and column.
 */
export function readReportSheets(sheets: readonly ReportSheetRows[], county: string, year: number): { data: ReportData; present: Set<string>; errors: LocatedError[] } {
  const data: ReportData = { completeness: {}, reported: [], earlier: [], targets: [], narratives: [] };
  const errors: LocatedError[] = [];
  const present = new Set<string>();
  const cat = catalogueFor(year);
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
          if (item === META_ITEMS.county) { if (value !== county) bad('value', `与导入的县（${county}）不符`, `does not match the county imported into (${county})`); }
          else if (item === META_ITEMS.year) { if (value !== String(year)) bad('value', `与导入的年度（${year}）不符`, `does not match the year imported into (${year})`); }
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
          const element = text('element');
          if (!Object.hasOwn(cat.elements, element)) { bad('element', '指标目录中没有该要素', 'no such element in the catalogue'); break; }
          const value = figure('value', moneyElement(year, element));
          const y = key === 'earlier' ? integer('year') : year;
          if (value === undefined || y === undefined) break;
          if (key === 'earlier' && y >= year) { bad('year', `应早于${year}年`, `must be before ${year}`); break; }
          const entry = { element, ...opt('dim'), value, ...opt('note') };
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
          const indicator = text('indicator');
          if (!/^\d{2}(\d{2}(\d{2})?)?$/.test(org) || !county.startsWith(org)) { bad('org', '应为本县或其所属市、省的区划代码', 'must be the county or its prefecture or province'); break; }
          if (!cat.byId.has(indicator)) { bad('indicator', '指标目录中没有该指标', 'no such indicator in the catalogue'); break; }
          const m = moneyIndicator(year, indicator);
          const value = figure('value', m);
          const max = figure('value_max', m);
          if ((text('value') !== '' && value === undefined) || (text('value_max') !== '' && max === undefined)) break;
          data.targets.push({
            org, indicator, op: text('op'), ...(value !== undefined ? { value } : {}), ...(max !== undefined ? { value_max: max } : {}),
            ...opt('reported_status'), ...opt('note'),
          });
          break;
        }
        case 'narratives': {
          if (!need('section') || !need('seq') || !need('body')) break;
          const seq = integer('seq');
          if (seq === undefined) break;
          data.narratives.push({ section: text('section'), seq, ...opt('title'), body: cellText(raw('body')), ...opt('note') });
          break;
        }
      }
    }
    if (key === 'meta' && data.report && (!data.report.issuer || !data.report.date))
      err(null, null, '', `缺少${!data.report.issuer ? META_ITEMS.issuer : META_ITEMS.date}`, `${!data.report.issuer ? 'issuer' : 'report date'} missing`);
  }
  return { data, present, errors };
}
