import { parseStated } from '../domain/figures.ts';
import { isIsoDate } from '../domain/pace.ts';
import { Rational } from '../domain/rational.ts';
import type { Store } from '../store/db.ts';
import { datedStatements, type DatedReportedRow, findStatement, findStatementById, putStatement, removeStatement } from '../store/reported-dated-repo.ts';
import {
  deleteReportedValueAtVersion, findNarrative, findReportedValue, findReportedValueById, insertNarrative, insertReportedValue, narrativesOf,
  reportedValuesOf, updateNarrative, updateReportedValue,
} from '../store/report-repo.ts';
import { catalogueFor } from './catalogue.ts';
import { categoriesFor } from './config.ts';
import { conflict, invalid, notFound } from './errors.ts';
import { formatValue, withUnit } from './indicators.ts';
import { audit, now } from './ledgers.ts';
import { type Actor, assertRead, assertVisible, assertWrite } from './scope.ts';
import { assertReportOpen } from './write-rules.ts';

export interface ReportedView {
  id: number;
  element: string;
  label: { zh: string; en: string };
  unit: string;
  dim: string;
  dimLabel: string | null;
  /** Exact stored value: decimal text, money in 分. */
  value: string;
  qual: string;
  valueMax: string | null;
  /** As printed, e.g. "4562.143万元", "40余家". */
  display: string;
  note: string | null;
  version: number;
  /** The day a dated statement refers to; null for the undated statement, which is the year's figure. */
  asOf: string | null;
}

type ViewRow = Pick<DatedReportedRow, 'id' | 'element' | 'dim' | 'value' | 'qual' | 'value_max' | 'note' | 'version'> & { as_of?: string };

function views(store: Store, county: string, year: number, rows: readonly ViewRow[]): ReportedView[] {
  const cat = catalogueFor(year, county, store);
  const cats = categoriesFor(year, county, store);
  return rows.map((r) => {
    const el = cat.elements[r.element];
    const unit = el?.unit ?? 'items';
    const fmt = (v: string) => formatValue(Rational.parse(v), unit, { decimals: 4, mode: 'half_up' }).replace(/\.0+$|(\.\d*?)0+$/, '$1');
    return {
      id: r.id, element: r.element, label: el?.label ?? { zh: r.element, en: r.element }, unit, dim: r.dim,
      dimLabel: el?.dims ? cats[el.dims]?.find((c) => c.value === r.dim)?.zh ?? r.dim : null,
      value: r.value, qual: r.qual, valueMax: r.value_max,
      display: withUnit(fmt(r.value), unit, cat, r.qual as 'exact', r.value_max ? fmt(r.value_max) : undefined),
      note: r.note, version: r.version, asOf: r.as_of ?? null,
    };
  });
}

/** Reported values (aggregates without records) of a county-year, labelled from the catalogue: the undated statements. */
export async function listReported(store: Store, actor: Actor, county: string, year: number): Promise<ReportedView[]> {
  await assertRead(store, actor, county);
  const rows = await reportedValuesOf(store.db, county, year);
  return views(store, county, year, rows);
}

/** The dated statements of a county-year (a figure as of a day), by element, dim and day. */
export async function listDatedReported(store: Store, actor: Actor, county: string, year: number): Promise<ReportedView[]> {
  await assertRead(store, actor, county);
  return views(store, county, year, await datedStatements(store.db, county, year));
}

/** Checks that `asOf` is a day of the assessment year; throws Invalid otherwise. */
export function checkAsOf(asOf: string, year: number): void {
  if (!isIsoDate(asOf) || !asOf.startsWith(`${year}-`))
    throw invalid(`截至日期应为${year}年内的日期（YYYY-MM-DD）：${asOf}`, `the as-of date must be a day of ${year} written YYYY-MM-DD: ${asOf}`);
}

export interface ReportedInput {
  element: string;
  dim?: string;
  /** As people write it, in the element's display unit: "4562.143" (万元 for money), "约12", "40余", "1.2万-1.5万". */
  text: string;
  note?: string | null;
  /** The day the figure refers to (YYYY-MM-DD, within the year); absent for the year's figure. */
  asOf?: string;
}

/**
 * Sets one reported value of a county-year (creating or replacing it). The element must be in the
 * year's catalogue and the dim in its category list; money is entered in 万元 and stored in 分.
 * With `asOf` the value is the figure as of that day, kept beside the year's figure and any other
 * day's (one per day). `expectedVersion` guards a replacement against a concurrent edit. Audited.
 */
export async function setReported(store: Store, actor: Actor, county: string, year: number, input: ReportedInput, expectedVersion?: number): Promise<ReportedView> {
  await assertRead(store, actor, county);
  assertWrite(actor, county);
  const cat = catalogueFor(year, county, store);
  // Own keys only: `__proto__` or `constructor` is no element.
  const el = Object.hasOwn(cat.elements, input.element) ? cat.elements[input.element] : undefined;
  if (!el) throw invalid(`未知的上报项 ${input.element}`, `unknown reported element ${input.element}`);
  if (el.retired) throw invalid(`上报项「${el.label.zh}」已停用，不能再填报`, `the element ${el.label.en} is retired and takes no new values`);
  const dim = input.dim ?? '';
  if (el.dims) {
    const allowed = categoriesFor(year, county, store)[el.dims] ?? [];
    // No dim is the stated total; a dim is one of the element's categories.
    if (dim && !allowed.some((c) => c.value === dim))
      throw invalid(`分项应为：${allowed.map((c) => c.zh).join('、')}`, `dim must be one of ${allowed.map((c) => c.value).join(', ')}`);
  } else if (dim) throw invalid('该上报项没有分项', 'this element has no breakdown');
  let stated;
  try {
    // Money is typed in 万元 unless the text names its unit: 4562.143, 约12, 70余, 2.8亿元, 1200元.
    const text = input.text.trim();
    const money = /(亿元?|元)$/.test(text) && !/万元?$/.test(text) ? text.replace(/亿$/, '亿元') : `${text.replace(/万元?$/, '')}万元`.replace(/^(约|近)?(.*?)(余)?万元$/, (_m, a = '', b, c = '') => `${a}${b}${c}万元`);
    stated = parseStated(el.unit === 'money' ? money : text, el.unit === 'money' ? 'money' : 'number');
  } catch (e) {
    throw invalid(`数值无法识别：${input.text}`, `cannot read the figure: ${input.text}`, (e as Error).message);
  }
  const t = now();
  if (input.asOf !== undefined) {
    const asOf = input.asOf;
    checkAsOf(asOf, year);
    await store.db.transaction().execute(async (tx) => {
      await assertReportOpen(tx, county, year);
      const before = await findStatement(tx, county, year, input.element, dim, asOf);
      if (before && expectedVersion !== undefined && before.version !== expectedVersion)
        throw conflict('该数据已被他人修改，请刷新后重试', 'the value was changed by someone else; reload and try again');
      const row = { value: stated.value, qual: stated.qual, value_max: stated.max, scale: stated.scale ?? '', unit_word: stated.unitWord ?? null, note: input.note === undefined ? before?.note ?? null : input.note?.trim() || null, updated_at: t };
      await putStatement(tx, { county_code: county, year, element: input.element, dim, as_of: asOf, ...row }, before);
      await audit(tx, actor, before ? 'update' : 'create', 'reported_value_dated', `${input.element}${dim ? `[${dim}]` : ''}@${asOf}`, county, year, before ?? null, { as_of: asOf, ...row });
    });
    return (await listDatedReported(store, actor, county, year)).find((r) => r.element === input.element && r.dim === dim && r.asOf === asOf)!;
  }
  await store.db.transaction().execute(async (tx) => {
    await assertReportOpen(tx, county, year);
    const before = await findReportedValue(tx, county, year, input.element, dim);
    if (before && expectedVersion !== undefined && before.version !== expectedVersion)
      throw conflict('该数据已被他人修改，请刷新后重试', 'the value was changed by someone else; reload and try again');
    const row = { value: stated.value, qual: stated.qual, value_max: stated.max, scale: stated.scale ?? '', unit_word: stated.unitWord ?? null, note: input.note === undefined ? before?.note ?? null : input.note?.trim() || null, updated_at: t };
    if (before) {
      await updateReportedValue(tx, before.id, { ...row, version: before.version + 1 });
    } else {
      await insertReportedValue(tx, { county_code: county, year, element: input.element, dim, ...row });
    }
    await audit(tx, actor, before ? 'update' : 'create', 'reported_value', `${input.element}${dim ? `[${dim}]` : ''}`, county, year, before ?? null, row);
  });
  const view = (await listReported(store, actor, county, year)).find((r) => r.element === input.element && r.dim === dim);
  return view!;
}

/** Removes a reported value; refused when it changed since `expectedVersion`. Audited. */
export async function deleteReported(store: Store, actor: Actor, id: number, expectedVersion: number): Promise<void> {
  const before = await findReportedValueById(store.db, id);
  await assertVisible(store, actor, before?.county_code, () => notFound('上报值不存在', 'reported value not found'));
  if (!before) throw notFound('上报值不存在', 'reported value not found');
  assertWrite(actor, before.county_code);
  await store.db.transaction().execute(async (tx) => {
    await assertReportOpen(tx, before.county_code, before.year);
    if (!(await deleteReportedValueAtVersion(tx, id, expectedVersion))) throw conflict('该数据已被他人修改，请刷新后重试', 'the value was changed by someone else; reload and try again');
    await audit(tx, actor, 'delete', 'reported_value', `${before.element}${before.dim ? `[${before.dim}]` : ''}`, before.county_code, before.year, before, null);
  });
}

/** Removes a dated statement; refused when it changed since `expectedVersion`. Audited. */
export async function deleteDatedReported(store: Store, actor: Actor, id: number, expectedVersion: number): Promise<void> {
  const before = await findStatementById(store.db, id);
  await assertVisible(store, actor, before?.county_code, () => notFound('上报值不存在', 'reported value not found'));
  if (!before) throw notFound('上报值不存在', 'reported value not found');
  assertWrite(actor, before.county_code);
  await store.db.transaction().execute(async (tx) => {
    await assertReportOpen(tx, before.county_code, before.year);
    if (!(await removeStatement(tx, id, expectedVersion))) throw conflict('该数据已被他人修改，请刷新后重试', 'the value was changed by someone else; reload and try again');
    await audit(tx, actor, 'delete', 'reported_value_dated', `${before.element}${before.dim ? `[${before.dim}]` : ''}@${before.as_of}`, before.county_code, before.year, before, null);
  });
}

export const NARRATIVE_SECTIONS = ['highlights', 'problem', 'problem_note', 'plan'] as const;
export type NarrativeSection = (typeof NARRATIVE_SECTIONS)[number];

/** Narrative text of a county-year, by section and order. */
export async function listNarratives(store: Store, actor: Actor, county: string, year: number) {
  await assertRead(store, actor, county);
  return narrativesOf(store.db, county, year);
}

/**
 * Creates or replaces one narrative paragraph (section + seq). A `problem_note` is titled with the
 * indicator id it explains, which must exist. Audited.
 */
export async function setNarrative(
  store: Store, actor: Actor, county: string, year: number,
  input: { section: NarrativeSection; seq: number; title?: string | null; body: string; note?: string | null }, expectedVersion?: number,
): Promise<void> {
  await assertRead(store, actor, county);
  assertWrite(actor, county);
  if (!NARRATIVE_SECTIONS.includes(input.section)) throw invalid(`未知栏目 ${input.section}`, `unknown section ${input.section}`);
  if (!Number.isInteger(input.seq) || input.seq < 1) throw invalid('序号应为正整数', 'seq must be a positive whole number');
  if (!input.body.trim()) throw invalid('正文不能为空', 'the text is empty');
  if (input.section === 'problem_note' && !catalogueFor(year).byId.has(input.title ?? ''))
    throw invalid('问题说明的标题须为所说明的指标编号', 'a problem note is titled with the id of the indicator it explains');
  const t = now();
  await store.db.transaction().execute(async (tx) => {
    await assertReportOpen(tx, county, year);
    const before = await findNarrative(tx, county, year, input.section, input.seq);
    if (before && expectedVersion !== undefined && before.version !== expectedVersion)
      throw conflict('该内容已被他人修改，请刷新后重试', 'the text was changed by someone else; reload and try again');
    const row = { title: input.title ?? null, body: input.body.trim(), note: input.note ?? null, updated_at: t };
    if (before) await updateNarrative(tx, before.id, { ...row, version: before.version + 1 });
    else await insertNarrative(tx, { county_code: county, year, section: input.section, seq: input.seq, ...row });
    await audit(tx, actor, before ? 'update' : 'create', 'narrative', `${input.section}#${input.seq}`, county, year, before ?? null, row);
  });
}
