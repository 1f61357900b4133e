import { existsSync } from 'node:fs';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../src/server/http.ts';
import { accountsDb } from '../../src/store/schema-accounts.ts';
import { createApiToken, createUser, DEMO_ACCOUNTS, verifyPassword } from '../../src/services/accounts.ts';
import { showConfig, showReportTemplate } from '../../src/services/config-admin.ts';
import { addEvidence } from '../../src/services/evidence.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { listNarratives, setNarrative, setReported } from '../../src/services/reported.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { startImportJob } from '../../src/services/import-jobs.ts';
import { reportJobsOf } from '../../src/server/routes/reports.ts';
import { engines } from '../support/engines.ts';
import { type Client, COUNTY, demoServer, type Fixture, OUTSIDERS, YEAR } from './fixture.ts';

/**
 * Every route × every role: users whose units do not cover 舟曲县 are refused (403) on every route
 * that touches its data, and see nothing of it in lists; users inside are allowed exactly what their
 * role may do. A route added without a row here fails the completeness check.
 */
type Role = 'county_clerk' | 'county_admin' | 'east_user' | 'province_user' | 'auditor' | 'admin';
type Kind = 'self' | 'read' | 'write' | 'list' | 'admin';
interface Case {
  kind: Kind;
  build: (f: Fixture, c: Client) => Promise<InjectOptions>;
  /** Status for users inside the county's scope; outsiders always get 403 on read/write routes. */
  inside?: (role: Role) => number;
  /** For list routes: does the answer mention the county? */
  mentions?: (body: string) => boolean;
}

const renderersPresent = ['render-docx', 'render-html', 'render-markdown'].every((n) => existsSync(new URL(`../../src/reports/${n}.ts`, import.meta.url)));
if (!renderersPresent) console.warn('\n!!! the report renderers are missing: the report row of the scope matrix checks refusals only.\n');

let seq = 0;
/** A fresh account for the account-administration rows, so no row changes a user the matrix signs in with. */
const matrixUser = async (f: Fixture): Promise<string> => {
  const username = `matrix.user${++seq}`;
  await createUser(f.store, { username, displayName: '矩阵用户', password: 'a long enough password', role: 'auditor', units: [COUNTY] });
  return username;
};
/**
 * A password change for the caller. The passes that expect 401/403 build it too without it taking
 * effect, so the password in force is looked up rather than assumed; the fixture's map follows it.
 */
const earlier = new Map<string, string>();
const passwordChange = async (f: Fixture, c: Client): Promise<InjectOptions> => {
  const { password_hash: hash } = await accountsDb(f.store).selectFrom('app_user').select('password_hash').where('username', '=', c.username).executeTakeFirstOrThrow();
  const known = f.passwords.get(c.username)!;
  const current = (await verifyPassword(known, hash)) ? known : earlier.get(c.username)!;
  const next = `${current.slice(0, 20)} ${++seq}`;
  earlier.set(c.username, current);
  f.passwords.set(c.username, next);
  return { method: 'PUT', url: '/api/session/password', payload: { current, next } };
};
const freshAllocation = async (f: Fixture) =>
  createRecord(f.store, SYSTEM, 'fund_allocation', COUNTY, YEAR, { category: 'industry', amount: 1_000_000, source: `矩阵测试${++seq}` });
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const writers = (ok: number) => (r: Role) => (r === 'county_admin' || r === 'admin' ? ok : 403);
/** Reported values and narrative belong to no department's ledger: every county user of the county may change them. */
const countyUsers = (ok: number) => (r: Role) => (r === 'county_clerk' || r === 'county_admin' || r === 'admin' ? ok : 403);
/** Configuration of a province: its province users and administrators. */
const provinceUsers = (ok: number) => (r: Role) => (r === 'province_user' || r === 'admin' ? ok : 403);
/** Years opened by the matrix, one per successful call. */
let openedYear = 2030;
const freshNarrative = async (f: Fixture) => {
  const n = 100 + (++seq % 800);
  await setNarrative(f.store, SYSTEM, COUNTY, YEAR, { section: 'plan', seq: n, title: '矩阵测试', body: '矩阵测试段落。' });
  return (await listNarratives(f.store, SYSTEM, COUNTY, YEAR)).find((x) => x.section === 'plan' && Number(x.seq) === n)!;
};

/**
 * A report zip job of the caller's over the county, or, for a caller refused one, the system's (which
 * the caller must then be refused too). One job at a time, so the server's and users' caps never bite.
 */
const zipJob = async (f: Fixture, c: Client, opts: { settled?: boolean } = {}): Promise<string> => {
  const jobs = reportJobsOf(f.app)!;
  await jobs.idle();
  const own = await c.req({ method: 'POST', url: '/api/report-jobs', payload: { unit: COUNTY, year: YEAR, format: 'md' } });
  const id = own.statusCode === 202 ? (own.json() as { id: string }).id
    : (await jobs.start(SYSTEM, { unit: COUNTY, year: YEAR, format: 'md', appendix: 'annex' })).id;
  if (opts.settled) await jobs.idle();
  return id;
};

const CASES: Record<string, Case> = {
  'GET /api/session': { kind: 'self', build: async () => ({ method: 'GET', url: '/api/session' }) },
  'DELETE /api/session': { kind: 'self', build: async () => ({ method: 'DELETE', url: '/api/session' }) },
  'GET /api/tokens': { kind: 'self', build: async () => ({ method: 'GET', url: '/api/tokens' }) },
  'POST /api/tokens': { kind: 'self', build: async () => ({ method: 'POST', url: '/api/tokens', payload: { name: 'matrix' } }) },
  'DELETE /api/tokens/:id': {
    kind: 'self',
    build: async (_f, c) => {
      const t = (await c.req({ method: 'POST', url: '/api/tokens', payload: { name: 'to revoke' } })).json() as { view: { id: number } };
      return { method: 'DELETE', url: `/api/tokens/${t.view.id}` };
    },
  },
  'PUT /api/session/password': { kind: 'self', build: passwordChange },
  'GET /api/meta': { kind: 'self', build: async () => ({ method: 'GET', url: '/api/meta' }) },
  'GET /api/categories/:year': { kind: 'self', build: async () => ({ method: 'GET', url: `/api/categories/${YEAR}` }) },
  'GET /api/units/mine': { kind: 'self', build: async () => ({ method: 'GET', url: `/api/units/mine?county=${COUNTY}` }) },
  'GET /api/users': { kind: 'admin', build: async () => ({ method: 'GET', url: '/api/users' }) },
  'POST /api/users': {
    kind: 'admin',
    build: async () => ({ method: 'POST', url: '/api/users', payload: { username: `new.user${++seq}`, displayName: '新用户', password: 'a long enough password', role: 'auditor', units: [COUNTY] } }),
  },
  'PUT /api/users/:username': { kind: 'admin', build: async (f) => ({ method: 'PUT', url: `/api/users/${await matrixUser(f)}`, payload: { displayName: '改名后' } }) },
  'POST /api/users/:username/unlock': { kind: 'admin', build: async (f) => ({ method: 'POST', url: `/api/users/${await matrixUser(f)}/unlock`, payload: {} }) },
  'POST /api/users/:username/password': { kind: 'admin', build: async (f) => ({ method: 'POST', url: `/api/users/${await matrixUser(f)}/password`, payload: {} }) },
  'GET /api/users/:username/tokens': { kind: 'admin', build: async (f) => ({ method: 'GET', url: `/api/users/${await matrixUser(f)}/tokens` }) },
  'DELETE /api/users/:username/tokens/:id': {
    kind: 'admin',
    build: async (f) => {
      const u = await matrixUser(f);
      const t = await createApiToken(f.store, u, 'matrix');
      return { method: 'DELETE', url: `/api/users/${u}/tokens/${t.view.id}` };
    },
  },
  'GET /api/counties': { kind: 'list', build: async () => ({ method: 'GET', url: '/api/counties' }), mentions: (b) => b.includes(COUNTY) },
  'GET /api/overview/:year': { kind: 'list', build: async () => ({ method: 'GET', url: `/api/overview/${YEAR}` }), mentions: (b) => b.includes(COUNTY) },
  'GET /api/rankings/:year/:indicator': { kind: 'list', build: async () => ({ method: 'GET', url: `/api/rankings/${YEAR}/funds.allocated` }), mentions: (b) => b.includes(COUNTY) },
  'GET /api/ledgers/:kind/:county/:year': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/ledgers/fund_allocation/${COUNTY}/${YEAR}` }) },
  'POST /api/ledgers/:kind/:county/:year': {
    kind: 'write', inside: writers(201),
    build: async () => ({ method: 'POST', url: `/api/ledgers/fund_allocation/${COUNTY}/${YEAR}`, payload: { category: 'industry', amount: 5, source: `矩阵新建${++seq}` } }),
  },
  'GET /api/records/:kind/:id': { kind: 'read', build: async (f) => ({ method: 'GET', url: `/api/records/fund_allocation/${(await freshAllocation(f)).id}` }) },
  'PUT /api/records/:kind/:id': {
    kind: 'write', inside: writers(200),
    build: async (f) => {
      const r = await freshAllocation(f);
      return { method: 'PUT', url: `/api/records/fund_allocation/${r.id}`, payload: { version: r.version, values: { category: 'industry', amount: 7, source: r.source } } };
    },
  },
  'DELETE /api/records/:kind/:id': {
    kind: 'write', inside: writers(204),
    build: async (f) => { const r = await freshAllocation(f); return { method: 'DELETE', url: `/api/records/fund_allocation/${r.id}?version=${r.version}` }; },
  },
  'GET /api/workflow/:county/:year': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/workflow/${COUNTY}/${YEAR}` }) },
  'POST /api/workflow/:county/:year/:ledger/:step': {
    kind: 'write', inside: writers(200),
    build: async (f) => {
      await f.store.db.deleteFrom('ledger_state').where('county_code', '=', COUNTY).where('year', '=', YEAR).where('ledger', '=', 'fund_allocation').execute();
      return { method: 'POST', url: `/api/workflow/${COUNTY}/${YEAR}/fund_allocation/submit`, payload: {} };
    },
  },
  'PUT /api/workflow/:county/:year/:ledger/completeness': {
    kind: 'write', inside: writers(200),
    build: async (f) => {
      await f.store.db.deleteFrom('ledger_state').where('county_code', '=', COUNTY).where('year', '=', YEAR).where('ledger', '=', 'fund_allocation').execute();
      return { method: 'PUT', url: `/api/workflow/${COUNTY}/${YEAR}/fund_allocation/completeness`, payload: { completeness: 'complete' } };
    },
  },
  'GET /api/audit': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/audit?county=${COUNTY}` }) },
  'GET /api/indicators/:county/:year': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/indicators/${COUNTY}/${YEAR}` }) },
  // The paired counties of the county's eastern partner added up: that partner's users and administrators only (a read, checked like a write's roles).
  'GET /api/partners/:east/indicators/:year': {
    kind: 'write', inside: (r) => (r === 'east_user' || r === 'admin' ? 200 : 403),
    build: async (f) => {
      const { east_code: east } = await f.store.db.selectFrom('cooperation_pair').select('east_code').where('west_code', '=', COUNTY).executeTakeFirstOrThrow();
      return { method: 'GET', url: `/api/partners/${east}/indicators/${YEAR}` };
    },
  },
  'PUT /api/targets/:org/:year/:indicator': {
    kind: 'write', inside: (r) => (r === 'province_user' || r === 'admin' ? 204 : 403),
    build: async () => ({ method: 'PUT', url: `/api/targets/${COUNTY}/${YEAR}/funds.disbursement_rate`, payload: { op: '>=', value: '85' } }),
  },
  'PUT /api/claims/:county/:year/:indicator': {
    kind: 'write', inside: (r) => (r === 'county_clerk' || r === 'county_admin' || r === 'admin' ? 204 : 403),
    build: async () => ({ method: 'PUT', url: `/api/claims/${COUNTY}/${YEAR}/labour.transferred`, payload: { status: 'exceeded', note: 'matrix' } }),
  },
  'GET /api/dashboard/:county/:year': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/dashboard/${COUNTY}/${YEAR}` }) },
  // Until the report renderers exist the route can only fail after its scope check; outsiders still get 403.
  'GET /api/reports/:county/:year': { kind: 'write', inside: () => (renderersPresent ? 200 : 500), build: async () => ({ method: 'GET', url: `/api/reports/${COUNTY}/${YEAR}?format=md` }) },
  // Every user who may read the county may zip its report (a county user only its own county); each sees only the jobs they started.
  'POST /api/report-jobs': {
    kind: 'write', inside: () => 202,
    build: async (f) => { await reportJobsOf(f.app)!.idle(); return { method: 'POST', url: '/api/report-jobs', payload: { unit: COUNTY, year: YEAR, format: 'md' } }; },
  },
  'GET /api/report-jobs/:id': { kind: 'write', inside: () => 200, build: async (f, c) => ({ method: 'GET', url: `/api/report-jobs/${await zipJob(f, c)}` }) },
  'GET /api/report-jobs/:id/zip': {
    kind: 'write', inside: () => (renderersPresent ? 200 : 409),
    build: async (f, c) => ({ method: 'GET', url: `/api/report-jobs/${await zipJob(f, c, { settled: true })}/zip` }),
  },
  'DELETE /api/report-jobs/:id': { kind: 'write', inside: () => 200, build: async (f, c) => ({ method: 'DELETE', url: `/api/report-jobs/${await zipJob(f, c)}` }) },
  'GET /api/exports/:county/:year': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/exports/${COUNTY}/${YEAR}?ledger=fund_allocation` }) },
  'GET /api/templates/:year': { kind: 'self', build: async () => ({ method: 'GET', url: `/api/templates/${YEAR}?ledger=fund_allocation` }) },
  'GET /api/evidence/:county/:year': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/evidence/${COUNTY}/${YEAR}` }) },
  'POST /api/evidence/:county/:year': {
    kind: 'write', inside: writers(201),
    build: async (f) => {
      const r = await freshAllocation(f);
      const b = '----m';
      const payload = Buffer.concat([
        Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="ledger"\r\n\r\nfund_allocation\r\n--${b}\r\nContent-Disposition: form-data; name="recordId"\r\n\r\n${r.id}\r\n`),
        Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n`), PNG, Buffer.from(`\r\n--${b}--\r\n`),
      ]);
      return { method: 'POST', url: `/api/evidence/${COUNTY}/${YEAR}`, payload, headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
    },
  },
  'GET /api/evidence-files/:id': {
    kind: 'read',
    build: async (f) => {
      const r = await freshAllocation(f);
      const e = await addEvidence(f.store, SYSTEM, f.dataDir, { county: COUNTY, year: YEAR, ledger: 'fund_allocation', recordId: r.id }, { filename: 'x.png', data: PNG });
      return { method: 'GET', url: `/api/evidence-files/${e.id}` };
    },
  },
  'DELETE /api/evidence-files/:id': {
    kind: 'write', inside: writers(204),
    build: async (f) => {
      const r = await freshAllocation(f);
      const e = await addEvidence(f.store, SYSTEM, f.dataDir, { county: COUNTY, year: YEAR, ledger: 'fund_allocation', recordId: r.id }, { filename: 'x.png', data: PNG });
      return { method: 'DELETE', url: `/api/evidence-files/${e.id}` };
    },
  },
  'POST /api/imports/:county/:year': {
    kind: 'write', inside: writers(200),
    build: async (f) => {
      // The workflow row above may have locked the ledger; an import into a locked ledger is refused as a whole.
      await f.store.db.deleteFrom('ledger_state').where('county_code', '=', COUNTY).where('year', '=', YEAR).where('ledger', '=', 'fund_allocation').execute();
      const b = '----i';
      const csv = `资金用途类别,金额,资金来源\r\nindustry,3,矩阵导入${++seq}\r\n`;
      const payload = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="files"; filename="资金.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${b}--\r\n`);
      return { method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}?dryRun=false`, payload, headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
    },
  },
  'POST /api/figure-audit': { kind: 'self', build: async () => ({ method: 'POST', url: '/api/figure-audit', payload: { text: '共3场（其中线上1场，线下2场）。' } }) },
  'POST /api/figure-audit/:county/:year': { kind: 'read', build: async () => ({ method: 'POST', url: `/api/figure-audit/${COUNTY}/${YEAR}`, payload: { text: '结对帮扶共计36对。' } }) },
  'POST /api/imports/:county/:year/jobs': {
    // A clerk may start a job; the ledgers it recognises outside the clerk's department fail the job
    // as a whole, with nothing written (test/server/imports.test.ts).
    kind: 'write', inside: countyUsers(202),
    build: async (f) => {
      await f.store.db.deleteFrom('ledger_state').where('county_code', '=', COUNTY).where('year', '=', YEAR).where('ledger', '=', 'fund_allocation').execute();
      const b = '----j';
      const csv = `资金用途类别,金额,资金来源\r\nindustry,3,矩阵任务${++seq}\r\n`;
      const payload = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="files"; filename="资金.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${b}--\r\n`);
      return { method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}/jobs`, payload, headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
    },
  },
  'GET /api/imports/jobs/:id': {
    // Only the user who started a job sees it: county users read their own, everyone else is refused someone else's.
    kind: 'write', inside: countyUsers(200),
    build: async (f, c) => {
      const b = '----k';
      const payload = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="files"; filename="资金.csv"\r\nContent-Type: text/csv\r\n\r\n资金用途类别,金额,资金来源\r\nindustry,3,矩阵\r\n\r\n--${b}--\r\n`);
      const own = await c.req({ method: 'POST', url: `/api/imports/${COUNTY}/${YEAR}/jobs`, payload, headers: { 'content-type': `multipart/form-data; boundary=${b}` } });
      const id = own.statusCode === 202 ? (own.json() as { id: string }).id
        : startImportJob(f.store, SYSTEM, [{ name: '资金.csv', data: Buffer.from('资金用途类别,金额,资金来源\r\nindustry,3,矩阵\r\n') }], { county: COUNTY, year: YEAR, dryRun: true }).id;
      return { method: 'GET', url: `/api/imports/jobs/${id}` };
    },
  },
  'GET /api/reported/:county/:year': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/reported/${COUNTY}/${YEAR}` }) },
  'PUT /api/reported/:county/:year/:element': {
    kind: 'write', inside: countyUsers(200),
    build: async () => ({ method: 'PUT', url: `/api/reported/${COUNTY}/${YEAR}/demo_village.workers`, payload: { text: String(++seq % 50 + 1) } }),
  },
  'DELETE /api/reported/dated/:id': {
    kind: 'write', inside: countyUsers(204),
    build: async (f) => {
      const r = await setReported(f.store, SYSTEM, COUNTY, YEAR, { element: 'donation.social_orgs', text: '3', asOf: `${YEAR}-06-${String(++seq % 28 + 1).padStart(2, '0')}` });
      return { method: 'DELETE', url: `/api/reported/dated/${r.id}?version=${r.version}` };
    },
  },
  'DELETE /api/reported/:id': {
    kind: 'write', inside: countyUsers(204),
    build: async (f) => {
      const r = await setReported(f.store, SYSTEM, COUNTY, YEAR, { element: 'donation.social_orgs', text: '3' });
      return { method: 'DELETE', url: `/api/reported/${r.id}?version=${r.version}` };
    },
  },
  'GET /api/warnings/:unit': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/warnings/${COUNTY}?asOf=${YEAR}-06-30` }) },
  'PUT /api/warnings/:county/:year/ack': {
    kind: 'write', inside: countyUsers(200),
    build: async () => ({ method: 'PUT', url: `/api/warnings/${COUNTY}/${YEAR}/ack`, payload: { key: 'ledger.stale:fund_disbursement', note: `矩阵说明${++seq}` } }),
  },
  'POST /api/warnings/:county/:year/drafts': {
    kind: 'write', inside: countyUsers(200),
    build: async () => ({ method: 'POST', url: `/api/warnings/${COUNTY}/${YEAR}/drafts`, payload: { replace: true } }),
  },
  'GET /api/narrative/:county/:year': { kind: 'read', build: async () => ({ method: 'GET', url: `/api/narrative/${COUNTY}/${YEAR}` }) },
  'PUT /api/narrative/:county/:year/:section/:seq': {
    kind: 'write', inside: countyUsers(200),
    build: async () => ({ method: 'PUT', url: `/api/narrative/${COUNTY}/${YEAR}/plan/99`, payload: { title: '矩阵', body: `矩阵测试${++seq}。` } }),
  },
  'DELETE /api/narrative/:id': {
    kind: 'write', inside: countyUsers(204),
    build: async (f) => { const n = await freshNarrative(f); return { method: 'DELETE', url: `/api/narrative/${n.id}?version=${n.version}` }; },
  },
  'GET /api/config/:year/:unit': { kind: 'self', build: async () => ({ method: 'GET', url: `/api/config/${YEAR}/62` }) },
  'PUT /api/config/:year/:unit/categories/:list': {
    kind: 'write', inside: provinceUsers(200),
    build: async (f) => {
      const items = (await showConfig(f.store, YEAR, '62')).categories.find((c) => c.name === 'labour_destination')!.items;
      return { method: 'PUT', url: `/api/config/${YEAR}/62/categories/labour_destination`, payload: { items: [...items.filter((i) => !i.value.startsWith('matrix_')), { value: `matrix_${++seq}`, zh: '矩阵', en: 'Matrix' }] } };
    },
  },
  'PUT /api/config/:year/:unit/rounding': {
    kind: 'write', inside: provinceUsers(200),
    build: async () => ({ method: 'PUT', url: `/api/config/${YEAR}/62/rounding`, payload: { rates: { mode: 'half_up', decimals: ++seq % 4 } } }),
  },
  'PUT /api/config/:year/:unit/elements': {
    kind: 'write', inside: provinceUsers(200),
    build: async () => ({ method: 'PUT', url: `/api/config/${YEAR}/62/elements`, payload: { elements: [{ id: 'own.matrix', zh: `矩阵${++seq}`, en: 'Matrix', unit: 'items', section: 'other' }] } }),
  },
  'GET /api/config/:year/:unit/report': { kind: 'self', build: async () => ({ method: 'GET', url: `/api/config/${YEAR}/62/report` }) },
  'PUT /api/config/:year/:unit/report': {
    kind: 'write', inside: provinceUsers(200),
    build: async (f) => {
      const yaml = (await showReportTemplate(f.store, YEAR, '62')).yaml.replace(/^title: .*$/m, `title: "{unit}自评报告（矩阵${++seq}）"`);
      return { method: 'PUT', url: `/api/config/${YEAR}/62/report`, payload: { yaml } };
    },
  },
  'POST /api/years/:county/:year/open': {
    kind: 'write', inside: countyUsers(200),
    build: async () => ({ method: 'POST', url: `/api/years/${COUNTY}/${++openedYear}/open`, payload: {} }),
  },
};
const PUBLIC = ['POST /api/session', 'GET /api/health'];

for (const engine of await engines()) {
  describe(`scope matrix: every route × every role (${engine})`, () => {
    let f: Fixture;
    const clients = new Map<string, { client: Client; role: Role; inside: boolean }>();
    beforeAll(async () => {
      f = await demoServer(engine);
      for (const a of DEMO_ACCOUNTS) clients.set(a.username, { client: await f.signIn(a.username), role: a.role, inside: true });
      for (const a of OUTSIDERS) clients.set(a.username, { client: await f.signIn(a.username), role: a.role, inside: false });
    });
    afterAll(async () => { await f?.dispose(); });

    it('has a row for every registered route, and only the sign-in and health routes are public', () => {
      const registered = routesOf(f.app).map((r) => `${r.method} ${r.url}`);
      expect(registered.filter((k) => !PUBLIC.includes(k)).sort()).toEqual(Object.keys(CASES).sort());
      expect(routesOf(f.app).filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`).sort()).toEqual([...PUBLIC].sort());
    });

    for (const [key, c] of Object.entries(CASES)) {
      it(`${key}`, async () => {
        const outcomes: string[] = [];
        const expected: string[] = [];
        for (const [username, { client, role, inside }] of clients) {
          // Signing out would end the shared session: use a fresh one for that row.
          const who = key === 'DELETE /api/session' ? await f.signIn(username) : client;
          const res = await who.req(await c.build(f, who));
          let want: number;
          switch (c.kind) {
            case 'self': want = res.statusCode < 300 ? res.statusCode : -1; break;
            case 'admin': want = role === 'admin' ? (res.statusCode < 300 ? res.statusCode : -1) : 403; break;
            case 'list':
              want = 200;
              expect(c.mentions!(res.body), `${username} ${key} mentions ${COUNTY}`).toBe(inside);
              break;
            case 'read': want = inside ? 200 : 403; break;
            case 'write': want = inside ? c.inside!(role) : 403; break;
          }
          outcomes.push(`${username}:${res.statusCode}`);
          expected.push(`${username}:${want}`);
        }
        expect(outcomes).toEqual(expected);
      });
    }

    it('answers 401 on every non-public route without a session', async () => {
      const c = clients.get('admin')!.client;
      for (const [key, cs] of Object.entries(CASES)) {
        const opts = await cs.build(f, c);
        const r = await f.app.inject({ ...opts, headers: { ...(opts.headers ?? {}) } });
        expect(`${key}:${r.statusCode}`).toBe(`${key}:401`);
      }
    });

    it('answers 403 on every state-changing route when the CSRF token is missing', async () => {
      const c = clients.get('admin')!.client;
      for (const [key, cs] of Object.entries(CASES)) {
        if (key.startsWith('GET ')) continue;
        const opts = await cs.build(f, c);
        const headers = { ...(opts.headers ?? {}) } as Record<string, string>;
        const r = await f.app.inject({ ...opts, headers, cookies: { xz_session: c.cookie } });
        expect(`${key}:${r.statusCode}`).toBe(`${key}:403`);
      }
    });

    it('refuses an audit query without a county for everyone but administrators', async () => {
      for (const [username, { client, role }] of clients) {
        const r = await client.req({ method: 'GET', url: '/api/audit' });
        expect(`${username}:${r.statusCode}`).toBe(`${username}:${role === 'admin' ? 200 : 403}`);
      }
    });
  });
}
