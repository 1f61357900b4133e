import type { ImportOutcome, ImportRequest } from '../src/services/imports.ts';
import type { Store } from '../src/store/db.ts';

export { measuredCode, productModule } from './product.mjs';
export const COUNTY: string;
export const YEAR: number;
export function prepare(file: string): Promise<Store>;
export function importInto(store: Store, file: string, opts?: Partial<ImportRequest>): Promise<ImportOutcome>;
