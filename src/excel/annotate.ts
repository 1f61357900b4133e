/**
 * An annotated copy of an imported file: every cell with a problem filled red and carrying a comment
 * with the reason (Chinese, then English), plus a sheet listing all problems that the workbook opens on. For a CSV the copy
 * is a new workbook holding the CSV's rows. The copy goes back to whoever sent the file; it never
 * replaces the original.
 */
import ExcelJS from 'exceljs';
import type { LocatedError } from './import.ts';
import { type FileFormat, readSheets } from './read.ts';

export const ERROR_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
export const ERROR_SHEET = '导入问题';

/**
 * Writes the annotated copy of `path` (which was reported as `name`) to `out`. Problems without a
 * cell (a missing column, an unreadable file) appear only on the problem list.
 */
export async function writeAnnotated(path: string, name: string, format: FileFormat, errors: readonly LocatedError[], out: string): Promise<{ marked: number }> {
  const mine = errors.filter((e) => e.file === name);
  const wb = new ExcelJS.Workbook();
  if (format === 'xlsx') await wb.xlsx.readFile(path);
  else {
    for await (const sheet of readSheets(path, 'csv')) {
      const ws = wb.addWorksheet(safeSheetName(sheet.name));
      for await (const row of sheet.rows) ws.getRow(row.number).values = row.cells.map((c) => c ?? undefined) as ExcelJS.CellValue[];
    }
  }
  let marked = 0;
  const seen = new Map<string, ExcelJS.Cell>();
  for (const e of mine) {
    if (e.row === null || e.column === null) continue;
    const ws = wb.getWorksheet(format === 'csv' ? safeSheetName(e.sheet) : e.sheet);
    if (!ws) continue;
    const addr = `${e.column}${e.row}`;
    const cell = ws.getCell(addr);
    const text = `${e.zh}\n${e.en}`;
    const prev = seen.get(`${e.sheet}!${addr}`);
    if (prev) {
      prev.note = `${noteText(prev.note)}\n\n${text}`;
      continue;
    }
    // Styles may be shared between cells of a column: give the cell its own before filling it.
    cell.style = { ...cell.style, fill: ERROR_FILL };
    cell.note = text;
    seen.set(`${e.sheet}!${addr}`, cell);
    marked++;
  }
  const list = wb.addWorksheet(ERROR_SHEET);
  list.columns = [
    { header: '文件 File', width: 24 }, { header: '工作表 Sheet', width: 16 }, { header: '行 Row', width: 8 },
    { header: '列 Column', width: 9 }, { header: '表头 Header', width: 16 }, { header: '单元格值 Value', width: 22 },
    { header: '问题 Problem', width: 40 }, { header: 'Problem (English)', width: 50 },
  ];
  list.getRow(1).font = { bold: true };
  list.views = [{ state: 'frozen', ySplit: 1 }];
  for (const e of mine) list.addRow([e.file, e.sheet, e.row ?? '', e.column ?? '', e.header ?? '', e.value, e.zh, e.en]);
  // The workbook opens on the problem list (the last sheet; the original sheets keep their order).
  wb.views = [{ x: 0, y: 0, width: 10000, height: 20000, firstSheet: 0, activeTab: wb.worksheets.length - 1, visibility: 'visible' }];
  await wb.xlsx.writeFile(out);
  return { marked };
}

function noteText(note: ExcelJS.Comment | string | undefined): string {
  if (!note) return '';
  if (typeof note === 'string') return note;
  return (note.texts ?? []).map((t) => t.text).join('');
}

/** Excel sheet names: at most 31 characters, none of : \ / ? * [ ]. */
export function safeSheetName(name: string): string {
  return name.replace(/[:\\/?*[\]]/g, '_').slice(0, 31) || 'Sheet1';
}
