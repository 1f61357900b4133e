import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'xiezuo.mjs');

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, DATABASE_URL: '' }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('xiezuo warnings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-warn-cli-'));
  const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_SECRET: 'cli-test' };
  beforeAll(() => { expect(run(['init', '--demo'], env).code).toBe(0); }, 120_000);

  it('writes the province digest as Markdown, JSON and Excel', { timeout: 240_000 }, async () => {
    const md = run(['warnings', '--unit', '62', '--as-of', '2022-06-30'], env);
    expect(md.code).toBe(0);
    expect(md.out).toContain('| 1 | 舟曲县（623023） |');
    expect(md.out).toContain('资金拨付：截至2022-06-30无带日期的记录');
    const j = JSON.parse(run(['warnings', '--unit', '623023', '--as-of', '2022-12-31', '--format', 'json'], env).out) as { counties: Array<{ warnings: Array<{ key: string; records: Array<{ id: number }> }> }> };
    expect(j.counties[0]!.warnings.filter((w) => w.key.startsWith('project.not_completed')).map((w) => w.records[0]!.id)).toEqual([2, 5]);
    const out = join(dir, 'w.xlsx');
    const x = run(['warnings', '--unit', '62', '--as-of', '2022-12-31', '--format', 'xlsx', '--out', out], env);
    expect(x.err).toMatch(/written .*w\.xlsx: 1 counties, \d+ warnings/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['排名', '目标进度', '预警', '说明']);
    expect(wb.getWorksheet('目标进度')!.getRow(3).getCell(3).value).toBe('引导企业投资额');
    expect(wb.getWorksheet('目标进度')!.getRow(3).getCell(8).value).toBe('530万元');
  });

  it('drafts the year-end problems once, and refuses a second time without --replace', () => {
    const a = run(['warnings', '--unit', '623023', '--as-of', '2022-12-31', '--draft-problems'], env);
    expect(a.code).toBe(0);
    expect(a.err).toMatch(/drafts written to the narrative \(存在的问题\): #\d+ 引导企业投资额未完成年度目标/);
    const b = run(['warnings', '--unit', '623023', '--as-of', '2022-12-31', '--draft-problems'], env);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/^xiezuo: 已有据预警生成的草稿/);
    expect(run(['warnings', '--unit', '623023', '--as-of', '2022-12-31', '--draft-problems', '--replace'], env).code).toBe(0);
    const report = run(['report', '--county', '623023', '--year', '2022'], env);
    expect(report.out).toContain('部分项目建设进度滞后');
  }, 240_000);

  it('answers user mistakes with one line and exit 1', { timeout: 240_000 }, () => {
    for (const args of [['--as-of', '2022-02-30', '--unit', '62'], ['--as-of', '2022-06-30', '--unit', '6'], ['--as-of', '2022-06-30', '--unit', '62', '--format', 'xlsx']]) {
      const r = run(['warnings', ...args], env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^xiezuo: /);
    }
  });
});
