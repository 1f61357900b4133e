import { extractFigures, type Figure, type Location } from './extract.ts';
import { findRelations, type Bilingual, type Relation, type RelationKind, type Rounding, type Verdict } from './relations.ts';

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
