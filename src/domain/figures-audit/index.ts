import { extractFigures, type Figure, type Location } from './extract.ts';
import { Rational } from '../rational.ts';
import { findRelations, printAs, type Bilingual, type Relation, type RelationKind, type Rounding, type Verdict } from './relations.ts';

export { chineseNumeral, extractFigures, normaliseWidth } from './extract.ts';
export type { Dimension, Extraction, Figure, FigureQual, Location } from './extract.ts';
export { findRelations, printAs } from './relations.ts';
export type { Bilingual, Relation, RelationKind, Rounding, Verdict } from './relations.ts';

/** A figure as the audit reports it: plain JSON, exact values as decimal strings (money in 元). */
export interface FigureView {
  id: number;
  text: string;
  value: string;
  max: string | null;
  qual: Figure['qual'];
  dim: Figure['dim'];
  unit: string;
  label: string;
  sentence: string;
  location: Location;
}

export interface RelationView {
  kind: RelationKind;
  verdict: Verdict;
  rounding?: Rounding;
  figures: Array<{ id: number; text: string; location: Location }>;
  location: Location;
  detail: Bilingual;
  correction: Bilingual | null;
}

export interface TextAudit {
  figures: FigureView[];
  relations: RelationView[];
  /** How many relations fail; 0 means nothing to flag. */
  failures: number;
}

/**
 * Audits one text: every figure it states, every relation its structure states between them, each
 * judged holds / holds under another rounding rule / fails with the most likely correction. Pure and
 * deterministic; never throws on any input.
 */
export function auditText(text: string): TextAudit {
  const x = extractFigures(text);
  const relations = findRelations(x);
  const byId = new Map(x.figures.map((f) => [f.id, f]));
  const figures = x.figures.map((f): FigureView => {
    const s = x.sentences[f.sentence]!;
    return {
      id: f.id, text: f.text, value: f.value.toString(), max: f.max?.toString() ?? null, qual: f.qual, dim: f.dim, unit: f.unit,
      label: f.label, sentence: text.slice(s.start, s.end).replace(/\s+/g, ' ').trim(), location: f.location,
    };
  });
  return {
    figures,
    relations: relations.map((r: Relation): RelationView => ({
      kind: r.kind, verdict: r.verdict, ...(r.rounding ? { rounding: r.rounding } : {}),
      figures: r.figures.map((id) => ({ id, text: byId.get(id)!.text, location: byId.get(id)!.location })),
      location: r.location, detail: r.detail, correction: r.correction,
    })),
    failures: relations.filter((r) => r.verdict === 'fails').length,
  };
}

/** A relation between figures of different documents (the same figure stated in two of them). */
export interface CrossRelation {
  kind: 'repeat';
  verdict: Verdict;
  figures: Array<{ document: string; id: number; text: string; location: Location }>;
  detail: Bilingual;
  correction: Bilingual | null;
}

const FILLER = /^(其中|共计|合计|累计|共(?![建享同])|用于|以及|和|及|为|达|目前|截至目前|截止目前|全年|今年)+/;

/** The words that name what a figure counts, when they are specific enough to match across documents. */
function labelKey(f: Figure, text: string): string | null {
  const k = f.label.replace(FILLER, '');
  if ([...k].filter((c) => /[\u4e00-\u9fa5]/.test(c)).length < 4 || /分别/.test(k)) return null;
  const lineStart = text.lastIndexOf('\n', f.location.start) + 1;
  if (/^\s*\|/.test(text.slice(lineStart, f.location.start))) return null;
  return `${k}|${f.dim}|${f.kind}`;
}

/**
 * Figures named by the same words (at least four characters) in two documents, each named so exactly
 * once in its document: the same figure stated twice, which must agree. Pure; never throws.
 */
export function crossDocumentRelations(docs: Array<{ name: string; text: string }>): CrossRelation[] {
  const keyed = docs.map((d) => {
    const x = extractFigures(d.text);
    const m = new Map<string, Figure[]>();
    for (const f of x.figures) {
      const k = f.qual === 'exact' ? labelKey(f, x.text) : null;
      if (k) m.set(k, [...(m.get(k) ?? []), f]);
    }
    return { name: d.name, m };
  });
  const out: CrossRelation[] = [];
  for (let i = 0; i < keyed.length; i++) for (let j = i + 1; j < keyed.length; j++) {
    for (const [k, fa] of keyed[i]!.m) {
      const fb = keyed[j]!.m.get(k);
      if (fa.length !== 1 || fb?.length !== 1) continue;
      const a = fa[0]!; const b = fb[0]!;
      const same = a.value.eq(b.value);
      const A = keyed[i]!.name; const B = keyed[j]!.name;
      out.push({
        kind: 'repeat', verdict: same ? 'holds' : 'fails',
        figures: [{ document: A, id: a.id, text: a.text, location: a.location }, { document: B, id: b.id, text: b.text, location: b.location }],
        detail: same ? { zh: `“${a.label}”两份文件均为 ${a.text}`, en: `“${a.label}” is ${a.text} in both documents` }
          : { zh: `“${a.label}”在 ${A} 中为 ${a.text}，在 ${B} 中为 ${b.text}`, en: `“${a.label}” is ${a.text} in ${A} but ${b.text} in ${B}` },
        correction: same ? null : { zh: `核对两份文件中的“${a.label}”，统一为同一数字`, en: `check “${a.label}” in both documents and state one figure` },
      });
    }
  }
  return out;
}

/** A unit's total against the sum of its sub-units' figures, when a parent report is audited with its sub-units' reports. */
export interface RollupRelation {
  kind: 'rollup';
  verdict: Verdict;
  parent: { document: string; id: number; text: string; location: Location };
  parts: Array<{ document: string; id: number; text: string; location: Location }>;
  detail: Bilingual;
  correction: Bilingual | null;
}

/**
 * For every figure the parent report (a prefecture, a province) names by the same words as two or more
 * of its sub-units' reports: the sub-units' figures may not add up to more than the parent's total; when
 * every sub-unit is there (`complete`), they must add up to it. Pure; never throws.
 */
export function rollupRelations(parent: { name: string; text: string }, subs: Array<{ name: string; text: string }>, complete = false): RollupRelation[] {
  const index = (d: { name: string; text: string }) => {
    const x = extractFigures(d.text);
    const m = new Map<string, Figure[]>();
    for (const f of x.figures) {
      const k = f.qual === 'exact' ? labelKey(f, x.text) : null;
      if (k) m.set(k, [...(m.get(k) ?? []), f]);
    }
    return { name: d.name, m };
  };
  const p = index(parent);
  const ss = subs.map(index);
  const out: RollupRelation[] = [];
  for (const [k, pf] of p.m) {
    if (pf.length !== 1) continue;
    const parts = ss.flatMap((s) => (s.m.get(k)?.length === 1 ? [{ document: s.name, f: s.m.get(k)![0]! }] : []));
    if (parts.length < 2) continue;
    const total = pf[0]!;
    const sum = parts.reduce((a, x) => a.add(x.f.value), Rational.ZERO);
    const c = sum.cmp(total.value);
    const verdict: Verdict = c > 0 || (complete && c < 0) ? 'fails' : 'holds';
    const sumText = printAs(sum, total);
    const expr = parts.map((x) => x.f.text).join(' + ');
    out.push({
      kind: 'rollup', verdict,
      parent: { document: p.name, id: total.id, text: total.text, location: total.location },
      parts: parts.map((x) => ({ document: x.document, id: x.f.id, text: x.f.text, location: x.f.location })),
      detail: verdict === 'fails'
        ? { zh: `下级合计 ${expr} = ${sumText}，而 ${p.name} 为 ${total.text}`, en: `the sub-units add up to ${expr} = ${sumText}, but ${p.name} says ${total.text}` }
        : { zh: `下级合计 ${expr} = ${sumText}${c === 0 ? '，等于' : '，不超过'} ${total.text}`, en: `the sub-units add up to ${expr} = ${sumText}, ${c === 0 ? 'equal to' : 'within'} ${total.text}` },
      correction: verdict === 'fails' ? { zh: `核对 ${p.name} 的 ${total.text} 与各下级报告（合计 ${sumText}）`, en: `check ${total.text} in ${p.name} against the sub-units' ${sumText}` } : null,
    });
  }
  return out;
}
