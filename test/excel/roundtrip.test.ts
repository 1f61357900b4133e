import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGERS } from '../../src/domain/ledgers/declarations.ts';
import { renderMarkdown } from '../../src/reports/render-markdown.ts';
import { listAudit } from '../../src/services/audit.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { exportLedgers } from '../../src/services/exports.ts';
import { importFiles } from '../../src/services/imports.ts';
import { buildReport } from '../../src/services/reports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';
import { COUNTY, records, snapshot, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

// Record ids differ between databases; everything else in the report must be identical.
const report = async (s: TestStore['store']) =>
  renderMarkdown(await buildReport(s, SYSTEM, COUNTY, YEAR, { generatedAt: '2022-12-31T00:00:00Z' })).replace(/#\d+/g, '#n');

describe.each(await engines())('export → import round trip (%s)', (engine) => {
  let source: TestStore;
  let target: TestStore;
  const dir = tempDir('roundtrip');
  const file = join(dir, 'ledgers.xlsx');

  beforeAll(async () => {
    source = await freshStore(engine);
    await loadDemo(source.store);
    await exportLedgers(source.store, SYSTEM, { counties: [COUNTY], year: YEAR }, file);
    // The target has the demo's reported values, targets and narrative but none of its ledger records:
    // every record it ends up with comes through the workbook.
    target = await freshStore(engine);
    await loadDemo(target.store);
    const db = target.store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
    for (const d of LEDGERS) await db.deleteFrom(d.table).execute();
  });
  afterAll(async () => {
    await source?.dispose();
    await target?.dispose();
  });

  it('imports every record of the export and gives the same records and the same report', async () => {
    const r = await importFiles(target.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    expect(r.committed).toBe(true);
    const total = r.summary.reduce((n, s) => n + s.added, 0);
    expect(total).toBeGreaterThan(40);
    expect(await records(target.store)).toEqual(await records(source.store));
    expect(await report(target.store)).toEqual(await report(source.store));
  });

  it('a second import of the same file changes nothing: no writes, no audit entries for records', async () => {
    const before = await snapshot(target.store);
    const r = await importFiles(target.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, dryRun: true });
    expect(r.summary.every((s) => s.added === 0 && s.updated === 0)).toBe(true);
    expect(await snapshot(target.store)).toBe(before);
    const again = await importFiles(target.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR });
    expect(again.summary.every((s) => s.added === 0 && s.updated === 0)).toBe(true);
    const { rows } = await listAudit(target.store, SYSTEM, { county: COUNTY, year: YEAR, action: 'import.update' });
    expect(rows).toEqual([]);
  });

  it('a corrected file updates only the changed record, and the audit log shows before and after', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('社会帮扶捐赠')!;
    const header = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
    const beneficiaries = header.indexOf('受益人数');
    const cell = ws.getRow(2).getCell(beneficiaries);
    const old = cell.value as number | null;
    cell.value = (old ?? 0) + 7;
    const corrected = join(dir, 'corrected.xlsx');
    await wb.xlsx.writeFile(corrected);

    const dry = await importFiles(target.store, SYSTEM, [{ path: corrected }], { county: COUNTY, year: YEAR, dryRun: true });
    expect(dry.summary.find((s) => s.kind === 'donation')).toMatchObject({ updated: 1, added: 0 });
    const r = await importFiles(target.store, SYSTEM, [{ path: corrected }], { county: COUNTY, year: YEAR });
    const changed = r.summary.filter((s) => s.updated > 0 || s.added > 0);
    expect(changed).toEqual([{ kind: 'donation', added: 0, updated: 1, unchanged: 9 }]);
    const { rows } = await listAudit(target.store, SYSTEM, { county: COUNTY, year: YEAR, action: 'import.update' });
    expect(rows).toHaveLength(1);
    expect((rows[0]!.before as Record<string, unknown>).beneficiaries).toBe(old);
    expect((rows[0]!.after as Record<string, unknown>).beneficiaries).toBe((old ?? 0) + 7);
  });

  it('the export is formatted: summary sheet first, frozen header, 万元 format and a totals row', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets[0]!.name).toBe('指标汇总');
    const summary = wb.worksheets[0]!;
    // Labels, not ids: the rate as a number with its unit, and as the report writes it.
    const rate = summary.getColumn(1).values.findIndex((v) => v === '资金拨付率');
    expect(rate).toBeGreaterThan(1);
    expect(summary.getRow(rate).getCell(2).value).toBe(89.45);
    expect(summary.getRow(rate).getCell(3).value).toBe('%');
    expect(summary.getRow(rate).getCell(4).value).toBe('89.45%');
    const funds = wb.getWorksheet('协作资金安排')!;
    expect(funds.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(funds.getRow(1).getCell(2).value).toBe('*金额（万元）');
    expect(funds.getRow(2).getCell(2).numFmt).toBe('#,##0.00####');
    const last = funds.getRow(funds.rowCount);
    expect(last.getCell(1).value).toBe('合计');
    expect(last.getCell(2).value).toMatchObject({ formula: `SUM(B2:B${funds.rowCount - 1})`, result: 5100 });
  });
});
