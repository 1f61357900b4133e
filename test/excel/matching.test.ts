import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles, importUploads } from '../../src/services/imports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';
import { writeWorkbook } from './builders.ts';
import { addOrgUnits, COUNTY, records, snapshot, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const dir = tempDir('matching');
const opts = { county: COUNTY, year: YEAR };

/** Sum of the fund allocations of the county-year, in 分. */
async function allocated(t: TestStore): Promise<number> {
  return (await records(t.store)).fund_allocation!.reduce((s, r) => s + Number(r.amount), 0);
}

describe.each(await engines())('matching imported rows to the records already there (%s)', (engine) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore(engine);
    await addOrgUnits(t.store);
    await t.store.db.insertInto('org_unit').values([
      { code: '623023100', name: '城关镇', level: 'township', parent_code: COUNTY },
      { code: '623023100001', name: '甲村', level: 'village', parent_code: '623023100' },
    ]).execute();
    // What the office entered: allocations with their source, as a full ledger file gives them.
    const full = join(dir, `full-${engine}.xlsx`);
    await writeWorkbook(full, [{
      name: '协作资金安排', header: ['资金用途类别', '金额（万元）', '资金来源'],
      rows: [['产业开发', 3178.587, '东部财政援助资金'], ['劳务协作', 314, '东部财政援助资金'], ['教育培训', 143.6, '东部财政援助资金']],
    }]);
    const r = await importFiles(t.store, SYSTEM, [{ path: full }], opts);
    expect(r.committed).toBe(true);
  });
  afterAll(async () => t?.dispose());

  it('matches a department sheet (title row, 序号, 合计, no source column) to the existing rows: 0 new, the funds not doubled', async () => {
    const before = await allocated(t);
    expect(before).toBe(3_636_187_000); // 3636.187万元
    const dept = join(dir, `dept-${engine}.xlsx`);
    await writeWorkbook(dept, [{
      name: '资金安排', title: '2022年东西部协作资金安排情况表（财政局）',
      header: ['序号', '资金用途类别', '金额（万元）'],
      rows: [[1, '产业开发', 3178.587], [2, '劳务协作', 314], ['合计', null, 3492.587]],
    }]);
    const check = await importFiles(t.store, SYSTEM, [{ path: dept }], { ...opts, dryRun: true });
    expect(check.errors).toEqual([]);
    expect(check.preview).toEqual([{ kind: 'fund_allocation', matched: 2, matchedLoosely: 2, new: 0, ambiguous: 0 }]);
    const done = await importFiles(t.store, SYSTEM, [{ path: dept }], opts);
    expect(done.committed).toBe(true);
    expect(done.summary).toEqual([{ kind: 'fund_allocation', added: 0, updated: 0, unchanged: 2 }]);
    expect(await allocated(t)).toBe(before);
    // The source the sheet does not have is kept.
    expect((await records(t.store)).fund_allocation!.every((r) => r.source === '东部财政援助资金')).toBe(true);
  });

  it('updates a matched record with only the columns the department sheet has, audited', async () => {
    const dept = join(dir, `dept2-${engine}.csv`);
    await writeFile(dept, '序号,资金用途类别,金额（万元）\n1,劳务协作,320\n合计,,320\n');
    const r = await importFiles(t.store, SYSTEM, [{ path: dept }], opts);
    expect(r.committed).toBe(true);
    expect(r.summary).toEqual([{ kind: 'fund_allocation', added: 0, updated: 1, unchanged: 0 }]);
    const labour = (await records(t.store)).fund_allocation!.find((x) => x.category === 'labour')!;
    expect(labour).toMatchObject({ amount: 320_000_000, source: '东部财政援助资金' });
  });

  it('refuses rows that match several records, located, and writes nothing', async () => {
    const second = join(dir, `second-${engine}.csv`);
    await writeFile(second, '资金用途类别,金额（万元）,资金来源\n产业开发,10,省级配套\n');
    expect((await importFiles(t.store, SYSTEM, [{ path: second }], opts)).committed).toBe(true);
    const dept = join(dir, `dept3-${engine}.csv`);
    await writeFile(dept, '资金用途类别,金额（万元）\n产业开发,3178.587\n教育培训,143.6\n');
    const before = await snapshot(t.store);
    const r = await importFiles(t.store, SYSTEM, [{ path: dept }], { ...opts, dryRun: true });
    expect(r.ok).toBe(false);
    expect(r.preview).toEqual([{ kind: 'fund_allocation', matched: 1, matchedLoosely: 1, new: 0, ambiguous: 1 }]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ row: 2, zh: expect.stringContaining('2条记录'), en: expect.stringContaining('add "Source"') });
    expect(await snapshot(t.store)).toBe(before);
  });

  it('reports every problem of a row at once, checks village codes against the divisions, and reports example rows', async () => {
    const f = join(dir, `projects-${engine}.csv`);
    await writeFile(f, [
      '项目名称,状态,开工日期,东西部协作资金（万元）,村级区划代码,备注',
      '甲项目,已开工,去年夏天,很多,623023100001,', // two cell problems in one row
      '乙项目,已开工,2022-03-01,10,623023999999,', // not a village of the county
      '丙项目,已开工,2022-03-01,10,12,', // a province code
      ',进行中,2022-03-01,10,623023100001,', // name missing and unknown status
      '丁项目,已开工,2022-03-01,10,623023100001,示例行',
    ].join('\n'));
    const r = await importFiles(t.store, SYSTEM, [{ path: f }], { ...opts, dryRun: true });
    const at = (row: number) => r.errors.filter((e) => e.row === row).map((e) => e.column).sort();
    expect(at(2)).toEqual(['C', 'D']);
    expect(at(3)).toEqual(['E']);
    expect(r.errors.find((e) => e.row === 3)!.zh).toContain('不是本县');
    expect(at(4)).toEqual(['E']);
    expect(at(5)).toEqual(['A', 'B']);
    expect(r.errorCount).toBe(6);
    expect(r.notices.find((n) => n.row === 6)).toMatchObject({ column: 'F', value: '示例行', zh: expect.stringContaining('示例') });
  });

  it('refuses a cell longer than the limit without echoing it, and stops at the row limit', async () => {
    const big = 'x'.repeat(100_000);
    const f = join(dir, `long-${engine}.csv`);
    await writeFile(f, `资金用途类别,金额（万元）,资金来源\n产业开发,1,${big}\n`);
    const r = await importFiles(t.store, SYSTEM, [{ path: f }], { ...opts, dryRun: true, limits: { cellChars: 1000 } });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r).length).toBeLessThan(5000);
    expect(r.errors[0]!.zh).toMatch(/超过1000个字符|超过16000个字符/);

    const many = join(dir, `many-${engine}.csv`);
    await writeFile(many, `资金用途类别,金额（万元）,资金来源\n${Array.from({ length: 10 }, (_, i) => `产业开发,1,来源${i}`).join('\n')}\n`);
    const m = await importFiles(t.store, SYSTEM, [{ path: many }], { ...opts, dryRun: true, limits: { rows: 5 } });
    expect(m.ok).toBe(false);
    expect(m.errors.at(-1)).toMatchObject({ row: 7, zh: expect.stringContaining('最多5行') });
  });

  it('refuses a workbook whose markup holds an oversized cell before building it, with a short message', async () => {
    const f = join(dir, `bomb-${engine}.xlsx`);
    await writeWorkbook(f, [{ name: '协作资金安排', header: ['资金用途类别', '金额（万元）', '资金来源'], rows: [['产业开发', 1, 'y'.repeat(200_000)]] }]);
    const r = await importFiles(t.store, SYSTEM, [{ path: f }], { ...opts, dryRun: true, limits: { cellChars: 1000 } });
    expect(r.ok).toBe(false);
    expect(r.errors[0]!.zh).toContain('超过1000个字符');
    expect(JSON.stringify(r.errors).length).toBeLessThan(2000);
  });

  it('names what a file really is when its content does not match its name', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await expect(importUploads(t.store, SYSTEM, [{ name: '台账.xlsx', data: png }], opts))
      .rejects.toMatchObject({ code: 'INVALID', zh: expect.stringContaining('PNG 图片'), en: expect.stringContaining('PNG image') });
    const long = `${'名'.repeat(100_000)}.csv`;
    const refused = await importUploads(t.store, SYSTEM, [{ name: long, data: Buffer.from('a,b\n') }], opts).catch((e: Error & { zh: string }) => e);
    expect((refused as { zh: string }).zh).toContain('文件名过长');
    expect(JSON.stringify(refused).length).toBeLessThan(1000);
  });
});
