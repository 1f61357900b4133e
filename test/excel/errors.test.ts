import { join } from 'node:path';
import { Command } from 'commander';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/cli/import.ts';
import { ERROR_FILL, ERROR_SHEET } from '../../src/excel/annotate.ts';
import { importFiles } from '../../src/services/imports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';
import { badChecksum, residentId, writeWorkbook } from './builders.ts';
import { addOrgUnits, COUNTY, snapshot, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const ok1 = residentId('623023', '19900101', 11);
const ok2 = residentId('623023', '19851231', 12);
const ok3 = residentId('620102', '20000229', 13);
const RAW_IDS = [ok1, ok2, ok3, badChecksum(residentId('623023', '19920304', 14)), '623023199013450016', residentId('993023', '19900101', 15)];

/** A workbook with 20 mistakes of different kinds spread over four sheets, each the only one in its row. */
async function plantedWorkbook(file: string): Promise<void> {
  await writeWorkbook(file, [
    {
      name: '转移就业', title: '舟曲县2022年转移就业台账（人社局）',
      header: ['姓名', '身份证号码', '就业去向', '就业单位', '就业地点', '就业日期', '务工月数', '脱贫人口', '监测对象'],
      textColumns: [2],
      rows: [
        ['张三', ok1, '省内', '兰州某厂', '兰州', '2022-03-01', 10, '是', '否'], // valid
        ['李四', RAW_IDS[3], '省外', null, null, '2022-03-01', 6, '否', '否'], // 1 checksum
        ['王五', RAW_IDS[4], '省外', null, null, '2022-03-01', 6, '否', '否'], // 2 birth date
        ['赵六', RAW_IDS[5], '省外', null, null, '2022-03-01', 6, '否', '否'], // 3 region
        ['钱七', 623023199001010000, '省外', null, null, '2022-03-01', 6, '否', '否'], // 4 ID stored as number
        ['孙八', ok2, '国外', null, null, '2022-03-01', 6, '否', '否'], // 5 unknown destination
        ['周九', ok2, '省内', null, null, '去年夏天', 6, '否', '否'], // 6 unreadable date
        ['吴十', ok2, '省内', null, null, '2022年4月1日', 13, '否', '否'], // 7 months above 12
        ['郑一', ok2, '省内', null, null, '2022/5/1', 3, '也许', '否'], // 8 not yes/no
        [null, ok3, '东部协作地', null, null, '2022-06-01', 3, '否', '否'], // 9 name missing
        ['张三', ok1, '省内', '兰州某厂', '兰州', new Date(Date.UTC(2022, 2, 1)), 10, '是', '否'], // 10 duplicate of the first row
      ],
    },
    {
      name: '协作项目',
      header: ['项目名称', '类别', '状态', '开工日期', '完工日期', '东西部协作资金（万元）', '东西部协作资金限定', '东西部协作资金上限（万元）', '带动农村人口', '其中脱贫人口'],
      rows: [
        ['甲项目', '产业开发', '进行中', '2022-03-01', null, 100, null, null, null, null], // 11 unknown status
        ['乙项目', '产业开发', '已开工', '2022-03-01', null, '12.3456789', null, null, null, null], // 12 too precise
        ['丙项目', '产业开发', '已完工', '2022-05-01', '2022-03-01', 50, null, null, null, null], // 13 completed before started
        ['丁项目', '产业开发', '已开工', '2022-03-01', null, 50, null, null, 100, 120], // 14 more alleviated than reached
        ['戊项目', '产业开发', '已开工', '2022-03-01', null, 50, '大概', null, null, null], // 15 unknown qualifier
        ['己项目', '产业开发', '已开工', '2022-03-01', null, 50, '区间', null, null, null], // 16 range without upper end
        ['庚项目', '劳务协作', '已完工', '2022-03-01', '2022-10-01', '约30', null, null, 200, 50], // valid, stated "about"
      ],
    },
    {
      name: '引导落地企业',
      header: ['企业名称', '统一社会信用代码', '计划投资（万元）', '实际吸纳就业', '奖补资金（万元）'],
      rows: [
        ['甲公司', '91120101MA05XXXXX0', 100, 10, 5], // 17 credit code
        ['乙公司', null, 100, 10, '12元'], // 18 unit in the cell disagrees with the column
        ['丙公司', null, 100, '-5', 5], // 19 negative count
      ],
    },
    {
      name: '交流互访',
      header: ['开始日期', '结束日期', '代表团', '方向', '出发地', '目的地'],
      rows: [
        ['2022-02-30', '2022-03-02', '某代表团', '东部赴西部', '天津', '舟曲'], // 20 no such day
        ['2022-07-13', '2022-07-14', '和平区代表团', '东部赴西部', '天津', '舟曲'], // valid
      ],
    },
  ]);
}

describe.each(await engines())('a workbook with 20 planted errors (%s)', (engine) => {
  let t: TestStore;
  const dir = tempDir('errors');
  const file = join(dir, '台账.xlsx');

  beforeAll(async () => {
    t = await freshStore(engine);
    await addOrgUnits(t.store);
    await plantedWorkbook(file);
  });
  afterAll(async () => t?.dispose());

  it('yields 20 located errors, in Chinese and English, and leaves the database as it was', async () => {
    const before = await snapshot(t.store);
    const r = await importFiles(t.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, annotateDir: dir });
    expect(r.errors.map((e) => `${e.sheet}!${e.column}${e.row} ${e.zh}`)).toHaveLength(20);
    expect(r.errorCount).toBe(20);
    expect(r.committed).toBe(false);
    for (const e of r.errors) {
      expect(e.file).toBe('台账.xlsx');
      expect(e.row).toBeGreaterThan(1);
      expect(e.column).toMatch(/^[A-Z]+$/);
      expect(e.zh.length).toBeGreaterThan(1);
      expect(e.en).toMatch(/[a-z]/);
    }
    // Every planted row, in order; the title row shifts the labour sheet's data down by one.
    expect(r.errors.map((e) => `${e.sheet}!${e.column}${e.row}`)).toEqual([
      '转移就业!B4', '转移就业!B5', '转移就业!B6', '转移就业!B7', '转移就业!C8', '转移就业!F9', '转移就业!G10', '转移就业!H11', '转移就业!A12', '转移就业!B13',
      '协作项目!C2', '协作项目!F3', '协作项目!E4', '协作项目!J5', '协作项目!G6', '协作项目!H7',
      '引导落地企业!B2', '引导落地企业!E3', '引导落地企业!D4',
      '交流互访!A2',
    ]);
    expect(r.errors[9]!.zh).toMatch(/与第3行重复/);
    expect(await snapshot(t.store)).toBe(before);
    // No raw resident ID in anything the import returns.
    const json = JSON.stringify(r);
    for (const id of RAW_IDS) expect(json).not.toContain(id);
  });

  it('the annotated copy marks exactly the 20 cells and opens on the list of problems', async () => {
    const r = await importFiles(t.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, annotateDir: dir });
    expect(r.annotated).toHaveLength(1);
    expect(r.annotated[0]!.marked).toBe(20);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.annotated[0]!.path);
    const list = wb.worksheets.at(-1)!;
    expect(list.name).toBe(ERROR_SHEET);
    expect(list.rowCount).toBe(21);
    expect(wb.views[0]!.activeTab).toBe(wb.worksheets.length - 1);
    let marked = 0;
    for (const ws of wb.worksheets) {
      if (ws.name === ERROR_SHEET) continue;
      ws.eachRow({ includeEmpty: true }, (row) => row.eachCell({ includeEmpty: true }, (cell) => {
        const fill = cell.fill as ExcelJS.FillPattern | undefined;
        if (fill?.fgColor?.argb === (ERROR_FILL as ExcelJS.FillPattern).fgColor!.argb) {
          marked++;
          expect(cell.note).toBeTruthy();
        }
      }));
    }
    expect(marked).toBe(20);
    expect(wb.getWorksheet('转移就业')!.getCell('G10').note).toBeTruthy();
  });

  it('prints the 20 problems on the console and as JSON, exits 1, and writes nothing', async () => {
    const before = await snapshot(t.store);
    const run = async (args: string[]) => {
      let out = '';
      const program = new Command('xiezuo').exitOverride();
      register(program, { openStore: async () => ({ ...t.store, close: async () => {} }), out: (s) => { out += s; }, err: () => {} });
      process.exitCode = undefined;
      await program.parseAsync(['node', 'xiezuo', 'import', file, '--county', COUNTY, '--year', String(YEAR), '--no-annotate', ...args]);
      const code = process.exitCode;
      process.exitCode = undefined;
      return { out, code };
    };
    const text = await run([]);
    expect(text.code).toBe(1);
    expect(text.out.split('\n').filter((l) => l.startsWith('✗'))).toHaveLength(20);
    expect(text.out).toMatch(/台账\.xlsx 「转移就业」 第10行 G列［务工月数］ 值“13”：不能大于12 \/ must be at most 12/);
    expect(text.out).toMatch(/共 20 个问题，未导入任何数据/);
    const json = await run(['--json']);
    const parsed = JSON.parse(json.out) as { errors: unknown[]; committed: boolean };
    expect(parsed.errors).toHaveLength(20);
    expect(parsed.committed).toBe(false);
    for (const id of RAW_IDS) expect(text.out + json.out).not.toContain(id);
    expect(await snapshot(t.store)).toBe(before);
  });

  it('reading in a worker thread gives the same 20 errors and writes nothing', async () => {
    const before = await snapshot(t.store);
    const inline = await importFiles(t.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, parallel: false });
    const threaded = await importFiles(t.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, parallel: true });
    expect(threaded.errors).toEqual(inline.errors);
    expect(threaded.notices).toEqual(inline.notices);
    expect(threaded.sheets).toEqual(inline.sheets);
    expect(await snapshot(t.store)).toBe(before);
  });

  it('the same file without its mistakes imports', async () => {
    const good = join(dir, 'good.xlsx');
    await writeWorkbook(good, [{
      name: '协作项目',
      header: ['项目名称', '类别', '状态', '开工日期', '完工日期', '东西部协作资金（万元）', '带动农村人口', '其中脱贫人口'],
      rows: [['庚项目', '劳务协作', '已完工', '2022-03-01', '2022-10-01', '约30', 200, 50]],
    }]);
    const r = await importFiles(t.store, SYSTEM, [{ path: good }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    expect(r.summary).toEqual([{ kind: 'project', added: 1, updated: 0, unchanged: 0 }]);
  });
});
