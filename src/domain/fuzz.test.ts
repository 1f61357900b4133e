// Fuzzing, bounded: every target runs for XIEZUO_FUZZ_MS milliseconds (default 1500; set it higher
// for a longer run, e.g. XIEZUO_FUZZ_MS=600000) with a seeded generator, so a failure is repeatable
// from the seed it prints. Each input must be answered cleanly — a value or a located rejection —
// never an exception, a stack overflow or a hang.
import { describe, expect, it } from 'vitest';
import { check, parse } from './expr/index.ts';
import { auditText } from './figures-audit/index.ts';
import { creditCodeCheckChar, residentIdCheckChar, validateCreditCode, validateResidentId } from './ids.ts';

const BUDGET_MS = Number(process.env.XIEZUO_FUZZ_MS) || 1500;
const SEED = Number(process.env.XIEZUO_FUZZ_SEED) || 20261201;

/** mulberry32: small, fast, seeded. */
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

/** Runs `body` on generated cases until the time budget is spent; returns how many ran. */
function fuzz(name: string, body: (r: () => number, i: number) => void): number {
  const r = rng(SEED ^ [...name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  const end = Date.now() + BUDGET_MS;
  let i = 0;
  for (; Date.now() < end; i++) body(r, i);
  return i;
}

const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const TOKENS = [
  'count', 'sum', 'value', 'values', 'by', 'year', '(', ')', '[', ']', ',', '.', '+', '-', '*', '/', '>=', '<=', '>', '<', '=', '!=',
  'and', 'or', 'not', 'if', 'then', 'else', 'meeting', 'fund_allocation.amount', 'meeting.count', 'type', '1', '0', '3.14', '1e309',
  '99999999999999999999', '"x"', "'y'", '"', '-1', 'year - 1', '__proto__', 'constructor', 'prototype', '\n', ' ', '\t', '#', '@', '万', '约', '１２',
];

describe('fuzz: expression parser', () => {
  it('answers every token soup with an AST or a located error, never an exception', () => {
    const n = fuzz('expr-tokens', (r) => {
      const src = Array.from({ length: 1 + Math.floor(r() * 30) }, () => pick(r, TOKENS)).join(r() < 0.5 ? ' ' : '');
      let res;
      try {
        res = parse(src);
      } catch (e) {
        throw new Error(`parse threw on ${JSON.stringify(src)} (seed ${SEED}): ${(e as Error).message}`);
      }
      if (!res.ok) {
        expect(res.error.message.length, src).toBeGreaterThan(0);
        expect(res.error.line, src).toBeGreaterThanOrEqual(1);
        expect(res.error.column, src).toBeGreaterThanOrEqual(1);
      } else {
        expect(() => check(res.ast, { ledgers: {}, elements: {} } as never)).not.toThrow(TypeError);
      }
    });
    expect(n).toBeGreaterThan(100);
  });

  it('answers random characters, including control and astral ones, without an exception', () => {
    fuzz('expr-chars', (r) => {
      const src = Array.from({ length: Math.floor(r() * 40) }, () => String.fromCodePoint(r() < 0.8 ? 32 + Math.floor(r() * 95) : Math.floor(r() * 0x10ffff) & ~0x800)).join('');
      expect(() => parse(src), JSON.stringify(src)).not.toThrow();
    });
  });

  it('rejects very deep nesting cleanly instead of overflowing the stack', () => {
    for (const depth of [100, 1000, 20000]) {
      for (const src of ['('.repeat(depth) + '1' + ')'.repeat(depth), '-'.repeat(depth) + '1', '('.repeat(depth)]) {
        const res = parse(src);
        if (!res.ok) expect(res.error.message.length).toBeGreaterThan(0);
      }
    }
    expect(parse('('.repeat(20000) + '1' + ')'.repeat(20000)).ok).toBe(false);
  });

  it('parses a long flat expression (a hang would stop the suite at its time limit)', () => {
    const src = Array.from({ length: 20000 }, (_, i) => String(i)).join(' + ');
    expect(parse(src).ok).toBe(true);
  });
});

const ID_CHARS = '0123456789XxABCDEFGHJKLMNPQRTUWY -＿１２\u0000';

describe('fuzz: ID and credit-code validators', () => {
  it('never throw, and accept only what satisfies every rule', () => {
    fuzz('ids-random', (r) => {
      const s = Array.from({ length: Math.floor(r() * 22) }, () => pick(r, [...ID_CHARS])).join('');
      const a = validateResidentId(s, { today: '2026-12-01' });
      const b = validateCreditCode(s);
      if (a.ok) {
        expect(a.id).toMatch(/^\d{17}[\dX]$/);
        expect(residentIdCheckChar(a.id)).toBe(a.id[17]);
      } else expect(a.reasonZh.length).toBeGreaterThan(0);
      if (b.ok) expect(creditCodeCheckChar(b.code)).toBe(b.code[17]);
      else expect(b.reasonZh.length).toBeGreaterThan(0);
    });
    for (const odd of [undefined, null, 42, {}, [], 'x'.repeat(1_000_000)] as unknown[]) {
      expect(() => validateResidentId(odd as string)).not.toThrow();
      expect(() => validateCreditCode(odd as string)).not.toThrow();
    }
  });

  it('reject every single-character change of a valid number', () => {
    fuzz('ids-mutate', (r) => {
      const region = pick(r, ['623023', '120101', '110105', '310115', '620000']);
      const y = 1900 + Math.floor(r() * 120);
      const m = 1 + Math.floor(r() * 12);
      const d = 1 + Math.floor(r() * 28);
      const first17 = `${region}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(Math.floor(r() * 1000)).padStart(3, '0')}`;
      const id = first17 + residentIdCheckChar(first17);
      expect(validateResidentId(id, { today: '2026-12-01' }).ok, id).toBe(true);
      const at = Math.floor(r() * 18);
      const ch = pick(r, [...'0123456789X'].filter((c) => c !== id[at]));
      const changed = id.slice(0, at) + ch + id.slice(at + 1);
      expect(validateResidentId(changed, { today: '2026-12-01' }).ok, `${id} → ${changed}`).toBe(false);
    });
  });
});

const REPORT_TOKENS = [
  '共', '计', '其中', '分别为', '、', '，', '。', '；', '（', '）', '\n', '\n\n', ' ', '约', '近', '余', '以上', '超过', '左右', '百分之', '个百分点',
  '1', '0', '12', '3.5', '1.2万', '2.5亿', '１２．５', '三', '两', '十二', '一百零五', '万', '亿', '元', '万元', '亿元', '人', '户', '个', '对', '家',
  '次', '场', '期', '人次', '%', '％', '亩', '平方米', '头', '—', '-', '~', '至', '拨付率', '完工率', '占比', '增长', '较上年', '9'.repeat(40), '.', '..',
  '\u3000', '𠀀', '\u0000', '__proto__', '名学生', '所学校',
];

describe('fuzz: report-figure extractor', () => {
  it('audits any text without an exception, every figure located where it stands', () => {
    const n = fuzz('report figures', (r) => {
      const text = Array.from({ length: 1 + Math.floor(r() * 60) }, () => pick(r, REPORT_TOKENS)).join('');
      const a = auditText(text);
      for (const f of a.figures) {
        expect(f.text.length, text).toBeGreaterThan(0);
        expect(text.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)), text).toContain(f.text.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
      }
      for (const rel of a.relations) expect(['holds', 'holds_other_rounding', 'fails']).toContain(rel.verdict);
    });
    expect(n).toBeGreaterThan(50);
  });

  it('reads a long text in bounded time (a hang would stop the suite at its time limit)', () => {
    const text = '全年共计引导企业投资1.2万元，其中东部企业3个、西部企业4个；拨付率为85.5%。'.repeat(2000);
    expect(auditText(text).figures.length).toBeGreaterThan(1000);
  });
});
