import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/reports/render-markdown.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { exportLedgers } from '../../src/services/exports.ts';
import { importFiles } from '../../src/services/imports.ts';
import { loadDivisions } from '../../src/services/orgunits.ts';
import { catalogueFor } from '../../src/services/catalogue.ts';
import { categoriesFor } from '../../src/services/config.ts';
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

const reportRows = async (s: TestStore['store']) => JSON.stringify(await Promise.all((['reported_value', 'target', 'target_claim', 'narrative', 'report_meta', 'ledger_state'] as const)
  .map((t) => s.db.selectFrom(t).selectAll().execute())));

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

  it('writes words, not codes: element and indicator names, breakdowns, comparisons, statuses and report parts', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const col = (sheet: string, c: number) => wb.getWorksheet(sheet)!.getColumn(c).values.slice(2).filter((v) => v !== null && v !== undefined).map(String);
    const code = /^[a-z_]+(\.[a-z_]+)*$|^(>=|<=|>|<|=|between)$/;
    for (const [sheet, c] of [['上报数据', 1], ['上报数据', 2], ['往年数据', 2], ['目标', 2], ['目标', 3], ['目标', 6], ['报告文字', 1], ['报告文字', 3]] as const) {
      const values = col(sheet, c);
      expect(values.filter((v) => code.test(v)), `${sheet} column ${c}`).toEqual([]);
    }
    expect(col('上报数据', 1)).toContain('研究部署会议次数');
    expect(col('上报数据', 2)).toContain('县委常委会议');
    expect(col('目标', 3)).toContain('不少于');
    expect(col('目标', 6)).toContain('超额完成');
    expect(col('报告文字', 1)).toEqual(expect.arrayContaining(['特色亮点', '未达标说明']));
    expect(col('报告文字', 3)).toContain(catalogueFor(YEAR).byId.get('talent.west_to_east_sent')!.label.zh);
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

  it('a file written with codes (before the sheets had words) imports as the same data', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const cat = catalogueFor(YEAR);
    const cats = categoriesFor(YEAR, COUNTY);
    const elementId = (label: string) => Object.values(cat.elements).find((e) => e.label.zh === label)!.id;
    const indicatorId = (label: string) => cat.indicators.find((d) => d.label.zh === label)?.id;
    const ops: Record<string, string> = { 不少于: '>=', 超过: '>', 不超过: '<=', 少于: '<', 等于: '=', 介于: 'between' };
    const statuses: Record<string, string> = { 完成: 'met', 超额完成: 'exceeded', 未完成: 'missed' };
    const sections: Record<string, string> = { 特色亮点: 'highlights', '存在的问题（补充）': 'problem', 未达标说明: 'problem_note', 下年度计划: 'plan' };
    const rows = (sheet: string, fn: (r: ExcelJS.Row) => void) => wb.getWorksheet(sheet)!.eachRow((r, n) => { if (n > 1) fn(r); });
    const recode = (r: ExcelJS.Row, elementCol: number) => {
      const id = elementId(String(r.getCell(elementCol).value));
      r.getCell(elementCol).value = id;
      const dim = r.getCell(elementCol + 1).value;
      if (dim) r.getCell(elementCol + 1).value = cats[cat.elements[id]!.dims!]!.find((c) => c.zh === dim)!.value;
    };
    rows('上报数据', (r) => recode(r, 1));
    rows('往年数据', (r) => recode(r, 2));
    rows('目标', (r) => {
      r.getCell(2).value = indicatorId(String(r.getCell(2).value))!;
      r.getCell(3).value = ops[String(r.getCell(3).value)]!;
      if (r.getCell(6).value) r.getCell(6).value = statuses[String(r.getCell(6).value)]!;
    });
    rows('报告文字', (r) => {
      r.getCell(1).value = sections[String(r.getCell(1).value)]!;
      if (r.getCell(1).value === 'problem_note') r.getCell(3).value = indicatorId(String(r.getCell(3).value))!;
    });
    const coded = join(dir, 'coded.xlsx');
    await wb.xlsx.writeFile(coded);
    const data = await reportRows(target.store);
    const r = await importFiles(target.store, SYSTEM, [{ path: coded }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    expect(r.committed).toBe(true);
    expect(r.summary.every((s) => s.added === 0 && s.updated === 0)).toBe(true);
    expect(await reportRows(target.store)).toBe(data);
  });

  it('a word that names nothing is located at its sheet, row and column with the reason', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const reported = wb.getWorksheet('上报数据')!;
    const withDim = [...Array(reported.rowCount).keys()].map((i) => reported.getRow(i + 1)).find((r) => r.number > 1 && r.getCell(2).value)!;
    withDim.getCell(2).value = '不存在的分项';
    const noDims = [...Array(reported.rowCount).keys()].map((i) => reported.getRow(i + 1))
      .find((r) => r.number > 1 && !r.getCell(2).value && !catalogueFor(YEAR).elements[Object.values(catalogueFor(YEAR).elements).find((e) => e.label.zh === r.getCell(1).value)!.id]!.dims)!;
    noDims.getCell(2).value = '县委常委会议';
    wb.getWorksheet('目标')!.getRow(2).getCell(3).value = '大约';
    wb.getWorksheet('目标')!.getRow(2).getCell(6).value = '差不多';
    wb.getWorksheet('报告文字')!.getRow(2).getCell(1).value = '心得体会';
    const bad = join(dir, 'bad-words.xlsx');
    await wb.xlsx.writeFile(bad);
    const r = await importFiles(target.store, SYSTEM, [{ path: bad, name: 'bad-words.xlsx' }], { county: COUNTY, year: YEAR, dryRun: true });
    expect(r.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ sheet: '上报数据', row: withDim.number, column: 'B', header: '分项', value: '不存在的分项', zh: expect.stringMatching(/没有该分项（可选：/) }),
      expect.objectContaining({ sheet: '上报数据', row: noDims.number, column: 'B', header: '分项', zh: expect.stringMatching(/不分类别/) }),
      expect.objectContaining({ sheet: '目标', row: 2, column: 'C', header: '比较', value: '大约', zh: expect.stringMatching(/不少于/), en: expect.stringMatching(/at least|不少于/) }),
      expect.objectContaining({ sheet: '目标', row: 2, column: 'F', header: '上报状态', value: '差不多' }),
      expect.objectContaining({ sheet: '报告文字', row: 2, column: 'A', header: '部分', value: '心得体会', zh: expect.stringMatching(/特色亮点/) }),
    ]));
    expect(r.errors).toHaveLength(5);
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
