import { Rational } from '../rational.ts';
import type { Extraction, Figure, Location } from './extract.ts';

export type Verdict = 'holds' | 'holds_other_rounding' | 'fails';
export type RelationKind = 'sum' | 'subset' | 'rate' | 'rate_base' | 'pp_change' | 'growth' | 'per_unit' | 'table_total' | 'repeat' | 'rollup';
/** Which rounding rule a figure follows when it is not the document's own. */
export type Rounding = 'truncation' | 'whole_percent' | 'one_decimal';

export interface Bilingual { zh: string; en: string }

export interface Relation {
  kind: RelationKind;
  verdict: Verdict;
  /** Ids of the figures taking part; the first is the one the relation is about (the total, the rate…). */
  figures: number[];
  location: Location;
  detail: Bilingual;
  /** The most likely correction when the relation fails. */
  correction: Bilingual | null;
  rounding?: Rounding;
}

const HUNDRED = Rational.of(100);

function unitScale(f: Figure): Rational {
  if (f.dim !== 'money' && !/^万|^亿/.test(f.unit)) return Rational.ONE;
  if (/^亿/.test(f.unit)) return Rational.of(100_000_000);
  if (/^万/.test(f.unit)) return Rational.of(10_000);
  if (f.unit === '千元') return Rational.of(1000);
  return Rational.ONE;
}

/** A value printed the way `like` is written (its unit; up to four more decimals than needed, trimmed). */
export function printAs(v: Rational, like: Figure, decimals?: number): string {
  const inUnit = v.div(unitScale(like));
  const d = decimals ?? Math.max(like.decimals, 0);
  let s = inUnit.toDecimalString(decimals === undefined ? Math.max(d, 4) : d);
  if (decimals === undefined && s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return `${s}${like.unit}`;
}

const sameGroup = (a: Figure, b: Figure) => a.dim === b.dim && (a.dim !== 'count' || a.kind === b.kind);
const exact = (f: Figure) => f.qual === 'exact';

function sumOf(fs: Figure[]): Rational {
  return fs.reduce((s, f) => s.add(f.value), Rational.ZERO);
}

function oneDigitApart(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d === 1;
}

/** The name a figure carries: its clause label, or for "名称（2对）" the words before the parenthesis. */
function nameOf(f: Figure, text: string): string {
  const own = f.label.replace(/^(其中|用于|分别为|分别是|以及|和|及|含|包括)/, '');
  if (own.trim()) return own.trim();
  const open = text.lastIndexOf('（', f.location.start) > text.lastIndexOf('(', f.location.start) ? text.lastIndexOf('（', f.location.start) : text.lastIndexOf('(', f.location.start);
  if (open >= 0 && f.location.start - open <= 2) {
    const m = /[^，,、：:（）()。；;\n]*$/.exec(text.slice(Math.max(0, open - 40), open));
    if (m && m[0].trim()) return m[0].trim().slice(-16);
  }
  return f.after.slice(0, 12);
}

/** A sum whose parts or total are not exact can only fail when the exact parts alone exceed it. */
function judgeSum(total: Figure, parts: Figure[], exhaustive: boolean, text: string): Omit<Relation, 'kind' | 'figures' | 'location'> {
  const sum = sumOf(parts);
  const expr = parts.map((p) => printAs(p.value, total).replace(total.unit, '')).join(' + ');
  const sumText = printAs(sum, total);
  const approximate = !parts.every(exact) || !exact(total);
  if (sum.eq(total.value)) return { verdict: 'holds', detail: { zh: `${expr} = ${total.text}`, en: `${expr} = ${total.text}` }, correction: null };
  const over = sum.cmp(total.value) > 0;
  if (approximate) {
    const exactParts = sumOf(parts.filter(exact));
    const bound = total.max ?? total.value;
    const hard = total.qual === 'exact' || total.qual === 'under' ? total.value : bound.mul(Rational.ratio(12n, 10n));
    if (exactParts.cmp(hard) > 0) {
      return { verdict: 'fails', detail: { zh: `分项中确数之和 ${printAs(exactParts, total)} 已超过合计 ${total.text}`, en: `the exact parts alone add up to ${printAs(exactParts, total)}, more than the total ${total.text}` }, correction: { zh: `核对合计 ${total.text} 与各分项`, en: `check the total ${total.text} against its parts` } };
    }
    return { verdict: 'holds', detail: { zh: `${expr} ≈ ${sumText}，含约数，与 ${total.text} 相容`, en: `${expr} ≈ ${sumText}, with approximate figures, compatible with ${total.text}` }, correction: null };
  }
  // A total in a larger unit than its parts (亿元 over 万元) is read as rounded to its own precision.
  const coarser = parts.every((p) => total.resolution.cmp(p.resolution) > 0) && unitScale(total).cmp(parts.reduce((m, p) => Rational.max(m, unitScale(p)), Rational.ZERO)) > 0;
  if (coarser) {
    const rounded = sum.div(total.resolution).toDecimalString(0, 'half_up');
    if (Rational.parse(rounded).mul(total.resolution).eq(total.value)) return { verdict: 'holds', detail: { zh: `${expr} = ${sumText}，按合计的精度为 ${total.text}`, en: `${expr} = ${sumText}, ${total.text} at the total's precision` }, correction: null };
    const trunc = sum.div(total.resolution).toDecimalString(0, 'truncate');
    if (Rational.parse(trunc).mul(total.resolution).eq(total.value)) return { verdict: 'holds_other_rounding', rounding: 'truncation', detail: { zh: `${expr} = ${sumText}，截尾后为 ${total.text}`, en: `${expr} = ${sumText}, ${total.text} when truncated` }, correction: null };
  }
  if (!over && !exhaustive) {
    return { verdict: 'holds', detail: { zh: `所列分项 ${expr} = ${sumText}，不超过 ${total.text}（其余 ${printAs(total.value.sub(sum), total)} 未逐项列出）`, en: `the listed parts ${expr} = ${sumText} stay within ${total.text} (${printAs(total.value.sub(sum), total)} not itemised)` }, correction: null };
  }
  const delta = sum.sub(total.value);
  const by = printAs(delta.abs(), total);
  let correction: Bilingual = { zh: `合计应为 ${sumText}，或某一分项${over ? '多' : '少'}计 ${by}`, en: `the total should be ${sumText}, or one part is ${by} too ${over ? 'high' : 'low'}` };
  const totalNum = total.text.replace(/[^\d.]/g, '');
  const sumNum = printAs(sum, total, total.decimals).replace(/[^\d.]/g, '');
  if (oneDigitApart(totalNum, sumNum)) correction = { zh: `合计 ${total.text} 可能应为 ${printAs(sum, total, total.decimals)}`, en: `the total ${total.text} is probably ${printAs(sum, total, total.decimals)}` };
  else {
    for (const p of parts) {
      const fixed = p.value.sub(delta);
      if (fixed.sign() < 0) continue;
      const was = printAs(p.value, p, p.decimals).replace(/[^\d.]/g, '');
      const now = printAs(fixed, p, p.decimals).replace(/[^\d.]/g, '');
      if (fixed.div(unitScale(p)).mul(Rational.of(10n ** BigInt(p.decimals))).isInteger() && oneDigitApart(was, now)) {
        correction = { zh: `合计应为 ${sumText}；若合计无误，可能是“${nameOf(p, text)}”${p.text} 应为 ${printAs(fixed, p, p.decimals)}`, en: `the total should be ${sumText}; if the total is right, “${nameOf(p, text)}” ${p.text} is probably ${printAs(fixed, p, p.decimals)}` };
        break;
      }
    }
  }
  return {
    verdict: 'fails',
    detail: over
      ? { zh: `分项之和 ${expr} = ${sumText}，超过合计 ${total.text} ${by}`, en: `the parts ${expr} add up to ${sumText}, ${by} more than the total ${total.text}` }
      : { zh: `分项之和 ${expr} = ${sumText}，比合计 ${total.text} 少 ${by}`, en: `the parts ${expr} add up to ${sumText}, ${by} less than the total ${total.text}` },
    correction,
  };
}

/** Judges a stated figure against its exact value: the document's own rounding, another rule, or a failure. */
function judgeRounded(value: Rational, stated: Figure, convention: number): { verdict: Verdict; rounding?: Rounding; shown: string } {
  const inUnit = value.div(unitScale(stated));
  const statedIn = stated.value.div(unitScale(stated));
  const d = stated.decimals;
  const shown = inUnit.toDecimalString(Math.max(d, convention, stated.dim === 'percent' ? 2 : 0));
  if (inUnit.eq(statedIn)) return { verdict: 'holds', shown };
  if (stated.qual === 'about' || stated.qual === 'under' || stated.qual === 'over') {
    const ok = stated.qual === 'over' ? inUnit.cmp(statedIn) >= 0 : stated.qual === 'under' ? inUnit.cmp(statedIn) <= 0 && inUnit.cmp(statedIn.mul(Rational.ratio(8n, 10n))) >= 0
      : inUnit.sub(statedIn).abs().cmp(statedIn.abs().mul(Rational.ratio(1n, 10n))) <= 0;
    return { verdict: ok ? 'holds' : 'fails', shown };
  }
  if (Rational.parse(inUnit.toDecimalString(d, 'half_up')).eq(statedIn)) {
    if (d >= convention) return { verdict: 'holds', shown };
    return { verdict: 'holds_other_rounding', rounding: d === 0 ? 'whole_percent' : 'one_decimal', shown };
  }
  if (Rational.parse(inUnit.toDecimalString(d, 'truncate')).eq(statedIn)) return { verdict: 'holds_other_rounding', rounding: 'truncation', shown };
  return { verdict: 'fails', shown };
}

const ROUNDING_WORDS: Record<Rounding, Bilingual> = {
  truncation: { zh: '截尾（舍去多余位数）', en: 'truncation' },
  whole_percent: { zh: '取整数百分比', en: 'whole percent' },
  one_decimal: { zh: '保留一位小数', en: 'one decimal' },
};

const MARKER = /(分别为|分别是|其中|包括|含)/g;
const TOTAL_WORD = /(共计|合计|总计|共有|总共|共)[^，,。；;、]{0,8}$/;
const CATCH_ALL = /其他|其它|其余|剩余|另有/;
const PAIRS: Array<[RegExp, RegExp]> = [[/线上/, /线下/], [/省内/, /省外/], [/县内/, /县外/], [/男/, /女/], [/城镇/, /农村/], [/境内/, /境外/], [/国内/, /国外/]];

interface Ctx { x: Extraction; text: string; figs: Figure[]; bySentence: Map<number, Figure[]>; out: Relation[]; used: Set<string>; convention: number }

function add(ctx: Ctx, r: Relation): void {
  const key = `${r.kind}:${r.figures.join(',')}`;
  if (ctx.used.has(key)) return;
  ctx.used.add(key);
  ctx.out.push(r);
}

/** Parts listed before their total: "A（2对）、B（3对）等共计5对", "A4对、B5对，共计20对". */
function partsThenTotal(ctx: Ctx): void {
  for (const t of ctx.figs) {
    if (!TOTAL_WORD.test(t.label) || t.depth > 0) continue;
    const inSentence = (ctx.bySentence.get(t.sentence) ?? []).filter((f) => f.location.start < t.location.start && sameGroup(f, t));
    const parts: Figure[] = [];
    for (let i = inSentence.length - 1; i >= 0; i--) {
      const f = inSentence[i]!;
      const nextStart = parts.length ? parts[0]!.location.start : t.location.start;
      const between = ctx.text.slice(f.location.end, nextStart);
      const sep = parts.length ? /、/.test(between) && !/[，,。；;]/.test(between.replace(/[（(][^）)]*[）)]/g, '')) : !/[。；;]/.test(between) && (between.match(/[，,]/g) ?? []).length <= 1;
      if (!sep) break;
      parts.unshift(f);
    }
    if (parts.length < 2) continue;
    add(ctx, { kind: 'sum', figures: [t.id, ...parts.map((p) => p.id)], location: t.location, ...judgeSum(t, parts, true, ctx.text) });
  }
}

function markerDepth(text: string, start: number, at: number): number {
  let d = 0;
  for (let i = start; i < at; i++) { const c = text[i]; if (c === '（' || c === '(') d++; else if ((c === '）' || c === ')') && d > 0) d--; }
  return d;
}

/** A total followed by its parts: "36对，分别为…", "13场（其中线上4场，线下9场）", "资金5100万元。其中，用于…". */
function totalThenParts(ctx: Ctx): void {
  const { text, x } = ctx;
  for (const s of x.sentences) {
    const body = text.slice(s.start, s.end);
    if (/^\s*\|/.test(body)) continue;
    for (const m of body.matchAll(MARKER)) {
      const at = s.start + m.index;
      const word = m[1]!;
      if (word === '含' && /[包含]含|含[有量]/.test(text.slice(at - 1, at + 2))) continue;
      const depth = markerDepth(text, s.start, at);
      const sentFigs = ctx.bySentence.get(s.index) ?? [];
      // The parts: figures after the marker, up to the closing parenthesis when the marker is inside one.
      let end = s.end;
      if (depth > 0) {
        let d = depth;
        for (let i = at; i < s.end; i++) { const c = text[i]; if (c === '（' || c === '(') d++; else if (c === '）' || c === ')') { d--; if (d < depth) { end = i; break; } } }
      }
      const nextMarker = [...text.slice(at + word.length, end).matchAll(MARKER)][0];
      if (nextMarker) end = at + word.length + nextMarker.index;
      const after = sentFigs.filter((f) => f.location.start > at && f.location.start < end && f.dim !== 'percent' && f.dim !== 'pp');
      // "其中脱贫人口413户1528人": each kind of figure after the marker is a part of the whole of its kind.
      const groups = after.filter((f, i) => after.findIndex((g) => sameGroup(f, g)) === i);
      for (const first of groups) {
      if (first !== groups[0] && /[，,；;]/.test(text.slice(groups[0]!.location.end, first.location.start))) continue;
      if (/^(为|向|对|给|帮助|解决|带动|实现|提供|吸纳|使)/.test(first.label)) continue;
      const partDepth = first.depth;
      let parts = after.filter((f) => sameGroup(f, first) && f.depth === partDepth && !/每|人均|户均/.test(f.label));
      // The list ends where its separator changes (、 to ，) or a new predicate starts (为…解决, 实际为…).
      const sepOf = (a: Figure, b: Figure) => (/[，,；;、]/.exec([...text.slice(a.location.end, b.location.start).replace(/[（(][^）)]*[）)]/g, '')].reverse().join(''))?.[0] === '、' ? '、' : '，');
      const stop = parts.findIndex((p, i) => i > 0 && (/共|合计|累计|总|实际|完成|目标/.test(p.label) || /^(为|向|对|给|帮助|解决|带动|实现|提供|吸纳|使)/.test(p.label)
        || (i > 1 && sepOf(parts[i - 1]!, p) !== sepOf(parts[0]!, parts[1]!))));
      if (stop > 0) parts = parts.slice(0, stop);
      // The whole: the nearest figure of the same kind before the marker, at the marker's depth or shallower.
      let total = sentFigs.filter((f) => f.location.start < at && sameGroup(f, first) && f.depth <= depth).pop();
      if (!total && /^[\s，,：:]*$/.test(text.slice(s.start, at))) {
        // Across sentences the whole is the largest figure of the kind in the paragraph's last three sentences.
        for (let k = s.index - 1; k >= Math.max(0, s.index - 3); k--) {
          if (x.sentences[k]!.paragraph !== s.paragraph) break;
          for (const f of ctx.bySentence.get(k) ?? []) if (sameGroup(f, first) && f.depth === 0 && (!total || f.value.cmp(total.value) > 0)) total = f;
        }
      }
      if (!total || total.value.sign() <= 0) continue;
      const between = sentFigs.filter((f) => total && f.location.start > total.location.end && f.location.start < at && sameGroup(f, first) && f.depth <= depth);
      if (between.length && total.sentence === s.index) continue;
      // "其中1名…、两名…，三名同志均…": a last part equal to the sum of the others restates them.
      if (parts.length >= 3) {
        const last = parts[parts.length - 1]!;
        const rest = parts.slice(0, -1);
        if (sumOf(rest).eq(last.value) && /^(这|上述|以上)?$/.test(last.label) && /^(同志|人员|名同志)?.{0,2}(均|都|共)/.test(last.after)) {
          add(ctx, { kind: 'sum', figures: [last.id, ...rest.map((p) => p.id)], location: last.location, ...judgeSum(last, rest, true, text) });
          parts = rest;
        }
      }
      if (word === '分别为' || word === '分别是') {
        if (parts.length >= 2) add(ctx, { kind: 'sum', figures: [total.id, ...parts.map((p) => p.id)], location: total.location, ...judgeSum(total, parts, true, text) });
        continue;
      }
      if (parts.length === 1) {
        const p = parts[0]!;
        const fails = exact(p) && p.value.cmp(total.max ?? total.value) > 0 && total.qual !== 'over' && total.qual !== 'about';
        add(ctx, {
          kind: 'subset', figures: [total.id, p.id], location: p.location, verdict: fails ? 'fails' : 'holds',
          detail: fails ? { zh: `其中 ${p.text} 超过整体 ${total.text}`, en: `the part ${p.text} exceeds the whole ${total.text}` } : { zh: `${p.text} ≤ ${total.text}`, en: `${p.text} ≤ ${total.text}` },
          correction: fails ? { zh: `核对 ${p.text} 与 ${total.text}（部分不能大于整体）`, en: `check ${p.text} against ${total.text} (a part cannot exceed the whole)` } : null,
        });
        continue;
      }
      const names = parts.map((p) => nameOf(p, text));
      const complementary = PAIRS.some(([a, b]) => names.some((n) => a.test(n)) && names.some((n) => b.test(n)));
      const exhaustive = complementary || CATCH_ALL.test(names[names.length - 1] ?? '');
      add(ctx, { kind: 'sum', figures: [total.id, ...parts.map((p) => p.id)], location: total.location, ...judgeSum(total, parts, exhaustive, text) });
      }
    }
  }
}

/** "投入1377.52万元，实施A（174.2万元）、B（900万元）": parts each alone in parentheses after their total. */
function parenthesisedParts(ctx: Ctx): void {
  for (const [, figs] of ctx.bySentence) {
    for (const t of figs) {
      if (t.depth !== 0 || t.dim !== 'money') continue;
      const later = figs.filter((f) => f.location.start > t.location.end && sameGroup(f, t));
      const parts: Figure[] = [];
      for (const f of later) {
        if (f.depth === 0) break;
        const open = Math.max(ctx.text.lastIndexOf('（', f.location.start), ctx.text.lastIndexOf('(', f.location.start));
        if (f.location.start - open !== 1 || f.depth !== 1) break;
        parts.push(f);
      }
      if (parts.length < 2) continue;
      if (parts.some((p, i) => i > 0 && !/、|和|及/.test(ctx.text.slice(parts[i - 1]!.location.end, p.location.start)))) continue;
      const tail = ctx.text.slice(parts[parts.length - 1]!.location.end, ctx.x.sentences[t.sentence]!.end);
      const exhaustive = !/^[^（(]*?[）)]\s*等/.test(tail);
      add(ctx, { kind: 'sum', figures: [t.id, ...parts.map((p) => p.id)], location: t.location, ...judgeSum(t, parts, exhaustive, ctx.text) });
    }
  }
}

const RATE = /([\u4e00-\u9fa5]{1,3})率(为|达|达到|是)?$/;
const SYNONYMS: Record<string, string[]> = { 完工: ['完工', '完成', '竣工'], 竣工: ['完工', '完成', '竣工'], 完成: ['完成', '完工'], 开工: ['开工', '启动'], 拨付: ['拨付', '支付', '到位'], 到位: ['到位', '拨付'], 使用: ['使用', '支出'], 执行: ['执行', '支出'] };

function stemOf(rateLabel: string): string | null {
  const m = RATE.exec(rateLabel);
  if (!m) return null;
  const w = m[1]!;
  for (const k of Object.keys(SYNONYMS)) if (w.endsWith(k)) return k;
  return w.slice(-2);
}

/** Named rates (拨付率, 开工率, 完工率, 上线率…) and shares (占比) against their numerator and base. */
function rates(ctx: Ctx): void {
  const { figs, x } = ctx;
  // A figure that is one rate's numerator is not another rate's base (上线160人 is not the base of 录取率).
  const numerators = new Set<number>();
  for (const r of figs) {
    if (r.dim !== 'percent' || /增长|提高|下降|减少|同比|较上年|比上年|增加|降低|提升/.test(r.label)) continue;
    const share = /占比|占[^，,。；;]*?(的|比例|比重)?$/.test(r.label) && /占/.test(r.label);
    const stem = share ? null : stemOf(r.label);
    const totalIds = new Set(ctx.out.filter((o) => o.kind === 'sum' || o.kind === 'table_total').map((o) => o.figures[0]));
    if (!stem && !share) continue;
    const para = x.sentences[r.sentence]!.paragraph;
    const before = figs.filter((f) => f.location.start < r.location.start && f.dim !== 'percent' && f.dim !== 'pp' && x.sentences[f.sentence]!.paragraph === para && r.sentence - f.sentence <= 1);
    const words = stem ? SYNONYMS[stem] ?? [stem] : [];
    const numerator = share ? before.filter((f) => f.sentence === r.sentence).pop() : before.filter((f) => words.some((w) => f.label.includes(w) || f.after.startsWith(w))).pop();
    if (!numerator || !exact(numerator)) continue;
    // The base: an earlier figure of the numerator's kind in this or the previous paragraph that is not itself
    // the act the rate measures (a planned or target figure may name it: 应完成, 计划开工).
    const bases = figs.filter((f) => f.id !== numerator.id && f.location.start < numerator.location.start && sameGroup(f, numerator) && exact(f)
      && para - x.sentences[f.sentence]!.paragraph <= 1 && f.value.sign() > 0 && !(stem && f.label.includes(stem) && !/应|计划|目标|任务|下达|预计/.test(f.label))
      && !numerators.has(f.id) && (f.value.cmp(numerator.value) >= 0 || totalIds.has(f.id) || !/\n/.test(x.text.slice(f.location.end, numerator.location.start))));
    numerators.add(numerator.id);
    if (!bases.length) {
      if (share || numerator.dim !== 'count' || !numerator.value.isInteger() || r.decimals === 0 || !exact(r)) continue;
      rateBase(ctx, r, numerator);
      continue;
    }
    const rank = (f: Figure) => (totalIds.has(f.id) ? 2 : f.value.cmp(numerator.value) >= 0 ? 1 : 0);
    const ranked = [...bases].sort((a, b) => rank(b) - rank(a) || b.value.cmp(a.value));
    const judged = ranked.map((b) => ({ b, j: judgeRounded(numerator.value.div(b.value).mul(HUNDRED), r, ctx.convention) }));
    const best = judged.find((c) => c.j.verdict === 'holds') ?? judged.find((c) => c.j.verdict === 'holds_other_rounding') ?? judged[0]!;
    const { b, j } = best;
    const expr = `${numerator.text} ÷ ${b.text}`;
    if (j.verdict === 'fails') {
      add(ctx, { kind: 'rate', verdict: 'fails', figures: [r.id, numerator.id, b.id], location: r.location,
        detail: { zh: `${expr} = ${j.shown}%，而文中为 ${r.text}`, en: `${expr} = ${j.shown}%, but the text says ${r.text}` },
        correction: { zh: `${r.label.replace(/(为|达|达到|是)$/, '')}应为 ${j.shown}%`, en: `the rate should be ${j.shown}%` } });
    } else {
      const how = j.rounding ? `，按${ROUNDING_WORDS[j.rounding].zh}为 ${r.text}` : '';
      add(ctx, { kind: 'rate', verdict: j.verdict, rounding: j.rounding, figures: [r.id, numerator.id, b.id], location: r.location,
        detail: { zh: `${expr} = ${j.shown}%${how || `，即 ${r.text}`}`, en: `${expr} = ${j.shown}%${j.rounding ? `, ${r.text} under ${ROUNDING_WORDS[j.rounding].en} rounding` : `, i.e. ${r.text}`}` }, correction: null });
    }
  }
}

/** A rate of a stated count with no stated base: some whole number of people must give it. */
function rateBase(ctx: Ctx, r: Figure, n: Figure): void {
  const p = r.value.div(HUNDRED);
  if (p.sign() <= 0) return;
  const half = Rational.ratio(5n, 10n ** BigInt(r.decimals + 3));
  const lo = p.sub(half);
  const hi = p.add(half);
  // Half-up: n/N in [lo, hi) ⇔ N in (n/hi, n/lo].
  const minN = n.value.div(hi);
  const maxN = lo.sign() > 0 ? n.value.div(lo) : null;
  const first = BigInt(minN.toDecimalString(0, 'truncate')) + 1n;
  const candidates: bigint[] = [];
  for (let N = first; maxN && Rational.of(N).cmp(maxN) <= 0 && candidates.length < 3; N++) candidates.push(N);
  if (candidates.length) {
    add(ctx, { kind: 'rate_base', verdict: 'holds', figures: [r.id, n.id], location: r.location,
      detail: { zh: `${n.text} ÷ ${candidates[0]} = ${n.value.div(Rational.of(candidates[0]!)).mul(HUNDRED).toDecimalString(r.decimals)}%，基数为 ${candidates.join('、')} 时与 ${r.text} 相符`, en: `${n.text} ÷ ${candidates[0]} = ${n.value.div(Rational.of(candidates[0]!)).mul(HUNDRED).toDecimalString(r.decimals)}%: a base of ${candidates.join(', ')} gives ${r.text}` }, correction: null });
    return;
  }
  const near = BigInt(n.value.div(p).toDecimalString(0));
  const fix = near > 0n ? n.value.div(Rational.of(near)).mul(HUNDRED).toDecimalString(r.decimals) : null;
  add(ctx, { kind: 'rate_base', verdict: 'fails', figures: [r.id, n.id], location: r.location,
    detail: { zh: `没有任何整数基数能使 ${n.text} 的比率为 ${r.text}`, en: `no whole-number base makes ${n.text} come to ${r.text}` },
    correction: fix ? { zh: `若基数为 ${near}，比率应为 ${fix}%；请核对 ${n.text} 与 ${r.text}`, en: `with a base of ${near} the rate would be ${fix}%; check ${n.text} and ${r.text}` } : null });
}

const UP = /提高|增长|上升|增加|提升|高出/;
const DOWN = /下降|降低|减少|回落|低于/;

/** Percentage-point changes: "由a%提高到b%，提高c个百分点", or "b%，较上年提高c个百分点" (the earlier rate must be 0–100%). */
function ppChanges(ctx: Ctx): void {
  const { figs, text, x } = ctx;
  for (const [, sf] of ctx.bySentence) {
    const pps = sf.filter((f) => f.dim === 'pp');
    for (const c of pps) {
      const rates = sf.filter((f) => f.dim === 'percent' && f.location.start < c.location.start);
      const last = rates[rates.length - 1];
      if (!last) continue;
      const span = text.slice(last.location.end, c.location.start);
      const sign = UP.test(span) ? 1 : DOWN.test(span) ? -1 : 0;
      if (!sign) continue;
      const prev = rates[rates.length - 2];
      if (prev && /(由|从)\s*$/.test(text.slice(x.sentences[prev.sentence]!.start, prev.location.start).slice(-3)) && /(到|至|为)/.test(text.slice(prev.location.end, last.location.start))) {
        const diff = last.value.sub(prev.value);
        const stated = c.value.mul(Rational.of(sign));
        const ok = diff.eq(stated) || Rational.parse(diff.toDecimalString(c.decimals)).eq(stated);
        add(ctx, { kind: 'pp_change', verdict: ok ? 'holds' : 'fails', figures: [c.id, prev.id, last.id], location: c.location,
          detail: ok ? { zh: `${last.text} − ${prev.text} = ${diff.toString()}个百分点`, en: `${last.text} − ${prev.text} = ${diff.toString()} points` }
            : { zh: `${last.text} − ${prev.text} = ${diff.toString()}个百分点，而文中为 ${c.text}`, en: `${last.text} − ${prev.text} = ${diff.toString()} points, but the text says ${c.text}` },
          correction: ok ? null : { zh: `变化应为 ${diff.abs().toString()}个百分点`, en: `the change should be ${diff.abs().toString()} points` } });
        continue;
      }
      if (!/较|比|同比|与/.test(span)) continue;
      const earlier = last.value.sub(c.value.mul(Rational.of(sign)));
      const ok = earlier.sign() >= 0 && earlier.cmp(HUNDRED) <= 0;
      const years = [...span.matchAll(/(\d{4})年/g)].map((m) => m[1]);
      const idx = pps.filter((p) => p.location.start > last.location.end && p.location.start <= c.location.start).indexOf(c);
      const when = years[idx] ? `${years[idx]}年` : '上期';
      add(ctx, { kind: 'pp_change', verdict: ok ? 'holds' : 'fails', figures: [c.id, last.id], location: c.location,
        detail: ok ? { zh: `${last.text} ${sign > 0 ? '−' : '+'} ${c.text}：${when}为 ${earlier.toString()}%，在 0–100% 之内`, en: `${last.text} ${sign > 0 ? '−' : '+'} ${c.text}: ${earlier.toString()}% in ${when === '上期' ? 'the earlier period' : when.replace('年', '')}, within 0–100%` }
          : { zh: `${last.text} ${sign > 0 ? '−' : '+'} ${c.text} = ${earlier.toString()}%，${when}的比率不可能如此`, en: `${last.text} ${sign > 0 ? '−' : '+'} ${c.text} = ${earlier.toString()}%, which no rate can be` },
        correction: ok ? null : { zh: `核对 ${c.text}（不能${sign > 0 ? '大于' : '使比率超过100%'}）`, en: `check ${c.text}` } });
    }
  }
  void figs;
}

/** Year-on-year growth: "由a增长到b，增长x%" or "b，比上年的a增长x%". */
function growth(ctx: Ctx): void {
  const { text, x } = ctx;
  for (const [, sf] of ctx.bySentence) {
    for (const g of sf) {
      if (g.dim !== 'percent' || !exact(g)) continue;
      const span = text.slice(x.sentences[g.sentence]!.start, g.location.start);
      if (!/(同比|较上年|比上年|比去年|较去年|年均)?(增长|增加|下降|减少)(了)?$/.test(g.label) || /个百分点/.test(g.label)) continue;
      if (/年均/.test(g.label)) continue;
      const sign = /下降|减少/.test(g.label) ? -1 : 1;
      const before = sf.filter((f) => f.location.start < g.location.start && f.dim !== 'percent' && f.dim !== 'pp' && exact(f));
      const b = before[before.length - 1];
      const a = before[before.length - 2];
      if (!a || !b || !sameGroup(a, b) || a.value.sign() <= 0) continue;
      const between = text.slice(a.location.end, b.location.start);
      const fromTo = /(由|从)\s*$/.test(text.slice(x.sentences[a.sentence]!.start, a.location.start).slice(-2)) && /(增长|增加|提高|下降|减少|降低)?(到|至)/.test(between);
      const prevFirst = /上年|去年|同期/.test(a.label) && !/上年|去年|同期/.test(b.label);
      const prevSecond = /上年|去年|同期/.test(b.label) && !/上年|去年|同期/.test(a.label);
      let prev: Figure; let cur: Figure;
      if (fromTo || prevFirst) { prev = a; cur = b; } else if (prevSecond) { prev = b; cur = a; } else continue;
      void span;
      const rate = cur.value.sub(prev.value).div(prev.value).mul(HUNDRED).mul(Rational.of(sign));
      const j = judgeRounded(rate, g, ctx.convention);
      add(ctx, { kind: 'growth', verdict: j.verdict, rounding: j.rounding, figures: [g.id, prev.id, cur.id], location: g.location,
        detail: { zh: `(${cur.text} − ${prev.text}) ÷ ${prev.text} = ${j.shown}%${j.verdict === 'fails' ? `，而文中为 ${g.text}` : ''}`, en: `(${cur.text} − ${prev.text}) ÷ ${prev.text} = ${j.shown}%${j.verdict === 'fails' ? `, but the text says ${g.text}` : ''}` },
        correction: j.verdict === 'fails' ? { zh: `增幅应为 ${j.shown}%`, en: `the growth should be ${j.shown}%` } : null });
    }
  }
}

const PER = /(每人|人均|每名|每户|户均|每个|每所|每家|县均|每县|村均|每村|平均每(人|户|个|县|村|家))$/;

/** Per-head amount × count = total: "150名…18万元（每人1200元）", "33个县，县均5327万元". */
function perUnit(ctx: Ctx): void {
  const { text } = ctx;
  for (const [, sf] of ctx.bySentence) {
    for (const per of sf) {
      const m = PER.exec(per.label);
      if (!m || !exact(per) || per.value.sign() <= 0) continue;
      if (/月|年|日|增收|收入|工资|可支配|补助标准/.test(per.label + per.after)) continue;
      const noun = m[2] ?? m[1]!.replace(/每|均|平均/g, '');
      const counts = sf.filter((f) => f.dim === 'count' && exact(f) && f.value.isInteger() && (
        (noun === '人' || noun === '名') ? f.kind === '人' : noun === '户' ? f.kind === '户' : noun === '个' ? f.kind === '个' : new RegExp(noun).test(f.unit + f.after.slice(0, 5))));
      const totals = sf.filter((f) => f.id !== per.id && sameGroup(f, per) && exact(f) && f.value.cmp(per.value) > 0);
      if (counts.length !== 1 || !totals.length) continue;
      const n = counts[0]!;
      const t = totals.sort((a, b) => Math.abs(a.location.start - per.location.start) - Math.abs(b.location.start - per.location.start))[0]!;
      const product = per.value.mul(n.value);
      const avg = t.value.div(n.value);
      const expr = `${n.text} × ${per.text}`;
      let verdict: Verdict = 'fails';
      let how = '';
      if (product.eq(t.value)) { verdict = 'holds'; how = `${expr} = ${printAs(product, t)}`; }
      else if (Rational.parse(avg.div(per.resolution).toDecimalString(0)).mul(per.resolution).eq(per.value)) { verdict = 'holds'; how = `${t.text} ÷ ${n.text} = ${printAs(avg, per)}，约为 ${per.text}`; }
      else if (Rational.parse(avg.div(per.resolution).toDecimalString(0, 'truncate')).mul(per.resolution).eq(per.value)) { verdict = 'holds_other_rounding'; how = `${t.text} ÷ ${n.text} = ${printAs(avg, per)}，截尾为 ${per.text}`; }
      else if (Rational.parse(product.div(t.resolution).toDecimalString(0)).mul(t.resolution).eq(t.value) && t.resolution.cmp(per.resolution.mul(n.value)) > 0) { verdict = 'holds'; how = `${expr} = ${printAs(product, t)}，约为 ${t.text}`; }
      add(ctx, { kind: 'per_unit', verdict, rounding: verdict === 'holds_other_rounding' ? 'truncation' : undefined, figures: [t.id, n.id, per.id], location: per.location,
        detail: verdict === 'fails' ? { zh: `${expr} = ${printAs(product, t)}，而文中合计为 ${t.text}（${t.text} ÷ ${n.text} = ${printAs(avg, per)}）`, en: `${expr} = ${printAs(product, t)}, but the total is ${t.text} (${t.text} ÷ ${n.text} = ${printAs(avg, per)})` }
          : { zh: how, en: how.replace(/，约为/, ', about').replace(/，截尾为/, ', truncated to') },
        correction: verdict === 'fails' ? { zh: `合计应为 ${printAs(product, t)}，或人均应为 ${printAs(avg, per)}`, en: `the total should be ${printAs(product, t)}, or the per-unit amount ${printAs(avg, per)}` } : null });
      void text;
    }
  }
}

/** Markdown tables: a 合计/总计 row against the sum of the rows above it, column by column. */
function tableTotals(ctx: Ctx): void {
  const lines = ctx.text.split('\n');
  let offset = 0;
  let rows: Array<{ start: number; end: number; line: string }> = [];
  const flush = () => {
    for (const row of rows) {
      const first = row.line.split('|')[1]?.trim() ?? '';
      if (!/^(合计|总计|小计|合　计)$/.test(first)) continue;
      const cellOf = (f: Figure, r: { start: number; line: string }) => row.line === r.line ? r.line.slice(0, f.location.start - r.start).split('|').length : r.line.slice(0, f.location.start - r.start).split('|').length;
      const totals = ctx.figs.filter((f) => f.location.start >= row.start && f.location.end <= row.end);
      for (const t of totals) {
        const col = cellOf(t, row);
        const parts = rows.filter((r) => r.start < row.start).flatMap((r) => ctx.figs.filter((f) => f.location.start >= r.start && f.location.end <= r.end && sameGroup(f, t) && cellOf(f, r) === col));
        if (parts.length >= 2) add(ctx, { kind: 'table_total', figures: [t.id, ...parts.map((p) => p.id)], location: t.location, ...judgeSum(t, parts, true, ctx.text) });
      }
    }
    rows = [];
  };
  for (const line of lines) {
    if (/^\s*\|.*\|\s*$/.test(line)) rows.push({ start: offset, end: offset + line.length, line });
    else flush();
    offset += line.length + 1;
  }
  flush();
}

/** Every relation the text's own structure states, each judged. Pure; never throws. */
export function findRelations(x: Extraction): Relation[] {
  const bySentence = new Map<number, Figure[]>();
  for (const f of x.figures) {
    if (!bySentence.has(f.sentence)) bySentence.set(f.sentence, []);
    bySentence.get(f.sentence)!.push(f);
  }
  const convention = Math.max(0, ...x.figures.filter((f) => f.dim === 'percent').map((f) => f.decimals));
  const ctx: Ctx = { x, text: x.text, figs: x.figures, bySentence, out: [], used: new Set(), convention };
  partsThenTotal(ctx);
  totalThenParts(ctx);
  parenthesisedParts(ctx);
  tableTotals(ctx);
  rates(ctx);
  ppChanges(ctx);
  growth(ctx);
  perUnit(ctx);
  return ctx.out.sort((a, b) => a.location.start - b.location.start);
}
