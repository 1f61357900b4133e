import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGERS } from '../../src/domain/ledgers/declarations.ts';
import { isReportSheet } from '../../src/excel/report-sheets.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { exportLedgers } from '../../src/services/exports.ts';
import { importFiles } from '../../src/services/imports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { freshStore, type TestStore } from '../support/engines.ts';
import { addOrgUnits, COUNTY, records, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

/** Whether LibreOffice can be run. Under CI it must be there; locally its absence skips these tests loudly. */
function sofficeAvailable(): boolean {
  const r = spawnSync('soffice', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (process.env.CI) throw new Error('LibreOffice (soffice) is required under CI but cannot be run');
  console.warn('\n!!! LibreOffice (soffice) is not installed: the LibreOffice interoperability tests are SKIPPED.\n');
  return false;
}

/** Runs soffice with a private profile so parallel runs do not fight over one. */
function soffice(dir: string, args: string[]): void {
  execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${join(dir, 'lo-profile')}`, ...args], { stdio: 'pipe', timeout: 120_000 });
}

// Every sheet to its own CSV (the last token, -1), UTF-8 (76), comma-separated (44), double quotes (34).
const CSV_ALL_SHEETS = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'libreoffice-saved.xlsx');

async function emptyLedgers(): Promise<TestStore> {
  const t = await freshStore('sqlite');
  await addOrgUnits(t.store);
  return t;
}

describe('a workbook saved by LibreOffice (committed fixture)', () => {
  let target: TestStore;
  beforeAll(async () => { target = await emptyLedgers(); });
  afterAll(async () => target?.dispose());

  // The fixture is a snapshot of an earlier demo export, so it is checked against figures of the
  // source report (which do not change), not against the demo data as it is today.
  it('imports without problems and with the figures it was saved with', async () => {
    const r = await importFiles(target.store, SYSTEM, [{ path: FIXTURE }], { county: COUNTY, year: YEAR });
    expect(r.errors).toEqual([]);
    const got = await records(target.store);
    expect(got.fund_allocation!.reduce((n, x) => n + (x.amount as number), 0)).toBe(5100 * 1_000_000);
    expect(got.insurance![0]).toMatchObject({ premium: 460.23 * 1_000_000, households: 8161, people: 30682, claimants: 405, payout: 161.87 * 1_000_000 });
    expect(got.donation).toHaveLength(10);
    expect(got.visit!.map((v) => v.start_date).sort()).toEqual(['2022-05-30', '2022-07-13', '2022-08-15']);
    expect(got.project!.length).toBeGreaterThan(5);
    expect(Object.values(got).flat().length).toBe(r.summary.reduce((n, s) => n + s.added, 0));
  });
});

describe.runIf(sofficeAvailable())('LibreOffice reads our export and we read what it saves', () => {
  const dir = tempDir('libreoffice');
  const exported = join(dir, 'ledgers.xlsx');
  let demo: TestStore;
  beforeAll(async () => {
    demo = await freshStore('sqlite');
    await loadDemo(demo.store);
    await exportLedgers(demo.store, SYSTEM, { counties: [COUNTY], year: YEAR }, exported);
  });
  afterAll(async () => demo?.dispose());

  it('converts every sheet of the export to CSV with the values we wrote', async () => {
    const out = join(dir, 'csv');
    soffice(dir, ['--convert-to', CSV_ALL_SHEETS, '--outdir', out, exported]);
    const csv = (sheet: string) => readFileSync(join(out, `ledgers-${sheet}.csv`), 'utf8').trim().split('\n');
    const funds = csv('协作资金安排');
    expect(funds[0]).toBe('*资金用途类别,*金额（万元）,资金来源,备注');
    expect(funds[1]).toMatch(/^产业开发,3178\.587,/);
    expect(funds.at(-1)).toMatch(/^合计,5100,/);
    expect(csv('交流互访')[1]).toMatch(/^2022-07-13,2022-07-14,天津市和平区党政代表团,/);
    expect(csv('指标汇总').find((l) => l.startsWith('资金拨付率,'))).toMatch(/,89\.45/);

    // And the CSV files LibreOffice wrote import back to the same records.
    const target = await emptyLedgers();
    try {
      // The report sheets come back as CSV files too; this checks the ledgers.
      const files = readdirSync(out).filter((f) => !f.includes('指标汇总') && !isReportSheet(f.replace(/\.csv$/, ''))).map((f) => ({ path: join(out, f) }));
      expect(files).toHaveLength(LEDGERS.length);
      const r = await importFiles(target.store, SYSTEM, files, { county: COUNTY, year: YEAR });
      expect(r.errors).toEqual([]);
      expect(await records(target.store)).toEqual(await records(demo.store));
    } finally {
      await target.dispose();
    }
  });

  it('imports the export after LibreOffice has opened and saved it as .xlsx', async () => {
    const out = join(dir, 'resaved');
    soffice(dir, ['--convert-to', 'xlsx', '--outdir', out, exported]);
    const target = await emptyLedgers();
    try {
      const r = await importFiles(target.store, SYSTEM, [{ path: join(out, 'ledgers.xlsx') }], { county: COUNTY, year: YEAR });
      expect(r.errors).toEqual([]);
      expect(await records(target.store)).toEqual(await records(demo.store));
    } finally {
      await target.dispose();
    }
  });
});
