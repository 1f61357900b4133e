/**
 * Exporting ledgers as a formatted workbook, streamed to disk: a summary sheet of indicators with
 * targets and status, then one sheet per ledger (headers as in the template, frozen header row,
 * column widths, 万元 with their decimals, a totals row). Resident IDs appear only masked, next to
 * their keyed hash so the file can be imported again into the same deployment; the number itself
 * is not in the database and so can never be in an export.
 */
import ExcelJS from 'exceljs';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { Categories } from '../domain/ledgers/schema.ts';
import type { LedgerDecl } from '../domain/ledgers/types.ts';
import type { Store } from '../store/db.ts';
import { columnById } from '../store/import-repo.ts';
import { categoryLabel, categoriesFor } from '../services/config.ts';
import { listRecords, type LedgerRecord } from '../services/ledgers.ts';
import type { Actor } from '../services/scope.ts';
import type { ReportData } from '../services/report-data.ts';
import { writeReportSheets } from './report-sheets.ts';
import { catalogueFor } from '../services/catalogue.ts';
import { columnLetter, isAdditive, printSetup, QUAL_LABELS, type SheetColumn, sheetColumns, THIN_BORDER, TOTAL_LABEL } from './layout.ts';
import { numFmtOf, sheetNameOf, styleHeader } from './template.ts';

export const SUMMARY_SHEET = '指标汇总';
const PAGE = 5000;
const FEN_PER_WAN = 1_000_000;

export interface IndicatorRow {
  id: string;
  label: { zh: string; en: string };
  unit: string;
  value: string | null;
  display?: string | null;
  target?: { display: string } | undefined;
  status: string;
  source?: string;
}

/** Indicator rows for the summary sheet; injected so the export does not depend on the engine's internals. */
export type IndicatorSource = (county: string) => Promise<IndicatorRow[]>;

export interface ExportOptions {
  counties: readonly string[];
  year: number;
  /** Only these ledger kinds (default: all). */
  ledgers?: readonly string[];
  indicators?: IndicatorSource;
  /**
   * The county-year's report data (report details, completeness, reported values, targets,
   * narrative), written as the report sheets after the ledgers, so that an import into another
   * database gives the same report. Exports of one county only.
   */
  report?: (county: string) => Promise<ReportData>;
}

export interface ExportResult {
  sheets: Array<{ ledger: string; rows: number }>;
}

const STATUS: Record<string, string> = { met: '达标', missed: '未达标', no_target: '无目标', no_data: '无数据' };

/** A record's cells in the order of `cols`. Money is written in 万元 as numbers. */
function cellsOf(rec: LedgerRecord, cols: readonly SheetColumn[], year: number, hashes: Map<number, string>, store: Store): ExcelJS.CellValue[] {
  return cols.map((c): ExcelJS.CellValue => {
    const f = c.field;
    if (c.role === 'note') return rec.note ?? null;
    if (c.role === 'county') return rec.county_code;
    if (!f) return null;
    if (c.role === 'masked') return (rec[`${f.name}_masked`] as string | null) ?? null;
    if (c.role === 'hash') return hashes.get(rec.id) ?? null;
    if (c.role === 'qual') {
      const v = rec[f.name];
      const q = rec[`${f.name}_qual`] as keyof typeof QUAL_LABELS | null;
      return v === null || v === undefined || !q || q === 'exact' ? null : QUAL_LABELS[q];
    }
    const v = c.role === 'max' ? rec[`${f.name}_max`] : rec[f.name];
    if (v === null || v === undefined) return null;
    switch (f.type) {
      case 'money': return (v as number) / FEN_PER_WAN;
      case 'int': return v as number;
      case 'bool': return v ? '是' : '否';
      case 'enum': return categoryLabel(year, f.categories!, v as string, 'zh', rec.county_code, store);
      case 'date': return new Date(`${v as string}T00:00:00Z`);
      case 'text':
      case 'code': return v as string;
    }
  });
}

/** Writes the export workbook to `out`. Reads are scoped to the actor; records are read page by page. */
export async function writeExport(store: Store, actor: Actor, opts: ExportOptions, out: string): Promise<ExportResult> {
  const { year } = opts;
  const categories: Categories = categoriesFor(year, opts.counties.length === 1 ? opts.counties[0] : undefined, store);
  const multi = opts.counties.length > 1;
  const decls = LEDGERS.filter((d) => !opts.ledgers || opts.ledgers.includes(d.kind));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: true, useSharedStrings: true });
  wb.creator = 'xiezuo';
  const result: ExportResult = { sheets: [] };

  if (opts.indicators) {
    // Labels, not ids: the indicator's name, its value as a number with the unit's Chinese name beside
    // it, and the figure as the report writes it (约/余/ranges) for reading.
    const units = catalogueFor(year).units as Record<string, { zh: string } | undefined>;
    const ws = wb.addWorksheet(SUMMARY_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
    printSetup(ws, `${year}年度${SUMMARY_SHEET}`);
    const border = { border: THIN_BORDER };
    const cols = [
      ...(multi ? [{ header: '县级区划代码', width: 12, style: { ...border, numFmt: '@' } }] : []),
      { header: '指标', width: 30, style: { ...border, alignment: { wrapText: true, vertical: 'middle' as const } } },
      { header: '数值', width: 14, style: { ...border, numFmt: '#,##0.####' } },
      { header: '单位', width: 10, style: border }, { header: '报告写法', width: 18, style: border },
      { header: '目标', width: 20, style: border }, { header: '状态', width: 10, style: border }, { header: '来源', width: 10, style: border },
    ];
    ws.columns = cols;
    const head = ws.getRow(1);
    head.font = { bold: true };
    head.alignment = { horizontal: 'center', vertical: 'middle' };
    head.commit();
    for (const county of opts.counties) {
      for (const r of await opts.indicators(county)) {
        const n = r.value === null ? NaN : Number(r.value);
        ws.addRow([
          ...(multi ? [county] : []), r.label.zh, Number.isFinite(n) ? n : null, units[r.unit]?.zh ?? '', r.display ?? '—', r.target?.display ?? '',
          STATUS[r.status] ?? r.status, r.source === 'reported' ? '上报值' : r.source === 'records' ? '台账' : '',
        ]).commit();
      }
    }
    await ws.commit();
  }

  for (const decl of decls) {
    const cols = sheetColumns(decl, categories, { mode: 'export', withCounty: multi });
    const ws = wb.addWorksheet(sheetNameOf(decl), { views: [{ state: 'frozen', ySplit: 1 }] });
    printSetup(ws, `${year}年度${decl.label.zh}台账`);
    ws.columns = cols.map((c) => ({ header: c.header, width: c.width, style: { border: THIN_BORDER, ...(numFmtOf(c) ? { numFmt: numFmtOf(c)! } : {}) } }));
    const hashCol = cols.findIndex((c) => c.role === 'hash');
    if (hashCol >= 0) ws.getColumn(hashCol + 1).hidden = true;
    const header = ws.getRow(1);
    styleHeader(header, cols, false);
    header.commit();
    const totals: Array<number | null> = cols.map((c) => (c.role === 'value' && c.field && isAdditive(c.field) ? 0 : null));
    let n = 0;
    for (const county of opts.counties) {
      for (let offset = 0; ; offset += PAGE) {
        const page = await listRecords(store, actor, decl.kind, county, year, { offset, limit: PAGE });
        if (!page.rows.length) break;
        const hashes = hashCol >= 0 ? await hashesOf(store, decl, page.rows.map((r) => r.id)) : new Map<number, string>();
        for (const rec of page.rows) {
          const cells = cellsOf(rec, cols, year, hashes, store);
          cells.forEach((v, i) => { if (totals[i] !== null && typeof v === 'number') totals[i] = totals[i]! + (cols[i]!.field!.type === 'money' ? (rec[cols[i]!.field!.name] as number) : v); });
          ws.addRow(cells).commit();
          n++;
        }
        if (page.rows.length < PAGE) break;
      }
    }
    if (n > 0 && totals.some((t) => t !== null)) {
      const row = ws.addRow(cols.map((c, i) => {
        if (i === 0) return TOTAL_LABEL;
        const t = totals[i];
        if (t === null || t === undefined) return null;
        const letter = columnLetter(i + 1);
        return { formula: `SUM(${letter}2:${letter}${n + 1})`, result: c.field!.type === 'money' ? t / FEN_PER_WAN : t };
      }));
      row.font = { bold: true };
      row.getCell(1).value = TOTAL_LABEL;
      row.commit();
    }
    await ws.commit();
    result.sheets.push({ ledger: decl.kind, rows: n });
  }
  if (opts.report && !multi && opts.counties[0]) {
    const county = opts.counties[0];
    await writeReportSheets(wb, county, year, await opts.report(county), categories, store);
  }
  await wb.commit();
  return result;
}

/** The keyed hashes of person records, for re-import; read here because domain records leave them out. */
async function hashesOf(store: Store, decl: LedgerDecl, ids: number[]): Promise<Map<number, string>> {
  const f = decl.fields.find((x) => x.pii)!;
  const col = `${f.name}_hash`;
  return columnById(store.db, decl.table, col, ids);
}
