import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The command line's start-up (`xiezuo --help`, and the moment before any command's own module
 * loads) must not pull in the database drivers, the YAML parser, the web server or the Excel
 * library: each command imports those when it runs. This follows the static (value) imports of
 * src/cli/main.ts through the project's own files and lists the packages they reach.
 */
const SRC = join(import.meta.dirname, '..', '..', 'src');

function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  // `import x from '…'`, `import { a } from '…'`, `export { a } from '…'`; not `import type`, not `import('…')`.
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
    const clause = m[0];
    // `import { type A, type B } from` brings nothing at run time.
    const names = /\{([^}]*)\}/.exec(clause)?.[1];
    if (names && names.split(',').every((n) => !n.trim() || n.trim().startsWith('type '))) continue;
    out.push(m[1]!);
  }
  return out;
}

function reached(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (f: string) => {
    if (files.has(f)) return;
    files.add(f);
    for (const spec of staticImports(f)) {
      if (spec.startsWith('.')) walk(resolve(dirname(f), spec));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  walk(entry);
  return { files, packages };
}

describe('command-line start-up', () => {
  it('loads only commander and the command tree before a command runs', () => {
    const { files, packages } = reached(join(SRC, 'cli', 'main.ts'));
    expect([...packages]).toEqual(['commander']);
    // The walk really follows imports: main.ts reaches the error and registry modules.
    expect([...files].map((f) => f.slice(SRC.length + 1)).sort()).toEqual(expect.arrayContaining(['cli/errors.ts', 'cli/registry.ts', 'services/errors.ts']));
  });

  it('the walk sees a driver when a module imports one', () => {
    // A module known to open the database reaches its drivers: the check above is not vacuous.
    expect([...reached(join(SRC, 'store', 'db.ts')).packages]).toEqual(expect.arrayContaining(['better-sqlite3', 'kysely']));
  });
});

describe('what a process on the embedded database and a CSV import carry', () => {
  it('the store loads the PostgreSQL driver only for a PostgreSQL store', () => {
    expect([...reached(join(SRC, 'store', 'db.ts')).packages]).not.toContain('pg');
  });

  it('the reading thread of an import reaches neither the spreadsheet library nor the zip reader until a workbook is read', () => {
    const { files, packages } = reached(join(SRC, 'excel', 'scan-worker.ts'));
    // It does reach the readers, the CSV parser and the checks: the walk went through them.
    expect([...files].map((f) => f.slice(SRC.length + 1))).toEqual(expect.arrayContaining(['excel/read.ts', 'excel/scan.ts', 'excel/precheck.ts']));
    expect([...packages]).toContain('csv-parse');
    for (const p of ['exceljs', 'unzipper', 'pg']) expect([...packages]).not.toContain(p);
  });

  it('an import of clean files loads the spreadsheet writer only to annotate files with problems', () => {
    const { files, packages } = reached(join(SRC, 'services', 'imports.ts'));
    expect([...files].map((f) => f.slice(SRC.length + 1))).toEqual(expect.arrayContaining(['excel/import.ts', 'excel/import-thread.ts']));
    expect([...packages]).not.toContain('exceljs');
  });
});
