import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../src/cli/serve.ts';
import { createUser } from '../../src/services/accounts.ts';
import { setReported } from '../../src/services/reported.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { catalogueFor } from '../../src/services/catalogue.ts';
import { rankCounties, rollUpIndicatorsAndRules } from '../../src/services/indicator-sets.ts';
import { synthesize } from '../../src/services/synth.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { chromiumAvailable, OUT, serveForBrowser } from './chromium.ts';
import { DashboardPage, LoginPage } from './pages.ts';

/**
 * Ranking counties by any indicator in the browser: a province office picks an indicator on the
 * dashboard's ranking card and sees its counties ranked by that figure, highest first or lowest
 * first, at phone (390 px) and desktop (1280 px) width; screenshots in test-output/.
 */
const haveChromium = chromiumAvailable('the ranking browser test');
process.env.XIEZUO_SECRET ??= 'test-secret';
const PASSWORD = 'correct horse battery';
const INDICATOR = 'labour.transferred';
const OWN = 'consumption.sales';

describe.skipIf(!haveChromium)('ranking counties by an indicator in the web app', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let browser: Browser;
  let base = '';
  let province = '';
  let partner = '';

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    await ensureWebBuilt(() => undefined);
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-ranking-web-'));
    store = openStore({ engine: 'sqlite', file: join(dir, 'xiezuo.sqlite') });
    await migrate(store);
    await synthesize(store, { counties: 12, year: 2022, seed: 7 });
    // The province with the most synthetic counties, and an office user for it.
    const counts = new Map<string, number>();
    for (const r of await store.db.selectFrom('ledger_state').select('county_code').distinct().execute()) counts.set(r.county_code.slice(0, 2), (counts.get(r.county_code.slice(0, 2)) ?? 0) + 1);
    province = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    await createUser(store, { username: 'office', displayName: '省协作办', password: PASSWORD, role: 'province_user', units: [province] });
    partner = (await store.db.selectFrom('cooperation_pair').select('east_code').orderBy('east_code').executeTakeFirstOrThrow()).east_code;
    await createUser(store, { username: 'partner', displayName: '东部协作办', password: PASSWORD, role: 'east_user', units: [partner] });
    // The province states one figure itself: shown instead of its prefectures' sum, which is noted beneath.
    await setReported(store, SYSTEM, province, 2022, { element: OWN, text: '12345' });
    ({ app, base, browser } = await serveForBrowser(store, dir));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tableRows = (page: Page) => page.getByTestId('ranking-by-indicator').locator('.ant-table-tbody .ant-table-row')
    .evaluateAll((rows) => rows.map((r) => [
      ...Array.from(r.querySelectorAll('td'), (td) => (td.textContent ?? '').trim()).slice(0, 2),
      (r.querySelector('[data-testid="rank-figure"]')?.textContent ?? '').trim(),
    ]));

  for (const [width, height, name] of [[390, 844, 'phone'], [1280, 900, 'desktop']] as const) {
    it(`${name} (${width} px): a province office ranks its counties by an indicator, either way round`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', isMobile: width < 500, hasTouch: width < 500, deviceScaleFactor: 1 });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await new LoginPage(page, base).signIn('office', PASSWORD);
        await new DashboardPage(page, base).open();
        const card = page.getByTestId('ranking');
        await expect.poll(() => card.innerText()).toContain('达标指标');
        const label = catalogueFor(2022).byId.get(INDICATOR)!.label.zh;
        await page.getByTestId('ranking-by').click();
        await page.keyboard.type(label);
        await page.locator('.ant-select-dropdown .ant-select-item-option', { hasText: label }).first().click();
        await page.getByTestId('ranking-by-indicator').waitFor();
        // What the engine ranks for the same caller, row for row: rank, county, figure.
        const office = { id: 'office', name: 'office', role: 'province_user' as const, units: [province] };
        const expected = await rankCounties(store, office, { unit: '' }, 2022, INDICATOR);
        expect(expected.length).toBeGreaterThan(1);
        expect(expected.every((r) => r.code.startsWith(province))).toBe(true);
        // On a phone the code sits under the name and the status under the figure.
        const county = (r: { name: string; code: string }) => (width < 500 ? `${r.name}${r.code}` : `${r.name}（${r.code}）`);
        const shown = await tableRows(page);
        expect(shown).toEqual(expected.map((r) => [String(r.rank ?? '—'), county(r), r.display ?? '—']));
        expect(await card.innerText()).toContain(label);
        // Lowest first: the counties with a figure come in the opposite order.
        await page.getByTestId('ranking-order').getByText('从低到高').click();
        const ascending = await rankCounties(store, office, { unit: '' }, 2022, INDICATOR, { ascending: true });
        await expect.poll(async () => (await tableRows(page)).map((r) => r[1])).toEqual(ascending.map(county));
        expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await card.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(OUT, `ranking-indicator-${width}.png`), fullPage: false });
        // A county's row opens that county's dashboard; the ranking stays as chosen.
        const current = await page.getByTestId('county-select').innerText();
        const other = ascending.find((r) => !current.includes(r.name))!;
        await page.getByTestId('ranking-by-indicator').locator('.ant-table-row', { hasText: other.code }).click();
        await expect.poll(() => page.getByTestId('county-select').innerText()).toContain(other.name);
        await page.getByTestId('ranking-by-indicator').waitFor();
        await expect.poll(async () => (await tableRows(page)).map((r) => r[1])).toEqual(ascending.map(county));
        // In English the indicator's name and the order read in English.
        await page.getByTestId('locale-switch').getByText('EN').click();
        await expect.poll(() => card.innerText()).toContain('Lowest first');
        expect(await card.innerText()).toContain(catalogueFor(2022).byId.get(INDICATOR)!.label.en);
        await page.screenshot({ path: join(OUT, `ranking-indicator-en-${width}.png`), fullPage: false });
        // Back to the ranking by targets met.
        await page.getByTestId('ranking-by').click();
        await page.locator('.ant-select-dropdown .ant-select-item-option', { hasText: 'Targets met' }).first().click();
        await expect.poll(() => card.innerText()).toContain('Targets met');
        expect(await page.getByTestId('ranking-by-indicator').count()).toBe(0);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }, 120_000);
  }
  for (const [width, height, name] of [[390, 844, 'phone'], [1280, 900, 'desktop']] as const) {
    it(`${name} (${width} px): a province office and an eastern partner see their counties added up on the indicators page`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', isMobile: width < 500, hasTouch: width < 500, deviceScaleFactor: 1 });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const ID = 'funds.disbursed';
      const shown = () => page.getByTestId(`ind-${ID}`).innerText();
      const pick = async (label: string) => {
        await page.getByTestId('indicator-scope').click();
        await page.locator('.ant-select-dropdown .ant-select-item-option', { hasText: label }).first().click();
        await page.getByTestId('rollup-note').waitFor();
      };
      const search = async () => { await page.getByTestId('indicator-search').locator('input').fill(ID); };
      try {
        await new LoginPage(page, base).signIn('office', PASSWORD);
        await page.goto(`${base}/indicators`);
        await page.getByTestId('indicator-table').waitFor();
        await search();
        const own = await shown();
        await pick('所属省各县合计');
        const office = { id: 'office', name: 'office', role: 'province_user' as const, units: [province] };
        const rolled = (await rollUpIndicatorsAndRules(store, office, { unit: province }, 2022)).indicators.find((i) => i.id === ID)!;
        expect(rolled.display).not.toBeNull();
        await expect.poll(shown).toBe(rolled.display);
        expect(rolled.display).not.toBe(own);
        // Targets and evidence belong to a county: not offered on a roll-up.
        expect(await page.getByTestId(`target-${ID}`).count()).toBe(0);
        expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(OUT, `rollup-province-${width}.png`), fullPage: false });
        // A figure the province states itself, with what its prefectures add up to beneath it.
        await page.getByTestId('indicator-search').locator('input').fill(OWN);
        await expect.poll(() => page.getByTestId(`ind-${OWN}`).innerText()).toBe('12345万元');
        const parts = (await rollUpIndicatorsAndRules(store, office, { unit: province }, 2022)).indicators.find((i) => i.id === OWN)!.rolledUp!;
        expect(await page.getByTestId(`rolled-${OWN}`).innerText()).toBe(`所辖${parts.parts}个市州合计${parts.display}（含${parts.counties}个有数据的县）`);
        await page.screenshot({ path: join(OUT, `rollup-own-${width}.png`), fullPage: false });
        await search();
        // The office may not read the nation's roll-up: it is not offered.
        await page.getByTestId('indicator-scope').click();
        expect(await page.locator('.ant-select-dropdown .ant-select-item-option', { hasText: '全国合计' }).count()).toBe(0);
        await page.keyboard.press('Escape');
        await ctx.clearCookies();

        await new LoginPage(page, base).signIn('partner', PASSWORD);
        await page.goto(`${base}/indicators`);
        await page.getByTestId('indicator-table').waitFor();
        await search();
        await pick('协作县合计');
        const east = { id: 'partner', name: 'partner', role: 'east_user' as const, units: [partner] };
        const paired = (await rollUpIndicatorsAndRules(store, east, { east: partner }, 2022)).indicators.find((i) => i.id === ID)!;
        await expect.poll(shown).toBe(paired.display);
        await page.screenshot({ path: join(OUT, `rollup-partner-${width}.png`), fullPage: false });
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }, 120_000);
  }
});
