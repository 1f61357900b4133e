import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { chromiumAvailable, type DemoBrowser, demoForBrowser, OUT } from './chromium.ts';
import { DashboardPage, LoginPage, PeriodPicker } from './pages.ts';

/**
 * Figures to date in the browser: picking the end of Q2 on the indicators page and on the dashboard
 * shows the smaller figure to date, says that it is to date, and names the undated records left out;
 * at phone (390 px) and desktop (1280 px) width, with screenshots in test-output/.
 */
const haveChromium = chromiumAvailable('the period browser test');

describe.skipIf(!haveChromium)('picking a period to date in the web app', () => {
  let t: DemoBrowser;
  let base = '';
  let browser: Browser;
  let password = '';

  beforeAll(async () => {
    t = await demoForBrowser('xiezuo-periods-web-');
    ({ base, browser } = t);
    password = t.passwords.get('zhouqu.admin')!;
  }, 300_000);

  afterAll(async () => { await t?.dispose(); });

  for (const [width, height, name] of [[390, 844, 'phone'], [1280, 900, 'desktop']] as const) {
    it(`${name} (${width} px): the end of Q2 shows the smaller figure to date, marked as such`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', isMobile: width < 500, hasTouch: width < 500, deviceScaleFactor: 1 });
      const page = await ctx.newPage();
      try {
        await new LoginPage(page, base).signIn('zhouqu.admin', password);
        await page.goto(`${base}/indicators`);
        const visits = page.getByTestId('ind-visits.exchange');
        await expect.poll(() => visits.innerText()).toBe('2次');
        const picker = new PeriodPicker(page);
        await picker.pick('二季度末');
        await expect.poll(() => visits.innerText()).toBe('0次');
        expect(await picker.banner()).toContain('第二季度末（截至2022-06-30）');
        expect(await page.getByTestId('todate-visits.exchange').innerText()).toContain('截至2022-06-30');
        await page.getByTestId('indicator-search').locator('input').fill('enterprise.');
        await page.getByTestId('undated-enterprise.count').waitFor();
        expect(await page.getByTestId('undated-enterprise.count').innerText()).toBe('1条未填日期');
        expect(await page.getByTestId('undated-enterprise.count').getAttribute('aria-label')).toContain('1条记录未填日期，未计入截至2022-06-30的数');
        expect(await page.getByTestId('todate-enterprise.investment').innerText()).toContain('全年目标的25.8%');
        expect(await page.getByTestId('indicator-table').innerText()).not.toContain('提示');
        expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await page.mouse.move(1, height - 1);
        await page.screenshot({ path: join(OUT, `periods-indicators-${width}.png`), fullPage: false });

        await new DashboardPage(page, base).open();
        const dash = new DashboardPage(page, base);
        expect(await dash.headline('funds.disbursed')).toBe('4562.143万元');
        await picker.pick('1—8月');
        expect(await picker.banner()).toContain('1—8月（截至2022-08-31）');
        // The disbursed total is stated for the year only, so there is no figure for January–August.
        expect(await dash.headline('funds.disbursed')).toBe('—');
        expect(await page.getByTestId('card-funds.allocated').innerText()).toContain('截至2022-08-31');
        expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await page.mouse.move(1, height - 1);
        await page.waitForTimeout(400);
        await page.screenshot({ path: join(OUT, `periods-dashboard-${width}.png`), fullPage: false });
        await picker.pick('全年');
        expect(await dash.headline('funds.disbursed')).toBe('4562.143万元');
      } finally {
        await ctx.close();
      }
    }, 120_000);
  }

  it('a province at phone and desktop width: the ranking follows the period and counts targets on pace', async () => {
    for (const [width, height] of [[390, 844], [1280, 900]] as const) {
      const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', isMobile: width < 500, hasTouch: width < 500, deviceScaleFactor: 1 });
      const page = await ctx.newPage();
      try {
        await new LoginPage(page, base).signIn('gansu.province', t.passwords.get('gansu.province')!);
        await new DashboardPage(page, base).open();
        const ranking = page.getByTestId('ranking');
        await expect.poll(() => ranking.innerText()).toContain('达标指标');
        expect(await ranking.innerText()).toContain('舟曲县（623023）');
        await new PeriodPicker(page).pick('二季度末');
        await expect.poll(() => ranking.innerText()).toContain('进度达标指标');
        const text = await ranking.innerText();
        expect(text).toContain('第二季度末');
        const rows = await page.evaluate(async () => (await fetch('/api/overview/2022?period=Q2')).json()) as Array<{ code: string; onPace: number; paced: number }>;
        const own = rows.find((r) => r.code === '623023')!;
        expect(own.paced).toBeGreaterThan(0);
        expect(text).toContain(`${own.onPace} / ${own.paced}`);
        expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await ranking.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(OUT, `periods-ranking-${width}.png`), fullPage: false });
        // The same in English: the period's label, the banner and the ranking's columns.
        await page.getByTestId('locale-switch').getByText('EN').click();
        await expect.poll(() => ranking.innerText()).toContain('Targets on pace');
        expect(await ranking.innerText()).toContain('to the end of Q2');
        expect(await new PeriodPicker(page).banner()).toContain('to the end of Q2');
        expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(OUT, `periods-ranking-en-${width}.png`), fullPage: false });
      } finally {
        await ctx.close();
      }
    }
  }, 120_000);
});
