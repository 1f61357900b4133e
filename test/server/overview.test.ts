import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { createApiToken, createUser } from '../../src/services/accounts.ts';
import { catalogueFor } from '../../src/services/catalogue.ts';
import { publicIndicator } from '../../src/services/indicator-view.ts';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { rankCounties } from '../../src/services/indicator-sets.ts';
import { computeOverview, OverviewService, warmViewsFromEnv } from '../../src/services/overview.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { ledgerStates, transition } from '../../src/services/workflow.ts';
import { synthesize } from '../../src/services/synth.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

describe('national overview off the request path (SQLite file, worker thread)', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let auth: { authorization: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-overview-'));
    store = openStore({ engine: 'sqlite', file: join(dir, 'x.sqlite') });
    await migrate(store);
    await synthesize(store, { counties: 8, year: 2022, seed: 5 });
    await createUser(store, { username: 'nation', displayName: 'nation', password: 'correct horse battery', role: 'admin', units: [] });
    auth = { authorization: `Bearer ${(await createApiToken(store, 'nation', 'ranking')).token}` };
    app = await buildApp({ store, dataDir: dir });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers GET /api/overview/{year} with an API token, computed in a worker thread, equal to the in-process ranking', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/overview/2022', headers: auth });
    expect(r.statusCode).toBe(200);
    const rows = r.json() as Array<{ code: string; rank: number; withTarget: number }>;
    expect(rows).toHaveLength(8);
    expect(rows.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows.every((x) => x.withTarget > 0)).toBe(true);
    expect(rows).toEqual(await computeOverview(store, SYSTEM, 2022));
  }, 60_000);

  it('serves the cached ranking until something for the year is written, then recomputes', async () => {
    const svc = new OverviewService(store);
    try {
      expect(svc.threaded).toBe(true);
      const last0 = (await computeOverview(store, SYSTEM, 2022)).at(-1)!;
      const state = (await ledgerStates(store, SYSTEM, last0.code, 2022)).find((x) => x.ledger === 'fund_disbursement')!;
      if (state.status === 'approved') await transition(store, SYSTEM, last0.code, 2022, 'fund_disbursement', 'reopen');
      else if (state.status === 'submitted') await transition(store, SYSTEM, last0.code, 2022, 'fund_disbursement', 'return', 'test');
      const first = await svc.get(SYSTEM, 2022);
      expect(first.cached).toBe(false);
      expect((await svc.get(SYSTEM, 2022)).cached).toBe(true);
      const last = first.rows.at(-1)!;
      // A large disbursement lifts the last county's disbursement rate; the next answer must see it.
      await createRecord(store, SYSTEM, 'fund_disbursement', last.code, 2022, { date: '2022-12-30', amount: 900_000_000_000, project: 'test', voucher: 'T-1' });
      const after = await svc.get(SYSTEM, 2022);
      expect(after.cached).toBe(false);
      expect(after.version).not.toBe(first.version);
      expect(after.rows.find((x) => x.code === last.code)!.disbursementRate).toBeGreaterThan(last.disbursementRate ?? 0);
      // The thread evaluated only that county again (it kept the others' figures); the ranking is what a fresh computation gives.
      expect(after.rows).toEqual(await computeOverview(store, SYSTEM, 2022));
    } finally {
      await svc.close();
    }
  }, 60_000);

  it('answers a province and a prefecture from the view thread, equal to the engine, and follows a county\'s edit', async () => {
    const county = (await computeOverview(store, SYSTEM, 2022))[0]!.code;
    const state = (await ledgerStates(store, SYSTEM, county, 2022)).find((x) => x.ledger === 'fund_disbursement')!;
    if (state.status === 'approved') await transition(store, SYSTEM, county, 2022, 'fund_disbursement', 'reopen');
    else if (state.status === 'submitted') await transition(store, SYSTEM, county, 2022, 'fund_disbursement', 'return', 'test');
    for (const [n, unit] of [county.slice(0, 2), county.slice(0, 4)].entries()) {
      const get = async () => {
        const r = await app.inject({ method: 'GET', url: `/api/indicators/${unit}/2022`, headers: auth });
        expect(r.statusCode).toBe(200);
        return r.json() as unknown;
      };
      const fresh = async () => {
        const e = new IndicatorEngine(store, unit, 2022);
        const cat = catalogueFor(2022, unit, store);
        return JSON.parse(JSON.stringify({ indicators: (await e.all()).map((i) => publicIndicator(i, cat)), rules: await e.rules() })) as unknown;
      };
      const first = await get();
      expect(first).toEqual(await fresh());
      expect(await get()).toEqual(first);
      await createRecord(store, SYSTEM, 'fund_disbursement', county, 2022, { date: '2022-12-29', amount: 700_000_000_000 + n, project: 'test', voucher: `T-unit-${n}` });
      const after = await get();
      expect(after).not.toEqual(first);
      expect(after).toEqual(await fresh());
    }
  }, 60_000);

  it('passes the period to the thread, keeps each period apart, and equals the engine', async () => {
    const rows = await store.db.selectFrom('ledger_state').select('county_code').distinct().execute();
    const unit = rows[0]!.county_code.slice(0, 2);
    const fresh = async (period?: { kind: 'quarter'; n: 2 }) => {
      const e = new IndicatorEngine(store, unit, 2022, period ? { period } : {});
      const cat = catalogueFor(2022, unit, store);
      return JSON.parse(JSON.stringify({ indicators: (await e.all()).map((i) => publicIndicator(i, cat)), rules: await e.rules() })) as unknown;
    };
    const get = async (q: string) => {
      const r = await app.inject({ method: 'GET', url: `/api/indicators/${unit}/2022${q}`, headers: auth });
      expect(r.statusCode).toBe(200);
      return r.json() as { period?: unknown; indicators: Array<{ id: string; raw: number | null }> };
    };
    const q2 = await get('?period=Q2');
    const year = await get('');
    const { period, ...rest } = q2;
    expect(period).toEqual({ key: 'Q2', end: '2022-06-30', label: { zh: '第二季度末', en: 'to the end of Q2' } });
    expect(rest).toEqual(await fresh({ kind: 'quarter', n: 2 }));
    expect(year).toEqual(await fresh());
    const disbursed = (b: typeof year) => b.indicators.find((i) => i.id === 'funds.disbursed')!.raw ?? 0;
    expect(disbursed(q2)).toBeLessThan(disbursed(year));
    expect(await get('?period=Q2')).toEqual(q2);
  }, 60_000);

  it('ranks counties for a period to date by targets on pace, in the thread, equal to the engine', async () => {
    const q2 = { kind: 'quarter', n: 2 } as const;
    const r = await app.inject({ method: 'GET', url: '/api/overview/2022?period=Q2', headers: auth });
    expect(r.statusCode).toBe(200);
    const rows = r.json() as Array<{ code: string; rank: number; met: number; missed: number; onPace: number; behind: number; paced: number }>;
    expect(rows).toHaveLength(8);
    expect(rows).toEqual(await computeOverview(store, SYSTEM, 2022, { period: q2 }));
    // No target is judged for part of the year; the pace is what ranks.
    expect(rows.every((x) => x.met === 0 && x.missed === 0 && x.onPace + x.behind === x.paced)).toBe(true);
    expect(rows.some((x) => x.paced > 0)).toBe(true);
    const shares = rows.map((x) => (x.paced ? x.onPace / x.paced : 0));
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    // One county's counts, from its own engine.
    const one = rows.find((x) => x.paced > 0)!;
    const e = new IndicatorEngine(store, one.code, 2022, { period: q2 });
    const paced = (await e.all()).filter((i) => i.toDate?.ofTarget != null);
    expect(paced.length).toBe(one.paced);
    expect(paced.filter((i) => i.toDate!.onPace).length).toBe(one.onPace);
    // On pace is decided on the exact figures; the rounded texts agree with it except within their rounding.
    for (const i of paced) if (Math.abs(Number(i.toDate!.ofTarget) - Number(i.toDate!.elapsed)) > 0.1) expect(i.toDate!.onPace).toBe(Number(i.toDate!.ofTarget) > Number(i.toDate!.elapsed));
    // The whole year's answer is unchanged and kept apart from the period's.
    const year = (await app.inject({ method: 'GET', url: '/api/overview/2022', headers: auth })).json() as Array<Record<string, unknown>>;
    expect(year.every((x) => !('onPace' in x) && (x.withTarget as number) > 0)).toBe(true);
    const bad = await app.inject({ method: 'GET', url: '/api/overview/2022?period=Q5', headers: auth });
    expect(bad.statusCode).toBe(400);
  }, 60_000);
  it('ranks counties by any indicator in the thread, in either order and within a division, equal to the engine, and follows a write', async () => {
    const get = async (q: string) => app.inject({ method: 'GET', url: `/api/rankings/2022/${q}`, headers: auth });
    const r = await get('funds.disbursement_rate');
    expect(r.statusCode).toBe(200);
    const body = r.json() as { indicator: { id: string; label: { zh: string } }; order: string; unit: string; rows: Array<{ code: string; rank: number | null; raw: number | null; display: string | null }> };
    expect(body.indicator.id).toBe('funds.disbursement_rate');
    expect(body.indicator.label.zh).toBe(catalogueFor(2022).byId.get('funds.disbursement_rate')!.label.zh);
    expect(body.order).toBe('desc');
    expect(body.rows).toHaveLength(8);
    expect(body.rows).toEqual(await rankCounties(store, SYSTEM, { unit: '' }, 2022, 'funds.disbursement_rate'));
    const raws = body.rows.flatMap((x) => (x.raw === null ? [] : [x.raw]));
    expect(raws).toEqual([...raws].sort((a, b) => b - a));
    // Lowest first.
    const asc = (await get('funds.disbursement_rate?order=asc')).json() as typeof body;
    expect(asc.order).toBe('asc');
    expect(asc.rows.flatMap((x) => (x.raw === null ? [] : [x.raw]))).toEqual([...raws].reverse());
    // Within one province: only its counties, ranked among themselves.
    const province = body.rows[0]!.code.slice(0, 2);
    const mine = (await get(`labour.transferred?unit=${province}`)).json() as typeof body;
    expect(mine.unit).toBe(province);
    expect(mine.rows.length).toBeGreaterThan(0);
    expect(mine.rows.every((x) => x.code.startsWith(province))).toBe(true);
    expect(mine.rows).toEqual(await rankCounties(store, SYSTEM, { unit: province }, 2022, 'labour.transferred'));
    // A write shows in the next answer: the last county's disbursement lifts its rate.
    const last = body.rows.at(-1)!;
    const state = (await ledgerStates(store, SYSTEM, last.code, 2022)).find((x) => x.ledger === 'fund_disbursement')!;
    if (state.status === 'approved') await transition(store, SYSTEM, last.code, 2022, 'fund_disbursement', 'reopen');
    else if (state.status === 'submitted') await transition(store, SYSTEM, last.code, 2022, 'fund_disbursement', 'return', 'test');
    await createRecord(store, SYSTEM, 'fund_disbursement', last.code, 2022, { date: '2022-12-28', amount: 990_000_000_000, project: 'test', voucher: 'T-rank' });
    const after = (await get('funds.disbursement_rate')).json() as typeof body;
    expect(after.rows.find((x) => x.code === last.code)!.raw).toBeGreaterThan(last.raw ?? 0);
    expect(after.rows.findIndex((x) => x.code === last.code)).toBeLessThan(body.rows.length - 1);
    expect(after.rows).toEqual(await rankCounties(store, SYSTEM, { unit: '' }, 2022, 'funds.disbursement_rate'));
    // Refusals say why.
    const unknown = await get('no.such');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('no.such');
    expect((await get('funds.allocated?unit=623')).statusCode).toBe(400);
    expect((await get('funds.allocated?order=up')).statusCode).toBe(400);
  }, 60_000);

  it('ranks a province\'s counties by an element the province defined for itself, within that province only', async () => {
    const { setOwnElements } = await import('../../src/services/config-admin.ts');
    const { setReported } = await import('../../src/services/reported.ts');
    const rows = await computeOverview(store, SYSTEM, 2022);
    const province = rows[0]!.code.slice(0, 2);
    const mine = rows.filter((r) => r.code.startsWith(province)).map((r) => r.code);
    const v = await setOwnElements(store, SYSTEM, { year: 2022, unit: province, elements: [{ zh: '新建冷库', en: 'Cold stores built', unit: 'items', unitWord: { zh: '座', en: 'stores' }, section: 'enterprise' }] });
    const id = v.elements.find((e) => e.zh === '新建冷库')!.id;
    for (const [n, c] of mine.entries()) await setReported(store, SYSTEM, c, 2022, { element: id, text: String(3 + n * 2) });
    const r = await app.inject({ method: 'GET', url: `/api/rankings/2022/${id}?unit=${province}`, headers: auth });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { indicator: { label: { zh: string } }; rows: Array<{ code: string; rank: number; display: string }> };
    expect(body.indicator.label.zh).toBe('新建冷库');
    expect(body.rows.map((x) => x.code)).toEqual([...mine].reverse());
    expect(body.rows.map((x) => x.display)).toEqual(mine.map((_, n) => `${3 + n * 2}座`).reverse());
    expect(body.rows).toEqual(await rankCounties(store, SYSTEM, { unit: province }, 2022, id));
    // The dashboard says which indicators are a unit's own, so the page offers them only within it.
    const dash = (await app.inject({ method: 'GET', url: `/api/dashboard/${mine[0]}/2022`, headers: auth })).json() as { indicators: Array<{ id: string; own?: boolean }> };
    expect(dash.indicators.find((i) => i.id === id)?.own).toBe(true);
    expect(dash.indicators.find((i) => i.id === 'funds.allocated')?.own).toBeUndefined();
    // Nationwide the element is unknown: refused with the reason.
    const nation = await app.inject({ method: 'GET', url: `/api/rankings/2022/${id}`, headers: auth });
    expect(nation.statusCode).toBe(400);
    expect(nation.body).toContain('national catalogue');
  }, 60_000);

  it('never answers a token limited to one county from a ranking cached for its user', async () => {
    const county = (await computeOverview(store, SYSTEM, 2022))[0]!.code;
    await createUser(store, { username: 'province', displayName: 'province', password: 'correct horse battery', role: 'province_user', units: [county.slice(0, 2)] });
    const whole = { authorization: `Bearer ${(await createApiToken(store, 'province', 'whole')).token}` };
    const one = { authorization: `Bearer ${(await createApiToken(store, 'province', 'one county', { county })).token}` };
    for (const url of ['/api/overview/2022', '/api/rankings/2022/funds.allocated']) {
      const all = await app.inject({ method: 'GET', url, headers: whole });
      const rows = (b: unknown) => (Array.isArray(b) ? b : (b as { rows: unknown[] }).rows) as Array<{ code: string }>;
      expect(rows(all.json()).length).toBeGreaterThan(0);
      const limited = await app.inject({ method: 'GET', url, headers: one });
      expect(rows(limited.json()).map((x) => x.code), url).toEqual([county]);
    }
  }, 60_000);

  it('computes the largest provinces\' views ahead, so that their first request is answered from the cache', async () => {
    const svc = new OverviewService(store);
    try {
      const states = await store.db.selectFrom('ledger_state').select('county_code').distinct().where('year', '=', 2022).execute();
      const counts = new Map<string, number>();
      for (const r of states) counts.set(r.county_code.slice(0, 2), (counts.get(r.county_code.slice(0, 2)) ?? 0) + 1);
      const expected = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 2).map(([p]) => p);
      expect(expected.length).toBeGreaterThan(0);
      const warmed = await svc.warmUp(2);
      expect(warmed).toEqual({ year: 2022, ranking: true, units: expected });
      // The ranking, then each province.
      expect(svc.computations).toBe(1 + expected.length);
      const unit = expected[0]!;
      const text = await svc.unitView(SYSTEM, { unit }, 2022);
      const ranking = await svc.get(SYSTEM, 2022);
      // Answered without asking the thread again, and equal to the engine's own figures.
      expect(svc.computations).toBe(1 + expected.length);
      expect(ranking.cached).toBe(true);
      expect(ranking.rows).toEqual(await computeOverview(store, SYSTEM, 2022));
      const e = new IndicatorEngine(store, unit, 2022);
      const cat = catalogueFor(2022, unit, store);
      expect(JSON.parse(`{${text}}`)).toEqual(JSON.parse(JSON.stringify({ indicators: (await e.all()).map((i) => publicIndicator(i, cat)), rules: await e.rules() })));
      expect(await svc.warmUp(0)).toEqual({ year: null, ranking: false, units: [] });
    } finally {
      await svc.close();
    }
    expect(warmViewsFromEnv({})).toBe(4);
    expect(warmViewsFromEnv({ XIEZUO_WARM_VIEWS: '0' })).toBe(0);
    expect(warmViewsFromEnv({ XIEZUO_WARM_VIEWS: 'many' })).toBe(4);
  }, 60_000);

  it('computes with the configuration in force: a rounding changed after the thread started shows in its next answers', async () => {
    const { setRounding } = await import('../../src/services/config-admin.ts');
    const ranked = async () => ((await app.inject({ method: 'GET', url: '/api/rankings/2022/funds.disbursement_rate', headers: auth })).json() as { rows: unknown[] }).rows;
    const unitView = async (unit: string) => (await app.inject({ method: 'GET', url: `/api/indicators/${unit}/2022`, headers: auth })).json() as unknown;
    const freshUnit = async (unit: string) => {
      const e = new IndicatorEngine(store, unit, 2022);
      const cat = catalogueFor(2022, unit, store);
      return JSON.parse(JSON.stringify({ indicators: (await e.all()).map((i) => publicIndicator(i, cat)), rules: await e.rules() })) as unknown;
    };
    const before = await ranked();
    const units = [...new Set((await store.db.selectFrom('ledger_state').select('county_code').distinct().execute()).map((r) => r.county_code.slice(0, 2)))];
    const views = await Promise.all(units.map(unitView));
    try {
      // Rates truncated to whole percents nationally (a province with a policy of its own keeps it).
      await setRounding(store, SYSTEM, { year: 2022, unit: '', rates: { mode: 'truncate', decimals: 0 } });
      const after = await ranked();
      expect(after).not.toEqual(before);
      expect(after).toEqual(await rankCounties(store, SYSTEM, { unit: '' }, 2022, 'funds.disbursement_rate'));
      for (const u of units) expect(await unitView(u)).toEqual(await freshUnit(u));
    } finally {
      await setRounding(store, SYSTEM, { year: 2022, unit: '', inherit: true });
    }
    expect(await ranked()).toEqual(before);
    expect(await Promise.all(units.map(unitView))).toEqual(views);
  }, 60_000);

  it('starts computing the views ahead once the server listens, and logs which', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
    const served = await buildApp({ store, dataDir: dir }, { logger: { level: 'info', stream } });
    try {
      await served.listen({ host: '127.0.0.1', port: 0 });
      const deadline = Date.now() + 50_000;
      let line: string | undefined;
      while (!(line = lines.find((l) => l.includes('views computed ahead'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(line).toBeDefined();
      const logged = JSON.parse(line!) as { provinces: string[]; ranking: boolean; year: number };
      expect(logged.year).toBe(2022);
      expect(logged.ranking).toBe(true);
      expect(logged.provinces.length).toBeGreaterThan(0);
      expect(logged.provinces.every((u) => /^\d{2}$/.test(u))).toBe(true);
    } finally {
      await served.close();
    }
  }, 60_000);
});
