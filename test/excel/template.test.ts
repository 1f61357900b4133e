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
