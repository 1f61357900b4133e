import { describe, expect, it } from 'vitest';
import { ledgerDecl } from '../../src/domain/ledgers/declarations.ts';
import { categoriesFor } from '../../src/services/config.ts';
import { decimalText, readBool, readDate, readEnum, readInt, readMoney, readText } from '../../src/excel/cells.ts';
import { matchHeader, sheetColumns } from '../../src/excel/layout.ts';
import { detectEncoding } from '../../src/excel/read.ts';
import { ledgerByName, readRow, recognise } from '../../src/excel/recognise.ts';

const cats = categoriesFor(2022);
const value = <T>(r: { ok: true; value: T } | { ok: false }) => (r.ok ? r.value : 'ERR');

describe('reading cells', () => {
  it('reads dates as sheets hold them', () => {
    for (const v of ['2022-07-13', '2022/7/13', '2022.7.13', '2022年7月13日', '2022年07月13日 ', '２０２２年７月１３日', '20220713', 44755, '44755', new Date(Date.UTC(2022, 6, 13)), '2022-07-13 08:30'])
      expect(value(readDate(v)), String(v)).toBe('2022-07-13');
    for (const v of ['2022-02-30', '去年夏天', '13/07/2022', 0, '2022年13月1日']) expect(readDate(v).ok, String(v)).toBe(false);
  });

  it('reads money exactly in 万元 or 元, numbers stored as text included', () => {
    expect(value(readMoney(448.2582, 'wan'))).toBe(448258200);
    expect(value(readMoney('448.2582', 'wan'))).toBe(448258200);
    expect(value(readMoney(0.1 + 0.2, 'wan'))).toBe(300000);
    expect(value(readMoney('1,234.50', 'yuan'))).toBe(123450);
    expect(value(readMoney('１２３４．５', 'yuan'))).toBe(123450);
    expect(value(readMoney('12万元', 'wan'))).toBe(12000000);
    expect(readMoney('12元', 'wan').ok).toBe(false);
    expect(readMoney('12.3456789', 'wan').ok).toBe(false);
    expect(readMoney('12.345', 'yuan').ok).toBe(false);
    expect(decimalText(12.340000000000002)).toBe('12.34');
  });

  it('reads whole numbers, booleans and categories by label, code or bracket-less label', () => {
    expect(value(readInt('１０'))).toBe(10);
    expect(value(readInt('1,200'))).toBe(1200);
    expect(readInt('1.5').ok).toBe(false);
    expect([readBool('是'), readBool('否'), readBool('√'), readBool(true), readBool('Y')].map(value)).toEqual([true, false, true, true, true]);
    const dest = cats.labour_destination!;
    expect([readEnum('东部协作地', dest), readEnum('东部协作地区', dest), readEnum('协作地', dest), readEnum('in_province', dest), readEnum(' 省外 ', dest)].map(value))
      .toEqual(['partner_region', 'partner_region', 'partner_region', 'in_province', 'out_of_province']);
  });

  it('refuses an 18-digit ID that Excel has turned into a number', () => {
    const f = ledgerDecl('labour_placement')!.fields.find((x) => x.name === 'resident_id')!;
    const r = readText(623023199001010000, f);
    expect(r.ok).toBe(false);
    expect(value(readText(' 62302319900101001x ', f))).toBe('62302319900101001X');
  });

  it('tells UTF-8 from GB18030', () => {
    expect(detectEncoding(Buffer.from('姓名,身份证号\n', 'utf8'))).toBe('utf8');
    expect(detectEncoding(Buffer.from([0xd0, 0xd5, 0xc3, 0xfb]))).toBe('gb18030');
    // A UTF-8 character cut off at the end of the sample still counts as UTF-8.
    expect(detectEncoding(Buffer.from('姓名', 'utf8').subarray(0, 4))).toBe('utf8');
  });
});

describe('recognising headers and sheets', () => {
  const project = ledgerDecl('project')!;
  const cols = sheetColumns(project, cats, { mode: 'input' });

  it('tolerates asterisks, spaces, full-width brackets, English labels, field names and stated units', () => {
    expect(matchHeader('*项目名称', cols)?.column.field?.name).toBe('name');
    expect(matchHeader(' 项目名称　', cols)?.column.field?.name).toBe('name');
    expect(matchHeader('Project', cols)?.column.field?.name).toBe('name');
    expect(matchHeader('coop_funds', cols)?.column.field?.name).toBe('coop_funds');
    expect(matchHeader('东西部协作资金(元)', cols)).toMatchObject({ statedUnit: 'yuan' });
    expect(matchHeader('东西部协作资金（万元）', cols)).toMatchObject({ statedUnit: 'wan' });
    expect(matchHeader('东西部协作资金万元', cols)).toMatchObject({ statedUnit: 'wan' });
    expect(matchHeader('东西部协作资金上限（万元）', cols)?.column.role).toBe('max');
    expect(matchHeader('序号', cols)).toBeUndefined();
  });

  it('finds the ledger by sheet name, or by headers below title rows', () => {
    expect(ledgerByName('转移就业台账')?.kind).toBe('labour_placement');
    expect(ledgerByName('Sheet1')).toBeUndefined();
    const head = [
      { number: 1, cells: ['2022年协作项目台账', null, null] },
      { number: 2, cells: ['填报单位：乡村振兴局', null, null] },
      { number: 3, cells: ['序号', '项目名称 ', '状态', '东西部协作资金（元）'] },
    ];
    const rec = recognise('Sheet1', head, cats, 2022)!;
    expect(rec.decl.kind).toBe('project');
    expect(rec.headerRow).toBe(3);
    expect(rec.columns.map((c) => [c.letter, c.column.field?.name, c.unit])).toEqual([['B', 'name', 'wan'], ['C', 'status', 'wan'], ['D', 'coop_funds', 'yuan']]);
    const row = readRow(rec, { number: 4, cells: [1, '甲项目', '已开工', '约5,000'] }, cats);
    expect(row.input).toEqual({ name: '甲项目', status: 'started', coop_funds: 500000, coop_funds_qual: 'about' });
    expect(readRow(rec, { number: 5, cells: ['合计', null, null, 5000] }, cats).skip).toBe('total');
    expect(readRow(rec, { number: 6, cells: [null, ' ', null] }, cats).skip).toBe('blank');
  });

  it('reports a missing required column of a sheet named after its ledger', () => {
    const rec = recognise('协作项目', [{ number: 1, cells: ['项目名称', '类别'] }], cats, 2022)!;
    expect(rec.issues.filter((i) => i.blocking).map((i) => i.zh)).toEqual(['缺少必填列“状态”']);
  });
});
