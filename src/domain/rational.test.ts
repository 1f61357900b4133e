import { describe, expect, it } from 'vitest';
import { Rational } from './rational.ts';

const r = (s: string) => Rational.parse(s);

describe('Rational construction', () => {
  it('normalises sign and common factors', () => {
    const x = Rational.ratio(6n, -4n);
    expect([x.num, x.den]).toEqual([-3n, 2n]);
    const z = Rational.ratio(0n, -7n);
    expect([z.num, z.den]).toEqual([0n, 1n]);
    expect(Rational.ratio(-10n, -5n).eq(Rational.of(2))).toBe(true);
  });

  it('of accepts integers and bigints only', () => {
    expect(Rational.of(42).num).toBe(42n);
    expect(Rational.of(-7n).num).toBe(-7n);
    expect(Rational.of(Number.MAX_SAFE_INTEGER).num).toBe(9007199254740991n);
    expect(() => Rational.of(0.5)).toThrow(RangeError);
    expect(() => Rational.of(2 ** 53)).toThrow(RangeError);
    expect(() => Rational.of(Number.NaN)).toThrow(RangeError);
    expect(() => Rational.of(Infinity)).toThrow(RangeError);
  });

  it('ratio with a zero denominator throws', () => {
    expect(() => Rational.ratio(1n, 0n)).toThrow(new RangeError('division by zero'));
  });
});

describe('Rational.parse', () => {
  it.each([
    ['37.74', 1887n, 50n],
    ['-0.5', -1n, 2n],
    ['448.2582', 2241291n, 5000n],
    ['0', 0n, 1n],
    ['-0', 0n, 1n],
    ['+12', 12n, 1n],
    ['007.50', 15n, 2n],
    ['  3.0  ', 3n, 1n],
    ['123456789012345678901234567890.000000000000000000001', 123456789012345678901234567890000000000000000000001n, 10n ** 21n],
    ['30/43', 30n, 43n],
    ['-6/4', -3n, 2n],
  ])('%s', (s, num, den) => {
    const x = r(s);
    expect([x.num, x.den]).toEqual([num, den]);
  });

  it.each(['', '   ', 'abc', '1e3', '1.', '.5', '1,000', '1.2.3', '--1', '0x10', '1/0', '1/-2', 'NaN', 'Infinity', '１２'])(
    'rejects %j with a RangeError',
    (s) => {
      expect(() => r(s)).toThrow(RangeError);
    },
  );

  it('names the bad input in the message', () => {
    expect(() => r('12abc')).toThrow('not a decimal number: "12abc"');
    expect(() => r('')).toThrow('not a decimal number: empty string');
  });
});

describe('arithmetic', () => {
  it('adds, subtracts, multiplies and divides exactly', () => {
    expect(r('0.1').add(r('0.2')).eq(r('0.3'))).toBe(true);
    expect(r('1/3').add(r('1/6')).toString()).toBe('0.5');
    expect(r('5').sub(r('7.25')).toString()).toBe('-2.25');
    expect(r('1.5').mul(r('-4')).toString()).toBe('-6');
    expect(r('1').div(r('3')).toString()).toBe('1/3');
    expect(r('-2').div(r('-8')).toString()).toBe('0.25');
    expect(r('3').neg().toString()).toBe('-3');
    expect(r('-3/4').abs().toString()).toBe('0.75');
  });

  it('throws on division by zero', () => {
    expect(() => r('1').div(Rational.ZERO)).toThrow(new RangeError('division by zero'));
  });

  it('compares', () => {
    expect(r('1/3').cmp(r('0.3333'))).toBe(1);
    expect(r('-1').cmp(r('0'))).toBe(-1);
    expect(r('2/4').cmp(r('0.5'))).toBe(0);
    expect(r('2/4').eq(r('0.5'))).toBe(true);
    expect(r('0.5').eq(r('0.50001'))).toBe(false);
    expect(Rational.ZERO.isZero()).toBe(true);
    expect(r('-0.0').isZero()).toBe(true);
    expect(r('0.01').isZero()).toBe(false);
    expect(r('4/2').isInteger()).toBe(true);
    expect([r('-2').sign(), r('0').sign(), r('1/9').sign()]).toEqual([-1, 0, 1]);
    expect(Rational.min(r('1'), r('2')).toString()).toBe('1');
    expect(Rational.max(r('1'), r('2')).toString()).toBe('2');
  });
});

describe('toDecimalString', () => {
  const rate = Rational.ratio(30n, 43n).mul(Rational.of(100)); // 69.767441…

  it('rounds half up by default and prints exactly the requested decimals', () => {
    expect(rate.toDecimalString(2)).toBe('69.77');
    expect(rate.toDecimalString(0)).toBe('70');
    expect(rate.toDecimalString(4)).toBe('69.7674');
    expect(r('3').toDecimalString(2)).toBe('3.00');
    expect(r('0.004').toDecimalString(2)).toBe('0.00');
    expect(r('0.005').toDecimalString(2)).toBe('0.01');
    expect(r('12.345').toDecimalString(2)).toBe('12.35');
    expect(r('2.5').toDecimalString(0)).toBe('3');
  });

  it('half_up rounds negative halves away from zero', () => {
    expect(r('-2.5').toDecimalString(0)).toBe('-3');
    expect(r('-0.005').toDecimalString(2)).toBe('-0.01');
    expect(r('-12.344').toDecimalString(2)).toBe('-12.34');
  });

  it('truncate drops digits toward zero', () => {
    expect(rate.toDecimalString(2, 'truncate')).toBe('69.76');
    expect(r('-1.999').toDecimalString(2, 'truncate')).toBe('-1.99');
    expect(r('0.999').toDecimalString(0, 'truncate')).toBe('0');
  });

  it('half_even rounds halves to the even neighbour', () => {
    expect(r('2.5').toDecimalString(0, 'half_even')).toBe('2');
    expect(r('3.5').toDecimalString(0, 'half_even')).toBe('4');
    expect(r('-2.5').toDecimalString(0, 'half_even')).toBe('-2');
    expect(r('-3.5').toDecimalString(0, 'half_even')).toBe('-4');
    expect(r('0.125').toDecimalString(2, 'half_even')).toBe('0.12');
    expect(r('0.1251').toDecimalString(2, 'half_even')).toBe('0.13');
  });

  it('never prints a negative zero', () => {
    expect(r('-0.001').toDecimalString(2)).toBe('0.00');
    expect(r('-0.4').toDecimalString(0)).toBe('0');
    expect(r('-0.9').toDecimalString(0, 'truncate')).toBe('0');
  });

  it('rejects bad arguments', () => {
    expect(() => rate.toDecimalString(-1)).toThrow(RangeError);
    expect(() => rate.toDecimalString(1.5)).toThrow(RangeError);
    expect(() => rate.toDecimalString(2, 'ceil' as never)).toThrow(RangeError);
  });
});

describe('toString, toJSON and toNumber', () => {
  it('prints the shortest exact decimal when one exists', () => {
    expect(r('448.2582').toString()).toBe('448.2582');
    expect(r('5100.000').toString()).toBe('5100');
    expect(r('-0.50').toString()).toBe('-0.5');
    expect(Rational.ratio(1n, 1024n).toString()).toBe('0.0009765625');
    expect(Rational.ratio(7n, 80n).toString()).toBe('0.0875');
    expect(Rational.ZERO.toString()).toBe('0');
  });

  it('prints num/den otherwise, and parse reads both back', () => {
    expect(Rational.ratio(30n, 43n).toString()).toBe('30/43');
    expect(Rational.ratio(-1n, 3n).toString()).toBe('-1/3');
    for (const x of [Rational.ratio(-1n, 3n), r('448.2582'), r('-0.0001'), Rational.ratio(10n ** 30n + 1n, 7n)])
      expect(Rational.parse(x.toString()).eq(x)).toBe(true);
  });

  it('serialises to JSON as its string', () => {
    expect(JSON.stringify({ v: r('1.25'), w: Rational.ratio(2n, 3n) })).toBe('{"v":"1.25","w":"2/3"}');
  });

  it('converts to a float for charts', () => {
    expect(r('69.77').toNumber()).toBe(69.77);
    expect(Rational.ratio(1n, 3n).toNumber()).toBeCloseTo(1 / 3, 15);
    expect(r('-12').toNumber()).toBe(-12);
    expect(Rational.ratio(10n ** 40n, 3n).toNumber()).toBeCloseTo(3.3333333333333333e39, -25);
  });

  it('gives the nearest double of a fraction whose parts fit in a double, as one division does', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 2000; i++) {
      const a = next() * (i % 2 ? -1 : 1) * (i % 3 ? 1 : 4096);
      const b = (next() % 100000) + 1;
      expect(Rational.ratio(BigInt(a), BigInt(b)).toNumber()).toBe(a / b);
    }
    expect(Rational.ratio(2n, 3n).toNumber()).toBe(2 / 3);
    expect(Rational.ratio(-7n, 40n).toNumber()).toBe(-0.175);
  });
});
