import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLedgers } from '../../src/services/exports.ts';
import { importFiles } from '../../src/services/imports.ts';
import { listRecords } from '../../src/services/ledgers.ts';
import { findDuplicatePersons } from '../../src/services/person-checks.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';
import { residentId, writeWorkbook } from './builders.ts';
import { addOrgUnits, COUNTY, records, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const HR_CSV = join(FIXTURES, '转移就业-人社局-gb18030.csv');
const SALES_CSV = join(FIXTURES, '消费帮扶-utf8bom.csv');
const MA = residentId('623023', '19900315', 21);
const YANG = residentId('623023', '19951102', 22);
const LI = residentId('623023', '19880720', 23);

async function allCellText(file: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const parts: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => parts.push(JSON.stringify(row.values))));
  return parts.join('\n');
}

describe.each(await engines())('person records and real-world CSV (%s)', (engine) => {
  let t: TestStore;
  const dir = tempDir('persons');

  beforeAll(async () => {
    t = await freshStore(engine);
    await addOrgUnits(t.store);
  });
  afterAll(async () => t?.dispose());

  it('reads a GB18030 CSV with title rows, padded and full-width headers, Chinese, serial and slashed dates', async () => {
    const r = await importFiles(t.store, SYSTEM, [{ path: HR_CSV }], { county: COUNTY, year: YEAR, parallel: true });
    expect(r.errors).toEqual([]);
    expect(r.sheets[0]).toMatchObject({ ledger: 'labour_placement', headerRow: 3, rows: 4 });
    expect(r.notices.map((n) => `${n.column} ${n.value} ${n.en}`)).toEqual(['A 序号 unrecognised column, ignored']);
    // 马小明 is in the file twice (two placements): reported, and both kept.
    expect(r.findings.map((f) => [f.masked, f.records.map((x) => x.startDate)])).toEqual([[`6230**********${MA.slice(-4)}`, ['2022-03-01', '2022-09-01']]]);
    const { rows } = await listRecords(t.store, SYSTEM, 'labour_placement', COUNTY, YEAR);
    expect(rows.map((x) => [x.person_name, x.destination, x.employer, x.start_date, x.months, x.poverty_alleviated])).toEqual([
      ['马小明', 'partner_region', '天津某物流公司', '2022-03-01', 10, true],
      ['杨丽', 'in_province', '兰州某餐饮公司', '2022-03-01', 6, false],
      ['李强', 'out_of_province', '江苏某电子厂,二车间', '2022-03-05', 8, true],
      ['马小明', 'in_province', '舟曲县某合作社', '2022-09-01', 3, true],
    ]);
  });

  it('stores resident IDs only as a keyed hash and a masked form', async () => {
    const { rows } = await listRecords(t.store, SYSTEM, 'labour_placement', COUNTY, YEAR);
    expect(rows[0]!.resident_id_masked).toBe(`6230**********${MA.slice(-4)}`);
    expect(rows[0]).not.toHaveProperty('resident_id');
    const db = t.store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
    const raw = await db.selectFrom('labour_placement').selectAll().execute();
    expect(JSON.stringify(raw)).not.toContain(MA);
    expect(JSON.stringify(raw)).not.toContain(MA.slice(0, 14));
    for (const r of raw) expect(r.resident_id_hash).toMatch(/^[0-9a-f]{64}$/);
    const audit = await db.selectFrom('audit_log').selectAll().execute();
    expect(JSON.stringify(audit)).not.toContain(MA.slice(6, 14) + MA.slice(14));
  });

  it('flags the same person counted twice within a file and across departments, without refusing the import', async () => {
    // Importing the same file again adds no one, so it reports no one.
    const again = await importFiles(t.store, SYSTEM, [{ path: HR_CSV }], { county: COUNTY, year: YEAR, dryRun: true });
    expect(again.findings).toEqual([]);
    // The agriculture bureau reports a placement of 杨丽 that HR already has, with another start date.
    const other = join(dir, '转移就业-农业农村局.xlsx');
    await writeWorkbook(other, [{
      name: '转移就业', header: ['姓名', '身份证号', '就业去向', '就业单位', '就业日期'], textColumns: [2],
      rows: [['杨丽', YANG, '省外', '新疆某农场', '2022-04-10'], ['王芳', residentId('623023', '19990101', 24), '省内', '甘南某酒店', '2022-05-01']],
    }]);
    const r = await importFiles(t.store, SYSTEM, [{ path: other }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    expect(r.committed).toBe(true);
    expect(r.findings.map((f) => f.masked)).toEqual([`6230**********${YANG.slice(-4)}`]);
    expect(r.findings[0]!.records.map((x) => x.startDate)).toEqual(['2022-03-01', '2022-04-10']);
    expect(r.findings[0]!.records.filter((x) => x.id > r.findings[0]!.newAbove).map((x) => x.employer)).toEqual(['新疆某农场']);
    const all = await findDuplicatePersons(t.store, SYSTEM, COUNTY, YEAR);
    expect(all.map((f) => `${f.masked} ×${f.records.length}`).sort()).toEqual(
      [`6230**********${MA.slice(-4)} ×2`, `6230**********${YANG.slice(-4)} ×2`].sort());
    expect(JSON.stringify(all)).not.toContain(YANG);
  });

  it('a CSV with problems gets an annotated workbook copy with the bad cells marked', async () => {
    const bad = join(dir, '消费帮扶-有误.csv');
    writeFileSync(bad, '销售渠道,销售主体,日期,金额（元）\n832平台,某公司,2022-13-01,100\n直播带货,某合作社,2022-06-01,abc\n');
    const r = await importFiles(t.store, SYSTEM, [{ path: bad }], { county: COUNTY, year: YEAR, annotateDir: dir });
    expect(r.errors.map((e) => `${e.column}${e.row}`)).toEqual(['C2', 'A3', 'D3']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.annotated[0]!.path);
    const ws = wb.getWorksheet('消费帮扶-有误')!;
    expect(ws.getCell('C2').value).toBe('2022-13-01');
    for (const a of ['C2', 'A3', 'D3']) expect(ws.getCell(a).note, a).toBeTruthy();
    expect(ws.getCell('B2').note).toBeFalsy();
  });

  it('reads a UTF-8 CSV whose amounts are in 元, with separators and full-width digits', async () => {
    const r = await importFiles(t.store, SYSTEM, [{ path: SALES_CSV }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    const { rows } = await listRecords(t.store, SYSTEM, 'consumption_sale', COUNTY, YEAR);
    expect(rows.map((x) => [x.channel, x.date, x.amount])).toEqual([
      ['platform_832', '2022-05-20', 123450], ['livestream', '2022-06-18', 880000], ['fair', '2022-07-01', 1200050],
    ]);
  });

  it('exports IDs masked with their hash only, and the export imports back to the same person records', async () => {
    const file = join(dir, 'export.xlsx');
    await exportLedgers(t.store, SYSTEM, { counties: [COUNTY], year: YEAR, ledgers: ['labour_placement', 'consumption_sale'], summary: false }, file);
    const text = await allCellText(file);
    for (const id of [MA, YANG, LI]) {
      expect(text).not.toContain(id);
      expect(text).toContain(`6230**********${id.slice(-4)}`);
    }
    const copy = await freshStore(engine);
    try {
      await addOrgUnits(copy.store);
      const r = await importFiles(copy.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR });
      expect(r.errors).toEqual([]);
      const a = await records(t.store);
      const b = await records(copy.store);
      expect(b.labour_placement).toEqual(a.labour_placement);
      expect(b.consumption_sale).toEqual(a.consumption_sale);
      const hashes = async (s: Store) => ((await (s.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>)
        .selectFrom('labour_placement').select('resident_id_hash').orderBy('resident_id_hash').execute()) as Array<{ resident_id_hash: unknown }>).map((x) => x.resident_id_hash);
      expect(await hashes(copy.store)).toEqual(await hashes(t.store));
      // Re-importing the export into the original changes nothing.
      const again = await importFiles(t.store, SYSTEM, [{ path: file }], { county: COUNTY, year: YEAR, dryRun: true });
      expect(again.summary.every((s) => s.added === 0 && s.updated === 0)).toBe(true);
    } finally {
      await copy.dispose();
    }
  });
});

describe('no raw resident ID reaches the database file', () => {
  it('leaves no trace of the numbers in the SQLite file or its journal', async () => {
    const dir = tempDir('pii-file');
    const store = openStore({ engine: 'sqlite', file: join(dir, 'x.sqlite') });
    await migrate(store);
    await addOrgUnits(store);
    const r = await importFiles(store, SYSTEM, [{ path: HR_CSV }], { county: COUNTY, year: YEAR });
    expect(r.committed).toBe(true);
    await store.close();
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, f));
      for (const id of [MA, YANG, LI]) expect(bytes.includes(Buffer.from(id)), `${f} holds ${id.slice(0, 4)}…`).toBe(false);
    }
  });
});
