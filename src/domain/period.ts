/**
 * The span of an assessment year an indicator is evaluated over. The whole year is the default and
 * means exactly the annual figures; every other period runs from 1 January to the end of a quarter,
 * of a month, or to a given day of the year ("to date"). A period is independent of the year: the
 * same period applied to the year before gives the comparable span of that year (year-on-year).
 * Pure: no I/O, no clock.
 */

export type Period =
  | { kind: 'year' }
  | { kind: 'quarter'; n: 1 | 2 | 3 | 4 }
  | { kind: 'month'; n: number }
  /** To a day of the year, as MM-DD (29 February becomes the 28th in a year without one). */
  | { kind: 'day'; day: string };

export const WHOLE_YEAR: Period = { kind: 'year' };

/** Why a text is not a period, in both languages. */
export interface PeriodError { zh: string; en: string }

export type PeriodParse = { ok: true; period: Period } | { ok: false; error: PeriodError };

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const monthDays = (y: number, m: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Reads a period: `year` (or nothing), `Q1`…`Q4`, `M01`…`M12` (`M1` too), or with `to` an ISO day
 * (YYYY-MM-DD) that must fall in `year` when a year is given. Never throws: a bad text comes back
 * as an error in Chinese and English.
 */
export function parsePeriod(text: string | undefined, opts: { to?: string; year?: number } = {}): PeriodParse {
  const fail = (zh: string, en: string): PeriodParse => ({ ok: false, error: { zh, en } });
  const t = text?.trim() ?? '';
  if (opts.to !== undefined) {
    if (t && t.toLowerCase() !== 'year') return fail('period 与 to 只能给出一个', 'give either period or to, not both');
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(opts.to.trim());
    if (!m) return fail(`截止日期应为 YYYY-MM-DD：${opts.to}`, `the end day must be YYYY-MM-DD: ${opts.to}`);
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mo < 1 || mo > 12 || d < 1 || d > monthDays(y, mo)) return fail(`不存在的日期：${opts.to}`, `no such day: ${opts.to}`);
    if (opts.year !== undefined && y !== opts.year) return fail(`截止日期 ${opts.to} 不在 ${opts.year} 年内`, `the end day ${opts.to} is not in ${opts.year}`);
    return { ok: true, period: { kind: 'day', day: `${m[2]}-${m[3]}` } };
  }
  if (t === '' || t.toLowerCase() === 'year') return { ok: true, period: WHOLE_YEAR };
  const q = /^[Qq]([1-4])$/.exec(t);
  if (q) return { ok: true, period: { kind: 'quarter', n: Number(q[1]) as 1 | 2 | 3 | 4 } };
  const mm = /^[Mm](\d{1,2})$/.exec(t);
  if (mm) {
    const n = Number(mm[1]);
    if (n >= 1 && n <= 12) return { ok: true, period: { kind: 'month', n } };
    return fail(`月份应为 M01–M12：${t}`, `a month is M01–M12: ${t}`);
  }
  return fail(`无法识别的期间：${t}（可用 year、Q1–Q4、M01–M12，或 to=YYYY-MM-DD）`, `unknown period: ${t} (use year, Q1–Q4, M01–M12, or to=YYYY-MM-DD)`);
}

/** True for the whole year, the period whose figures are the annual ones. */
export const isWholeYear = (p: Period): boolean => p.kind === 'year';

/** A short stable name: `year`, `Q2`, `M08`, `D08-15` (cache keys, query strings). */
export function periodKey(p: Period): string {
  switch (p.kind) {
    case 'year': return 'year';
    case 'quarter': return `Q${p.n}`;
    case 'month': return `M${pad(p.n)}`;
    case 'day': return `D${p.day}`;
  }
}

/** The last day the period covers in `year` (ISO), or null for the whole year. */
export function periodEnd(p: Period, year: number): string | null {
  switch (p.kind) {
    case 'year': return null;
    case 'quarter': { const m = p.n * 3; return `${year}-${pad(m)}-${pad(monthDays(year, m))}`; }
    case 'month': return `${year}-${pad(p.n)}-${pad(monthDays(year, p.n))}`;
    case 'day': {
      const [m, d] = p.day.split('-').map(Number) as [number, number];
      return `${year}-${pad(m)}-${pad(Math.min(d, monthDays(year, m)))}`;
    }
  }
}

const QUARTER_ZH = ['一', '二', '三', '四'];
const MONTH_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** How a period is named: 全年 / the whole year, 第二季度末 / to the end of Q2, 1—8月 / January–August, 截至8月15日 / to 15 August. */
export function periodLabel(p: Period): { zh: string; en: string } {
  switch (p.kind) {
    case 'year': return { zh: '全年', en: 'the whole year' };
    case 'quarter': return { zh: `第${QUARTER_ZH[p.n - 1]}季度末`, en: `to the end of Q${p.n}` };
    case 'month': return p.n === 1 ? { zh: '1月', en: 'January' } : { zh: `1—${p.n}月`, en: `January–${MONTH_EN[p.n - 1]}` };
    case 'day': {
      const [m, d] = p.day.split('-').map(Number) as [number, number];
      return { zh: `截至${m}月${d}日`, en: `to ${d} ${MONTH_EN[m - 1]}` };
    }
  }
}

/** The share of the year the period covers in `year`, in days (1 for the whole year). */
export function periodShareOfYear(p: Period, year: number): { days: number; of: number } {
  const of = isLeap(year) ? 366 : 365;
  const end = periodEnd(p, year);
  if (!end) return { days: of, of };
  const [, m, d] = end.split('-').map(Number) as [number, number, number];
  let days = d;
  for (let i = 1; i < m; i++) days += monthDays(year, i);
  return { days, of };
}
