// The build's rewrite of a plain .mjs entry point (a worker thread's), kept apart so a test can check it.

/**
 * A worker thread's entry as the compiled build runs it: pointing at the compiled modules, and
 * without the TypeScript loader the source entry registers (a thread that loads it pays for it in
 * start-up and memory, for nothing). `name` locates a refusal.
 */
export function compiledEntry(text, name) {
  const out = text
    .replace(/(import\(\s*['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2')
    .replace(/^import \{ register \} from 'tsx\/esm\/api';\n+register\(\);\n/m, '');
  if (out.includes('tsx')) throw new Error(`${name}: the entry still loads tsx after the build's rewrite; write its loader lines as the other entries do`);
  return out;
}
