import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

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
