import ExcelJS from 'exceljs';
import { residentIdCheckChar } from '../../src/domain/ids.ts';

/** A resident ID with a correct check character: region, birth date YYYYMMDD, three-digit sequence. */
export function residentId(region: string, birth: string, seq: number): string {
  const first17 = `${region}${birth}${String(seq).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

/** The same ID with a wrong check character. */
export function badChecksum(id: string): string {
  const c = id[17] === '0' ? '1' : '0';
  return id.slice(0, 17) + c;
}

export type Cells = Array<ExcelJS.CellValue>;

/** A workbook with the given sheets; `title` puts a merged title row above the header. */
export async function writeWorkbook(file: string, sheets: Array<{ name: string; title?: string; header: string[]; rows: Cells[]; textColumns?: number[] }>): Promise<void> {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    if (s.title) {
      ws.addRow([s.title]);
      ws.mergeCells(1, 1, 1, s.header.length);
    }
    ws.addRow(s.header);
    for (const c of s.textColumns ?? []) ws.getColumn(c).numFmt = '@';
    for (const r of s.rows) ws.addRow(r);
  }
  await wb.xlsx.writeFile(file);
}
