import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGERS } from '../../src/domain/ledgers/declarations.ts';
import { LoginPage } from './pages.ts';
import { join } from 'node:path';
import { chromiumAvailable, type DemoBrowser, demoForBrowser, OUT } from './chromium.ts';

/**
 * Every page of the web app at phone (390 px) and desktop (1440 px) width: nothing wider than the
 * window, the menu reachable, the dashboard's first figure in view and not covered. Screenshots go
 * to test-output/ for a person to look at.
 */
const haveChromium = chromiumAvailable('the responsive browser suite');

const PAGES = ['/', ...LEDGERS.map((d) => `/ledgers/${d.kind}`), '/import', '/reported', '/workflow', '/indicators', '/narrative', '/report', '/audit', '/account', '/users', '/no-such-page'];

/** How far the document is wider than the window, in CSS pixels (0 when nothing overflows). */
const overflow = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

describe.skipIf(!haveChromium)('the web app on a phone and on a desktop', () => {
  let t: DemoBrowser;
  let base = '';
  let browser: Browser;
  let password = '';

  beforeAll(async () => {
    t = await demoForBrowser('xiezuo-responsive-');
    ({ base, browser } = t);
    password = t.passwords.get('zhouqu.admin')!;
  }, 300_000);

  afterAll(async () => { await t?.dispose(); });

  for (const [width, height, name] of [[390, 844, 'phone'], [1440, 960, 'desktop']] as const) {
    it(`${name} (${width} px): no page is wider than the window`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', isMobile: width < 500, hasTouch: width < 500, deviceScaleFactor: 1 });
      const page = await ctx.newPage();
      try {
        await new LoginPage(page, base).signIn('zhouqu.admin', password);
        const wide: string[] = [];
        for (const path of PAGES) {
          await page.goto(`${base}${path}`);
          await page.getByTestId('app-header').waitFor();
          await page.waitForLoadState('networkidle');
          await page.waitForTimeout(300);
          const over = await overflow(page);
          if (over > 0) wide.push(`${path}: ${over} px too wide`);
          const shotName = `resp-${name}-${path === '/' ? 'dashboard' : path.slice(1).replace(/\//g, '-')}`;
          if (name === 'phone' || ['/', '/ledgers/pairing', '/report'].includes(path)) await page.screenshot({ path: join(OUT, `${shotName}.png`), fullPage: false });
        }
        expect(wide).toEqual([]);
      } finally {
        await ctx.close();
      }
    }, 300_000);

    it(`${name} (${width} px): the dashboard's first figure is in view and nothing covers it; the menu is reachable`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', isMobile: width < 500, hasTouch: width < 500 });
      const page = await ctx.newPage();
      try {
        await new LoginPage(page, base).signIn('zhouqu.admin', password);
        await page.goto(`${base}/`);
        const first = page.locator('[data-testid^="card-"] .ant-statistic-content').first();
        await first.waitFor();
        const box = (await first.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
        expect(box.y + box.height).toBeLessThanOrEqual(height);
        // The element at the figure's centre is the figure itself (no menu button or header over it).
        const covered = await first.evaluate((el) => {
          const r = el.getBoundingClientRect();
          const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return at ? !el.contains(at) : true;
        });
        expect(covered).toBe(false);
        if (width < 768) {
          await page.getByTestId('menu-button').click();
          await page.getByTestId('menu-drawer').getByText('上报数据').click();
          await page.waitForURL(/\/reported$/);
          expect(await overflow(page)).toBeLessThanOrEqual(0);
        } else {
          expect(await page.getByTestId('menu-button').count()).toBe(0);
          await expect.poll(() => page.getByTestId('side-menu').isVisible()).toBe(true);
        }
        expect(await page.evaluate(async () => (await fetch('/manifest.webmanifest')).ok)).toBe(true);
      } finally {
        await ctx.close();
      }
    }, 120_000);
  }

  it('phone: ledgers are cards, and the record form fits the screen', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    try {
      await new LoginPage(page, base).signIn('zhouqu.admin', password);
      await page.goto(`${base}/ledgers/project`);
      await page.getByTestId('ledger-cards').locator('.xz-record-card').first().waitFor();
      expect(await page.getByTestId('ledger-table').count()).toBe(0);
      await page.getByTestId('add-record').click();
      const dialog = page.locator('.ant-modal').first();
      await dialog.waitFor();
      const box = (await dialog.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(OUT, 'resp-phone-record-form.png') });
    } finally {
      await ctx.close();
    }
  }, 120_000);
});
