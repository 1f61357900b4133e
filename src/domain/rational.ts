/**
 * Exact rational numbers over BigInt, and the single rounding implementation of the code base.
 *
 * Every instance is normalised: `den > 0n` and `gcd(|num|, den) === 1n`, so two equal values have
 * identical `num` and `den`, and zero is always `0/1`. Instances are immutable.
 */

export type RoundingMode = 'half_up' | 'truncate' | 'half_even';

const ROUNDING_MODES: readonly RoundingMode[] = ['half_up', 'truncate', 'half_even'];

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;
const FRACTION = /^([+-]?)(\d+)\/(\d+)$/;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
// 10^0 … 10^20, the scales figures are printed at; larger ones are computed.
const POW10 = Array.from({ length: 21 }, (_, i) => 10n ** BigInt(i));
const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

export class Rational {
  /** Numerator; carries the sign. */
  readonly num: bigint;
  /** Denominator; always positive and coprime with `num`. */
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  static readonly ZERO = new Rational(0n, 1n);
  static readonly ONE = new Rational(1n, 1n);

  /** `num / den`, normalised. Throws RangeError('division by zero') when `den` is 0. */
  static ratio(num: bigint, den: bigint): Rational {
    if (den === 0n) throw new RangeError('division by zero');
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num, den);
    return g === 1n ? new Rational(num, den) : new Rational(num / g, den / g);
  }

  /** An integer. Throws RangeError for a number that is not a safe integer (fractions go through `parse`). */
  static of(n: bigint | number): Rational {
    if (typeof n === 'bigint') return new Rational(n, 1n);
    if (!Number.isSafeInteger(n)) throw new RangeError(`Rational.of needs a safe integer, got ${String(n)}; use Rational.parse for decimals`);
    return new Rational(BigInt(n), 1n);
  }

  /**
   * Reads a decimal ("37.74", "-0.5", "+12") or a fraction ("-30/43", as printed by `toString`),
   * surrounded by optional whitespace. Exponents, separators and other text throw a RangeError
   * naming the input.
   */
  static parse(s: string): Rational {
    if (typeof s !== 'string') throw new RangeError(`not a decimal number: ${String(s)}`);
    const t = s.trim();
    if (t === '') throw new RangeError('not a decimal number: empty string');
    const d = DECIMAL.exec(t);
    if (d) {
      const frac = d[3] ?? '';
      const num = BigInt(d[2]! + frac);
      return Rational.ratio(d[1] === '-' ? -num : num, pow10(frac.length));
    }
    const f = FRACTION.exec(t);
    if (f) {
      const num = BigInt(f[2]!);
      const den = BigInt(f[3]!);
      if (den === 0n) throw new RangeError(`not a number: ${quote(s)} has a zero denominator`);
      return Rational.ratio(f[1] === '-' ? -num : num, den);
    }
    throw new RangeError(`not a decimal number: ${quote(s)}`);
  }

  add(o: Rational): Rational {
    // Whole numbers (counts, sums in 分) stay whole: no common divisor to look for.
    if (this.den === 1n && o.den === 1n) return new Rational(this.num + o.num, 1n);
    if (this.den === o.den) return Rational.ratio(this.num + o.num, this.den);
    return Rational.ratio(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  sub(o: Rational): Rational {
    return this.add(o.neg());
  }

  mul(o: Rational): Rational {
    if (this.den === 1n && o.den === 1n) return new Rational(this.num * o.num, 1n);
    return Rational.ratio(this.num * o.num, this.den * o.den);
  }

  /** Throws RangeError('division by zero') when `o` is zero. */
  div(o: Rational): Rational {
    if (o.num === 0n) throw new RangeError('division by zero');
    return Rational.ratio(this.num * o.den, this.den * o.num);
  }

  neg(): Rational {
    return new Rational(-this.num, this.den);
  }

  abs(): Rational {
    return this.num < 0n ? this.neg() : this;
  }

  /** -1, 0 or 1 as `this` is less than, equal to or greater than `o`. */
  cmp(o: Rational): -1 | 0 | 1 {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  eq(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  isInteger(): boolean {
    return this.den === 1n;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }

  /**
   * Exactly `decimals` digits after the point (none and no point for 0), rounded by `mode`:
   * `half_up` rounds halves away from zero, `truncate` drops digits toward zero, `half_even`
   * rounds halves to the even neighbour. A result that rounds to zero prints without a minus sign.
   */
  toDecimalString(decimals: number, mode: RoundingMode = 'half_up'): string {
    if (!Number.isSafeInteger(decimals) || decimals < 0) throw new RangeError(`decimals must be a non-negative integer, got ${String(decimals)}`);
    if (!ROUNDING_MODES.includes(mode)) throw new RangeError(`unknown rounding mode ${quote(String(mode))}`);
    const scaled = this.num * pow10(decimals);
    let q = scaled / this.den; // truncates toward zero
    const twiceRest = abs(scaled % this.den) * 2n;
    const away = this.num < 0n ? -1n : 1n;
    if (mode === 'half_up' && twiceRest >= this.den) q += away;
    else if (mode === 'half_even' && (twiceRest > this.den || (twiceRest === this.den && q % 2n !== 0n))) q += away;
    const digits = abs(q).toString().padStart(decimals + 1, '0');
    const int = digits.slice(0, digits.length - decimals);
    const text = decimals > 0 ? `${int}.${digits.slice(digits.length - decimals)}` : int;
    return q < 0n ? `-${text}` : text;
  }

  /** The nearest double. Only for charts and other display that tolerates approximation. */
  toNumber(): number {
    if (this.den === 1n) return Number(this.num);
    // Both parts exact as doubles: one IEEE division is the correctly rounded quotient.
    if (this.den <= SAFE && this.num <= SAFE && this.num >= -SAFE) return Number(this.num) / Number(this.den);
    return Number(this.toDecimalString(20, 'half_even'));
  }

  /** The shortest exact decimal when the value has one ("0.25", "-3", "448.2582"), otherwise "num/den". */
  toString(): string {
    if (this.den === 1n) return this.num.toString();
    let twos = 0;
    let fives = 0;
    let d = this.den;
    while (d % 2n === 0n) { d /= 2n; twos++; }
    while (d % 5n === 0n) { d /= 5n; fives++; }
    if (d !== 1n) return `${this.num}/${this.den}`;
    return this.toDecimalString(Math.max(twos, fives), 'truncate');
  }

  /** Serialises as the `toString` text, which `Rational.parse` reads back to an equal value. */
  toJSON(): string {
    return this.toString();
  }

  static min(a: Rational, b: Rational): Rational {
    return a.cmp(b) <= 0 ? a : b;
  }

  static max(a: Rational, b: Rational): Rational {
    return a.cmp(b) >= 0 ? a : b;
  }
}
