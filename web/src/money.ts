/**
 * Money crosses the API as integer 分 (fen); people read and type 万元. 1万元 = 1,000,000分.
 * Conversions are done on decimal text so that no binary fraction ever touches an amount.
 */
const FEN_DIGITS = 6;

/** "12.345" (万元) → 12345000 (分); null for text that is not a non-negative decimal with ≤ 6 places. */
export function wanToFen(text: string): number | null {
  const t = text.trim().replace(/,/g, '');
  const m = /^(\d+)(?:\.(\d{0,6}))?$/.exec(t);
  if (!m) return null;
  const n = Number(m[1]! + (m[2] ?? '').padEnd(FEN_DIGITS, '0'));
  return Number.isSafeInteger(n) ? n : null;
}

/** 12345000 (分) → "12.345" (万元), exact and without trailing zeros. */
export function fenToWan(fen: number): string {
  const neg = fen < 0;
  const s = String(Math.abs(fen)).padStart(FEN_DIGITS + 1, '0');
  const int = s.slice(0, -FEN_DIGITS);
  const frac = s.slice(-FEN_DIGITS).replace(/0+$/, '');
  return `${neg ? '-' : ''}${Number(int).toLocaleString('en-US')}${frac ? `.${frac}` : ''}`;
}

/** Plain (no thousands separators) 万元 text for form inputs. */
export function fenToWanPlain(fen: number): string {
  return fenToWan(fen).replace(/,/g, '');
}
