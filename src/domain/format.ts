/**
 * How a figure is written with its qualifier and unit, in one place for the indicators, the report,
 * the dataset files, the exports and the web app: 约12万元, 70余万元, 40余家, 1.2–1.5万元, 89.45%; in
 * English "about 12 people", "over 40 enterprises". Pure: no I/O, usable in the browser.
 */
import { type Fen, fen, formatWan, parseWan } from './money.ts';

/** How exact a stated figure is: exact, about (约/近/左右), over (余/以上/超过), or a range. */
export type Qual = 'exact' | 'about' | 'over' | 'range';

export interface QualifiedOptions {
  /** The upper end of a range. */
  max?: string;
  locale?: 'zh' | 'en';
  /** Between the ends of a range: an en dash as reports print it; the input format writes a hyphen. */
  rangeSep?: string;
}

/** A number (already formatted) with its qualifier and unit word, as reports write it. */
export function qualified(text: string, qual: Qual | string | null | undefined, unit: string, opts: QualifiedOptions = {}): string {
  const locale = opts.locale ?? 'zh';
  const sep = locale === 'en' && unit && unit !== '%' ? ' ' : '';
  if (qual === 'range' && opts.max) return `${text}${opts.rangeSep ?? '–'}${opts.max}${sep}${unit}`;
  if (locale === 'en') return `${qual === 'about' ? 'about ' : qual === 'over' ? 'over ' : ''}${text}${sep}${unit}`;
  if (qual === 'about') return `约${text}${unit}`;
  if (qual === 'over') return `${text}余${unit}`;
  return `${text}${unit}`;
}

/** An amount in 分 as 万元 digits, exact and shortest ("4562.143"), optionally with thousands separators. */
export function wanDigits(amount: number, grouped = false): string {
  const t = formatWan(fen(amount) as Fen);
  if (!grouped) return t;
  const [int, frac] = t.split('.');
  return `${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac ? `.${frac}` : ''}`;
}

/** 万元 as people type it ("12.345", "1,234.5") → 分; null for anything that is not such an amount. */
export function wanInput(text: string): number | null {
  try {
    const v = parseWan(text);
    return v < 0 ? null : v;
  } catch {
    return null;
  }
}
