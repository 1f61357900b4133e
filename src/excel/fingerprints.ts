/**
 * A compact set of 52-bit fingerprints, each with a number attached (where it was first seen), in
 * two typed arrays with open addressing: about 32 bytes per entry at any size, and no garbage per
 * insert. A million keys take ~64 MB less than a Map would.
 */
export class FingerprintTable {
  private keys: Float64Array;
  private values: Float64Array;
  private count = 0;

  constructor(capacity = 1 << 12) {
    this.keys = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  private slot(keys: Float64Array, fp: number): number {
    const mask = keys.length - 1;
    let i = (fp % 0x40000000) & mask;
    while (keys[i] !== 0 && keys[i] !== fp) i = (i + 1) & mask;
    return i;
  }

  /** The value stored for `fp`, or undefined. `fp` must be a positive integer below 2^53. */
  get(fp: number): number | undefined {
    const i = this.slot(this.keys, fp);
    return this.keys[i] === fp ? this.values[i] : undefined;
  }

  /** Stores `value` for `fp` unless it is already there. */
  add(fp: number, value: number): void {
    this.put(fp, value, false);
  }

  /** Stores `value` for `fp`, replacing what was there. */
  set(fp: number, value: number): void {
    this.put(fp, value, true);
  }

  private put(fp: number, value: number, replace: boolean): void {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const i = this.slot(this.keys, fp);
    if (this.keys[i] === fp) {
      if (replace) this.values[i] = value;
      return;
    }
    this.keys[i] = fp;
    this.values[i] = value;
    this.count++;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.values = new Float64Array(keys.length * 2);
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === 0) continue;
      const i = this.slot(this.keys, keys[j]!);
      this.keys[i] = keys[j]!;
      this.values[i] = values[j]!;
    }
  }
}

/** A 52-bit fingerprint of a string (two 32-bit multiplicative hashes); collisions are astronomically rare at file sizes. */
export function fingerprint(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // Zero marks an empty slot in the fingerprint table.
  return 4294967296 * (h2 >>> 12) + (h1 >>> 0) || 1;
}
