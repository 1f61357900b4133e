// Runs every benchmark in this folder (files named *.bench.ts exporting `run(): Promise<void>`), or
// only those whose names contain one of the arguments: `npm run bench -- indicators`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const files = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
for (const f of files) {
  console.log(`\n=== ${f}`);
  const mod = (await import(join(import.meta.dirname, f))) as { run: () => Promise<void> };
  await mod.run();
}
