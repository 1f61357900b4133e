import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { loadDemo } from '../../src/services/demo.ts';
import { exportLedgersBuffer } from '../../src/services/exports.ts';
import { templateBuffer } from '../../src/services/exports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { SUMMARY_SHEET } from '../../src/excel/export.ts';
import { freshStore } from '../support/engines.ts';
import { sofficeAvailable, sofficeConvert } from '../support/soffice.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

async function demoExport(): Promise<Buffer> {
  const t = await freshStore('sqlite');
  try {
    await loadDemo(t.store);
    return await exportLedgersBuffer(t.store, SYSTEM, { counties: ['623023'], year: 2022 });
  } finally {
    await t.dispose();
  }
}

const read = async (buf: Buffer) => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
};

/** The summary sheet's rows as [label, value, unit] triples, header first. */
const summaryRows = (wb: ExcelJS.Workbook) => {
  const ws = wb.getWorksheet(SUMMARY_SHEET)!;
  const out: ExcelJS.CellValue[][] = [];
  ws.eachRow((r) => out.push([r.getCell(1).value, r.getCell(2).value, r.getCell(3).value]));
  return out;
};

function checkClerkReadable(wb: ExcelJS.Workbook) {
  const rows = summaryRows(wb);
  expect(rows[0]).toEqual(['指标', '数值', '单位']);
  const body = rows.slice(1);
  expect(body.length).toBeGreaterThan(20);
  // Labels, not ids; units in Chinese; values as numbers.
  expect(body.filter(([l]) => /^[a-z_]+(\.[a-z_0-9]+)+$/.test(String(l)))).toEqual([]);
  expect(body.map(([, , u]) => u).filter((u) => /^(times|pairs|people|money|percent)$/.test(String(u)))).toEqual([]);
  const rate = body.find(([l]) => l === '资金拨付率')!;
  expect(rate[1]).toBeCloseTo(89.45, 2);
  expect(rate[2]).toBe('%');
  expect(body.filter(([, v]) => v !== null && typeof v !== 'number')).toEqual([]);
  // Every sheet prints on A4 landscape, one page wide, the header row repeated.
  for (const ws of wb.worksheets.filter((w) => w.state === 'visible')) {
    expect(ws.pageSetup.orientation, ws.name).toBe('landscape');
    expect(ws.pageSetup.paperSize, ws.name).toBe(9);
    expect(ws.pageSetup.fitToWidth, ws.name).toBe(1);
  }
}

describe('the exported workbook', () => {
  it('is what a clerk recognises: labels, numbers, years as years, no 合计 of non-additive columns, A4 landscape', async () => {
    const wb = await read(await demoExport());
    checkClerkReadable(wb);
    const villages = wb.worksheets.find((w) => (w.getRow(1).values as ExcelJS.CellValue[]).some((v) => String(v).startsWith('确定年份')))!;
    const header = Array.from(villages.getRow(1).values as ExcelJS.CellValue[], (v) => String(v ?? ''));
    const yearCol = header.findIndex((h) => h.startsWith('确定年份'));
    expect(yearCol).toBeGreaterThan(0);
    expect(villages.getColumn(yearCol).numFmt ?? villages.getRow(2).getCell(yearCol).numFmt).toBe('0');
    villages.eachRow((r, n) => { if (n > 1 && r.getCell(1).value === '合计') expect(r.getCell(yearCol).value).toBeNull(); });
    expect(villages.getRow(2).getCell(1).border?.left?.style).toBe('thin');
  }, 120_000);

  it.runIf(sofficeAvailable())('re-opened in LibreOffice keeps labels and numbers and prints A4 landscape, one page wide', async () => {
    const xlsx = await demoExport();
    const resaved = await read(await sofficeConvert(xlsx, 'export.xlsx', 'xlsx:Calc MS Excel 2007 XML'));
    checkClerkReadable(resaved);
    const pdf = (await sofficeConvert(xlsx, 'export.xlsx', 'pdf')).toString('latin1');
    const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
    expect(boxes.length).toBeGreaterThan(5);
    // A4 landscape is 842 × 595 pt on every page (LibreOffice kept fit-to-width above, so no column is split off).
    expect(boxes.filter(([w, h]) => w !== 842 || h !== 595)).toEqual([]);
  }, 300_000);
});

describe('the template', () => {
  it('has Chinese-only notes, a year for a year and the chosen year on its cover', async () => {
    const wb = await read(await templateBuffer({ year: 2023 }));
    expect(String(wb.getWorksheet('说明')!.getCell('A1').value)).toContain('2023年');
    const villages = wb.worksheets.find((w) => (w.getRow(1).values as ExcelJS.CellValue[]).some((v) => String(v).startsWith('确定年份')))!;
    const header = Array.from(villages.getRow(1).values as ExcelJS.CellValue[], (v) => String(v ?? ''));
    const yearCol = header.findIndex((h) => h.startsWith('确定年份'));
    expect(villages.getRow(2).getCell(yearCol).value).toBe(2023);
    for (const ws of wb.worksheets.filter((w) => w.state === 'visible' && w.name !== '说明')) {
      ws.getRow(1).eachCell((c) => {
        const note = typeof c.note === 'string' ? c.note : (c.note?.texts ?? []).map((t) => t.text).join('');
        if (note) expect(note, `${ws.name} ${String(c.value)}`).not.toMatch(/[A-Za-z]{3,}/);
      });
      expect(ws.pageSetup.orientation).toBe('landscape');
    }
  }, 60_000);
});
