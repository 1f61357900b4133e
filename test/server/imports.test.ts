import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUploads } from '../../src/services/imports.ts';
import { listRecords } from '../../src/services/ledgers.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { COUNTY, demoServer, type Fixture, OTHER_COUNTY, YEAR } from './fixture.ts';

/** Multipart body of files as the browser sends them. */
function multipart(files: Array<{ name: string; data: Buffer; type?: string }>): { payload: Buffer; headers: Record<string, string> } {
  const b = '----xz';
  const parts = files.flatMap((f) => [
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`),
    f.data, Buffer.from('\r\n'),
  ]);
  return { payload: Buffer.concat([...parts, Buffer.from(`--${b}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
}

async function workbook(rows: Array<[string, string | number, string]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('协作资金安排');
  ws.addRow(['资金用途类别', '金额（万元）', '资金来源']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('importing uploaded workbooks over HTTP', () => {
  let f: Fixture;
  beforeAll(async () => { f = await demoServer('sqlite'); });
  afterAll(async () => { await f?.dispose(); });

  it('dry-runs several files, locating a bad cell and annotating its file, then imports all or nothing', async () => {
    const admin = await f.signIn('zhouqu.admin');
    const good = await workbook([['industry', 12.5, '导入测试甲']]);
    const bad = await workbook([['industry', '十二万', '导入测试乙']]);
    const csv = Buffer.from('资金用途类别,金额,资金来源\r\nindustry,3,导入测试丙\r\n');
    const dry = await admin.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}`, ...multipart([{ name: '甲.xlsx', data: good }, { name: '乙.xlsx', data: bad }, { name: '丙.csv', data: csv }]) });
    expect(dry.statusCode).toBe(200);
    const r = dry.json();
    expect(r.dryRun).toBe(true);
    expect(r.committed).toBe(false);
    expect(r.errorCount).toBe(1);
    expect(r.errors[0]).toMatchObject({ file: '乙.xlsx', sheet: '协作资金安排', row: 2, column: 'B', value: '十二万' });
    expect(r.annotated).toHaveLength(1);
    expect(r.annotated[0]).toMatchObject({ file: '乙.xlsx', name: '乙.问题标注.xlsx', marked: 1 });
    expect(Buffer.from(r.annotated[0].base64, 'base64').subarray(0, 2).toString()).toBe('PK');

    // Nothing of the good files was written, not even on a real run with the bad file among them.
    const real = (await admin.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}?dryRun=false`, ...multipart([{ name: '甲.xlsx', data: good }, { name: '乙.xlsx', data: bad }]) })).json();
    expect(real.committed).toBe(false);
    const sources = async () => (await listRecords(f.store, SYSTEM, 'fund_allocation', COUNTY, YEAR, { limit: 1000 })).rows.map((x) => x.source);
    expect(await sources()).not.toContain('导入测试甲');

    const check = (await admin.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}`, ...multipart([{ name: '甲.xlsx', data: good }, { name: '丙.csv', data: csv }]) })).json();
    expect(check.summary).toEqual([{ kind: 'fund_allocation', added: 2, updated: 0, unchanged: 0 }]);
    const done = (await admin.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}?dryRun=false`, ...multipart([{ name: '甲.xlsx', data: good }, { name: '丙.csv', data: csv }]) })).json();
    expect(done.committed).toBe(true);
    expect(await sources()).toEqual(expect.arrayContaining(['导入测试甲', '导入测试丙']));
  });

  it('refuses files that are not what their names say, and other file types', async () => {
    const admin = await f.signIn('zhouqu.admin');
    const send = (name: string, data: Buffer) => admin.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}`, ...multipart([{ name, data }]) });
    const fake = await send('伪装.xlsx', Buffer.from('not a zip'));
    expect(fake.statusCode).toBe(400);
    expect(fake.json().error.message.zh).toContain('文件内容与扩展名不符');
    expect((await send('a.pdf', Buffer.from('%PDF-1.4'))).statusCode).toBe(400);
    expect((await send('bin.csv', Buffer.from([0x41, 0, 0x42]))).statusCode).toBe(400);
  });

  it('is refused as a whole for users who may not change the county, even without a recognisable sheet', async () => {
    const eastern = await f.signIn('heping.user');
    const r = await eastern.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}`, ...multipart([{ name: 'x.csv', data: Buffer.from('a,b\r\n1,2\r\n') }]) });
    expect(r.statusCode).toBe(403);
    const other = await f.signIn('diebu.admin');
    expect((await other.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}`, ...multipart([{ name: 'x.csv', data: Buffer.from('a,b\r\n') }]) })).statusCode).toBe(403);
    await expect(importUploads(f.store, { id: 'p', name: 'p', role: 'province_user', units: ['62'] }, [{ name: 'x.csv', data: Buffer.from('a\r\n') }], { county: COUNTY, year: YEAR }))
      .rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(OTHER_COUNTY).not.toBe(COUNTY);
  });

  it('runs an import as a job that reports its rows, visible only to the user who started it', async () => {
    const admin = await f.signIn('zhouqu.admin');
    const csv = Buffer.from('资金用途类别,金额（万元）,资金来源\r\nindustry,4,任务导入甲\r\nlabour,5,任务导入乙\r\n');
    const start = await admin.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}/jobs?dryRun=false`, ...multipart([{ name: '任务.csv', data: csv }]) });
    expect(start.statusCode).toBe(202);
    const { id } = start.json() as { id: string };
    let job: { state: string; rows: number; result: { committed: boolean; summary: unknown } | null } | undefined;
    for (let i = 0; i < 200; i++) {
      job = (await admin.req({ method: 'GET', url: `/api/imports/jobs/${id}` })).json();
      if (job!.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(job).toMatchObject({ state: 'done', rows: 2, result: { committed: true, summary: [{ kind: 'fund_allocation', added: 2, updated: 0, unchanged: 0 }] } });
    const other = await f.signIn('diebu.admin');
    expect((await other.req({ method: 'GET', url: `/api/imports/jobs/${id}` })).statusCode).toBe(403);
    expect((await admin.req({ method: 'GET', url: '/api/imports/jobs/00000000-0000-0000-0000-000000000000' })).statusCode).toBe(404);
    // A clerk's job that meets a ledger outside the clerk's department fails as a whole, saying why.
    const clerk = await f.signIn('zhouqu.clerk');
    const theirs = (await clerk.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}/jobs?dryRun=false`, ...multipart([{ name: '任务.csv', data: csv }]) })).json() as { id: string };
    let failed: { state: string; error: { code: string } | null; result: unknown } | undefined;
    for (let i = 0; i < 200; i++) {
      failed = (await clerk.req({ method: 'GET', url: `/api/imports/jobs/${theirs.id}` })).json();
      if (failed!.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'FORBIDDEN' }, result: null });
    // An upload wrong as a whole is refused at once, with the reason, and no job is started.
    const png = await admin.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}/jobs`, ...multipart([{ name: '截图.xlsx', data: Buffer.from('89504e470d0a1a0a', 'hex') }]) });
    expect(png.statusCode).toBe(400);
    expect(png.json().error.message).toMatchObject({ zh: expect.stringContaining('PNG'), en: expect.stringContaining('PNG') });
  });
});
