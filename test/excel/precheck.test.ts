/**
 * The import's quick row test against the ledger schema it stands in for: on random input for
 * every ledger, whenever the quick test says yes the schema must accept the row with the same
 * values; and it must say yes to ordinary valid rows, or it would save nothing.
 */
import { describe, expect, it } from 'vitest';
import { LEDGERS } from '../../src/domain/ledgers/declarations.ts';
import { recordSchema } from '../../src/domain/ledgers/schema.ts';
import type { FieldDecl } from '../../src/domain/ledgers/types.ts';
import { QUALIFIERS } from '../../src/domain/ledgers/types.ts';
import { precompiledCheck } from '../../src/excel/precheck.ts';
import { categoriesFor } from '../../src/services/config.ts';
import { residentId } from './builders.ts';

const YEAR = 2022;
const CASES = Number(process.env.XIEZUO_FUZZ_CASES ?? 40) * 100;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const categories = categoriesFor(YEAR);

function goodValue(f: FieldDecl, r: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  switch (f.type) {
    case 'text':
      if (f.pii) return residentId('623023', '19900101', Math.floor(r() * 1000));
      if (f.creditCode) return '91350100M000100Y43';
      return pick(['某', '天津某科技有限公司', 'a b']);
    case 'int':
    case 'money': {
      const lo = f.min ?? 0;
      const hi = f.max ?? lo + 1_000_000;
      return lo + Math.floor(r() * (hi - lo + 1));
    }
    case 'date': return pick(['2022-01-31', '2022-07-13', '2020-02-29']);
    case 'enum': return pick((categories[f.categories!] ?? []).filter((c) => !c.retired).map((c) => c.value));
    case 'bool': return r() < 0.5;
    case 'code': return pick(['623023', '623023100', '62302310020']);
  }
}

function oddValue(f: FieldDecl, r: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const good = goodValue(f, r);
  return pick([
    undefined, null, '', ' ', ` ${String(good)} `, 'x'.repeat(f.maxLength ?? 2001), 'x'.repeat((f.maxLength ?? 2000) + 1),
    -1, 0, 1.5, 13, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Infinity, true, '是', String(good), '2021-02-29', '2022-7-1',
    '1', '91350100M000100Y44', residentId('623023', '19900101', 1).slice(0, 17) + 'Z', 'retired', 'about', 'range', good, good, good, {},
  ]);
}

function input(kind: (typeof LEDGERS)[number], r: () => number, odd: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => { if (v !== undefined || r() < 0.3) out[k] = v; };
  for (const f of kind.fields) {
    set(f.name, r() < odd ? oddValue(f, r) : f.required || r() < 0.7 ? goodValue(f, r) : undefined);
    if (f.qualified) {
      if (r() < 0.5) set(`${f.name}_qual`, r() < odd ? oddValue(f, r) : QUALIFIERS[Math.floor(r() * QUALIFIERS.length)]);
      if (r() < 0.3) set(`${f.name}_max`, r() < odd ? oddValue(f, r) : goodValue(f, r));
    }
  }
  if (r() < 0.3) out.note = r() < odd ? oddValue({ name: 'note', type: 'text', label: { zh: '', en: '' } }, r) : '备注';
  if (r() < odd / 10) out.unknown_field = 'x';
  return out;
}

describe('quick row test before the schema', () => {
  for (const decl of LEDGERS) {
    it(`${decl.kind}: says yes only to what the schema accepts unchanged, and to ordinary valid rows`, () => {
      const schema = recordSchema(decl, categories);
      const quick = precompiledCheck(decl, categories);
      const r = rng(decl.kind.length * 7919 + 20261202);
      let yes = 0;
      let valid = 0;
      let validYes = 0;
      for (let i = 0; i < CASES; i++) {
        const row = input(decl, r, i % 2 ? 0.3 : 0);
        const parsed = schema.safeParse(row);
        const q = quick(row);
        if (q) {
          yes++;
          expect(parsed.success, JSON.stringify(row)).toBe(true);
          const data = parsed.data as Record<string, unknown>;
          for (const k of Object.keys(row)) expect(data[k], k).toEqual(row[k]);
        }
        if (parsed.success && i % 2 === 0) { valid++; if (q) validYes++; }
      }
      expect(yes).toBeGreaterThan(0);
      // Valid rows built from ordinary values: the quick test recognises every one.
      expect(validYes).toBe(valid);
    });
  }
});
