/**
 * Money crosses the API as integer 分 (fen); people read and type 万元. 1万元 = 1,000,000分. The
 * conversions are the server's own (src/domain/format.ts, on exact decimal text), so a figure reads
 * the same on the page, in the report and in the exports.
 */
import { wanDigits, wanInput } from '../../src/domain/format.ts';

/** "12.345" (万元) → 12345000 (分); null for text that is not a non-negative amount with at most 6 decimals. */
export function wanToFen(text: string): number | null {
  const v = wanInput(text);
  return v !== null && Number.isSafeInteger(v) ? v : null;
}

/** 12345000 (分) → "12.345" (万元), exact and without trailing zeros, with thousands separators. */
export function fenToWan(fen: number): string {
  return wanDigits(fen, true);
}

/** Plain (no thousands separators) 万元 text for form inputs. */
export function fenToWanPlain(fen: number): string {
  return wanDigits(fen);
}
