/**
 * Start-up and one Word report:
 *   cli     — `xiezuo --help` (compiled JavaScript when dist/ is fresh), against bare `node -e 0`
 *             started the same way in the same run; median of 7 each;
 *   docx    — one Word report of the demo county rendered in process (CPU time of renderDocx, after
 *             a warm-up), against building the same report model (the data side), median of 7.
 * Run: npm run bench -- startup
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDemo } from '../src/services/demo.ts';
import { buildReport } from '../src/services/reports.ts';
import { SYSTEM } from '../src/services/scope.ts';
import { migrate, openStore } from '../src/store/db.ts';

process.env.XIEZUO_SECRET ??= 'bench-secret';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function wall(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  execFileSync(process.execPath, args, { stdio: 'ignore', env });
  return performance.now() - t0;
}

async function cpu(fn: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** Whether dist/ is at least as new as every source file (then the command runs compiled JavaScript). */
function distFresh(root: string): boolean {
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true })
    .reduce((t, e) => Math.max(t, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const built = join(root, 'dist', 'BUILT');
  return existsSync(built) && statSync(built).mtimeMs >= newest(join(root, 'src'));
}

export async function run(): Promise<void> {
  const root = join(import.meta.dirname, '..');
  const bin = join(root, 'bin', 'xiezuo.mjs');
  // What users run is the compiled command (built at install): measure that, building it first if the sources are newer.
  if (!distFresh(root)) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
    console.log('(dist/ was older than the sources: built for this run)');
  }
  const base = median(Array.from({ length: 7 }, () => wall(['-e', '0'])));
  const help = median(Array.from({ length: 7 }, () => wall([bin, '--help'])));
  const helpTs = median(Array.from({ length: 3 }, () => wall([bin, '--help'], { ...process.env, XIEZUO_TS: '1' })));
  console.log(`node -e 0 (baseline)         ${base.toFixed(0)} ms`);
  console.log(`xiezuo --help                ${help.toFixed(0)} ms  (+${(help - base).toFixed(0)} ms over bare node)`);
  console.log(`xiezuo --help from sources   ${helpTs.toFixed(0)} ms  (XIEZUO_TS=1, through the TypeScript loader)`);

  const store = openStore({ engine: 'sqlite', file: ':memory:' });
  await migrate(store);
  await loadDemo(store);
  const { renderDocx } = await import('../src/reports/render-docx.ts');
  const model = await buildReport(store, SYSTEM, '623023', 2022);
  await renderDocx(model);
  const models: number[] = [];
  for (let i = 0; i < 7; i++) models.push(await cpu(() => buildReport(store, SYSTEM, '623023', 2022)));
  const modelMs = median(models);
  const docx: number[] = [];
  for (let i = 0; i < 7; i++) docx.push(await cpu(() => renderDocx(model)));
  console.log(`report model (data side)     ${modelMs.toFixed(1)} ms CPU`);
  console.log(`Word report (renderDocx)     ${median(docx).toFixed(1)} ms CPU  (${(median(docx) / modelMs).toFixed(2)}× the model)`);
  await store.close();
  console.log(JSON.stringify({ node_ms: Math.round(base), help_ms: Math.round(help), help_ts_ms: Math.round(helpTs), report_model_cpu_ms: Number(modelMs.toFixed(1)), docx_cpu_ms: Number(median(docx).toFixed(1)) }));
}
