import { type Fen, parseWan, parseYuan } from './money.ts';
import type { Qualifier } from './ledgers/types.ts';

/** The scale a figure was written in: plain, 万 (ten thousand) or 亿 (a hundred million). */
export type Scale = '' | '万' | '亿';

/** A figure as a source states it: value, how precise, the upper end of a range, and the scale it was written in. */
export interface StatedFigure {
  /** Exact decimal text; for money, integer 分. */
  value: string;
  qual: Qualifier;
  max: string | null;
  /** '万' for 1.2万 or 5100万元, '亿' for 3.18亿元; '' otherwise. Only changes how the figure prints. */
  scale?: Scale;
  /** The count word the figure was written with (名, 家, 人次…), when it had one. */
  unitWord?: string;
}

const ABOUT = /^(约|大约|近|将近|接近)\s*/;
const OVER_PREFIX = /^(超过|逾|多于)\s*/;
const OVER = /(余|多|以上|\+)$/;
/** Count words that may follow a figure (40余家, 75.31万人): accepted and ignored, the element carries the unit. */
const COUNT_UNIT = /(人次|大类|户|人|个|对|家|次|场|期|名|所|项|座|栋|亩|平方米|头|只|株|吨|批|篇|条|套|类)$/;

/** Full-width digits and signs (１２３．５％) as ASCII. */
export function halfWidth(s: string): string {
  return s.replace(/[\uff10-\uff19\uff0e\uff0c\uff05\uff0b\uff0d]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** Multiplies decimal text by 10^k exactly, in decimal text. */
function shift(text: string, k: number): string {
  const neg = text.startsWith('-');
  const [i, f = ''] = (neg ? text.slice(1) : text).split('.');
  const digits = (f + '0'.repeat(k)).slice(0, k);
  const rest = f.length > k ? `.${f.slice(k)}` : '';
  return `${neg ? '-' : ''}${String(BigInt(i! + digits))}${rest}`;
}

function number(text: string, unit: 'money' | 'number'): { value: string; scale: Scale } {
  const t = text.trim().replace(/,/g, '');
  if (unit === 'number') {
    const m = /^(-?\d+(?:\.\d+)?)(万|亿)?%?$/.exec(t.replace(COUNT_UNIT, ''));
    if (!m) throw new RangeError(`不是数字：${text} / not a number: ${text}`);
    if (!m[2]) return { value: m[1]!, scale: '' };
    return { value: shift(m[1]!, m[2] === '万' ? 4 : 8), scale: m[2] as Scale };
  }
  const yi = /^(-?\d+(?:\.\d+)?)亿元?$/.exec(t);
  if (yi) return { value: String(parseWan(shift(yi[1]!, 4)) as Fen), scale: '亿' };
  if (/万元?$/.test(t)) return { value: String(parseWan(t.replace(/万元?$/, '')) as Fen), scale: '万' };
  if (/元$/.test(t)) return { value: String(parseYuan(t.replace(/元$/, ''))), scale: '' };
  throw new RangeError(`金额须注明单位（元、万元或亿元）：${text} / money needs a unit (元, 万元 or 亿元): ${text}`);
}

/**
 * Parses a figure written the way Chinese reports write them: "12", "约12万元" (about), "70余万元" and
 * "40余家" (more than), "超过1000万元", "1.2万-1.5万" (a range), "2.8亿元", full-width digits. Money needs
 * its unit (元, 万元 or 亿元) and comes back in 分. Throws RangeError with a bilingual message for text it
 * cannot read exactly.
 */
export function parseStated(input: string | number, unit: 'money' | 'number'): StatedFigure {
  if (typeof input === 'number') {
    if (unit === 'money') throw new RangeError(`金额须注明单位（元、万元或亿元）：${input} / money needs a unit (元, 万元 or 亿元)`);
    return { value: String(input), qual: 'exact', max: null };
  }
  let t = halfWidth(input.trim());
  let qual: Qualifier = 'exact';
  if (ABOUT.test(t)) { qual = 'about'; t = t.replace(ABOUT, ''); }
  else if (OVER_PREFIX.test(t)) { qual = 'over'; t = t.replace(OVER_PREFIX, ''); }
  const range = /^(.+?)\s*[-–—~～至到]\s*(.+)$/.exec(t);
  if (range && qual === 'exact' && !/^-/.test(t)) {
    const suffix = unit === 'money' ? (/(亿元|万元|元)$/.exec(range[2]!)?.[1] ?? '') : (/(万|亿)$/.exec(range[2]!.replace(COUNT_UNIT, ''))?.[1] ?? '');
    const lo = unit === 'money' ? (/亿元?$|万元?$|元$/.test(range[1]!) ? range[1]! : range[1]! + suffix) : (/[万亿]$/.test(range[1]!) ? range[1]! : range[1]! + suffix);
    const a = number(lo, unit);
    const b = number(range[2]!, unit);
    return { value: a.value, qual: 'range', max: b.value, ...(b.scale ? { scale: b.scale } : {}) };
  }
  const word = unit === 'number' ? COUNT_UNIT.exec(t)?.[1] : undefined;
  if (unit === 'number') t = t.replace(COUNT_UNIT, '');
  const unitSuffix = unit === 'money' ? /(亿元|万元|元)$/.exec(t)?.[1] ?? '' : '';
  let core = unitSuffix ? t.slice(0, -unitSuffix.length) : t;
  if (OVER.test(core) && qual === 'exact') { qual = 'over'; core = core.replace(OVER, ''); }
  const n = number(core + unitSuffix, unit);
  return { value: n.value, qual, max: null, ...(n.scale ? { scale: n.scale } : {}), ...(word ? { unitWord: word } : {}) };
}
