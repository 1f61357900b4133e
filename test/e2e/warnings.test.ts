import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../src/cli/serve.ts';
import { createDemoAccounts } from '../../src/services/accounts.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { LoginPage } from './pages.ts';
import { chromiumAvailable, serveForBrowser, OUT } from './chromium.ts';

/**
 * The warnings page on the demo, in chromium, at phone (390 px) and desktop (1440 px) width:
 * mid-year warnings with their records, acknowledgement with a note, the province's ranking, and
 * the navigation badge. Screenshots go to test-output/.
 */
const haveChromium = chromiumAvailable('the warnings browser suite');
const SLOW = { timeout: 20_000 };

class WarningsPage {
  constructor(readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/warnings`);
    await this.page.getByTestId('warnings-page').waitFor(SLOW);
  }
  /** Picks a quarter's end, e.g. '6月30日', and waits for the county's warnings of that day. */
  async asOf(label: string, expectText: string): Promise<void> {
    await this.page.getByTestId('quarter-ends').getByText(label, { exact: true }).click();
    await this.page.getByTestId('warnings-card').getByText(expectText).first().waitFor(SLOW);
  }
  items() { return this.page.getByTestId('warning-item'); }
  item(text: string) { return this.items().filter({ hasText: text }); }
}

describe.skipIf(!haveChromium)('warnings page in chromium', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let passwords: Map<string, string>;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  const session = async (username: string, width: number): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width, height: width < 600 ? 844 : 960 }, locale: 'zh-CN' });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await new LoginPage(page, base).signIn(username, passwords.get(username)!);
    return page;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    await ensureWebBuilt(() => undefined);
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-warn-'));
    store = openStore({ engine: 'sqlite', file: join(dir, 'xiezuo.sqlite') });
    await migrate(store);
    await loadDemo(store);
    passwords = new Map((await createDemoAccounts(store)).map((a) => [a.username, a.password]));
    ({ app, base, browser } = await serveForBrowser(store, dir));
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the county its mid-year warnings with their records, and keeps an acknowledged one visible with its note (1440 px)', async () => {
    const page = await session('zhouqu.admin', 1440);
    await page.getByTestId('warnings-badge').waitFor(SLOW);
    const w = new WarningsPage(page, base);
    await w.open();
    await w.asOf('6月30日', '资金拨付：截至2022-06-30无带日期的记录');
    expect(await w.items().count()).toBe(5);
    // The investment stated for the first half gives the one target with a pace: far short at that rate.
    await w.item('引导企业投资额：年底预计519.6713万元').waitFor(SLOW);
    await expect.poll(() => w.item('引导落地企业：1条记录未填签约日期').getByTestId('record-link').innerText()).toContain('天津宏农科技发展有限公司');
    // Targets whose figures are stated totals or undated say so instead of inventing a pace.
    expect(await page.getByTestId('pace-table').innerText()).toContain('全年数为上报汇总值，无日期，不测算进度');
    await w.item('引导落地企业').getByTestId('record-link').click();
    await page.getByTestId('record-modal').getByText('470万元').waitFor(SLOW);
    await page.keyboard.press('Escape');
    await w.item('资金拨付：截至').getByTestId('ack-button').click();
    await page.getByTestId('ack-note-input').fill('拨付凭证由财政局集中录入，7月补录');
    await page.getByRole('button', { name: /OK|确\s*定/ }).click();
    await w.item('资金拨付：截至').getByTestId('ack-note').getByText('拨付凭证由财政局集中录入，7月补录').waitFor(SLOW);
    await w.asOf('9月30日', '资金拨付：截至2022-09-30无带日期的记录');
    expect(await w.item('资金拨付：截至').getByTestId('ack-note').innerText()).toContain('7月补录');
    await w.asOf('6月30日', '资金拨付：截至2022-06-30无带日期的记录');
    await shot(page, 'warnings-1440-county-mid-year');
    await w.asOf('12月31日', '2022-11-30前未完工');
    expect(await w.items().filter({ hasText: '2022-11-30前未完工' }).count()).toBe(2);
    expect(await page.getByTestId('pace-table').innerText()).toContain('470万元');
    await shot(page, 'warnings-1440-county-year-end');
    expect(problems).toEqual([]);
  }, 120_000);

  it('ranks the province user\'s counties and opens one (1440 px)', async () => {
    const page = await session('gansu.province', 1440);
    const w = new WarningsPage(page, base);
    await w.open();
    await page.getByTestId('ranking-table').getByText('舟曲县（623023）').waitFor(SLOW);
    await w.asOf('6月30日', '资金拨付：截至2022-06-30无带日期的记录');
    expect(await page.getByTestId('ack-button').count()).toBe(0); // the province reads; the county acknowledges
    await shot(page, 'warnings-1440-province');
  }, 120_000);

  it('fits a phone (390 px): targets as short blocks, warnings and records within the width', async () => {
    const page = await session('zhouqu.admin', 390);
    const w = new WarningsPage(page, base);
    await w.open();
    await w.asOf('6月30日', '资金拨付：截至2022-06-30无带日期的记录');
    await shot(page, 'warnings-390-county');
    const widest = await page.evaluate(() => {
      const root = document.querySelector('[data-testid="warnings-page"]')!;
      let worst = '';
      let right = 0;
      for (const el of Array.from(root.querySelectorAll('*'))) {
        if (el.closest('.ant-table-content')) continue;
        const r = el.getBoundingClientRect();
        if (r.right > right) { right = r.right; worst = `${el.tagName}.${el.className}`; }
      }
      return { right, worst, page: root.getBoundingClientRect().right };
    });
    // The page's own content stays inside the phone's width (the tables scroll within it).
    expect(widest.right, widest.worst).toBeLessThanOrEqual(390);
    expect(await page.getByTestId('pace-table').innerText()).toContain('全年数为上报汇总值，无日期，不测算进度');
    // A target without a projection carries no colour of success or failure, whatever day was shown before;
    // the one projected from the first half's stated investment is marked off track.
    const tags = await page.getByTestId('pace-status').all();
    const coloured: string[] = [];
    for (const tag of tags) {
      const cls = (await tag.getAttribute('class')) ?? '';
      if ((await tag.innerText()).includes('未测算')) expect(cls).not.toMatch(/green|red/);
      else coloured.push(`${await tag.innerText()} ${/red/.test(cls) ? 'red' : cls}`);
    }
    expect(coloured).toEqual(['难完成 red']);
    expect(problems).toEqual([]);
  }, 120_000);
});
