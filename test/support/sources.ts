import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The folder of source documents the programme publishes (the demo county's report among them):
 * XIEZUO_SOURCES, or `shared/` beside the checkout. They are not part of the project.
 */
export const SOURCES = process.env.XIEZUO_SOURCES ?? fileURLToPath(new URL('../../../shared/', import.meta.url));

/** The demo's source report, by its path under SOURCES. */
export const SEED_REPORT = 'seed/000_618374a9dcdd491e.txt';

/** A source document's full path under SOURCES. */
export const sourcePath = (name: string): string => `${SOURCES.replace(/\/?$/, '/')}${name}`;

/**
 * Whether a source document (or folder of them) is there, for the tests that check figures against
 * it. Under CI it must be: a missing one throws instead of skipping. Locally a missing one makes
 * those tests skip, with a loud message naming it and where it was looked for.
 */
export function sourceAvailable(name: string, suite: string): boolean {
  const path = sourcePath(name);
  if (existsSync(path)) return true;
  if (process.env.CI) throw new Error(`${suite} needs the source document ${path} under CI (set XIEZUO_SOURCES to the folder that holds ${name})`);
  console.warn(`\n!!! source document not found at ${path}: ${suite} is SKIPPED (set XIEZUO_SOURCES to the folder that holds it).\n`);
  return false;
}

/** A source document's text, or undefined where sourceAvailable says it is not there. */
export function sourceText(name: string, suite: string): string | undefined {
  return sourceAvailable(name, suite) ? readFileSync(sourcePath(name), 'utf8') : undefined;
}
