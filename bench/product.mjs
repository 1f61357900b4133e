// The product's modules as the server and the `xiezuo` command load them: the compiled JavaScript in
// dist/ when it is up to date (`npm run build`), else the TypeScript sources. Benchmarks that time
// the product take its modules from here, so they measure the code that runs in use. Plain
// JavaScript, so that a benchmark's child process can load the build without a TypeScript loader.
import { builtIsFresh } from '../bin/built.mjs';

const compiled = process.env.XIEZUO_TS !== '1' && builtIsFresh();

/** Whether the compiled build is what the benchmark measures. */
export const measuresBuild = compiled;

/** What the benchmark output says it measured. */
export const measuredCode = compiled ? 'compiled JavaScript (dist/)' : 'TypeScript sources (dist/ is missing or older than src/)';

/** A module of src/ by its path without extension, e.g. `services/imports`. */
export function productModule(path) {
  return import(compiled ? `../dist/src/${path}.js` : `../src/${path}.ts`);
}
