import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { WEB_DIST } from '../../src/cli/serve.ts';
import { buildApp } from '../../src/server/app.ts';
import type { Store } from '../../src/store/db.ts';

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
