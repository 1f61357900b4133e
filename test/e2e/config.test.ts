import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../src/cli/serve.ts';
import { createDemoAccounts } from '../../src/services/accounts.ts';
import { listAudit } from '../../src/services/audit.ts';
import { categoriesFor, roundingFor } from '../../src/services/config.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { buildReport } from '../../src/services/reports.ts';
import { listRecords } from '../../src/services/ledgers.ts';
import { loadDivisions } from '../../src/services/orgunits.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { createPgDatabase, engines } from '../support/engines.ts';
import { ConfigPage, LoginPage, ReportedPage } from './pages.ts';
import { chromiumAvailable, serveForBrowser, OUT } from './chromium.ts';

/**
 * Configuration and the year lifecycle in the browser, on both engines: a province user changes her
 * province's labour destination list and rounding policy, and another province is unaffected; a
 * county clerk opens the next year and the year picker offers it at once.
 */
const haveChromium = chromiumAvailable('the configuration browser suite');
const SLOW = { timeout: 15_000 };
const GANSU_COUNTY = '623023';
const SHAANXI_COUNTY = '610102';

for (const engine of haveChromium ? await engines() : []) {
  describe(`configuration and years in chromium (${engine})`, () => {
    let dir: string;
    let store: Store;
    let app: FastifyInstance;
    let base: string;
    let browser: Browser;
    let passwords: Map<string, string>;
    let dropPg: (() => Promise<void>) | undefined;
    const problems: string[] = [];

    const session = async (username: string): Promise<Page> => {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 }, locale: 'zh-CN' });
      const page = await ctx.newPage();
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await new LoginPage(page, base).signIn(username, passwords.get(username)!);
      return page;
    };

    beforeAll(async () => {
      await ensureWebBuilt(() => undefined);
      dir = mkdtempSync(join(tmpdir(), 'xiezuo-e2e-config-'));
      if (engine === 'sqlite') store = openStore({ engine: 'sqlite', file: join(dir, 'xiezuo.sqlite') });
      else {
        const db = await createPgDatabase();
        dropPg = db.drop;
        store = openStore({ engine: 'postgres', url: db.url });
      }
      await migrate(store);
      await loadDemo(store);
      await loadDivisions(store, ['61'], { depth: 'county' });
      passwords = new Map((await createDemoAccounts(store)).map((a) => [a.username, a.password]));
      ({ app, base, browser } = await serveForBrowser(store, dir));
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await app?.close();
      await store?.close();
      await dropPg?.();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('a province user changes her province\'s labour destinations and rounding; another province keeps its own', async () => {
      const shaanxiBefore = categoriesFor(2022, SHAANXI_COUNTY, store).labour_destination;
      const page = await session('gansu.province');
      const cfg = new ConfigPage(page, base);
      await cfg.open('62', 2022);
      await cfg.chooseList('labour_destination');
      const rows = await cfg.itemCount();
      await cfg.label(1, '省内务工');
      await cfg.addItem('public_post', '公益性岗位', 'Public-welfare posts');
      await cfg.saveList();
      await expect.poll(() => cfg.toast(), SLOW).toContain('已保存');
      expect(await cfg.itemCount()).toBe(rows + 1);
      expect(await page.getByTestId('config-source').first().innerText()).toContain('62');

      await cfg.setRounding('truncate', 1);
      await expect.poll(() => page.getByTestId('rounding-effective').innerText(), SLOW).toContain('截尾 1');

      // What the server now resolves: Gansu's county sees the change in 2022 and the years that inherit it.
      const gansu = categoriesFor(2022, GANSU_COUNTY, store).labour_destination!;
      expect(gansu.map((c) => c.value)).toContain('public_post');
      expect(gansu[1]!.zh).toBe('省内务工');
      expect(categoriesFor(2023, GANSU_COUNTY, store).labour_destination!.map((c) => c.value)).toContain('public_post');
      expect(categoriesFor(2021, GANSU_COUNTY, store).labour_destination!.map((c) => c.value)).not.toContain('public_post');
      expect(roundingFor(2022, GANSU_COUNTY, store).rates).toEqual({ mode: 'truncate', decimals: 1 });
      // Another province is untouched.
      expect(categoriesFor(2022, SHAANXI_COUNTY, store).labour_destination).toEqual(shaanxiBefore);
      expect(roundingFor(2022, SHAANXI_COUNTY, store).rates).toEqual({ mode: 'half_up', decimals: 2 });
      // Both changes are audited with before and after.
      const audit = await listAudit(store, SYSTEM, { entity: 'config' });
      expect(audit.rows.map((r) => r.action).sort()).toEqual(['config.categories', 'config.rounding']);
      expect(audit.rows.every((r) => r.actor !== 'system' && r.before && r.after)).toBe(true);

      // A unit outside her province is refused, and the page says she cannot change it.
      await cfg.open('61', 2022);
      await expect.poll(() => page.getByTestId('config-save-list').isDisabled(), SLOW).toBe(true);
      expect(problems).toEqual([]);
    }, 120_000);

    it('a province user rewords her province\'s report template; a mistake is named and nothing is stored', async () => {
      const page = await session('gansu.province');
      const cfg = new ConfigPage(page, base);
      await cfg.open('62', 2022);
      await page.getByRole('tab', { name: '报告模板' }).click();
      const text = page.getByTestId('template-text');
      await expect.poll(() => text.inputValue(), SLOW).toContain('blocks:');
      expect(await page.getByTestId('template-source').innerText()).toContain('系统内置');
      const shipped = await text.inputValue();
      await text.fill(shipped.replace('围绕东西部协作年度任务推进各项工作。', '{no.such}按全省部署推进东西部协作各项工作。'));
      await page.getByTestId('template-save').click();
      await expect.poll(() => page.getByTestId('template-problem').innerText(), SLOW).toContain('未知指标 no.such');
      expect((await buildReport(store, SYSTEM, GANSU_COUNTY, 2022)).blocks.some((b) => JSON.stringify(b).includes('按全省部署'))).toBe(false);
      await text.fill(shipped.replace('围绕东西部协作年度任务推进各项工作。', '按全省部署推进东西部协作各项工作。'));
      await page.getByTestId('template-save').click();
      await expect.poll(() => page.getByTestId('template-source').innerText(), SLOW).toContain('62于2022年设定');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(OUT, 'config-template-phone.png'), fullPage: false });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const report = JSON.stringify((await buildReport(store, SYSTEM, GANSU_COUNTY, 2022)).blocks);
      expect(report).toContain('按全省部署推进东西部协作各项工作');
      const audit = await listAudit(store, SYSTEM, { entity: 'config', action: 'config.report' });
      expect(audit.rows.map((r) => r.actor)).toEqual(['gansu.province']);
      // Back to the shipped wording.
      await page.getByTestId('template-inherit').click();
      await expect.poll(() => page.getByTestId('template-source').innerText(), SLOW).toContain('系统内置');
      expect(JSON.stringify((await buildReport(store, SYSTEM, GANSU_COUNTY, 2022)).blocks)).not.toContain('按全省部署');
      expect(problems).toEqual([]);
    }, 120_000);

    it('a province user adds an element the catalogue lacks; a county clerk enters it and the report prints it', async () => {
      const page = await session('gansu.province');
      const cfg = new ConfigPage(page, base);
      await cfg.open('62', 2022);
      await page.getByRole('tab', { name: '自定义上报项' }).click();
      await page.getByTestId('own-add').click();
      await page.getByTestId('own-zh-0').fill('硬化村组道路');
      await page.getByTestId('own-en-0').fill('Village roads paved');
      await page.getByTestId('own-unit-0').click();
      await page.keyboard.type('自定');
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '自定…' }).click();
      await page.getByTestId('own-word-0').fill('公里/km');
      await page.getByTestId('own-section-0').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '示范村建设' }).click();
      await page.getByTestId('own-save').click();
      await expect.poll(() => cfg.toast(), SLOW).toContain('已保存自定义上报项');
      await page.screenshot({ path: join(OUT, 'config-own-elements.png'), fullPage: false });

      const clerk = await session('zhouqu.clerk');
      const reported = new ReportedPage(clerk, base);
      await reported.open();
      await reported.add('硬化村组道路', null, '12.5');
      await reported.save();
      await expect.poll(() => reported.figure('own.u62_1'), SLOW).toBe('12.5公里');
      const md = JSON.stringify((await buildReport(store, SYSTEM, GANSU_COUNTY, 2022)).blocks);
      expect(md).toContain('硬化村组道路');
      expect(md).toContain('12.5公里');
      expect(problems).toEqual([]);
    }, 120_000);

    it('a clerk opens 2023 for the county; the year picker offers it at once with the carried drafts', async () => {
      const page = await session('zhouqu.clerk');
      await page.getByTestId('open-year').click();
      await page.getByTestId('open-year-input').fill('2023');
      await page.getByTestId('open-year-ok').click();
      await expect.poll(() => page.getByTestId('year-select').innerText(), SLOW).toContain('2023');
      const carried = (await listRecords(store, SYSTEM, 'project', GANSU_COUNTY, 2023)).rows;
      expect(carried.length).toBeGreaterThan(0);
      expect(carried.every((p) => p.status !== 'completed')).toBe(true);
      await page.goto(`${base}/ledgers/project`);
      await page.getByTestId('ledger-project').waitFor();
      await expect.poll(() => page.locator('.ant-table-row').count(), SLOW).toBe(carried.length);

      // Opening it again, or a year before the assessment method, is refused with one clear message.
      await page.getByTestId('open-year').click();
      await page.getByTestId('open-year-input').fill('2023');
      await page.getByTestId('open-year-ok').click();
      await expect.poll(() => page.locator('.ant-message-notice').last().innerText(), SLOW).toContain('已经开启');
      await page.getByTestId('open-year-input').fill('2020');
      await page.getByTestId('open-year-ok').click();
      await expect.poll(() => page.locator('.ant-message-notice').last().innerText(), SLOW).toContain('2021');
      expect(problems).toEqual([]);
    }, 120_000);

    it('a year the system has no configuration for shows a notice, not an empty form', async () => {
      await store.db.insertInto('ledger_state').values({ county_code: GANSU_COUNTY, year: 2020, ledger: 'meeting', completeness: 'partial', status: 'draft', comment: null, updated_by: 'test', updated_at: '2026-01-01T00:00:00Z' }).execute();
      const page = await session('zhouqu.admin');
      await page.getByTestId('year-select').click();
      await page.locator('.ant-select-item-option', { hasText: '2020' }).click();
      await expect.poll(() => page.getByTestId('config-notice').innerText(), SLOW).toContain('从2021年开始');
      expect(problems).toEqual([]);
    }, 120_000);
  });
}
