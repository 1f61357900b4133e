import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const SOFFICE = '/usr/bin/soffice';

/**
 * Whether LibreOffice is installed. Under CI it must be: tests call this and fail instead of
 * skipping. Locally a missing LibreOffice skips with a loud message.
 */
export function sofficeAvailable(): boolean {
  if (existsSync(SOFFICE)) return true;
  if (process.env.CI) throw new Error(`LibreOffice is required under CI but ${SOFFICE} is missing`);
  console.warn(`\n!!! LibreOffice is missing (${SOFFICE}): checks that office files open in it are SKIPPED.\n`);
  return false;
}

/** Converts a document with LibreOffice in a private profile and returns the converted file's content. */
export async function sofficeConvert(content: Buffer, name: string, to: string): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-lo-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  await run(SOFFICE, ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', to, '--outdir', join(dir, 'out'), file], { timeout: 180_000 });
  const ext = to.split(':')[0]!;
  return readFileSync(join(dir, 'out', `${basename(name).replace(/\.[^.]+$/, '')}.${ext}`));
}
