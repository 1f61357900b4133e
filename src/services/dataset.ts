import { datasetInfo } from '../store/dataset-repo.ts';
import type { Store } from '../store/db.ts';

export interface SyntheticMark { seed: number; counties: number; year: number }

/** What `xiezuo synth` recorded about a generated dataset, or null for a database of real data. Never throws on an ordinary database. */
export async function syntheticDataset(store: Store): Promise<SyntheticMark | null> {
  const v = (await datasetInfo(store)).synthetic;
  if (!v) return null;
  const o = JSON.parse(v) as Partial<SyntheticMark>;
  return { seed: Number(o.seed ?? 0), counties: Number(o.counties ?? 0), year: Number(o.year ?? 0) };
}
