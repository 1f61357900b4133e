// Whether dist/ (the compiled JavaScript, built by `npm install` or `npm run build`) is at least as
// new as every source file, so running it runs the code as it is in src/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newestSource(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function builtIsFresh() {
  const built = join(root, 'dist', 'BUILT');
  return existsSync(built) && statSync(built).mtimeMs >= newestSource(join(root, 'src'));
}
