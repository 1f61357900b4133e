import type { Store } from './db.ts';

const kept = new WeakMap<Store, { generation: string; values: Map<string, Promise<unknown>> }>();
/** At most this many values are kept per store between two writes. */
const KEPT_VALUES = 10_000;

/**
 * A value read from the database, kept until anything may have been written (Store.generation), so a
 * request that repeats a small lookup (a data version, whether a unit exists) costs no statement
 * while nothing changes. The generation is read before the value: a write that lands while it is
 * being read changes the generation, so what was read is not used past it. Where the store has no
 * generation (PostgreSQL) the value is read each time.
 */
export function keptUntilWrite<T>(store: Store, key: string, read: () => Promise<T>): Promise<T> {
  const generation = store.generation?.();
  if (generation === undefined) return read();
  let k = kept.get(store);
  if (!k || k.generation !== generation) kept.set(store, k = { generation, values: new Map() });
  const had = k.values.get(key);
  if (had) return had as Promise<T>;
  if (k.values.size >= KEPT_VALUES) k.values.clear();
  const value = read();
  const values = k.values;
  values.set(key, value);
  value.catch(() => { if (values.get(key) === value) values.delete(key); });
  return value;
}
