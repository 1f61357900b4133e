#!/usr/bin/env node
// Compiles src/ to JavaScript under dist/ (tsc, relative .ts imports rewritten to .js), so the
// `xiezuo` command starts without a TypeScript loader. Run by `npm install` (prepare) and `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { compiledEntry } from './entries.mjs';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
// Plain .mjs entry points (worker threads) are copied, pointing at the compiled modules.
const copy = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) copy(p);
    else if (e.name.endsWith('.mjs')) {
      const out = join(dist, relative(root, p));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, compiledEntry(readFileSync(p, 'utf8'), relative(root, p)));
    } else if (/\.(txt|json)$/.test(e.name)) {
      // Data files read beside their module (e.g. the common-password list) travel with it.
      const out = join(dist, relative(root, p));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, readFileSync(p));
    }
  }
};
copy(join(root, 'src'));
writeFileSync(join(dist, 'BUILT'), `${new Date().toISOString()}\n`);
