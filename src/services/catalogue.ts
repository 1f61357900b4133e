import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node } from 'yaml';
import { check, parse, references, type Expr } from '../domain/expr/index.ts';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { Label } from '../domain/ledgers/types.ts';
import type { Store } from '../store/db.ts';
import { configFile, configMemo, ownElementsFor, type OwnElement } from './config.ts';

/** A unit the catalogue declares under `units` (money, percent, pp and yuan have fixed meanings; the rest are count words). */
export type Unit = 'money' | 'percent' | 'pp' | 'yuan' | (string & {});

export interface ElementDef {
  id: string;
  label: Label;
  unit: Unit;
  dims?: string;
  /** The stated parts of this element make up the whole: they must add up to its stated total. */
  exhaustive?: boolean;
  /** A subset (其中): this element can never exceed the named one. */
  within?: string;
  /** A running total since the cooperation began (not the year's own figure): opening the next year carries it over as a draft. */
  cumulative?: boolean;
  /** One of a unit's own elements (not shipped), printed in the report section it names. */
  own?: boolean;
  section?: string;
  /** A unit's own element no longer offered for new values. */
  retired?: boolean;
}

export interface IndicatorDef {
  id: string;
  label: Label;
  unit: Unit;
  formula: string;
  reported?: string;
  round: { decimals: number; mode: 'half_up' | 'truncate' };
  /** True when the catalogue itself says how the indicator rounds (the unit's rate policy then does not apply). */
  roundExplicit?: boolean;
  categories?: string;
  /** False when a breakdown's parts overlap, so adding them up would mislead. */
  total?: boolean;
  /**
   * The figure is the total of the records it selects, whatever the ledger's completeness: the selection
   * is one the unit lists in full even where the ledger as a whole is partial (e.g. its demonstration-
   * village projects).
   */
  listed?: boolean;
  /** A breakdown indicator that explains this one where the report discusses it (e.g. a plan by field). */
  detail?: string;
  note?: Label;
  ast: Expr;
  reportedAst?: Expr;
  /** The indicator of a unit's own element, printed in the report section it names. */
  own?: boolean;
  section?: string;
}

export interface RuleDef {
  id: string;
  label: Label;
  op: '=' | '<=' | '>=' | '<' | '>';
  left: Expr;
  right: Expr;
  leftText: string;
  rightText: string;
}

export interface Catalogue {
  year: number;
  path: string;
  units: Record<Unit, Label>;
  elements: Record<string, ElementDef>;
  indicators: IndicatorDef[];
  byId: Map<string, IndicatorDef>;
  rules: RuleDef[];
}

import { CatalogueInvalid, type CatalogueError } from './errors.ts';

export { CatalogueInvalid, type CatalogueError };

const ROUND_MODES = ['half_up', 'truncate'] as const;

/**
 * Parses a catalogue's text. Every formula is parsed and checked against the ledger declarations,
 * the declared elements and the indicator ids; all problems are collected with their position in
 * the file, and if there are any a CatalogueInvalid is thrown listing them all.
 */
export function parseCatalogue(text: string, path: string, year: number): Catalogue {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const errors: CatalogueError[] = [];
  const at = (node: Node | null | undefined, message: string, messageZh: string) => {
    const pos = lc.linePos(node?.range?.[0] ?? 0);
    errors.push({ path, line: pos.line, column: pos.col, message, messageZh });
  };
  for (const e of doc.errors) {
    const pos = lc.linePos(e.pos[0]);
    errors.push({ path, line: pos.line, column: pos.col, message: e.message, messageZh: `YAML 语法错误：${e.message}` });
  }
  if (errors.length) throw new CatalogueInvalid(errors);
  const data = doc.toJS() as {
    units: Record<Unit, Label>; elements: Record<string, Omit<ElementDef, 'id'>>;
    indicators: Array<Record<string, unknown>>; rules?: Array<Record<string, unknown>>;
  };
  const elements: Record<string, ElementDef> = {};
  for (const [id, e] of Object.entries(data.elements ?? {})) elements[id] = { id, ...e };
  const elementNodes = doc.get('elements', true);
  for (const e of Object.values(elements)) {
    const node = isMap(elementNodes) ? (elementNodes.get(e.id, true) as Node) : null;
    if (!data.units?.[e.unit]) at(node, `element ${e.id}: unknown unit '${String(e.unit)}'`, `上报项 ${e.id}：未知单位`);
    if (e.cumulative !== undefined && typeof e.cumulative !== 'boolean') at(node, `element ${e.id}: cumulative must be true or false`, `上报项 ${e.id}：cumulative 应为 true 或 false`);
    if (e.within !== undefined && !data.elements[e.within]) at(node, `element ${e.id}: within '${e.within}' is not an element`, `上报项 ${e.id}：within 不是已定义的上报项`);
  }
  const indicatorIds = new Set((data.indicators ?? []).map((i) => String(i.id)));
  const schema = {
    ledgers: Object.fromEntries(LEDGERS.map((l) => [l.kind, { fields: Object.fromEntries(l.fields.map((f) => [f.name, { type: f.type }])) }])),
    elements: new Set(Object.keys(elements)),
    indicators: indicatorIds,
  };
  const indicatorNodes = doc.get('indicators', true);
  const ruleNodes = doc.get('rules', true);

  const formula = (node: unknown, key: string, owner: string): Expr | undefined => {
    const n = isMap(node) ? node.get(key, true) : undefined;
    if (!isScalar(n) || typeof n.value !== 'string') {
      at(isMap(node) ? (node as Node) : null, `${owner}: '${key}' must be a formula`, `${owner}：${key} 须为公式`);
      return undefined;
    }
    const pos = lc.linePos(n.range?.[0] ?? 0);
    const r = parse(n.value, { line: pos.line, column: pos.col });
    if (!r.ok) {
      errors.push({ path, line: r.error.line, column: r.error.column, message: `${owner}: ${r.error.message}`, messageZh: `${owner}：${r.error.messageZh}` });
      return undefined;
    }
    for (const e of check(r.ast, schema)) errors.push({ path, line: e.line, column: e.column, message: `${owner}: ${e.message}`, messageZh: `${owner}：${e.messageZh ?? e.message}` });
    return r.ast;
  };

  const indicators: IndicatorDef[] = [];
  const seen = new Set<string>();
  (data.indicators ?? []).forEach((raw, i) => {
    const node = isSeq(indicatorNodes) ? indicatorNodes.items[i] : undefined;
    const id = String(raw.id ?? '');
    if (!/^[A-Za-z_][\w.]*$/.test(id)) at(node as Node, `indicator ${i + 1}: bad id '${id}'`, `第${i + 1}个指标：编号无效`);
    if (seen.has(id)) at(node as Node, `indicator ${id}: duplicate id`, `指标 ${id} 编号重复`);
    seen.add(id);
    if (!data.units?.[raw.unit as Unit]) at(node as Node, `indicator ${id}: unknown unit '${String(raw.unit)}'`, `指标 ${id}：未知单位`);
    const round = (raw.round ?? {}) as { decimals?: number; mode?: string };
    if (round.mode && !ROUND_MODES.includes(round.mode as never)) at(node as Node, `indicator ${id}: unknown rounding mode '${round.mode}'`, `指标 ${id}：未知取舍方式`);
    const ast = formula(node, 'formula', id);
    const reportedAst = raw.reported === undefined ? undefined : formula(node, 'reported', id);
    if (raw.detail !== undefined && !indicatorIds.has(String(raw.detail))) at(node as Node, `indicator ${id}: detail '${String(raw.detail)}' is not an indicator`, `指标 ${id}：detail 不是已定义的指标`);
    if (!ast) return;
    indicators.push({
      id, label: raw.label as Label, unit: raw.unit as Unit, formula: String(raw.formula),
      reported: raw.reported === undefined ? undefined : String(raw.reported),
      round: { decimals: round.decimals ?? (raw.unit === 'percent' || raw.unit === 'pp' ? 2 : 0), mode: (round.mode ?? 'half_up') as 'half_up' | 'truncate' },
      roundExplicit: raw.round !== undefined,
      categories: raw.categories as string | undefined, total: raw.total as boolean | undefined, listed: raw.listed === true, detail: raw.detail as string | undefined, note: raw.note as Label | undefined, ast, reportedAst,
    });
  });
  const rules: RuleDef[] = [];
  (data.rules ?? []).forEach((raw, i) => {
    const node = isSeq(ruleNodes) ? ruleNodes.items[i] : undefined;
    const id = String(raw.id ?? `rule ${i + 1}`);
    if (!['=', '<=', '>=', '<', '>'].includes(String(raw.op))) at(node as Node, `rule ${id}: unknown operator '${String(raw.op)}'`, `规则 ${id}：未知比较符`);
    const left = formula(node, 'left', id);
    const right = formula(node, 'right', id);
    if (left && right) rules.push({ id, label: raw.label as Label, op: raw.op as RuleDef['op'], left, right, leftText: String(raw.left), rightText: String(raw.right) });
  });
  // ref() between indicators must not loop, whatever the year offsets: a loop through earlier years
  // would never reach a year without a reference.
  const deps = new Map(indicators.map((d) => [d.id, [...references(d.ast).indicators, ...(d.reportedAst ? references(d.reportedAst).indicators : [])].map((r) => r.id)]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'open') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      const i = (data.indicators ?? []).findIndex((x) => String(x.id) === id);
      at(isSeq(indicatorNodes) ? (indicatorNodes.items[i] as Node) : null, `indicator cycle: ${cycle.join(' → ')}`, `指标循环引用：${cycle.join(' → ')}`);
      return;
    }
    state.set(id, 'open');
    for (const d of deps.get(id) ?? []) visit(d, [...path, id]);
    state.set(id, 'done');
  };
  for (const d of indicators) visit(d.id, []);
  if (errors.length) throw new CatalogueInvalid(errors);
  return { year, path, units: data.units, elements, indicators, byId: new Map(indicators.map((d) => [d.id, d])), rules };
}

const loaded = new Map<number, Catalogue>();

/**
 * The catalogue in force for an assessment year (config/<year>/catalogue.yaml, parsed once) and, with
 * a unit and a store, that unit's own elements added (ownElementsFor): each becomes an element and an
 * indicator that shows its stated value, with its own count word where it has one.
 */
export function catalogueFor(year: number, unit?: string, store?: Store): Catalogue {
  const f = configFile(year, 'catalogue.yaml');
  if (!loaded.has(year)) loaded.set(year, parseCatalogue(f.text, f.path, year));
  const base = loaded.get(year)!;
  const own = ownElementsFor(year, unit, store);
  if (!own.length) return base;
  return configMemo(store, `catalogue|${year}|${unit ?? ''}`, () => withOwnElements(base, own));
}

/** The catalogue with a unit's own elements added as elements and value() indicators. */
export function withOwnElements(base: Catalogue, own: readonly OwnElement[]): Catalogue {
  const units = { ...base.units };
  const elements = { ...base.elements };
  const indicators = [...base.indicators];
  for (const o of own) {
    if (Object.hasOwn(base.elements, o.id) || base.byId.has(o.id)) continue;
    const unit = o.unitWord ? `word:${o.unitWord.zh}` : o.unit;
    if (o.unitWord) units[unit] = { zh: o.unitWord.zh, en: o.unitWord.en };
    if (!units[unit]) continue;
    const label = { zh: o.zh, en: o.en };
    const formula = `value(${o.id})`;
    const r = parse(formula);
    if (!r.ok) continue;
    elements[o.id] = { id: o.id, label, unit, own: true, section: o.section, ...(o.retired ? { retired: true } : {}) };
    indicators.push({
      id: o.id, label, unit, formula, round: { decimals: unit === 'percent' || unit === 'pp' || o.unitWord ? 2 : 0, mode: 'half_up' }, ast: r.ast, own: true, section: o.section,
    });
  }
  return { ...base, units, elements, indicators, byId: new Map(indicators.map((d) => [d.id, d])) };
}
