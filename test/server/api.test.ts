import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountsClock } from '../../src/services/accounts.ts';
import { engines } from '../support/engines.ts';
import { type Client, COUNTY, demoServer, type Fixture, YEAR } from './fixture.ts';

const renderersPresent = ['render-docx', 'render-html', 'render-markdown'].every((n) => existsSync(new URL(`../../src/reports/${n}.ts`, import.meta.url)));
if (!renderersPresent) console.warn('\n!!! the report renderers (src/reports/render-*.ts) are missing: the report download test is SKIPPED.\n');

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

function multipart(fields: Record<string, string>, file: { name: string; data: Buffer }) {
  const boundary = '----xiezuotest';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

for (const engine of await engines()) {
  describe(`HTTP API (${engine})`, () => {
    let f: Fixture;
    let admin: Client;
    beforeAll(async () => {
      f = await demoServer(engine);
      admin = await f.signIn('zhouqu.admin');
    });
    afterAll(async () => { await f?.dispose(); });

    it('refuses a wrong password and slows down the sixth attempt after five wrong ones, even with the right password', async () => {
      const attempt = (password: string) => f.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'auditor', password } });
      for (let i = 0; i < 5; i++) expect((await attempt('wrong password')).statusCode).toBe(401);
      const blocked = await attempt(f.passwords.get('auditor')!);
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(blocked.json().error.message.zh).toMatch(/秒后再试/);
      setAccountsClock(() => new Date(Date.now() + 60_000));
      try {
        expect((await attempt(f.passwords.get('auditor')!)).statusCode).toBe(200);
      } finally {
        setAccountsClock(() => new Date());
      }
    });

    it('sets an HttpOnly SameSite=Strict session cookie and answers 401 without it', async () => {
      const r = await f.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'zhouqu.admin', password: f.passwords.get('zhouqu.admin') } });
      const c = r.cookies.find((x) => x.name === 'xz_session')!;
      expect(c.httpOnly).toBe(true);
      expect(c.sameSite).toBe('Strict');
      expect((await f.app.inject({ method: 'GET', url: `/api/dashboard/${COUNTY}/${YEAR}` })).statusCode).toBe(401);
    });

    it('refuses state-changing requests that lack the CSRF token', async () => {
      const r = await admin.req({ method: 'POST', url: `/api/ledgers/meeting/${COUNTY}/${YEAR}`, headers: { 'x-csrf-token': 'nope' }, payload: {} });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.message.en).toMatch(/CSRF/);
    });

    it('accepts API tokens without CSRF and stops accepting them once revoked', async () => {
      const created = await admin.req({ method: 'POST', url: '/api/tokens', payload: { name: 'nightly export' } });
      expect(created.statusCode).toBe(200);
      const { token, view } = created.json() as { token: string; view: { id: number } };
      const auth = { authorization: `Bearer ${token}` };
      expect((await f.app.inject({ method: 'GET', url: `/api/indicators/${COUNTY}/${YEAR}`, headers: auth })).statusCode).toBe(200);
      const write = await f.app.inject({ method: 'POST', url: `/api/ledgers/meeting/${COUNTY}/${YEAR}`, headers: auth, payload: { type: 'leading_group', date: '2022-12-01', topic: '令牌写入测试' } });
      expect(write.statusCode).toBe(201);
      expect((await admin.req({ method: 'DELETE', url: `/api/tokens/${view.id}` })).statusCode).toBe(204);
      expect((await f.app.inject({ method: 'GET', url: `/api/meta`, headers: auth })).statusCode).toBe(401);
    });

    it('shows the demo dashboard figures', async () => {
      const r = await admin.req({ method: 'GET', url: `/api/dashboard/${COUNTY}/${YEAR}` });
      expect(r.statusCode).toBe(200);
      const d = r.json() as { county: { name: string }; indicators: Array<{ id: string; display: string }> };
      expect(d.county.name).toBe('舟曲县');
      expect(d.indicators.find((i) => i.id === 'funds.disbursement_rate')?.display).toBe('89.45%');
    });

    it('adds up the amounts and counts of every record the filter matches, not only the page shown', async () => {
      type List = { rows: Array<Record<string, unknown>>; total: number; totals: Record<string, number | null> };
      const get = async (q: string) => (await admin.req({ method: 'GET', url: `/api/ledgers/fund_allocation/${COUNTY}/${YEAR}?${q}` })).json() as List;
      const page = await get('limit=2');
      expect(page.rows).toHaveLength(2);
      expect(page.total).toBe(6);
      // 5100万元 in 分: the six allocations of the demo, whatever page is shown.
      expect(page.totals).toEqual({ amount: 5_100_000_000 });
      expect((await get('limit=2&offset=4')).totals).toEqual(page.totals);
      const filtered = await get('limit=1&f.category=labour');
      expect(filtered.total).toBe(1);
      expect(filtered.totals.amount).toBe(filtered.rows[0]!.amount);
      expect((await get('f.category=nothing_like_it')).totals).toEqual({ amount: null });
      // A year and months of 12 describe one record: never added up.
      const villages = (await admin.req({ method: 'GET', url: `/api/ledgers/demo_village/${COUNTY}/${YEAR}` })).json() as List;
      expect(villages.totals).not.toHaveProperty('designated_year');
      const placements = (await admin.req({ method: 'GET', url: `/api/ledgers/labour_placement/${COUNTY}/${YEAR}` })).json() as List;
      expect(placements.totals).not.toHaveProperty('months');
    });

    it('edits a record with optimistic concurrency and the indicator follows', async () => {
      const list = (await admin.req({ method: 'GET', url: `/api/ledgers/fund_allocation/${COUNTY}/${YEAR}?sort=amount&dir=desc&limit=2` })).json() as { rows: Array<Record<string, unknown>>; total: number };
      expect(list.total).toBeGreaterThan(2);
      expect(list.rows).toHaveLength(2);
      const rec = list.rows[0]!;
      const values = { category: rec.category, amount: (rec.amount as number) + 100_000_000, source: rec.source ?? null };
      const dashboard = async () => (await admin.req({ method: 'GET', url: `/api/dashboard/${COUNTY}/${YEAR}` })).json() as { indicators: Array<{ id: string; display: string }> };
      const allocated = (d: Awaited<ReturnType<typeof dashboard>>) => d.indicators.find((i) => i.id === 'funds.allocated')?.display;
      const before = await dashboard();
      // A repeated request (answered from the cached result and its JSON text) is the same answer.
      expect(await dashboard()).toEqual(before);
      const ok = await admin.req({ method: 'PUT', url: `/api/records/fund_allocation/${rec.id}`, payload: { version: rec.version, values } });
      expect(ok.statusCode).toBe(200);
      const stale = await admin.req({ method: 'PUT', url: `/api/records/fund_allocation/${rec.id}`, payload: { version: rec.version, values } });
      expect(stale.statusCode).toBe(409);
      expect(stale.json().error.message.zh).toMatch(/已被他人修改/);
      const ind = (await admin.req({ method: 'GET', url: `/api/indicators/${COUNTY}/${YEAR}` })).json() as { indicators: Array<{ id: string; display: string }> };
      expect(ind.indicators.find((i) => i.id === 'funds.disbursement_rate')?.display).not.toBe('89.45%');
      // The dashboard follows the edit at once: its cached text belonged to the data before it.
      expect(allocated(await dashboard())).not.toBe(allocated(before));
      const back = await admin.req({ method: 'PUT', url: `/api/records/fund_allocation/${rec.id}`, payload: { version: (rec.version as number) + 1, values: { ...values, amount: rec.amount } } });
      expect(back.statusCode).toBe(200);
      expect(await dashboard()).toEqual(before);
    });

    it('answers invalid input with 400 and per-field problems in Chinese and English', async () => {
      const r = await admin.req({ method: 'POST', url: `/api/ledgers/meeting/${COUNTY}/${YEAR}`, payload: { type: 'nonsense', date: '2022-02-30' } });
      expect(r.statusCode).toBe(400);
      const e = r.json().error as { code: string; details: Array<{ field: string; zh: string }> };
      expect(e.code).toBe('INVALID');
      expect(e.details.map((d) => d.field)).toEqual(expect.arrayContaining(['type', 'date', 'topic']));
    });

    it('words every validation message in its own language, also where a schema gives none', async () => {
      const han = /[\u4e00-\u9fff]/;
      const r = await admin.req({ method: 'PUT', url: `/api/targets/62/${YEAR}/funds.disbursement_rate`, payload: { op: 42, value: 7 } });
      expect(r.statusCode).toBe(400);
      const e = r.json().error as { message: { zh: string; en: string }; details: Array<{ field: string; zh: string; en: string }> };
      expect(e.message.en).not.toMatch(han);
      expect(e.message.zh).toMatch(/^请求内容有误/);
      expect(e.message.zh).not.toMatch(/Invalid|expected/);
      for (const d of e.details) {
        expect(d.en).not.toMatch(han);
        expect(d.zh).toMatch(han);
      }
      const meeting = await admin.req({ method: 'POST', url: `/api/ledgers/meeting/${COUNTY}/${YEAR}`, payload: { type: 'plenary', date: '2022-02-01', topic: 5 } });
      const topic = (meeting.json().error.details as Array<{ field: string; zh: string; en: string }>).find((d) => d.field === 'topic')!;
      expect(topic.zh).toMatch(han);
      expect(topic.en).not.toMatch(han);
    });

    it('moves a ledger draft → submitted → approved, locks it, and reopens it; returns need a comment', async () => {
      const clerk = await f.signIn('zhouqu.clerk');
      const base = `/api/workflow/${COUNTY}/${YEAR}/project`;
      expect((await clerk.req({ method: 'POST', url: `${base}/approve`, payload: {} })).statusCode).toBe(403);
      expect((await clerk.req({ method: 'POST', url: `${base}/submit`, payload: {} })).json().status).toBe('submitted');
      expect((await admin.req({ method: 'POST', url: `${base}/return`, payload: {} })).statusCode).toBe(400);
      expect((await admin.req({ method: 'POST', url: `${base}/return`, payload: { comment: '请补充开工日期' } })).json()).toMatchObject({ status: 'returned', comment: '请补充开工日期' });
      await clerk.req({ method: 'POST', url: `${base}/submit`, payload: {} });
      expect((await admin.req({ method: 'POST', url: `${base}/approve`, payload: {} })).json()).toMatchObject({ status: 'approved', updatedBy: 'zhouqu.admin' });
      const rec = ((await clerk.req({ method: 'GET', url: `/api/ledgers/project/${COUNTY}/${YEAR}?limit=1` })).json() as { rows: Array<Record<string, unknown>> }).rows[0]!;
      const locked = await clerk.req({ method: 'DELETE', url: `/api/records/project/${rec.id}?version=${rec.version}` });
      expect(locked.statusCode).toBe(409);
      expect(locked.json().error.message.zh).toMatch(/锁定/);
      expect((await clerk.req({ method: 'POST', url: `${base}/reopen`, payload: {} })).statusCode).toBe(403);
      expect((await admin.req({ method: 'POST', url: `${base}/reopen`, payload: {} })).json().status).toBe('draft');
      const audit = (await admin.req({ method: 'GET', url: `/api/audit?county=${COUNTY}&entity=ledger_state` })).json() as { rows: Array<{ action: string; actor: string }> };
      expect(audit.rows.slice(0, 5).map((r) => `${r.action} ${r.actor}`)).toEqual([
        'workflow.reopen zhouqu.admin', 'workflow.approve zhouqu.admin', 'workflow.submit zhouqu.clerk', 'workflow.return zhouqu.admin', 'workflow.submit zhouqu.clerk',
      ]);
      // People are named as the accounts call them, next to the login names.
      const named = (await admin.req({ method: 'GET', url: `/api/audit?county=${COUNTY}&entity=ledger_state&limit=1` })).json() as { rows: Array<{ actorName: string | null }> };
      expect(named.rows[0]!.actorName).toBe('舟曲县协作办审核员');
      const states = (await admin.req({ method: 'GET', url: `/api/workflow/${COUNTY}/${YEAR}` })).json() as Array<{ ledger: string; updatedByName: string | null }>;
      expect(states.find((s) => s.ledger === 'project')!.updatedByName).toBe('舟曲县协作办审核员');
    });

    it('stores evidence under the data folder, checks type and content, and serves it back', async () => {
      const rec = ((await admin.req({ method: 'GET', url: `/api/ledgers/fund_allocation/${COUNTY}/${YEAR}?limit=1` })).json() as { rows: Array<{ id: number }> }).rows[0]!;
      const up = multipart({ ledger: 'fund_allocation', recordId: String(rec.id) }, { name: '拨付凭证.png', data: PNG });
      const r = await admin.req({ method: 'POST', url: `/api/evidence/${COUNTY}/${YEAR}`, payload: up.payload, headers: up.headers });
      expect(r.statusCode).toBe(201);
      const ev = r.json() as { id: number; mime: string; filename: string };
      expect(ev).toMatchObject({ mime: 'image/png', filename: '拨付凭证.png' });
      const fake = multipart({ ledger: 'fund_allocation', recordId: String(rec.id) }, { name: 'evil.pdf', data: Buffer.from('<script>') });
      expect((await admin.req({ method: 'POST', url: `/api/evidence/${COUNTY}/${YEAR}`, payload: fake.payload, headers: fake.headers })).statusCode).toBe(400);
      const exe = multipart({ indicator: 'funds.disbursement_rate' }, { name: 'tool.exe', data: Buffer.from('MZ') });
      expect((await admin.req({ method: 'POST', url: `/api/evidence/${COUNTY}/${YEAR}`, payload: exe.payload, headers: exe.headers })).statusCode).toBe(400);
      const dl = await admin.req({ method: 'GET', url: `/api/evidence-files/${ev.id}` });
      expect(dl.statusCode).toBe(200);
      expect(dl.rawPayload.equals(PNG)).toBe(true);
      expect(dl.headers['content-disposition']).toContain("filename*=UTF-8''");
      const listed = (await admin.req({ method: 'GET', url: `/api/evidence/${COUNTY}/${YEAR}?ledger=fund_allocation&recordId=${rec.id}` })).json() as unknown[];
      expect(listed).toHaveLength(1);
    });

    it('lets the province set a target and reports the status against it', async () => {
      const province = await f.signIn('gansu.province');
      const r = await province.req({ method: 'PUT', url: `/api/targets/62/${YEAR}/funds.disbursement_rate`, payload: { op: '>=', value: '90' } });
      expect(r.statusCode).toBe(204);
      const ind = (await admin.req({ method: 'GET', url: `/api/indicators/${COUNTY}/${YEAR}` })).json() as { indicators: Array<{ id: string; status: string }> };
      expect(ind.indicators.find((i) => i.id === 'funds.disbursement_rate')?.status).toBe('missed');
      expect((await admin.req({ method: 'PUT', url: `/api/targets/623023/${YEAR}/funds.disbursement_rate`, payload: { op: '>=', value: '50' } })).statusCode).toBe(403);
    });

    it.skipIf(!renderersPresent)('downloads the report as Word and Markdown and previews it as HTML', async () => {
      const docx = await admin.req({ method: 'GET', url: `/api/reports/${COUNTY}/${YEAR}?format=docx` });
      expect(docx.statusCode).toBe(200);
      expect(docx.rawPayload.subarray(0, 2).toString()).toBe('PK');
      const md = await admin.req({ method: 'GET', url: `/api/reports/${COUNTY}/${YEAR}?format=md` });
      expect(md.body).toContain('舟曲县');
      expect(md.headers['content-disposition']).toMatch(/attachment/);
      const html = await admin.req({ method: 'GET', url: `/api/reports/${COUNTY}/${YEAR}` });
      expect(html.headers['content-type']).toMatch(/text\/html/);
    });

    it('exports the ledgers as Excel and serves empty templates', async () => {
      const x = await admin.req({ method: 'GET', url: `/api/exports/${COUNTY}/${YEAR}` });
      expect(x.statusCode).toBe(200);
      expect(x.rawPayload.subarray(0, 2).toString()).toBe('PK');
      expect(x.headers['content-disposition']).toMatch(/\.xlsx/);
      const t = await admin.req({ method: 'GET', url: `/api/templates/${YEAR}?ledger=project` });
      expect(t.statusCode).toBe(200);
      expect((await admin.req({ method: 'GET', url: `/api/templates/${YEAR}?ledger=nonsense` })).statusCode).toBe(400);
    });

    it('publishes an OpenAPI document covering every route', async () => {
      const doc = (await f.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/session', '/api/ledgers/{kind}/{county}/{year}', '/api/workflow/{county}/{year}/{ledger}/{step}', '/api/reports/{county}/{year}']));
      const put = doc.paths['/api/records/{kind}/{id}']!.put as { requestBody: { content: Record<string, { schema: { required: string[] } }> } };
      expect(put.requestBody.content['application/json']!.schema.required).toEqual(['version', 'values']);
      const schemas = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, { type?: string }>; required: string[] }> } }).components.schemas;
      expect(schemas.LedgerInput_fund_allocation!.properties.amount!.type).toBe('integer');
      expect(schemas.LedgerInput_fund_allocation!.required).toEqual(expect.arrayContaining(['category', 'amount']));
    });

    it('lists, sets and deletes reported values; a stale version answers 409 and an unreadable figure 400', async () => {
      const list = (await admin.req({ method: 'GET', url: `/api/reported/${COUNTY}/${YEAR}` })).json() as {
        rows: Array<{ id: number; element: string; dim: string; display: string; version: number }>;
        elements: Array<{ id: string; dims: Array<{ value: string }> | null }>;
      };
      const disbursed = list.rows.find((r) => r.element === 'funds.disbursed')!;
      expect(disbursed.display).toBe('4562.143万元');
      expect(list.elements.find((e) => e.id === 'labour.job_fairs')!.dims!.map((d) => d.value)).toEqual(['online', 'offline']);
      const put = (element: string, payload: object) => admin.req({ method: 'PUT', url: `/api/reported/${COUNTY}/${YEAR}/${element}`, payload });
      const set = await put('funds.disbursed', { text: '4590', note: '财政局拨付台账', version: disbursed.version });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toMatchObject({ display: '4590万元', note: '财政局拨付台账', version: disbursed.version + 1 });
      const dash = (await admin.req({ method: 'GET', url: `/api/dashboard/${COUNTY}/${YEAR}` })).json() as { indicators: Array<{ id: string; display: string }> };
      expect(dash.indicators.find((i) => i.id === 'funds.disbursement_rate')!.display).toBe('90%');
      const stale = await put('funds.disbursed', { text: '1', version: disbursed.version });
      expect(stale.statusCode).toBe(409);
      expect(stale.json().error.message.zh).toContain('已被他人修改');
      expect((await put('funds.disbursed', { text: '三千' })).statusCode).toBe(400);
      expect((await put('labour.job_fairs', { dim: 'zoo', text: '3' })).statusCode).toBe(400);
      expect((await put('funds.disbursed', { text: '4562.143', version: disbursed.version + 1 })).statusCode).toBe(200);
      const fresh = (await put('demo_village.workers', { text: '约12' })).json() as { id: number; version: number; display: string };
      expect(fresh.display).toBe('约12人');
      expect((await admin.req({ method: 'DELETE', url: `/api/reported/${fresh.id}?version=${fresh.version + 1}` })).statusCode).toBe(409);
      expect((await admin.req({ method: 'DELETE', url: `/api/reported/${fresh.id}?version=${fresh.version}` })).statusCode).toBe(204);
      // Gone: answered like an id outside the caller's scope, so ids do not reveal what exists.
      const gone = await admin.req({ method: 'DELETE', url: `/api/reported/${fresh.id}?version=${fresh.version}` });
      expect(gone.statusCode).toBe(403);
      expect(gone.json().error.message.zh).toBe('不存在或无权查看');
    });

    it('keeps figures stated as of a day beside the year\'s, and removes one by its version', async () => {
      const list = (await admin.req({ method: 'GET', url: `/api/reported/${COUNTY}/${YEAR}` })).json() as {
        rows: Array<{ element: string; asOf: string | null }>; dated: Array<{ id: number; element: string; asOf: string; display: string; version: number }>;
      };
      // The demo states the first half's investment by enterprises introduced as of 30 June.
      expect(list.dated.map((r) => [r.element, r.asOf, r.display])).toEqual([['enterprise.investment', '2022-06-30', '257.7万元']]);
      expect(list.rows.every((r) => r.asOf === null)).toBe(true);
      const put = (payload: object) => admin.req({ method: 'PUT', url: `/api/reported/${COUNTY}/${YEAR}/labour.total`, payload });
      const set = await put({ text: '1200', asOf: '2022-06-30', note: '人社局半年统计' });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toMatchObject({ asOf: '2022-06-30', display: '1200人', version: 1 });
      expect((await put({ text: '1', asOf: '2021-06-30' })).statusCode).toBe(400);
      expect((await put({ text: '1', asOf: '30/06/2022' })).statusCode).toBe(400);
      const { id, version } = set.json() as { id: number; version: number };
      expect((await admin.req({ method: 'DELETE', url: `/api/reported/dated/${id}?version=${version + 1}` })).statusCode).toBe(409);
      expect((await admin.req({ method: 'DELETE', url: `/api/reported/dated/${id}?version=${version}` })).statusCode).toBe(204);
      const after = (await admin.req({ method: 'GET', url: `/api/reported/${COUNTY}/${YEAR}` })).json() as { dated: unknown[] };
      expect(after.dated).toHaveLength(1);
    });

    it('edits narrative paragraphs that the report then prints, and offers the indicators with targets for problem notes', async () => {
      const got = (await admin.req({ method: 'GET', url: `/api/narrative/${COUNTY}/${YEAR}` })).json() as {
        rows: Array<{ id: number; section: string; seq: number; version: number }>; indicators: Array<{ id: string; target: string }>;
      };
      expect(got.indicators.length).toBeGreaterThan(0);
      expect(got.indicators.every((i) => i.target)).toBe(true);
      const url = `/api/narrative/${COUNTY}/${YEAR}/plan/42`;
      const created = await admin.req({ method: 'PUT', url, payload: { title: '接口测试计划', body: '明年继续深化劳务协作，\n稳定脱贫群众务工规模。' } });
      expect(created.statusCode).toBe(200);
      const row = created.json() as { id: number; version: number; body: string };
      expect((await admin.req({ method: 'PUT', url, payload: { body: 'x', version: row.version + 5 } })).statusCode).toBe(409);
      expect((await admin.req({ method: 'PUT', url: `/api/narrative/${COUNTY}/${YEAR}/problem_note/7`, payload: { title: 'no.such', body: 'x' } })).statusCode).toBe(400);
      expect((await admin.req({ method: 'PUT', url: `/api/narrative/${COUNTY}/${YEAR}/nonsense/1`, payload: { body: 'x' } })).statusCode).toBe(400);
      if (renderersPresent) {
        const html = (await admin.req({ method: 'GET', url: `/api/reports/${COUNTY}/${YEAR}?format=html` })).body;
        expect(html).toContain('接口测试计划');
        expect(html).toContain('明年继续深化劳务协作，稳定脱贫群众务工规模。');
      }
      expect((await admin.req({ method: 'DELETE', url: `/api/narrative/${row.id}?version=${row.version}` })).statusCode).toBe(204);
      const auditor = await f.signIn('auditor');
      expect((await auditor.req({ method: 'PUT', url, payload: { body: 'x' } })).statusCode).toBe(403);
    });

    it('changes the caller\'s password: the current one is required, other sessions end, this one stays', async () => {
      const me = await f.signIn('heping.user');
      const other = await f.signIn('heping.user');
      const old = f.passwords.get('heping.user')!;
      const change = (current: string, next: string) => me.req({ method: 'PUT', url: '/api/session/password', payload: { current, next } });
      const wrong = await change('not the password', 'a brand new password');
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.details).toEqual([expect.objectContaining({ field: 'current' })]);
      expect((await change(old, 'short')).statusCode).toBe(400);
      expect((await change(old, old)).statusCode).toBe(400);
      expect((await change(old, 'a brand new password')).statusCode).toBe(204);
      expect((await me.req({ method: 'GET', url: '/api/session' })).statusCode).toBe(200);
      expect((await other.req({ method: 'GET', url: '/api/session' })).statusCode).toBe(401);
      expect((await f.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'heping.user', password: old } })).statusCode).toBe(401);
      f.passwords.set('heping.user', 'a brand new password');
      expect((await f.signIn('heping.user')).csrf).toBeTruthy();
    });
  });
}
