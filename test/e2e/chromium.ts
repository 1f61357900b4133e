import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { ensureWebBuilt, WEB_DIST } from '../../src/cli/serve.ts';
import { buildApp } from '../../src/server/app.ts';
import { createDemoAccounts } from '../../src/services/accounts.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';

/** Debian's chromium, or XIEZUO_CHROMIUM. */
export const CHROMIUM = process.env.XIEZUO_CHROMIUM ?? '/usr/bin/chromium';
/** Headless and quiet: this machine's closed network refuses chromium's background connections. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
/** Where the suites leave their screenshots (git-ignored). */
export const OUT = join(process.cwd(), 'test-output');

/**
 * Whether chromium is there for a browser suite. Under CI it must be: a missing browser throws instead
 * of skipping. Locally a missing browser skips the suite with a loud message naming it.
 */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${suite} needs chromium at ${CHROMIUM} under CI (apt-get install chromium fonts-noto-cjk)`);
  console.warn(`\n!!! chromium not found at ${CHROMIUM}: ${suite} is SKIPPED.\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * The server of a browser suite on a free loopback port, serving the built web app over `store`, and
 * a browser to drive it. The suite closes both (browser first) and then its store.
 */
export async function serveForBrowser(store: Store, dataDir: string): Promise<{ app: FastifyInstance; base: string; browser: Browser }> {
  const app = await buildApp({ store, dataDir, webDir: WEB_DIST });
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  return { app, base, browser: await launchChromium() };
}

export interface DemoBrowser {
  store: Store;
  app: FastifyInstance;
  base: string;
  browser: Browser;
  /** The demo accounts' passwords by user name. */
  passwords: Map<string, string>;
  /** Closes the browser, the server and the store, and removes the database folder. */
  dispose: () => Promise<void>;
}

/**
 * A browser suite's usual start: the web app built, a SQLite file with the demo dataset (and
 * whatever `prepare` adds), the demo accounts, the server and a browser.
 */
export async function demoForBrowser(prefix: string, prepare?: (store: Store) => Promise<void>): Promise<DemoBrowser> {
  mkdirSync(OUT, { recursive: true });
  await ensureWebBuilt(() => undefined);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = openStore({ engine: 'sqlite', file: join(dir, 'xiezuo.sqlite') });
  await migrate(store);
  await loadDemo(store);
  await prepare?.(store);
  const passwords = new Map((await createDemoAccounts(store)).map((a) => [a.username, a.password]));
  const { app, base, browser } = await serveForBrowser(store, dir);
  return {
    store, app, base, browser, passwords,
    dispose: async () => {
      await browser.close();
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
