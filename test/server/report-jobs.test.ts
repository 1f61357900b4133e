// Zips of every county's report under a unit, written in the background (src/services/report-jobs.ts).
import JSZip from 'jszip';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docxText } from '../../src/reports/docx-text.ts';
import { reportJobsOf } from '../../src/server/routes/reports.ts';
import { refreshConfig } from '../../src/services/config.ts';
import { countiesForJob, FAILURES_FILE, type Renderer, type ReportJob, ReportJobs } from '../../src/services/report-jobs.ts';
import { renderFilesHere, ReportPool } from '../../src/services/report-threads.ts';
import type { Actor } from '../../src/services/scope.ts';
import { synthesize } from '../../src/services/synth.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';
import { COUNTY, demoServer, type Fixture } from './fixture.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const YEAR = 2022;
const ADMIN: Actor = { id: 'admin', name: 'admin', role: 'admin', units: [] };
const user = (id: string, role: Actor['role'], units: string[]): Actor => ({ id, name: id, role, units });

/** A renderer whose reports wait for `open()`, recording which counties it was asked for. */
function gated(): Renderer & { asked: string[]; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const asked: string[] = [];
  return {
    offThread: false, size: 1, asked, open: () => open(),
    renderFiles: async (_s, r) => { asked.push(r.unit); await gate; return [Buffer.from(`# ${r.unit}\n`)]; },
  };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

for (const engine of await engines()) {
  describe(`report zip jobs (${engine})`, () => {
    let t: TestStore;
    /** The synthetic counties: five in Yunnan (53, paired with Shanghai districts), three in Gansu (62, with Tianjin's). */
    let yunnan: string[];
    let gansu: string[];
    beforeAll(async () => {
      t = await freshStore(engine);
      await synthesize(t.store, { counties: 8, year: YEAR, seed: 5 });
      await refreshConfig(t.store);
      const codes = (await t.store.db.selectFrom('report_meta').select('county_code').orderBy('county_code').execute()).map((r) => r.county_code);
      yunnan = codes.filter((c) => c.startsWith('53'));
      gansu = codes.filter((c) => c.startsWith('62'));
    }, 120_000);
    afterAll(async () => { await t?.dispose(); });

    it('writes one Word report and its sources annex per county into the zip, with progress, through the pool', { timeout: 120_000 }, async () => {
      expect(yunnan.length).toBeGreaterThan(1);
      const pool = new ReportPool(t.store.config, 2);
      const jobs = new ReportJobs(t.store, pool);
      const seen: Array<[number, number, string]> = [];
      try {
        const started = await jobs.start(user('p', 'province_user', ['53']), { unit: '53', year: YEAR, format: 'docx', appendix: 'annex' },
          (j, c) => seen.push([j.done, j.total, c.code]));
        expect(started).toMatchObject({ state: 'running', unit: '53', unitName: '云南省', total: yunnan.length, done: 0, failures: [] });
        const job = await jobs.wait(user('p', 'province_user', ['53']), started.id);
        expect(job).toMatchObject({ state: 'done', done: yunnan.length, current: [], failures: [], etaSeconds: null, error: null });
        expect(job.filename).toBe(`53-云南省-${YEAR}-各县自评报告.zip`);
        expect(seen.map(([d]) => d)).toEqual(yunnan.map((_, i) => i + 1));
        expect(seen.map(([, , c]) => c).sort()).toEqual(yunnan);
        const file = jobs.zip(user('p', 'province_user', ['53']), job.id);
        const data = readFileSync(file.path);
        expect(data.length).toBe(job.size);
        const zip = await JSZip.loadAsync(data);
        const names = Object.keys(zip.files);
        expect(names.filter((n) => !n.includes('附件')).map((n) => n.slice(0, 6))).toEqual(yunnan);
        expect(names.filter((n) => n.includes('（数据来源附件）.docx'))).toHaveLength(yunnan.length);
        expect(names).not.toContain(FAILURES_FILE);
        const first = names.find((n) => n.startsWith(yunnan[0]!) && !n.includes('附件'))!;
        expect(first).toMatch(/^\d{6}-.+\.docx$/);
        expect(await docxText(Buffer.from(await zip.file(first)!.async('uint8array')))).toContain(first.slice(7, -5));
      } finally {
        await jobs.close();
        await pool.close();
      }
    });

    it('zips only counties the actor may read, and refuses units outside their scope', async () => {
      const codes = async (a: Actor, unit: string) => (await countiesForJob(t.store, a, unit, YEAR)).map((c) => c.code);
      expect(await codes(user('g', 'province_user', ['62']), '62')).toEqual(gansu);
      expect(await codes(user('g', 'province_user', ['62']), gansu[0]!.slice(0, 4))).toEqual(gansu.filter((c) => c.startsWith(gansu[0]!.slice(0, 4))));
      await expect(codes(user('g', 'province_user', ['62']), '53')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(codes(user('g', 'province_user', ['62']), '')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await codes(ADMIN, '')).toEqual([...yunnan, ...gansu].sort());
      // An eastern user: its own district's (or city's) paired counties, or one paired county; nothing else.
      const pairs = await t.store.db.selectFrom('cooperation_pair').select(['east_code', 'west_code']).orderBy('west_code').execute();
      const p = pairs.find((x) => x.west_code === yunnan[0])!;
      const east = user('e', 'east_user', [p.east_code]);
      expect(await codes(east, p.east_code)).toEqual([p.west_code]);
      expect(await codes(east, p.west_code)).toEqual([p.west_code]);
      await expect(codes(east, yunnan[1]!)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(codes(east, '53')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      // A county user: the own county only.
      const county = user('c', 'county_admin', [yunnan[0]!]);
      expect(await codes(county, yunnan[0]!)).toEqual([yunnan[0]]);
      await expect(codes(county, yunnan[0]!.slice(0, 4))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(codes(county, '53')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      // A token limited to one county, even of a province user.
      await expect(codes({ ...user('g', 'province_user', ['62']), onlyCounty: gansu[0]! }, '62')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await codes({ ...user('g', 'province_user', ['62']), onlyCounty: gansu[0]! }, gansu[0]!)).toEqual([gansu[0]]);
      await expect(codes(ADMIN, '6499')).rejects.toMatchObject({ code: 'NOT_FOUND', en: `no county under 6499 has data for ${YEAR}` });
      await expect(codes(ADMIN, '5')).rejects.toMatchObject({ code: 'INVALID' });
    });

    it('lists a county whose report fails in the job and in the zip, and writes the others', async () => {
      const bad = gansu[1]!;
      const renderer: Renderer = {
        offThread: false, size: 1,
        renderFiles: async (s, r) => {
          if (r.unit === bad) throw new Error('boom');
          return renderFilesHere(s, r);
        },
      };
      const jobs = new ReportJobs(t.store, renderer);
      const job = await jobs.wait(ADMIN, (await jobs.start(ADMIN, { unit: '62', year: YEAR, format: 'md', appendix: 'annex' })).id);
      expect(job.state).toBe('done');
      expect(job.done).toBe(gansu.length);
      expect(job.failures).toEqual([expect.objectContaining({ code: bad, zh: '生成报告时发生内部错误', en: 'an internal error stopped this report' })]);
      const zip = await JSZip.loadAsync(readFileSync(jobs.zip(ADMIN, job.id).path));
      const names = Object.keys(zip.files);
      expect(names.filter((n) => n.endsWith('.md')).map((n) => n.slice(0, 6))).toEqual(gansu.filter((c) => c !== bad));
      const list = await zip.file(FAILURES_FILE)!.async('string');
      expect(list).toContain(`${bad}\t${job.failures[0]!.name}`);
      expect(list).toContain(`1 of ${gansu.length} reports could not be written`);
      expect(await zip.file(names.find((n) => n.endsWith('.md'))!)!.async('string')).toMatch(/自评报告|报告/);
      // When every county fails the job fails as a whole, and has no file.
      const none = new ReportJobs(t.store, { offThread: false, size: 1, renderFiles: async () => { throw new Error('boom'); } });
      const failed = await none.wait(ADMIN, (await none.start(ADMIN, { unit: '62', year: YEAR, format: 'md', appendix: 'annex' })).id);
      expect(failed).toMatchObject({ state: 'failed', error: { code: 'CONFLICT' } });
      expect(failed.failures).toHaveLength(gansu.length);
      expect(() => none.zip(ADMIN, failed.id)).toThrow(expect.objectContaining({ code: 'CONFLICT' }) as Error);
      await jobs.close();
      await none.close();
    });

    it('cancels a running job: no report is started after, and there is nothing to download', async () => {
      const r = gated();
      const jobs = new ReportJobs(t.store, r);
      const job = await jobs.start(ADMIN, { unit: '53', year: YEAR, format: 'md', appendix: 'annex' });
      await until(() => r.asked.length === 1);
      expect(jobs.get(ADMIN, job.id).current).toEqual([expect.objectContaining({ code: yunnan[0] })]);
      expect(() => jobs.zip(ADMIN, job.id)).toThrow(expect.objectContaining({ code: 'CONFLICT', en: `the reports are still being written (0/${yunnan.length})` }) as Error);
      const cancelling = jobs.cancel(ADMIN, job.id);
      r.open();
      const cancelled = await cancelling;
      expect(cancelled).toMatchObject({ state: 'cancelled', done: 0, current: [] });
      expect(cancelled.finishedAt).not.toBeNull();
      expect(r.asked).toEqual([yunnan[0]]);
      expect(() => jobs.zip(ADMIN, job.id)).toThrow(expect.objectContaining({ code: 'CONFLICT' }) as Error);
      // Cancelling a job that has ended discards it.
      await jobs.cancel(ADMIN, job.id);
      expect(() => jobs.get(ADMIN, job.id)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }) as Error);
      await jobs.close();
    });

    it('runs at most a few jobs per user and per server, shows each only to its owner, and forgets finished ones', async () => {
      const r = gated();
      const jobs = new ReportJobs(t.store, r, { perServer: 2, perUser: 1, keepMs: 50 });
      const [a, b, c] = ['a', 'b', 'c'].map((id) => user(id, 'province_user', ['53'])) as [Actor, Actor, Actor];
      const req = { unit: '53', year: YEAR, format: 'md', appendix: 'annex' } as const;
      const ja = await jobs.start(a, req);
      await expect(jobs.start(a, req)).rejects.toMatchObject({ code: 'CONFLICT', en: expect.stringContaining('you already have 1 report zip job') as string });
      const jb = await jobs.start(b, req);
      await expect(jobs.start(c, req)).rejects.toMatchObject({ code: 'CONFLICT', en: expect.stringContaining('too many report zip jobs') as string });
      expect(() => jobs.get(b, ja.id)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }) as Error);
      expect(() => jobs.get(a, '00000000-0000-4000-8000-000000000000')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }) as Error);
      await expect(jobs.cancel(b, ja.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      r.open();
      const done: ReportJob[] = [await jobs.wait(a, ja.id), await jobs.wait(b, jb.id)];
      expect(done.map((j) => j.state)).toEqual(['done', 'done']);
      const jc = await jobs.start(c, req);
      await jobs.wait(c, jc.id);
      await new Promise((res) => setTimeout(res, 80));
      expect(() => jobs.get(a, ja.id)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }) as Error);
      await jobs.close();
      await expect(jobs.start(a, req)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('includes a county that has only entered ledger records (last: it adds a county)', async () => {
      const { createRecord } = await import('../../src/services/ledgers.ts');
      const other = await t.store.db.selectFrom('org_unit').select('code').where('level', '=', 'county').where('code', '>=', '62').where('code', '<', '63')
        .where('code', 'not in', gansu).orderBy('code').executeTakeFirstOrThrow();
      await createRecord(t.store, ADMIN, 'meeting', other.code, YEAR, { type: 'leading_group', date: `${YEAR}-12-20`, topic: '只有台账的县' });
      const listed = (await countiesForJob(t.store, ADMIN, '62', YEAR)).map((c) => c.code);
      expect(listed).toEqual([...gansu, other.code].sort());
    });
  });
}

describe('report zip job routes', () => {
  let f: Fixture;
  beforeAll(async () => { f = await demoServer('sqlite'); });
  afterAll(async () => { await f?.dispose(); });

  it('start, follow, download and discard a province\'s zip; a county user may zip only the own county', { timeout: 120_000 }, async () => {
    const gansu = await f.signIn('gansu.province');
    const started = await gansu.req({ method: 'POST', url: '/api/report-jobs', payload: { unit: '62', year: YEAR } });
    expect(started.statusCode).toBe(202);
    const job = started.json() as ReportJob;
    expect(job).toMatchObject({ state: 'running', unit: '62', unitName: '甘肃省', format: 'docx', appendix: 'annex' });
    expect(job.total).toBeGreaterThanOrEqual(1);
    // Another user is refused this user's job; the file is not there before the job is done.
    const admin = await f.signIn('zhouqu.admin');
    expect((await admin.req({ method: 'GET', url: `/api/report-jobs/${job.id}` })).statusCode).toBe(403);
    await reportJobsOf(f.app)!.idle();
    const done = (await gansu.req({ method: 'GET', url: `/api/report-jobs/${job.id}` })).json() as ReportJob;
    expect(done).toMatchObject({ state: 'done', done: job.total, etaSeconds: null });
    const file = await gansu.req({ method: 'GET', url: `/api/report-jobs/${job.id}/zip` });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/zip');
    expect(file.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(`62-甘肃省-${YEAR}-各县自评报告.zip`)}`);
    const names = Object.keys((await JSZip.loadAsync(file.rawPayload)).files);
    expect(names).toContain(`${COUNTY}-舟曲县.docx`);
    expect(names).toContain(`${COUNTY}-舟曲县（数据来源附件）.docx`);
    expect(names.filter((n) => !n.includes('附件'))).toHaveLength(job.total);
    const gone = await gansu.req({ method: 'DELETE', url: `/api/report-jobs/${job.id}` });
    expect(gone.statusCode).toBe(200);
    expect((await gansu.req({ method: 'GET', url: `/api/report-jobs/${job.id}/zip` })).statusCode).toBe(404);

    const own = await admin.req({ method: 'POST', url: '/api/report-jobs', payload: { unit: COUNTY, year: YEAR, format: 'html' } });
    expect(own.statusCode).toBe(202);
    expect((own.json() as ReportJob).total).toBe(1);
    expect((await admin.req({ method: 'POST', url: '/api/report-jobs', payload: { unit: '6230', year: YEAR } })).statusCode).toBe(403);
    expect((await admin.req({ method: 'POST', url: '/api/report-jobs', payload: { unit: '62', year: YEAR } })).statusCode).toBe(403);
    const bad = await admin.req({ method: 'POST', url: '/api/report-jobs', payload: { unit: '6', year: YEAR, format: 'pdf' } });
    expect(bad.statusCode).toBe(400);
    expect((await admin.req({ method: 'GET', url: '/api/report-jobs/not-a-job' })).statusCode).toBe(400);
    const cancelled = await admin.req({ method: 'DELETE', url: `/api/report-jobs/${(own.json() as ReportJob).id}` });
    expect(cancelled.statusCode).toBe(200);
    expect(['cancelled', 'done']).toContain((cancelled.json() as ReportJob).state);
  });
});
