import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../src/cli/serve.ts';
import { createDemoAccounts } from '../../src/services/accounts.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { accountsDb } from '../../src/store/schema-accounts.ts';
import { LedgerPage, LoginPage, UsersPage } from './pages.ts';
import { chromiumAvailable, serveForBrowser, OUT } from './chromium.ts';

/**
 * The administrator's accounts page and a ledger's 合计 over several pages, at phone (390 px) and
 * desktop (1440 px) width, on a fresh database with the demo. Screenshots go to test-output/.
 */
const haveChromium = chromiumAvailable('the accounts browser suite');
const SLOW = { timeout: 15_000 };
const WIDTHS = [[390, 844, 'phone'], [1440, 960, 'desktop']] as const;
const overflow = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

describe.skipIf(!haveChromium)('accounts and ledger totals in the browser', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let passwords: Map<string, string>;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    await ensureWebBuilt(() => undefined);
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-accounts-e2e-'));
    store = openStore({ engine: 'sqlite', file: join(dir, 'xiezuo.sqlite') });
    await migrate(store);
    await loadDemo(store);
    passwords = new Map((await createDemoAccounts(store)).map((a) => [a.username, a.password]));
    // 25 sales of 1 to 25 万元: more than one page of 20, 325万元 in all.
    for (let i = 1; i <= 25; i++) {
      await createRecord(store, SYSTEM, 'consumption_sale', '623023', 2022, {
        channel: 'platform_832', seller: `合作社${String(i).padStart(2, '0')}`, date: '2022-09-01', amount: i * 1_000_000,
      });
    }
    ({ app, base, browser } = await serveForBrowser(store, dir));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = async (width: number, height: number, username: string) => {
    const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', isMobile: width < 500, hasTouch: width < 500, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    await new LoginPage(page, base).signIn(username, passwords.get(username)!);
    return { ctx, page };
  };
  const signInStatus = async (username: string, password: string) =>
    (await app.inject({ method: 'POST', url: '/api/session', payload: { username, password } })).statusCode;

  for (const [width, height, name] of WIDTHS) {
    it(`${name} (${width} px): the administrator adds, edits, disables, unlocks an account and resets its password`, async () => {
      const { ctx, page } = await open(width, height, 'admin');
      const shot = (step: string) => page.screenshot({ path: join(OUT, `users-${name}-${step}.png`), fullPage: false });
      try {
        const users = new UsersPage(page, base);
        const username = `li.ming.${width}`;
        const first = 'correct horse battery staple';
        await users.open();
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await users.add({ username, displayName: '李明', role: '县级填报员', units: '623023', password: first });
        await expect.poll(() => users.row(username).count(), SLOW).toBe(1);
        const added = await users.row(username).innerText();
        expect(added).toContain('县级填报员');
        expect(added).toContain('舟曲县（623023）');
        expect(await users.status(username)).toContain('正常');
        expect(await signInStatus(username, first)).toBe(200);
        await shot('1-added');

        await users.edit(username, { displayName: '李明（县财政局）', role: '县级审核员' });
        await expect.poll(() => users.row(username).innerText(), SLOW).toContain('李明（县财政局）');
        expect(await users.row(username).innerText()).toContain('县级审核员');

        await users.toggle(username);
        await expect.poll(() => users.status(username), SLOW).toContain('已停用');
        await users.row(username).screenshot({ path: join(OUT, `users-${name}-2-disabled.png`) });
        expect(await signInStatus(username, first)).not.toBe(200);
        await users.toggle(username);
        await expect.poll(() => users.status(username), SLOW).toContain('正常');

        // Locked as after repeated wrong passwords (50 of them); the page offers 解锁.
        await accountsDb(store).updateTable('app_user').set({ locked_at: new Date().toISOString() }).where('username', '=', username).execute();
        await users.open();
        await expect.poll(() => users.status(username), SLOW).toContain('已锁定');
        await users.row(username).screenshot({ path: join(OUT, `users-${name}-3-locked.png`) });
        expect(await signInStatus(username, first)).not.toBe(200);
        await users.unlock(username);
        await expect.poll(() => users.status(username), SLOW).toContain('正常');
        expect(await signInStatus(username, first)).toBe(200);

        const next = await users.resetPassword(username);
        expect(next.length).toBeGreaterThanOrEqual(10);
        await page.waitForTimeout(300);
        await shot('4-password-reset');
        await users.closeDialog();
        expect(await signInStatus(username, first)).not.toBe(200);
        expect(await signInStatus(username, next)).toBe(200);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await shot('5-done');
      } finally {
        await ctx.close();
      }
    }, 120_000);

    it(`${name} (${width} px): a ledger's 合计 adds up every record, not only the page shown`, async () => {
      const { ctx, page } = await open(width, height, 'zhouqu.admin');
      try {
        const ledger = new LedgerPage(page, base);
        await page.goto(`${base}/ledgers/consumption_sale`);
        await page.getByTestId('ledger-total').waitFor(SLOW);
        // 1 + 2 + … + 25 = 325万元 over 25 records, 20 of them on the first page.
        await expect.poll(() => ledger.total(), SLOW).toMatch(/合计（全部25条）[\s\S]*325(?!\d)/);
        await page.waitForLoadState('networkidle');
        await page.getByTestId('ledger-total').screenshot({ path: join(OUT, `ledger-total-${name}.png`) });
        await page.screenshot({ path: join(OUT, `ledger-total-${name}-page.png`), fullPage: true });
        // Page 2 shows 5 records and the same 合计.
        await page.locator('.ant-pagination-item-2').click();
        await expect.poll(() => page.locator(name === 'phone' ? '[data-testid^="record-card-"]' : '.ant-table-row').count(), SLOW).toBe(5);
        expect(await ledger.total()).toMatch(/合计（全部25条）[\s\S]*325(?!\d)/);
        // Filtered to one seller: the 合计 is that seller's.
        if (name === 'desktop') {
          await page.getByTestId('filter-seller').fill('合作社07');
          await page.getByTestId('filter-submit').click();
          await expect.poll(() => ledger.total(), SLOW).toMatch(/^合计(?!（)[\s\S]*\b7\b/);
        }
      } finally {
        await ctx.close();
      }
    }, 120_000);
  }
});
