import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (where config/ and data/ live), independent of the working directory. */
// Compiled, this module sits one level deeper (dist/src/services), hence the look for package.json.
// Kept apart from config.ts so that the command line's start-up does not load the YAML parser or the store.
const HERE = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ROOT = existsSync(join(HERE, 'package.json')) ? HERE : join(HERE, '..');
