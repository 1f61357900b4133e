#!/usr/bin/env node
// Entry point of the `xiezuo` command. Runs the compiled JavaScript in dist/ (built by `npm install`
// or `npm run build`) when it is at least as new as every source file; otherwise loads the
// TypeScript sources through tsx's loader, so an edited checkout never runs stale code.
import { builtIsFresh } from './built.mjs';

const fresh = process.env.XIEZUO_TS !== '1' && builtIsFresh();
// Output piped into `head` and the like: a closed pipe ends the command quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
let main;
if (fresh) ({ main } = await import('../dist/src/cli/main.js'));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
