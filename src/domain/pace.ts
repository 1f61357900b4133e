import { Rational } from './rational.ts';

/**
 * Calendar arithmetic and growth curves for the pace of a year's figures. Pure: no I/O. Days are
 * counted from 1 (1 January) within the assessment year; a day past the year's last continues into
 * the next year, so a pace that reaches its target late can still name the date.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  const m = ISO.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

export function daysInYear(year: number): number {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365;
}

/** Day number of an ISO date within `year` (1 = 1 January); dates of other years fall before 1 or after the year's end. */
export function dayOfYear(iso: string, year: number): number {
  const m = ISO.exec(iso);
  if (!m) throw new RangeError(`not a date: ${iso}`);
  return Math.round((Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
}

/** The ISO date of day `day` of `year` (day 1 = 1 January; past the year's end it runs on). */
export function dateOfDay(year: number, day: number): string {
  return new Date(Date.UTC(year, 0, day)).toISOString().slice(0, 10);
}

/** `MM-DD` of a configured deadline placed in `year`, e.g. ('06-30', 2022) → '2022-06-30'. */
export function inYear(monthDay: string, year: number): string {
  return `${year}-${monthDay}`;
}

/**
 * How a figure to date grows until day d: `factor(d)` multiplies the figure to date (factor(elapsed) = 1).
 * linear: the same amount every day; seasonal: as the same days did in earlier years.
 */
export interface Curve {
  method: 'linear' | 'seasonal';
  factor(day: number): Rational;
  /** The last day the curve can say something about (seasonal curves stop at the year's end). */
  lastDay: number;
}

export function linearCurve(elapsed: number, lastDay: number): Curve {
  const e = Rational.of(elapsed);
  return { method: 'linear', factor: (d) => Rational.of(d).div(e), lastDay };
}

/**
 * The cumulative share of a year's total reached by day d, from monthly totals of earlier years
 * (added up over those years), spreading each month evenly over its days. Null when the earlier
 * years hold nothing, or nothing by day `elapsed` (a share of zero cannot be scaled up).
 */
export function seasonalCurve(monthly: ReadonlyArray<Rational>, year: number, elapsed: number): Curve | null {
  if (monthly.length !== 12) throw new RangeError('twelve monthly totals expected');
  const total = monthly.reduce((a, b) => a.add(b), Rational.ZERO);
  if (total.sign() <= 0) return null;
  const starts: number[] = [];
  for (let mo = 0; mo < 12; mo++) starts.push(dayOfYear(`${year}-${String(mo + 1).padStart(2, '0')}-01`, year));
  const end = daysInYear(year);
  const share = (d: number): Rational => {
    if (d >= end) return Rational.ONE;
    let acc = Rational.ZERO;
    for (let mo = 0; mo < 12; mo++) {
      const s = starts[mo]!;
      const len = (mo < 11 ? starts[mo + 1]! : end + 1) - s;
      if (d >= s + len - 1) acc = acc.add(monthly[mo]!);
      else if (d >= s) { acc = acc.add(monthly[mo]!.mul(Rational.ratio(BigInt(d - s + 1), BigInt(len)))); break; } else break;
    }
    return acc.div(total);
  };
  const base = share(elapsed);
  if (base.sign() <= 0) return null;
  return { method: 'seasonal', factor: (d) => share(d).div(base), lastDay: end };
}

/**
 * The first day in [lo, hi] for which `ok` holds, assuming that once it holds it keeps holding
 * (figures that only grow); null when it does not hold by `hi`.
 */
export function firstDay(lo: number, hi: number, ok: (day: number) => boolean): number | null {
  if (hi < lo || !ok(hi)) return null;
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = Math.floor((a + b) / 2);
    if (ok(mid)) b = mid; else a = mid + 1;
  }
  return a;
}
