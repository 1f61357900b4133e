import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// Repositories under src/store/ are the only code that builds SQL: services and routes call them.
// Opening a transaction is a service's business and is not counted; building a query is.

const ROOT = join(import.meta.dirname, '..', '..');

/** Files outside src/store/ that still build queries, each with why it may for now (none left). */
const ALLOWED: Record<string, string> = {};

const QUERY = /\b(?:selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql(?:<[^>`]*>)?`/g;

/** Each query-building call in a source text, with its 1-based line and what matched. */
export function queryCalls(text: string): Array<{ line: number; match: string }> {
  const out: Array<{ line: number; match: string }> = [];
  for (const m of text.matchAll(QUERY)) out.push({ line: text.slice(0, m.index).split('\n').length, match: m[0] });
  return out;
}

/** Every .ts file under src/, as a path relative to the project with forward slashes. */
function sourceFiles(): string[] {
  return (readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => relative(ROOT, join(ROOT, 'src', f)).split(sep).join('/'))
    .sort();
}

describe('SQL is built only in src/store/', () => {
  it('finds query-building calls in a text, with their lines', () => {
    const sample = [
      "const a = await db.selectFrom('org_unit').selectAll().execute();",
      'const b = 1;',
      "await tx.insertInto('t').values(v).execute(); await tx.updateTable('t').set(v).execute();",
      "await db.deleteFrom('t').execute();",
      'const n = sql<number>`count(*)`;',
      "const r = await sql`select 1`.execute(db);",
      'await store.db.transaction().execute(async (tx) => f(tx));',
      "const selectFromage = 'cheese'; // not a call",
    ].join('\n');
    expect(queryCalls(sample)).toEqual([
      { line: 1, match: 'selectFrom(' },
      { line: 3, match: 'insertInto(' },
      { line: 3, match: 'updateTable(' },
      { line: 4, match: 'deleteFrom(' },
      { line: 5, match: 'sql<number>`' },
      { line: 6, match: 'sql`' },
    ]);
  });

  it('has no query-building call outside src/store/ except in the allowed files', () => {
    const found: string[] = [];
    for (const file of sourceFiles()) {
      if (file.startsWith('src/store/') || file in ALLOWED) continue;
      for (const c of queryCalls(readFileSync(join(ROOT, file), 'utf8'))) found.push(`${file}:${c.line} ${c.match}`);
    }
    expect(found, 'move these queries into a repository under src/store/').toEqual([]);
  });

  it('allows only files that still build queries (an entry goes once its file is clean)', () => {
    const clean = Object.keys(ALLOWED).filter((file) => queryCalls(readFileSync(join(ROOT, file), 'utf8')).length === 0);
    expect(clean, 'remove these from ALLOWED: they no longer build SQL').toEqual([]);
  });
});
