import { join } from 'node:path';
import JSZip from 'jszip';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setReported } from '../../src/services/reported.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { chromiumAvailable, type DemoBrowser, demoForBrowser, OUT } from './chromium.ts';
import { LoginPage, ReportZipPage } from './pages.ts';

/**
 * The province user's zip of every county's report, in chromium at phone (390 px) and desktop
 * (1280 px) width: started from the report page, followed to the end, downloaded and opened.
 * The demo's 舟曲县 and a neighbouring county with one stated figure make two counties of data.
 */
const haveChromium = chromiumAvailable('the report zip browser suite');

describe.skipIf(!haveChromium)('report zip in chromium', () => {
  let t: DemoBrowser;
  let base = '';
  let browser: Browser;
  let passwords: Map<string, string>;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  const session = async (username: string, width: number): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width, height: width < 600 ? 844 : 900 }, locale: 'zh-CN', acceptDownloads: true });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await new LoginPage(page, base).signIn(username, passwords.get(username)!);
    return page;
  };

  beforeAll(async () => {
    t = await demoForBrowser('xiezuo-zip-', (store) => setReported(store, SYSTEM, '623024', 2022, { element: 'donation.social_orgs', text: '3' }).then(() => undefined));
    ({ base, browser, passwords } = t);
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await t?.dispose();
  });

  for (const width of [390, 1280]) {
    it(`writes, follows and downloads the province's zip of Word reports (${width} px)`, async () => {
      const page = await session('gansu.province', width);
      const zip = new ReportZipPage(page, base);
      await zip.open();
      expect(await page.getByTestId('zip-start').innerText()).toContain('下载所辖各县报告（zip）');
      expect(await zip.writeAll()).toBe('2/2');
      expect(await page.getByTestId('zip-status').innerText()).toContain('已完成：2 份报告');
      await page.screenshot({ path: join(OUT, `report-zip-${width}.png`), fullPage: false });
      const file = await zip.download();
      expect(file.name).toBe('62-甘肃省-2022-各县自评报告.zip');
      const names = Object.keys((await JSZip.loadAsync(file.data)).files).sort();
      expect(names.filter((n) => n.endsWith('.docx') && !n.includes('附件'))).toEqual(['623023-舟曲县.docx', '623024-迭部县.docx']);
      expect(names).toContain('623023-舟曲县（数据来源附件）.docx');
      // The card stays within a phone's width.
      const right = await page.getByTestId('zip-all').evaluate((el) => el.getBoundingClientRect().right);
      expect(right).toBeLessThanOrEqual(width);
      expect(problems).toEqual([]);
    }, 180_000);
  }

  it('offers no zip to a county user', async () => {
    const page = await session('zhouqu.admin', 1280);
    await page.goto(`${base}/report`);
    await page.getByTestId('report-preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('zip-all').count()).toBe(0);
  }, 120_000);
});
