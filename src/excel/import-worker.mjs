// Entry of an import thread: registers the TypeScript loader in this thread, then runs the import.
import { register } from 'tsx/esm/api';

register();
await import('./import-worker.ts');
