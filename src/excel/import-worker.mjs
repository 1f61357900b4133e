// Entry of an import thread. From the sources it registers the TypeScript loader first; the build's copy loads the compiled module directly.
import { register } from 'tsx/esm/api';

register();
await import('./import-worker.ts');
