/**
 * Checks for the two national identifiers the ledgers hold: the unified social credit code of an
 * organisation (GB 32100-2015) and the citizen identity number (GB 11643-1999). Input is trimmed
 * and upper-cased first; the normalised form is returned on success. Failures carry a reason in
 * English and Chinese.
 */

export type IdFailure = { ok: false; reason: string; reasonZh: string };

const fail = (reason: string, reasonZh: string): IdFailure => ({ ok: false, reason, reasonZh });

// ── Unified social credit code ─────────────────────────────────────────────

/** The 31 characters a credit code may use: digits and capitals without I, O, S, V, Z. */
const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** The check character (18th) for the first 17 characters of a credit code; they must be in the charset. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARSET.indexOf(first17[i]!) * CREDIT_WEIGHTS[i]!;
  return CREDIT_CHARSET[(31 - (sum % 31)) % 31]!;
}

/**
 * Validates an 18-character unified social credit code: length, character set, the six-digit
 * division code in characters 3–8, and the check character.
 */
export function validateCreditCode(s: string): { ok: true; code: string } | IdFailure {
  const code = String(s ?? '').trim().toUpperCase();
  if (code.length !== 18)
    return fail(`a unified social credit code has 18 characters, got ${code.length}`, `统一社会信用代码应为18位，实际为${code.length}位`);
  for (let i = 0; i < 18; i++) {
    if (!CREDIT_CHARSET.includes(code[i]!))
      return fail(
        `character ${i + 1} ('${code[i]}') is not allowed in a credit code (digits and capitals except I, O, S, V, Z)`,
        `第${i + 1}位“${code[i]}”不是统一社会信用代码可用字符（数字及除I、O、S、V、Z外的大写字母）`,
      );
  }
  if (!/^\d{6}$/.test(code.slice(2, 8)))
    return fail('characters 3–8 of a credit code must be a six-digit division code', '统一社会信用代码第3至8位应为6位数字行政区划码');
  const expected = creditCodeCheckChar(code);
  if (code[17] !== expected)
    return fail(`check character is wrong: expected '${expected}', got '${code[17]}'`, `校验码错误：应为“${expected}”，实际为“${code[17]}”`);
  return { ok: true, code };
}

// ── Citizen identity number ────────────────────────────────────────────────

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** Province-level prefixes of GB/T 2260 in use on identity numbers (mainland, 71 Taiwan, 81 Hong Kong, 82 Macao). */
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82',
]);

/** The check character (18th) for the first 17 digits of an identity number. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

const CHINA_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

let cachedDay = { until: 0, day: '' };
/** Today's date in China, recomputed at most once a minute: formatting a date per ID is costly in bulk imports. */
function chinaToday(): string {
  const now = Date.now();
  if (now >= cachedDay.until) cachedDay = { until: now + 60_000, day: CHINA_DATE.format(now) };
  return cachedDay.day;
}

/** The calendar date of `today` in China as YYYY-MM-DD; a string is taken as already being one. */
function isoDay(today: Date | string): string {
  if (typeof today === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new RangeError(`today must be YYYY-MM-DD, got "${today}"`);
    return today;
  }
  return CHINA_DATE.format(today);
}

export interface ResidentIdOptions {
  /** The date births may not be after: a Date (taken as its calendar day in China) or YYYY-MM-DD. Default: now. */
  today?: Date | string;
}

/**
 * Validates an 18-character citizen identity number: 17 digits and a check character (digit or X),
 * a province prefix in use, a real birth date from 1900 up to `today`, and the check character.
 * The old 15-digit numbers are not accepted.
 */
export function validateResidentId(
  s: string,
  opts: ResidentIdOptions = {},
): { ok: true; id: string; birthDate: string; regionCode: string } | IdFailure {
  const id = String(s ?? '').trim().toUpperCase();
  if (id.length !== 18)
    return fail(`a resident ID has 18 characters, got ${id.length}`, `身份证号应为18位，实际为${id.length}位`);
  if (!/^\d{17}[\dX]$/.test(id))
    return fail('a resident ID is 17 digits followed by a digit or X', '身份证号应为17位数字加1位数字或X');
  const regionCode = id.slice(0, 6);
  if (!PROVINCES.has(regionCode.slice(0, 2)))
    return fail(`region code ${regionCode} does not start with a province code`, `地区码${regionCode}的省级代码无效`);
  const [y, m, d] = [Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14))];
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isCalendarDate(y, m, d))
    return fail(`birth date ${id.slice(6, 14)} is not a real date`, `出生日期${id.slice(6, 14)}不是有效日期`);
  if (y < 1900) return fail(`birth date ${birthDate} is before 1900`, `出生日期${birthDate}早于1900年`);
  if (birthDate > (opts.today === undefined ? chinaToday() : isoDay(opts.today)))
    return fail(`birth date ${birthDate} is in the future`, `出生日期${birthDate}晚于当前日期`);
  const expected = residentIdCheckChar(id);
  if (id[17] !== expected)
    return fail(`check character is wrong: expected '${expected}', got '${id[17]}'`, `校验码错误：应为“${expected}”，实际为“${id[17]}”`);
  return { ok: true, id, birthDate, regionCode };
}

/**
 * A resident ID for display: the first and last four characters kept, everything between replaced
 * by one asterisk each (6230**********1234). Text of eight characters or fewer is fully masked.
 */
export function maskResidentId(id: string): string {
  const t = id.trim();
  if (t.length <= 8) return '*'.repeat(t.length);
  return `${t.slice(0, 4)}${'*'.repeat(t.length - 8)}${t.slice(-4)}`;
}
