/**
 * Money as an integer count of 分 (fen, 0.01 元). See money.md for why, and where parsing and
 * formatting happen. Nothing here uses floating point: text is read digit by digit, and printing
 * goes through Rational.
 */
import { Rational, type RoundingMode } from './rational.ts';

/** An amount in 分: always a safe integer (|x| ≤ 2^53 − 1), possibly negative. */
export type Fen = number & { readonly __brand: 'Fen' };

const FEN_PER_YUAN = 100n;
const FEN_PER_WAN = 1_000_000n;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Brands a number as 分. Throws RangeError unless it is a safe integer. */
export function fen(n: number): Fen {
  if (!Number.isSafeInteger(n)) throw new RangeError(`金额须为整数分：${String(n)} / an amount in fen must be a safe integer, got ${String(n)}`);
  return (Object.is(n, -0) ? 0 : n) as Fen;
}

function fromBig(n: bigint, what: string): Fen {
  if (n > MAX || n < -MAX) throw new RangeError(`金额超出范围：${what} / amount out of range: ${what}`);
  return Number(n) as Fen;
}

/** The sum of the arguments. Throws RangeError if an argument or the total is not a safe integer. */
export function addFen(...xs: Fen[]): Fen {
  return sumFen(xs);
}

/** The sum of an iterable of amounts (0 when empty). Throws RangeError on a non-integer or an overflowing total. */
export function sumFen(xs: Iterable<Fen>): Fen {
  let total = 0n;
  for (const x of xs) total += BigInt(fen(x));
  return fromBig(total, `${total} 分`);
}

/** The exact value in 分 as a Rational. */
export function fenToRational(f: Fen): Rational {
  return Rational.of(fen(f));
}

const FULL_WIDTH: Record<string, string> = { '．': '.', '，': ',', '－': '-', '＋': '+' };

/** Full-width digits and punctuation to ASCII; surrounding whitespace (including U+3000) removed. */
function normalise(s: string): string {
  return s
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[．，－＋]/g, (c) => FULL_WIDTH[c]!)
    .trim();
}

// Digits with optional correctly grouped thousands separators, optional fraction.
const AMOUNT = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;

function parseScaled(s: string, scaleDigits: number, unit: { zh: string; en: string }): Fen {
  if (typeof s !== 'string') throw new RangeError(`不是金额：${String(s)} / not an amount: ${String(s)}`);
  const t = normalise(s);
  const m = AMOUNT.exec(t);
  if (!m) throw new RangeError(`不是金额（${unit.zh}）：“${s}” / not an amount in ${unit.en}: "${s}"`);
  const frac = m[3] ?? '';
  if (/[1-9]/.test(frac.slice(scaleDigits)))
    throw new RangeError(`金额精度超过1分：“${s}”${unit.zh}最多${scaleDigits}位小数 / more precise than 1 fen: "${s}" ${unit.en} allows at most ${scaleDigits} decimals`);
  const digits = m[2]!.replace(/,/g, '') + frac.slice(0, scaleDigits).padEnd(scaleDigits, '0');
  const n = BigInt(digits);
  return fromBig(m[1] === '-' ? -n : n, `“${s}”`);
}

/**
 * Reads an amount in 元 ("5100", "1,234.5", "-0.01", "１２．３") into 分. Accepts surrounding
 * whitespace, full-width digits and punctuation, and correctly grouped thousands separators.
 * Throws RangeError for anything else, and for more than two decimals unless the extra digits are zeros.
 */
export function parseYuan(s: string): Fen {
  return parseScaled(s, 2, { zh: '元', en: 'yuan' });
}

/**
 * Reads an amount in 万元 ("448.2582" → 448258200 分) with the same leniency as parseYuan. One 分 is
 * 0.000001 万元, so at most six significant decimals are accepted; more precision throws RangeError.
 */
export function parseWan(s: string): Fen {
  return parseScaled(s, 6, { zh: '万元', en: '10k yuan' });
}

export interface FormatOptions {
  /** Print exactly this many decimals, rounded by `mode`. Without it, the shortest exact form is printed. */
  decimals?: number;
  /** Rounding when `decimals` is given; default half_up (halves away from zero). */
  mode?: RoundingMode;
}

function format(f: Fen, per: bigint, opts: FormatOptions | undefined): string {
  const r = Rational.ratio(BigInt(fen(f)), per);
  return opts?.decimals === undefined ? r.toString() : r.toDecimalString(opts.decimals, opts.mode ?? 'half_up');
}

/**
 * An amount in 万元 without unit or grouping: exact and shortest by default (5100, 448.2582, 0.01),
 * or rounded to exactly `decimals` places.
 */
export function formatWan(f: Fen, opts?: FormatOptions): string {
  return format(f, FEN_PER_WAN, opts);
}

/** An amount in 元 without unit or grouping: exact and shortest by default (12, 12.3, 0.05), or rounded to `decimals` places. */
export function formatYuan(f: Fen, opts?: FormatOptions): string {
  return format(f, FEN_PER_YUAN, opts);
}
