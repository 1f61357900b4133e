import { join } from 'node:path';
import { Command } from 'commander';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register as registerExport } from '../../src/cli/export.ts';
import { register as registerTemplate } from '../../src/cli/template.ts';
import { LEDGERS } from '../../src/domain/ledgers/declarations.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { importFiles } from '../../src/services/imports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { templateWorkbook } from '../../src/excel/template.ts';
import { freshStore, type TestStore } from '../support/engines.ts';
import { addOrgUnits, COUNTY, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

async function cli(register: typeof registerTemplate, store: TestStore['store'] | undefined, args: string[]): Promise<string> {
  let err = '';
  const program = new Command('xiezuo').exitOverride();
  register(program, { openStore: async () => ({ ...store!, close: async () => {} }), out: () => {}, err: (s) => { err += s; } });
  await program.parseAsync(['node', 'xiezuo', ...args]);
  return err;
}

describe('templates', () => {
  const dir = tempDir('template');
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore('sqlite');
    await addOrgUnits(t.store);
  });
  afterAll(async () => t?.dispose());

  it('xiezuo template --ledger writes headers from the declaration, notes, drop-downs and a marked example row', async () => {
    const file = join(dir, 'labour.xlsx');
    expect(await cli(registerTemplate, t.store, ['template', '--ledger', 'labour_placement', '--year', '2022', '--out', file])).toMatch(/written/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('转移就业')!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['*姓名', '*身份证号', '*就业去向', '就业单位', '就业地点', '*就业日期', '务工月数', '脱贫人口', '监测对象', '备注']);
    expect(String(ws.getCell('C1').note)).toMatch(/东部协作地、省内、省外/);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const dv = (ws as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }).dataValidations.model;
    const dest = Object.entries(dv).find(([range]) => range.startsWith('C2'));
    expect(dest?.[1]).toMatchObject({ type: 'list' });
    expect(ws.getCell('B2').numFmt).toBe('@');
    expect(String(ws.getCell('J2').value)).toMatch(/^示例/);
  });

  it('the all-ledgers template has one sheet per ledger and imports as nothing at all', async () => {
    const file = join(dir, 'all.xlsx');
    await cli(registerTemplate, t.store, ['template', '--all', '--year', '2022', '--county', COUNTY, '--out', file]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    for (const d of LEDGERS) expect(wb.getWorksheet(d.label.zh), d.kind).toBeDefined();
    const r = await importFiles(t.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    expect(r.summary.every((s) => s.added === 0)).toBe(true);
  });
});

describe('the report sheets of the template', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore('sqlite');
    await addOrgUnits(t.store);
  });
  afterAll(async () => t?.dispose());

  it('are laid out as an export writes them, with Chinese notes and drop-downs, and what a clerk fills in is stored', async () => {
    const file = join(tempDir('report-template'), 'all.xlsx');
    await cli(registerTemplate, t.store, ['template', '--all', '--year', '2022', '--county', COUNTY, '--out', file]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const header = (name: string) => (wb.getWorksheet(name)!.getRow(1).values as unknown[]).slice(1);
    expect(header('上报数据')).toEqual(['要素', '分项', '数值', '备注']);
    expect(header('目标')).toEqual(['单位代码', '指标', '比较', '目标值', '目标上限', '上报状态', '备注']);
    expect(header('报告信息')).toEqual(['项目', '内容']);
    expect(wb.getWorksheet('报告信息')!.getColumn(1).values.slice(2)).toEqual(['县级区划代码', '年度', '报告单位', '报告日期', '东部协作方代码']);
    expect(wb.getWorksheet('报告信息')!.getCell('B2').value).toBe(COUNTY);
    for (const name of ['报告信息', '台账状态', '上报数据', '往年数据', '目标', '报告文字']) {
      wb.getWorksheet(name)!.getRow(1).eachCell((c) => {
        if (c.note) expect(String(c.note), `${name} ${String(c.value)}`).not.toMatch(/[A-Za-z]{3,}/);
      });
    }
    const lists = (name: string) => (wb.getWorksheet(name) as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }).dataValidations.model;
    const listOf = (name: string, col: string) => {
      const dv = Object.entries(lists(name)).find(([range]) => range.startsWith(`${col}2`))?.[1];
      expect(dv?.type, `${name} ${col}`).toBe('list');
      const [sheet, range] = dv!.formulae[0]!.split('!');
      const [, col2, first, last] = /^([A-Z]+)(\d+):[A-Z]+(\d+)$/.exec(range!.replace(/\$/g, ''))!;
      const choices = wb.getWorksheet(sheet!)!;
      const out: unknown[] = [];
      for (let r = Number(first); r <= Number(last); r++) out.push(choices.getCell(`${col2}${r}`).value);
      return out;
    };
    expect(listOf('上报数据', 'A')).toContain('研究部署会议次数');
    expect(listOf('上报数据', 'B')).toContain('县委常委会议');
    expect(listOf('目标', 'A')).toEqual([COUNTY, '6230', '62']);
    expect(listOf('目标', 'B')).toContain('资金拨付率');
    expect(listOf('目标', 'C')).toEqual(['不少于', '超过', '不超过', '少于', '等于', '介于']);
    expect(listOf('报告文字', 'A')).toContain('特色亮点');
    expect(listOf('台账状态', 'B')).toEqual(['完整', '部分']);
    expect(wb.getWorksheet('上报项目录')!.getRow(1).values).toEqual([undefined, '上报项', '单位', '分项（可选值）']);

    // Untouched, the report sheets import as nothing.
    const empty = await importFiles(t.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, dryRun: true });
    expect(empty.errors).toEqual([]);

    wb.getWorksheet('报告信息')!.getCell('B4').value = '舟曲县东西部协作工作领导小组办公室';
    wb.getWorksheet('报告信息')!.getCell('B5').value = '2023-01-05';
    wb.getWorksheet('台账状态')!.addRow(['协作资金安排', '完整']);
    wb.getWorksheet('上报数据')!.addRow(['研究部署会议次数', '县委常委会议', 12, '县委办']);
    wb.getWorksheet('上报数据')!.addRow(['结对帮扶资金', null, '约120', '结对单位汇总']);
    wb.getWorksheet('目标')!.addRow(['62', '资金拨付率', '不少于', 90, null, null, '省下达']);
    wb.getWorksheet('报告文字')!.addRow(['特色亮点', 1, '劳务协作', '全年组织招聘活动。']);
    const filled = join(tempDir('report-template'), 'filled.xlsx');
    await wb.xlsx.writeFile(filled);
    const r = await importFiles(t.store, SYSTEM, [{ path: filled, name: 'filled.xlsx' }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    expect(r.committed).toBe(true);
    const db = t.store.db;
    expect(await db.selectFrom('report_meta').select(['issuer', 'report_date']).execute()).toEqual([{ issuer: '舟曲县东西部协作工作领导小组办公室', report_date: '2023-01-05' }]);
    expect(await db.selectFrom('ledger_state').select(['ledger', 'completeness']).execute()).toEqual([{ ledger: 'fund_allocation', completeness: 'complete' }]);
    expect(await db.selectFrom('reported_value').select(['element', 'dim', 'value', 'qual', 'note']).orderBy('element').execute()).toEqual([
      { element: 'meeting.count', dim: 'standing_committee', value: '12', qual: 'exact', note: '县委办' },
      { element: 'pairing.funds', dim: '', value: '120000000', qual: 'about', note: '结对单位汇总' },
    ]);
    expect(await db.selectFrom('target').select(['org_code', 'indicator', 'op', 'value']).execute()).toEqual([{ org_code: '62', indicator: 'funds.disbursement_rate', op: '>=', value: '90' }]);
    expect(await db.selectFrom('narrative').select(['section', 'seq', 'title', 'body']).execute()).toEqual([{ section: 'highlights', seq: 1, title: '劳务协作', body: '全年组织招聘活动。' }]);
  });

  it('are left out of one ledger\'s template', async () => {
    const wb = await templateWorkbook({ year: 2022, ledger: 'meeting' });
    expect(wb.worksheets.map((w) => w.name).filter((n) => n !== '选项')).toEqual(['说明', '会议研究部署']);
  });
});

describe('export of several counties', () => {
  it('adds a county column and a summary row per county, and each county imports only its own rows', async () => {
    const t = await freshStore('sqlite');
    try {
      await loadDemo(t.store);
      const file = join(tempDir('multi'), 'province.xlsx');
      expect(await cli(registerExport, t.store, ['export', '--county', '623023,623024', '--year', '2022', '--out', file])).toMatch(/written .*donation 10/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const ws = wb.getWorksheet('社会帮扶捐赠')!;
      expect(ws.getCell('A1').value).toBe('县级区划代码');
      expect(ws.getCell('A2').value).toBe('623023');
      const wrong = await importFiles(t.store, SYSTEM, [{ path: file }], { county: '623024', year: YEAR, dryRun: true });
      expect(wrong.errorCount).toBeGreaterThan(40);
      expect(wrong.errors[0]!.zh).toMatch(/该行属于623023/);
      const right = await importFiles(t.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, dryRun: true });
      expect(right.errors).toEqual([]);
      expect(right.summary.every((s) => s.added === 0 && s.updated === 0)).toBe(true);
    } finally {
      await t.dispose();
    }
  });
});
