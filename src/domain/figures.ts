import { type Fen, parseWan, parseYuan } from './money.ts';
import type { Qualifier } from './ledgers/types.ts';

/** A figure as a source states it: value, how precise, and the upper end of a range. */
export interface StatedFigure {
  /** Exact decimal text; for money, integer 分. */
  value: string;
  qual: Qualifier;
  max: string | null;
}

const ABOUT = /^(约|大约|近|将近)\s*/;
const OVER = /(余|多|以上|\+)$/;

function number(text: string, unit: 'money' | 'number'): string {
  const t = text.trim().replace(/,/g, '');
  if (unit === 'number') {
    const m = /^(-?\d+(?:\.\d+)?)(万)?$/.exec(t);
    if (!m) throw new RangeError(`不是数字：${text} / not a number: ${text}`);
    if (!m[2]) return m[1]!;
    // "1.2万" as a count: scale by 10,000 exactly in decimal text.
    const [i, f = ''] = m[1]!.split('.');
    const digits = (f + '0000').slice(0, 4);
    const rest = f.length > 4 ? `.${f.slice(4)}` : '';
    return String(BigInt(i! + digits)) + rest;
  }
  if (/万元?$/.test(t)) return String(parseWan(t.replace(/万元?$/, '')) as Fen);
  if (/元$/.test(t)) return String(parseYuan(t.replace(/元$/, '')));
  throw new RangeError(`金额须注明单位（万元或元）：${text} / money needs a unit (万元 or 元): ${text}`);
}

/**
 * Parses a figure written the way Chinese reports write them: "12", "约12万元" (about), "70余万元" and
 * "40余" (more than), "1.2万-1.5万" (a range). Money needs its unit (万元 or 元) and comes back in 分.
 * Throws RangeError with a bilingual message for text it cannot read exactly.
 */
export function parseStated(input: string | number, unit: 'money' | 'number'): StatedFigure {
  if (typeof input === 'number') {
    if (unit === 'money') throw new RangeError(`金额须注明单位（万元或元）：${input} / money needs a unit`);
    return { value: String(input), qual: 'exact', max: null };
  }
  let t = input.trim();
  let qual: Qualifier = 'exact';
  if (ABOUT.test(t)) { qual = 'about'; t = t.replace(ABOUT, ''); }
  const range = /^(.+?)\s*[-–~～至]\s*(.+)$/.exec(t);
  if (range && qual === 'exact') {
    const suffix = unit === 'money' ? (/(万元|元)$/.exec(range[2]!)?.[1] ?? '') : '';
    const lo = /万元?$|元$/.test(range[1]!) ? range[1]! : range[1]! + suffix;
    return { value: number(lo, unit), qual: 'range', max: number(range[2]!, unit) };
  }
  const unitSuffix = unit === 'money' ? /(万元|元)$/.exec(t)?.[1] ?? '' : '';
  let core = unitSuffix ? t.slice(0, -unitSuffix.length) : t;
  if (OVER.test(core) && qual === 'exact') { qual = 'over'; core = core.replace(OVER, ''); }
  return { value: number(core + unitSuffix, unit), qual, max: null };
}
