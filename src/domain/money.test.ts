import { describe, expect, it } from 'vitest';
import { addFen, type Fen, fen, fenToRational, formatWan, formatYuan, parseWan, parseYuan, sumFen } from './money.ts';

describe('fen', () => {
  it('brands safe integers', () => {
    expect(fen(0)).toBe(0);
    expect(fen(-5)).toBe(-5);
    expect(fen(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(Object.is(fen(-0), 0)).toBe(true);
  });

  it.each([0.5, Number.NaN, Infinity, 2 ** 53, -(2 ** 53)])('rejects %s', (n) => {
    expect(() => fen(n)).toThrow(RangeError);
  });
});

describe('sums', () => {
  it('adds exactly', () => {
    expect(addFen(fen(1), fen(2), fen(-4))).toBe(-1);
    expect(addFen()).toBe(0);
    expect(sumFen([fen(10), fen(20)])).toBe(30);
    expect(sumFen(new Set([fen(7)]))).toBe(7);
    function* gen() { yield fen(1); yield fen(1); }
    expect(sumFen(gen())).toBe(2);
  });

  it('throws when the total leaves the safe range', () => {
    expect(() => addFen(fen(Number.MAX_SAFE_INTEGER), fen(1))).toThrow(RangeError);
    expect(addFen(fen(Number.MAX_SAFE_INTEGER), fen(1), fen(-1))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects unbranded non-integers smuggled in by a cast', () => {
    expect(() => addFen(fen(1), 0.5 as Fen)).toThrow(RangeError);
  });
});

describe('parseWan', () => {
  it.each([
    ['448.2582', 448_258_200],
    ['5100', 5_100_000_000],
    ['5,100', 5_100_000_000],
    ['1,234,567.89', 1_234_567_890_000],
    ['  460.23 ', 460_230_000],
    ['\u3000460.23\u3000', 460_230_000],
    ['４４８．２５８２', 448_258_200],
    ['５，１００', 5_100_000_000],
    ['－１', -1_000_000],
    ['0.01', 10_000],
    ['0.000001', 1],
    ['0.0000010000', 1],
    ['-0.5', -500_000],
    ['+2', 2_000_000],
    ['0', 0],
    ['-0', 0],
  ])('%j → %d fen', (s, expected) => {
    expect(parseWan(s)).toBe(expected);
  });

  it('rejects more precision than one fen, saying so', () => {
    expect(() => parseWan('0.0000001')).toThrow(RangeError);
    expect(() => parseWan('0.0000001')).toThrow(/more precise than 1 fen/);
    expect(() => parseWan('1.2345678')).toThrow(/精度超过1分/);
  });

  it.each(['', ' ', 'abc', '1e3', '1.', '.5', '12,34', '1,2345', ',100', '1..2', '1.2.3', '12万', '1 000', '--1', '0x10'])(
    'rejects %j',
    (s) => {
      expect(() => parseWan(s)).toThrow(RangeError);
    },
  );

  it('rejects amounts beyond the safe integer range', () => {
    expect(() => parseWan('9007199254.740991')).not.toThrow();
    expect(() => parseWan('9007199254.740992')).toThrow(/out of range/);
  });
});

describe('parseYuan', () => {
  it.each([
    ['37.74', 3774],
    ['100', 10_000],
    ['1,234.5', 123_450],
    ['0.01', 1],
    ['0.010', 1],
    ['１２．３', 1230],
    ['-5', -500],
  ])('%j → %d fen', (s, expected) => {
    expect(parseYuan(s)).toBe(expected);
  });

  it('rejects fractions of a fen', () => {
    expect(() => parseYuan('0.001')).toThrow(/more precise than 1 fen/);
    expect(() => parseYuan('0.005')).toThrow(RangeError);
  });

  it('rejects junk', () => {
    expect(() => parseYuan('十元')).toThrow(RangeError);
    expect(() => parseYuan('12元')).toThrow(/not an amount in yuan/);
  });
});

describe('formatWan', () => {
  it('prints the shortest exact form by default', () => {
    expect(formatWan(fen(5_100_000_000))).toBe('5100');
    expect(formatWan(fen(448_258_200))).toBe('448.2582');
    expect(formatWan(fen(460_230_000))).toBe('460.23');
    expect(formatWan(fen(10_000))).toBe('0.01'); // 100 元
    expect(formatWan(fen(1))).toBe('0.000001');
    expect(formatWan(fen(-500_000))).toBe('-0.5');
    expect(formatWan(fen(0))).toBe('0');
  });

  it('rounds half up to exactly the requested decimals', () => {
    expect(formatWan(fen(448_258_200), { decimals: 2 })).toBe('448.26');
    expect(formatWan(fen(448_258_200), { decimals: 0 })).toBe('448');
    expect(formatWan(fen(5_100_000_000), { decimals: 2 })).toBe('5100.00');
    expect(formatWan(fen(5_000), { decimals: 2 })).toBe('0.01'); // 0.005 万元
    expect(formatWan(fen(-5_000), { decimals: 2 })).toBe('-0.01');
    expect(formatWan(fen(4_999), { decimals: 2 })).toBe('0.00');
    expect(formatWan(fen(5_000), { decimals: 2, mode: 'truncate' })).toBe('0.00');
  });

  it('round-trips with parseWan', () => {
    for (const s of ['448.2582', '5100', '0.000001', '-12.5', '9007199254.740991'])
      expect(formatWan(parseWan(s))).toBe(s);
  });
});

describe('formatYuan', () => {
  it('prints yuan exactly or rounded', () => {
    expect(formatYuan(fen(3774))).toBe('37.74');
    expect(formatYuan(fen(1230))).toBe('12.3');
    expect(formatYuan(fen(1200))).toBe('12');
    expect(formatYuan(fen(-1))).toBe('-0.01');
    expect(formatYuan(fen(1230), { decimals: 2 })).toBe('12.30');
    expect(formatYuan(fen(1250), { decimals: 0 })).toBe('13');
    expect(formatYuan(fen(-1250), { decimals: 0 })).toBe('-13');
  });
});

describe('fenToRational', () => {
  it('is exact', () => {
    expect(fenToRational(fen(448_258_200)).toString()).toBe('448258200');
    expect(() => fenToRational(1.5 as Fen)).toThrow(RangeError);
  });
});
