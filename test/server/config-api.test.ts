import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/services/audit.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines } from '../support/engines.ts';
import { type Client, COUNTY, demoServer, type Fixture, OTHER_COUNTY, YEAR } from './fixture.ts';

type Item = { value: string; zh: string; en: string; retired?: boolean };
type Lists = Record<string, Item[]>;
const SHAANXI = '610102';

/** Configuration and years through the API, on both engines. */
for (const engine of await engines()) {
  describe(`configuration API (${engine})`, () => {
    let f: Fixture;
    let gansu: Client;
    let qinghai: Client;
    let clerk: Client;
    beforeAll(async () => {
      f = await demoServer(engine);
      gansu = await f.signIn('gansu.province');
      qinghai = await f.signIn('qinghai.province');
      clerk = await f.signIn('zhouqu.clerk');
    }, 120_000);
    afterAll(async () => { await f?.dispose(); });

    const lists = async (c: Client, year: number, county: string) => (await c.req({ method: 'GET', url: `/api/categories/${year}?county=${county}` })).json() as Lists;

    it('a province user replaces her province\'s labour destinations; the forms of another province keep theirs', async () => {
      const before = (await lists(gansu, YEAR, COUNTY)).labour_destination!;
      const shaanxi = (await lists(gansu, YEAR, SHAANXI)).labour_destination!;
      const items = [...before, { value: 'public_post', zh: '公益性岗位', en: 'Public-welfare posts' }];
      const r = await gansu.req({ method: 'PUT', url: `/api/config/${YEAR}/62/categories/labour_destination`, payload: { items } });
      expect(r.statusCode).toBe(200);
      expect((await lists(gansu, YEAR, COUNTY)).labour_destination!.map((i) => i.value)).toContain('public_post');
      expect((await lists(gansu, YEAR, OTHER_COUNTY)).labour_destination!.map((i) => i.value)).toContain('public_post');
      expect((await lists(gansu, YEAR + 1, COUNTY)).labour_destination!.map((i) => i.value)).toContain('public_post');
      expect((await lists(gansu, YEAR, SHAANXI)).labour_destination).toEqual(shaanxi);
      const refused = await qinghai.req({ method: 'PUT', url: `/api/config/${YEAR}/62/categories/labour_destination`, payload: { items: before } });
      expect(refused.statusCode).toBe(403);
      const bad = await gansu.req({ method: 'PUT', url: `/api/config/${YEAR}/62/categories/labour_destination`, payload: { items: [{ value: 'Has Space', zh: '', en: 'x' }] } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message.zh).toContain('items.0.value');
    });

    it('a province user sets truncation for her province; the county sees it, another province does not', async () => {
      const r = await gansu.req({ method: 'PUT', url: `/api/config/${YEAR}/62/rounding`, payload: { rates: { mode: 'truncate', decimals: 2 }, indicators: { 'funds.disbursement_rate': { mode: 'half_up', decimals: 0 } } } });
      expect(r.statusCode).toBe(200);
      const county = (await gansu.req({ method: 'GET', url: `/api/config/${YEAR}/${COUNTY}` })).json() as { rounding: { rates: unknown; indicators: Record<string, unknown> } };
      expect(county.rounding.rates).toEqual({ mode: 'truncate', decimals: 2 });
      expect(county.rounding.indicators['funds.disbursement_rate']).toEqual({ mode: 'half_up', decimals: 0 });
      const other = (await gansu.req({ method: 'GET', url: `/api/config/${YEAR}/12` })).json() as { rounding: { rates: unknown } };
      expect(other.rounding.rates).toEqual({ mode: 'half_up', decimals: 2 });
      expect((await qinghai.req({ method: 'PUT', url: `/api/config/${YEAR}/62/rounding`, payload: { rates: { mode: 'half_up', decimals: 1 } } })).statusCode).toBe(403);
      const audit = await listAudit(f.store, SYSTEM, { entity: 'config' });
      expect(audit.rows.map((x) => `${x.action} ${x.actor}`)).toEqual(['config.rounding gansu.province', 'config.categories gansu.province']);
    });

    it('answers 400 with one bilingual message for a year without configuration, on every year-taking route', async () => {
      const admin = await f.signIn('admin');
      for (const url of [`/api/categories/2020`, `/api/config/2020/62`, `/api/indicators/${COUNTY}/2020`, `/api/reports/${COUNTY}/2020?format=md`, `/api/templates/2020`, `/api/exports/${COUNTY}/2020`, `/api/reported/${COUNTY}/2020`]) {
        const r = await admin.req({ method: 'GET', url });
        expect(`${url} ${r.statusCode}`).toBe(`${url} 400`);
        const m = r.json().error.message as { zh: string; en: string };
        expect(m.zh).toContain('从2021年开始');
        expect(m.en).toContain('starts in 2021');
      }
      const b = '----y';
      const csv = '资金用途类别,金额\r\nindustry,3\r\n';
      const imp = await admin.req({
        method: 'POST', url: `/api/imports/${COUNTY}/2020`, headers: { 'content-type': `multipart/form-data; boundary=${b}` },
        payload: Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="files"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${b}--\r\n`),
      });
      expect(imp.statusCode).toBe(400);
      expect(imp.json().error.message.en).toContain('starts in 2021');
      const open = await clerk.req({ method: 'POST', url: `/api/years/${COUNTY}/2020/open`, payload: {} });
      expect(open.statusCode).toBe(400);
    });

    it('a clerk opens 2023 and the county list offers it at once; a second open is refused', async () => {
      const r = await clerk.req({ method: 'POST', url: `/api/years/${COUNTY}/2023/open`, payload: {} });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ county: COUNTY, year: 2023, from: 2022 });
      const counties = (await clerk.req({ method: 'GET', url: '/api/counties' })).json() as Array<{ code: string; years: number[] }>;
      expect(counties.find((c) => c.code === COUNTY)!.years).toContain(2023);
      const again = await clerk.req({ method: 'POST', url: `/api/years/${COUNTY}/2023/open`, payload: {} });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.message.zh).toContain('已经开启');
      const projects = (await clerk.req({ method: 'GET', url: `/api/ledgers/project/${COUNTY}/2023` })).json() as { total: number };
      expect(projects.total).toBe(r.json().carried.projects);
    });
  });
}
