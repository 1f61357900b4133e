import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/reports/render-markdown.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { exportLedgers } from '../../src/services/exports.ts';
import { importFiles } from '../../src/services/imports.ts';
import { loadDivisions } from '../../src/services/orgunits.ts';
import { buildReport } from '../../src/services/reports.ts';
import { type Actor, SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';
import { COUNTY, records, snapshot, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

// Record ids differ between databases; everything else in the report must be identical.
const report = async (s: TestStore['store']) =>
  renderMarkdown(await buildReport(s, SYSTEM, COUNTY, YEAR, { generatedAt: '2022-12-31T00:00:00Z' })).replace(/#\d+/g, '#n');

const count = async (s: TestStore['store'], table: 'reported_value' | 'target' | 'narrative' | 'report_meta' | 'cooperation_pair') =>
  Number((await s.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe.each(await engines())('export → import into an empty database gives the same report (%s)', (engine) => {
  let source: TestStore;
  let target: TestStore;
  const dir = tempDir('report-roundtrip');
  const file = join(dir, 'demo.xlsx');

  beforeAll(async () => {
    source = await freshStore(engine);
    await loadDemo(source.store);
    await exportLedgers(source.store, SYSTEM, { counties: [COUNTY], year: YEAR }, file);
    // As after `xiezuo init --provinces 62`: only the county's own province's divisions; the
    // partner's (120101, Tianjin) come with the import.
    target = await freshStore(engine);
    await loadDivisions(target.store, ['62']);
  });
  afterAll(async () => {
    await source?.dispose();
    await target?.dispose();
  });

  it('writes the report sheets with Chinese headers and figures as reports write them', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const names = wb.worksheets.map((w) => w.name);
    expect(names).toEqual(expect.arrayContaining(['报告信息', '台账状态', '上报数据', '往年数据', '目标', '报告文字']));
    const reported = wb.getWorksheet('上报数据')!;
    expect(reported.getRow(1).values).toEqual([undefined, '要素', '分项', '数值', '备注']);
    const values = reported.getColumn(3).values.map(String);
    expect(values.some((v) => /万元$/.test(v))).toBe(true);
    const meta = wb.getWorksheet('报告信息')!;
    expect(meta.getRow(2).values).toEqual([undefined, '县级区划代码', COUNTY]);
    expect(meta.getColumn(1).values).toContain('东部协作方代码');
  });

  it('a dry run writes nothing; a bad figure is located and nothing is written', async () => {
    const dry = await importFiles(target.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, dryRun: true });
    expect(dry.errors).toEqual([]);
    expect(dry.committed).toBe(false);
    expect(await count(target.store, 'reported_value')).toBe(0);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    wb.getWorksheet('上报数据')!.getRow(3).getCell(3).value = '很多';
    wb.getWorksheet('目标')!.getRow(2).getCell(2).value = 'no.such_indicator';
    const bad = join(dir, 'bad.xlsx');
    await wb.xlsx.writeFile(bad);
    const r = await importFiles(target.store, SYSTEM, [{ path: bad, name: 'bad.xlsx' }], { county: COUNTY, year: YEAR });
    expect(r.committed).toBe(false);
    expect(r.errors).toEqual([
      expect.objectContaining({ file: 'bad.xlsx', sheet: '上报数据', row: 3, column: 'C', header: '数值', value: '很多' }),
      expect.objectContaining({ file: 'bad.xlsx', sheet: '目标', row: 2, column: 'B', header: '指标', value: 'no.such_indicator' }),
    ]);
    for (const t of ['reported_value', 'target', 'narrative', 'report_meta', 'cooperation_pair'] as const) expect(await count(target.store, t)).toBe(0);
    expect(await records(target.store)).toEqual(Object.fromEntries(Object.keys(await records(target.store)).map((k) => [k, []])));
  });

  it('imports ledgers and report data in one go and gives the same records and the same report', async () => {
    const r = await importFiles(target.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    expect(r.committed).toBe(true);
    expect(await records(target.store)).toEqual(await records(source.store));
    for (const t of ['reported_value', 'target', 'narrative', 'report_meta', 'cooperation_pair'] as const)
      expect(await count(target.store, t)).toBe(await count(source.store, t));
    expect(await report(target.store)).toEqual(await report(source.store));
  });

  it('importing the same file again changes nothing', async () => {
    const before = await snapshot(target.store);
    const dry = await importFiles(target.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, dryRun: true });
    expect(dry.errors).toEqual([]);
    expect(await snapshot(target.store)).toBe(before);
    const rows = async () => JSON.stringify(await Promise.all((['reported_value', 'target', 'narrative', 'report_meta', 'ledger_state'] as const)
      .map((t) => target.store.db.selectFrom(t).selectAll().execute())));
    const data = await rows();
    const r = await importFiles(target.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR });
    expect(r.committed).toBe(true);
    expect(r.summary.every((s) => s.added === 0 && s.updated === 0)).toBe(true);
    expect(await rows()).toBe(data);
  });

  it('a county clerk may import the export back, but not change the province\'s targets', async () => {
    const clerk: Actor = { id: 'clerk', name: 'clerk', role: 'county_clerk', units: [COUNTY] };
    const ok = await importFiles(target.store, clerk, [{ path: file }], { county: COUNTY, year: YEAR, dryRun: true });
    expect(ok.errors).toEqual([]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('目标')!;
    const row = [...Array(ws.rowCount).keys()].map((i) => ws.getRow(i + 1)).find((r) => r.getCell(1).value === '62' && r.getCell(4).value !== null)!;
    row.getCell(4).value = 999;
    const changed = join(dir, 'changed-target.xlsx');
    await wb.xlsx.writeFile(changed);
    const r = await importFiles(target.store, clerk, [{ path: changed, name: 'changed-target.xlsx' }], { county: COUNTY, year: YEAR });
    expect(r.committed).toBe(false);
    expect(r.errors).toEqual([expect.objectContaining({ file: 'changed-target.xlsx', sheet: '目标', zh: '62/2022/enterprise.count：只有省、州用户可以设定目标' })]);
  });
});
