import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain script of the build, without type declarations
import { compiledEntry } from '../../scripts/entries.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const rewrite = compiledEntry as (text: string, name: string) => string;

function entries(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? entries(join(dir, e.name)) : e.name.endsWith('.mjs') ? [join(dir, e.name)] : []);
}

describe("the build's copies of the worker threads' entries", () => {
  const files = entries(join(ROOT, 'src'));

  it('finds the entries of the threads (reading, import, ranking, reports)', () => {
    expect(files.map((f) => relative(ROOT, f)).sort()).toEqual(expect.arrayContaining([
      'src/excel/import-worker.mjs', 'src/excel/scan-worker.mjs', 'src/services/overview-worker.mjs', 'src/services/report-worker.mjs']));
  });

  it('load the compiled module, without the TypeScript loader the source entry registers', () => {
    for (const f of files) {
      const source = readFileSync(f, 'utf8');
      expect(source).toContain("from 'tsx/esm/api'");
      const built = rewrite(source, relative(ROOT, f));
      expect(built).not.toContain('tsx');
      expect(built).not.toContain('register(');
      expect(built).toMatch(/await import\('\.\/[\w-]+\.js'\);/);
    }
  });

  it('refuses an entry whose loader lines it does not recognise', () => {
    expect(() => rewrite("import * as loader from 'tsx/esm/api';\nloader.register();\nawait import('./x.ts');\n", 'src/x.mjs')).toThrow(/src\/x\.mjs/);
  });
});
