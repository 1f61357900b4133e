import { Rational } from '../rational.ts';

/** How precisely a text states a figure. `under` is 近/将近/不到 (at most), `over` is 余/多/以上/超过. */
export type FigureQual = 'exact' | 'about' | 'over' | 'under' | 'range';

/** What a figure measures; figures are only compared within one dimension. Money is held in 元. */
export type Dimension = 'money' | 'percent' | 'pp' | 'count';

/** A position in the audited text: 0-based offsets, 1-based paragraph, line and column. */
export interface Location {
  start: number;
  end: number;
  paragraph: number;
  line: number;
  column: number;
}

/** One figure as the text states it. */
export interface Figure {
  /** Index in document order, stable for one text. */
  id: number;
  /** The figure exactly as written, qualifier and unit included. */
  text: string;
  /** Exact value in the base unit of its dimension (money in 元, counts in their unit). */
  value: Rational;
  /** Upper end of a range. */
  max: Rational | null;
  qual: FigureQual;
  dim: Dimension;
  /** The unit as written, normalised: 万元, 人, 个百分点, %… */
  unit: string;
  /** For counts, what is counted (人 and 名 are both people); figures are added up only within one. */
  kind: string;
  /** Decimals as written in its own unit (5100万元 → 0, 89.45% → 2); the precision it is stated to. */
  decimals: number;
  /** The size of one unit of the last written digit, in the base unit (4562.143万元 → 10元). */
  resolution: Rational;
  /** Text of the clause before the figure (after the last punctuation), which names what it counts. */
  label: string;
  /** Text right after the figure up to the next punctuation ("43个项目" → "项目"). */
  after: string;
  /** Index of the sentence in the document, and the parenthesis depth at which the figure stands. */
  sentence: number;
  depth: number;
  location: Location;
}

export interface Sentence {
  index: number;
  start: number;
  end: number;
  paragraph: number;
}

export interface Extraction {
  /** The text with full-width digits, signs and letters made ASCII; same length and offsets as the input. */
  text: string;
  figures: Figure[];
  sentences: Sentence[];
}

const FULLWIDTH = /[\uFF01-\uFF5E]/g;
// Full-width punctuation that separates clauses stays as written, so sentences are still found.
const KEEP_FULLWIDTH = new Set(['，', '；', '：', '（', '）', '！', '？', '、']);

/** Full-width digits, ％, ．and Latin letters become ASCII; every character keeps its offset. */
export function normaliseWidth(s: string): string {
  return s.replace(FULLWIDTH, (c) => (KEEP_FULLWIDTH.has(c) ? c : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

const DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 俩: 2, 三: 3, 叁: 3, 四: 4, 肆: 4, 五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9 };
const SMALL: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG: Record<string, number> = { 万: 10_000, 萬: 10_000, 亿: 100_000_000, 億: 100_000_000 };

/**
 * The value of a Chinese numeral written in words (三, 两, 十二, 二十三, 一百零五, 三千五百, 一万二千);
 * null for text that is not one. Digit-by-digit forms (二〇二二) read as digits.
 */
export function chineseNumeral(s: string): number | null {
  if (!s) return null;
  if ([...s].every((c) => c in DIGIT) && s.length > 1) return Number([...s].map((c) => DIGIT[c]).join(''));
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const c of s) {
    if (c in DIGIT) {
      if (digit !== null && digit !== 0) return null;
      digit = DIGIT[c]!;
    } else if (c in SMALL) {
      section += (digit ?? 1) * SMALL[c]!;
      digit = null;
    } else if (c in BIG) {
      total = (total + section + (digit ?? 0)) * BIG[c]!;
      section = 0;
      digit = null;
    } else return null;
  }
  return total + section + (digit ?? 0);
}

interface UnitDef { dim: Dimension; kind: string; scale?: number }

// Longest first, so 万元 wins over 万 and 人次 over 人.
const UNITS: Array<[string, UnitDef]> = ([
  ['个百分点', { dim: 'pp', kind: 'pp' }], ['百分点', { dim: 'pp', kind: 'pp' }],
  ['亿元', { dim: 'money', kind: 'money', scale: 100_000_000 }], ['万元', { dim: 'money', kind: 'money', scale: 10_000 }],
  ['千元', { dim: 'money', kind: 'money', scale: 1000 }], ['元', { dim: 'money', kind: 'money', scale: 1 }],
  ['%', { dim: 'percent', kind: 'percent' }], ['％', { dim: 'percent', kind: 'percent' }],
  ['人次', { dim: 'count', kind: '人次' }], ['人', { dim: 'count', kind: '人' }], ['名', { dim: 'count', kind: '人' }],
  ['户', { dim: 'count', kind: '户' }], ['个月', { dim: 'count', kind: '月' }], ['个', { dim: 'count', kind: '个' }],
  ['对', { dim: 'count', kind: '对' }], ['家', { dim: 'count', kind: '家' }], ['次', { dim: 'count', kind: '次' }],
  ['场', { dim: 'count', kind: '场' }], ['期', { dim: 'count', kind: '期' }], ['所', { dim: 'count', kind: '所' }],
  ['平方米', { dim: 'count', kind: '平方米' }], ['㎡', { dim: 'count', kind: '平方米' }], ['亩', { dim: 'count', kind: '亩' }],
  ['公里', { dim: 'count', kind: '公里' }], ['吨', { dim: 'count', kind: '吨' }], ['头', { dim: 'count', kind: '头' }],
  ['只', { dim: 'count', kind: '只' }], ['株', { dim: 'count', kind: '株' }], ['棒', { dim: 'count', kind: '棒' }],
  ['台', { dim: 'count', kind: '台' }], ['套', { dim: 'count', kind: '套' }], ['栋', { dim: 'count', kind: '栋' }],
  ['座', { dim: 'count', kind: '座' }], ['项', { dim: 'count', kind: '项' }], ['批', { dim: 'count', kind: '批' }],
  ['条', { dim: 'count', kind: '条' }], ['件', { dim: 'count', kind: '件' }], ['间', { dim: 'count', kind: '间' }],
  ['张', { dim: 'count', kind: '张' }], ['篇', { dim: 'count', kind: '篇' }], ['种', { dim: 'count', kind: '种' }],
  ['支', { dim: 'count', kind: '支' }], ['個', { dim: 'count', kind: '个' }],
] as Array<[string, UnitDef]>).sort((a, b) => b[0].length - a[0].length);

const UNIT_ALT = UNITS.map(([u]) => u.replace(/[%]/g, '\\%')).join('|');
const CN = '零〇一二两俩三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟';
const NUM = String.raw`\d+(?:,\d{3})*(?:\.\d+)?`;
/** A number with optional 万/亿 multiplier and 余/多 between it and the unit. */
const ARABIC = new RegExp(
  String.raw`(约|大约|近|将近|接近|不到|不足|不少于|不低于|至少|不超过|不高于|至多|超过|逾|达到|达)?(${NUM})(万|亿)?(余|多)?(?:\s*([-–~～至到])\s*(${NUM})(万|亿)?)?[ \t]?(${UNIT_ALT})?(以上|以下|左右|余)?`,
  'g',
);
const CHINESE = new RegExp(String.raw`(约|大约|近|将近|超过|逾)?([${CN}]+)(余|多)?(${UNIT_ALT})`, 'g');
const PERCENT_WORDS = new RegExp(String.raw`百分之(${NUM}|[${CN}]+)`, 'g');

/** Characters that end a sentence; a line break ends one only after such a character or before a heading. */
const SENTENCE_END = /[。！？；;!?]/;
const HEADING = /^\s*(#|\||[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+、\s*\S)/;
/** A line that is a heading by itself: numbered, short, with no sentence in it. */
const isHeadingLine = (line: string) => /^\s*(#|\|)/.test(line) || (HEADING.test(line) && line.trim().length <= 30 && !/[。；;]/.test(line));

function splitSentences(text: string, paraOf: (i: number) => number): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  const push = (end: number) => {
    if (text.slice(start, end).trim()) out.push({ index: out.length, start, end, paragraph: paraOf(start + (text.slice(start, end).length - text.slice(start, end).trimStart().length)) });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (SENTENCE_END.test(c)) push(i + 1);
    else if (c === '\n') {
      const before = text.slice(start, i).trimEnd();
      const last = before[before.length - 1] ?? '';
      const nextLine = text.slice(i + 1, text.indexOf('\n', i + 1) < 0 ? text.length : text.indexOf('\n', i + 1));
      const lineStart = text.lastIndexOf('\n', i - 1) + 1;
      const thisLine = text.slice(lineStart, i);
      // A page break in the middle of a sentence joins; headings, table rows and list items stand alone.
      if (!before || /[。！？；;:：)）|]/.test(last) || / \| /.test(thisLine) || / \| /.test(nextLine) || HEADING.test(nextLine) || isHeadingLine(thisLine) || /^\s*[-*]\s/.test(nextLine) || /^\s*[-*]\s/.test(thisLine)) push(i + 1);
    }
  }
  push(text.length);
  return out;
}

function decimalsOf(s: string): number {
  const d = s.indexOf('.');
  return d < 0 ? 0 : s.length - d - 1;
}

interface Raw { start: number; end: number; text: string; value: Rational; max: Rational | null; qual: FigureQual; unit: string; def: UnitDef; decimals: number; resolution: Rational }

function scaled(num: string, mult: string | undefined): Rational {
  const v = Rational.parse(num.replace(/,/g, ''));
  return mult === '万' ? v.mul(Rational.of(10_000)) : mult === '亿' ? v.mul(Rational.of(100_000_000)) : v;
}

function qualOf(pre: string | undefined, mid: string | undefined, post: string | undefined, range: boolean): FigureQual {
  if (range) return 'range';
  if (pre && /约|大约|左右/.test(pre)) return 'about';
  if (post === '左右') return 'about';
  if (pre && /近|将近|接近|不到|不足|不超过|不高于|至多/.test(pre)) return 'under';
  if (post === '以下') return 'under';
  if (mid || post === '余' || post === '以上' || (pre && /超过|逾|不少于|不低于|至少/.test(pre))) return 'over';
  return 'exact';
}

function unitDef(u: string): UnitDef {
  return UNITS.find(([x]) => x === u)![1];
}

/** Spans the extractor never reads figures from: dates, years, document titles in 《》, numbered list markers. */
function excluded(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const add = (re: RegExp) => { for (const m of text.matchAll(re)) out.push([m.index, m.index + m[0].length]); };
  add(/《[^》]*》/g);
  add(/\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?(?:度|底|初|末)?/g);
  add(/\d{1,2}\s*月\s*\d{1,2}\s*[日号]?(?:\s*[至到-]\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*[日号])?/g);
  add(/\d{1,2}\s*月(?:份|上旬|中旬|下旬|底|初|末)?/g);
  add(/第[\d一二三四五六七八九十百]+/g);
  add(/“[^”]{0,12}[一二三四五六七八九十]+[^”]{0,12}”/g);
  add(/[一二三四五六七八九十百千万两]+(?=[是方要])/g);
  add(/\d+\s*(?:号|时|点|届|级|版|路|楼|层|代|号线|平台|工程|行动)/g);
  return out;
}

/**
 * Reads every figure a text states: Arabic and Chinese numerals, full-width digits, 万/亿 multipliers,
 * qualifiers (约, 近, 余, 多, 以上, 超过), ranges (1.2万–1.5万只), 百分之…, and the units reports use.
 * Years, dates, numbers inside document titles and bare numbers without a unit are not figures, except
 * a bare number that shares the unit of the next one ("10.38和19.74个百分点"), and table cells whose
 * column header names the unit ("金额（万元）"). Never throws.
 */
export function extractFigures(input: string): Extraction {
  const text = normaliseWidth(input);
  const paraStarts: number[] = [0];
  for (const m of text.matchAll(/\n\s*\n/g)) paraStarts.push(m.index + m[0].length);
  const paraOf = (i: number) => { let p = 0; while (p + 1 < paraStarts.length && paraStarts[p + 1]! <= i) p++; return p + 1; };
  const sentences = splitSentences(text, paraOf);
  const skip = excluded(text);
  const isSkipped = (s: number, e: number) => skip.some(([a, b]) => s < b && e > a);
  const raws: Raw[] = [];
  const taken = (s: number, e: number) => raws.some((r) => s < r.end && e > r.start);

  for (const m of text.matchAll(PERCENT_WORDS)) {
    const n = /\d/.test(m[1]!) ? m[1]! : chineseNumeral(m[1]!);
    if (n === null) continue;
    const v = Rational.parse(String(n).replace(/,/g, ''));
    raws.push({ start: m.index, end: m.index + m[0].length, text: m[0], value: v, max: null, qual: 'exact', unit: '%', def: unitDef('%'), decimals: decimalsOf(String(n)), resolution: Rational.ratio(1n, 10n ** BigInt(decimalsOf(String(n)))) });
  }
  const bare: Array<{ start: number; end: number; num: string; mult?: string }> = [];
  for (const m of text.matchAll(ARABIC)) {
    const [all, pre, num, mult, mid, dash, num2, mult2, unit, post] = m;
    let start = m.index;
    let end = start + all.length;
    if (start > 0 && /[\d.]/.test(text[start - 1]!)) continue;
    // "近万人" and "1.2万-1.5万只" are handled here; a lone range dash without a second number is not a range.
    if (!unit) {
      if (!isSkipped(start + (pre?.length ?? 0), start + (pre?.length ?? 0) + num!.length)) bare.push({ start: start + (pre?.length ?? 0), end: start + (pre?.length ?? 0) + num!.length + (mult?.length ?? 0), num: num!, mult });
      continue;
    }
    const numStart = start + (pre?.length ?? 0);
    if (isSkipped(numStart, numStart + num!.length)) continue;
    if (pre && /^达/.test(pre)) start += pre.length;
    const def = unitDef(unit);
    let value = scaled(num!, mult);
    let max: Rational | null = null;
    if (dash && num2) max = scaled(num2, mult2 ?? mult);
    const unitScale = def.scale ?? 1;
    if (unitScale !== 1) { value = value.mul(Rational.of(unitScale)); if (max) max = max.mul(Rational.of(unitScale)); }
    const dec = decimalsOf(num!.replace(/,/g, ''));
    const multScale = mult === '万' ? 10_000 : mult === '亿' ? 100_000_000 : 1;
    const resolution = Rational.ratio(BigInt(unitScale * multScale), 10n ** BigInt(dec));
    const writtenUnit = (mult ?? '') + unit;
    if (post === '余' && mid) end -= 1;
    raws.push({ start, end, text: text.slice(start, end), value, max, qual: qualOf(pre, mid, post, Boolean(max)), unit: writtenUnit, def, decimals: dec, resolution });
  }
  for (const m of text.matchAll(CHINESE)) {
    const [all, pre, words, mid, unit] = m;
    const s = m.index;
    const wordsStart = s + (pre?.length ?? 0);
    if (taken(s, s + all.length) || isSkipped(wordsStart, wordsStart + words!.length)) continue;
    if (/[\d.]/.test(text[s - 1] ?? '')) continue;
    let n = chineseNumeral(words!);
    // 近万人: a multiplier alone is one of it.
    if (n === null || n === 0 || /^[万亿]$/.test(words!)) { if (/^[万亿]$/.test(words!) && pre) n = words === '万' ? 10_000 : 100_000_000; else continue; }
    // A numeral beyond any figure a report states (万万亿…) is no figure.
    if (!Number.isSafeInteger(n * (unitDef(unit!).scale ?? 1))) continue;
    const def = unitDef(unit!);
    // Words like 一期 (phase one), 一中 or 一对一 are names, not figures.
    if (/^[一二三四五六七八九十]$/.test(words!) && ((unit === '期' && /[（(]/.test(text[s - 1] ?? '')) || (unit === '对' && text[s + all.length] === '一'))) continue;
    const value = Rational.of(n).mul(Rational.of(def.scale ?? 1));
    raws.push({ start: s, end: s + all.length, text: all, value, max: null, qual: qualOf(pre, mid, undefined, false), unit: unit!, def, decimals: 0, resolution: Rational.of(def.scale ?? 1) });
  }
  // A bare number directly followed by 和/、/及/与 and a figure with a unit shares that unit.
  for (const b of bare) {
    const next = raws.filter((r) => r.start > b.end).sort((x, y) => x.start - y.start)[0];
    if (!next) continue;
    const between = text.slice(b.end, next.start);
    if (!/^\s*[和、及与或]\s*$/.test(between)) continue;
    if (next.def.dim !== 'money' && next.def.dim !== 'pp' && next.def.dim !== 'percent' && next.def.dim !== 'count') continue;
    let value = scaled(b.num, b.mult);
    const unitScale = next.def.scale ?? 1;
    if (unitScale !== 1) value = value.mul(Rational.of(unitScale));
    const dec = decimalsOf(b.num.replace(/,/g, ''));
    raws.push({ start: b.start, end: b.end, text: text.slice(b.start, b.end), value, max: null, qual: 'exact', unit: next.unit, def: next.def, decimals: dec, resolution: Rational.ratio(BigInt(unitScale), 10n ** BigInt(dec)) });
  }
  tableCells(text, raws, taken);
  raws.sort((a, b) => a.start - b.start);

  const lineStarts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const locate = (start: number, end: number): Location => {
    let lo = 0; let hi = lineStarts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid]! <= start) lo = mid; else hi = mid - 1; }
    return { start, end, paragraph: paraOf(start), line: lo + 1, column: start - lineStarts[lo]! + 1 };
  };
  const sentenceOf = (i: number) => { let k = 0; while (k + 1 < sentences.length && sentences[k + 1]!.start <= i) k++; return k; };
  const figures: Figure[] = raws.map((r, id) => {
    const sent = sentences[sentenceOf(r.start)]!;
    const before = text.slice(sent.start, r.start);
    const label = (/[^，,、：:（）()。；;|]*$/.exec(before)?.[0] ?? '').replace(/\s+/g, '');
    const after = /^[^，,、：:（）()。；;|]*/.exec(text.slice(r.end, sent.end))![0].replace(/\s+/g, '');
    let depth = 0;
    for (const c of before) { if (c === '（' || c === '(') depth++; else if ((c === '）' || c === ')') && depth > 0) depth--; }
    return {
      id, text: input.slice(r.start, r.end), value: r.value, max: r.max, qual: r.qual, dim: r.def.dim, unit: r.unit, kind: r.def.kind,
      decimals: r.decimals, resolution: r.resolution, label, after, sentence: sent.index, depth, location: locate(r.start, r.end),
    };
  });
  return { text, figures, sentences };
}

/** Markdown table cells holding a bare number take the unit their column header names, e.g. "金额（万元）". */
function tableCells(text: string, raws: Raw[], taken: (s: number, e: number) => boolean): void {
  const lines = text.split('\n');
  let offset = 0;
  let header: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isRow = /^\s*\|.*\|\s*$/.test(line);
    if (!isRow) header = null;
    else if (header === null) header = line.split('|').slice(1, -1).map((c) => c.trim());
    else if (!/^\s*\|[\s:|-]+\|\s*$/.test(line)) {
      let pos = line.indexOf('|') + 1;
      const cells = line.split('|').slice(1, -1);
      cells.forEach((cell, c) => {
        const m = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(cell);
        const unit = /[（(](万元|亿元|元|%|人|户|个|家|对)[）)]/.exec(header![c] ?? '')?.[1];
        if (m && unit) {
          const s = offset + pos + cell.indexOf(m[1]!);
          const e = s + m[1]!.length;
          if (!taken(s, e)) {
            const def = unitDef(unit);
            const dec = decimalsOf(m[1]!);
            raws.push({ start: s, end: e, text: m[1]!, value: Rational.parse(m[1]!).mul(Rational.of(def.scale ?? 1)), max: null, qual: 'exact', unit, def, decimals: dec, resolution: Rational.ratio(BigInt(def.scale ?? 1), 10n ** BigInt(dec)) });
          }
        }
        pos += cell.length + 1;
      });
    }
    offset += line.length + 1;
  }
}
