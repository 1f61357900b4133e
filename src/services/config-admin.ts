import type { CategoryItem } from '../domain/ledgers/schema.ts';
import { categoryUse, elementUse, entryHistory, insertEntry, type ConfigEntry } from '../store/config-repo.ts';
import type { Store } from '../store/db.ts';
import { orgUnitRow } from '../store/year-repo.ts';
import { catalogueFor } from './catalogue.ts';
import { parseDocument, stringify } from 'yaml';
import { checkTemplate, TemplateError, type ReportTemplate } from '../reports/template.ts';
import {
  categoriesFor, configFileText, configYear, ownElementsFor, refreshConfig, roundingFor, storedEntry, wholeLayer,
  type OwnElement,
  type ConfigKind, type RoundingLayer, type RoundingPolicy, type RoundingRule,
} from './config.ts';
import { lintTemplate, reportTemplate, type TemplateProblem } from './reports.ts';
import { conflict, forbidden, invalid } from './errors.ts';
import { audit, now } from './ledgers.ts';
import type { Actor } from './scope.ts';

/**
 * Who may change configuration: an administrator for any unit (and the national layer, unit ''), a
 * province user for units under her own (her province, its prefectures and counties). Nobody else.
 */
export function assertConfigure(actor: Actor, unit: string): void {
  if (actor.role === 'admin') return;
  if (actor.role === 'province_user' && unit && actor.units.some((u) => unit.startsWith(u))) return;
  throw forbidden(
    unit ? `无权修改 ${unit} 的配置：只有该省的省级用户或系统管理员可以修改` : '只有系统管理员可以修改全国默认配置',
    unit ? `not allowed to change the configuration of ${unit}: only its province's users or an administrator may` : 'only an administrator may change the national defaults',
  );
}

async function assertUnit(store: Store, unit: string): Promise<void> {
  if (unit === '') return;
  if (!/^\d{2}(\d{2}){0,2}$/.test(unit)) throw invalid(`单位代码 ${unit} 无效：应为2位省、4位市州或6位县级区划代码`, `unit ${unit} is not a 2-digit province, 4-digit prefecture or 6-digit county code`);
  if (!(await orgUnitRow(store.db, unit))) throw invalid(`未知的区划代码 ${unit}：请先用 xiezuo init --provinces ${unit.slice(0, 2)} 载入区划`, `unknown division code ${unit}: load the divisions first (xiezuo init --provinces ${unit.slice(0, 2)})`);
}

/** Where a setting in force comes from: shipped with the system, or stored for a unit and year. */
export interface ConfigSource { stored: false }
export interface StoredSource { stored: true; unit: string; year: number; version: number; updatedBy: string; updatedAt: string }

const sourceOf = (e: ConfigEntry | undefined): ConfigSource | StoredSource =>
  e ? { stored: true, unit: e.unit, year: e.year, version: e.version, updatedBy: e.updatedBy, updatedAt: e.updatedAt } : { stored: false };

export interface ConfigView {
  year: number;
  unit: string;
  /** The lists in force for the unit, with where each came from (the most specific stored layer, if any). */
  categories: Array<{ name: string; items: CategoryItem[]; source: ConfigSource | StoredSource; own: boolean }>;
  rounding: RoundingPolicy;
  /** The rounding layer stored for exactly this unit (possibly from an earlier year), if any. */
  ownRounding: (RoundingLayer & { source: StoredSource }) | null;
  /** The unit's own elements in force (its own and those of the units above, each with where it was defined). */
  elements: OwnElement[];
  /** The sections of the report template in force that own elements can be placed in, and the units they can take. */
  sections: Array<{ key: string; zh: string }>;
  units: Array<{ key: string; zh: string; en: string }>;
}

const chain = (unit: string): string[] => ['', ...[2, 4, 6].filter((n) => unit.length >= n).map((n) => unit.slice(0, n))];

/** The configuration in force for a unit and year, with provenance. Readable by every signed-in user. */
export async function showConfig(store: Store, year: number, unit: string): Promise<ConfigView> {
  configYear(year);
  await assertUnit(store, unit);
  await refreshConfig(store);
  const lists = categoriesFor(year, unit || undefined, store);
  const categories = Object.entries(lists).map(([name, items]) => {
    let src: ConfigEntry | undefined;
    for (const u of chain(unit)) {
      const e = storedEntry(store, 'categories', year, u, name);
      if (e?.body != null) src = e;
    }
    return { name, items: [...items], source: sourceOf(src), own: src !== undefined && src.unit === unit };
  });
  const own = storedEntry(store, 'rounding', year, unit);
  return {
    year, unit, categories, rounding: roundingFor(year, unit || undefined, store),
    ownRounding: own ? { ...(own.body as RoundingLayer), source: sourceOf(own) as StoredSource } : null,
    elements: ownElementsFor(year, unit || undefined, store),
    sections: sectionsOf(year, unit, store),
    units: Object.entries(catalogueFor(year).units).map(([key, l]) => ({ key, zh: l.zh, en: l.en })),
  };
}

/** The sections of the report template in force for a unit (plus `other`), where own elements print. */
function sectionsOf(year: number, unit: string, store: Store): Array<{ key: string; zh: string }> {
  const t = reportTemplate(year, unit, store);
  return [...Object.entries(t.sections ?? {}).map(([key, zh]) => ({ key, zh })), ...(Object.hasOwn(t.sections ?? {}, 'other') ? [] : [{ key: 'other', zh: '其他' }])];
}

export interface SetElementsInput {
  year: number;
  unit: string;
  /** The unit's own elements, replacing what it stored before; an element without id gets a new one. */
  elements: ReadonlyArray<Omit<OwnElement, 'id' | 'definedBy'> & { id?: string }>;
}

const OWN_ID = /^own\.[a-z][a-z0-9_]{0,39}$/;

/**
 * Stores a unit's own elements from a year on: figures its reports state that the shipped catalogue
 * has no element for. Each has Chinese and English names, a unit (a catalogue unit, or a count word of
 * its own) and the report section it prints in. Ids are stable: an element is retired, not deleted,
 * while reported values use it (deleting one in use is refused with Conflict). Audited.
 */
export async function setOwnElements(store: Store, actor: Actor, input: SetElementsInput): Promise<ConfigView> {
  const { year, unit } = input;
  configYear(year);
  assertConfigure(actor, unit);
  await assertUnit(store, unit);
  await refreshConfig(store);
  const cat = catalogueFor(year);
  const sections = new Set(sectionsOf(year, unit, store).map((x) => x.key));
  const before = (storedEntry(store, 'elements', year, unit)?.body ?? []) as OwnElement[];
  const taken = new Set([...ownElementsFor(year, unit || undefined, store).map((e) => e.id), ...before.map((e) => e.id)]);
  const problems: Array<{ zh: string; en: string }> = [];
  const seen = new Set<string>();
  let k = 0;
  const fresh = () => {
    let id: string;
    do id = `own.u${unit || 'n'}_${++k}`; while (taken.has(id) || seen.has(id));
    return id;
  };
  const elements: OwnElement[] = input.elements.map((e, i) => {
    const bad = (zh: string, en: string) => problems.push({ zh: `第${i + 1}项：${zh}`, en: `item ${i + 1}: ${en}` });
    const id = e.id ? String(e.id).trim() : fresh();
    const zh = String(e.zh ?? '').trim();
    const en = String(e.en ?? '').trim();
    if (!OWN_ID.test(id)) bad(`编号应为 own. 加小写字母、数字或下划线`, `the id must be own. followed by lower-case letters, digits or _`);
    if (Object.hasOwn(cat.elements, id) || cat.byId.has(id)) bad(`编号 ${id} 与系统目录重复`, `${id} is already in the catalogue`);
    if (seen.has(id)) bad(`编号 ${id} 重复`, `duplicate id ${id}`);
    seen.add(id);
    if (!zh || zh.length > 60) bad(`须有中文名称（60字以内）`, `a Chinese name (up to 60 characters) is required`);
    if (!en || en.length > 120) bad(`须有英文名称`, `an English name is required`);
    const word = e.unitWord && (String(e.unitWord.zh ?? '').trim() || String(e.unitWord.en ?? '').trim()) ? { zh: String(e.unitWord.zh ?? '').trim(), en: String(e.unitWord.en ?? '').trim() } : undefined;
    if (word && (!word.zh || word.zh.length > 6 || !word.en || word.en.length > 30)) bad(`计量单位须有中文（6字以内）和英文`, `a unit word needs Chinese (up to 6 characters) and English`);
    if (!word && !Object.hasOwn(cat.units, e.unit)) bad(`未知单位 ${String(e.unit)}（可选：${Object.keys(cat.units).join('、')}，或自定计量单位）`, `unknown unit ${String(e.unit)}`);
    if (!sections.has(e.section)) bad(`报告部分 ${String(e.section)} 不在报告模板中（可选：${[...sections].join('、')}）`, `section ${String(e.section)} is not one of ${[...sections].join(', ')}`);
    return { id, zh, en, unit: word ? 'items' : e.unit, ...(word ? { unitWord: word } : {}), section: e.section, ...(e.retired ? { retired: true } : {}) };
  });
  if (problems.length)
    throw invalid(`自定义上报项有误：${problems.map((p) => p.zh).join('；')}`, `own elements are invalid: ${problems.map((p) => p.en).join('; ')}`, problems);
  const removed = before.map((e) => e.id).filter((id) => !seen.has(id));
  await store.db.transaction().execute(async (tx) => {
    const used = await elementUse(tx, removed, unit, year);
    if (used.length)
      throw conflict(
        `不能删除仍有上报数据的项：${used.map((u) => `${before.find((e) => e.id === u.element)?.zh ?? u.element}（${u.count}条）`).join('、')}。请改为停用`,
        `cannot delete elements that hold reported values: ${used.map((u) => `${u.element} (${u.count})`).join(', ')}; retire them instead`,
        used,
      );
    const entry = await insertEntry(tx, { kind: 'elements', name: '', year, unit, body: elements, by: actor.id, at: now() });
    await audit(tx, actor, 'config.elements', 'config', `elements/${year}/${unit || 'national'}`, unit || null, year, { elements: before }, { elements, version: entry.version });
  });
  await refreshConfig(store);
  return showConfig(store, year, unit);
}

export interface SetCategoriesInput {
  year: number;
  /** '' for the national layer, else a province, prefecture or county code. */
  unit: string;
  list: string;
  items: readonly CategoryItem[];
  /** Drop this unit's own list from this year on, so the list of the unit above applies again. */
  inherit?: boolean;
}

const VALUE = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * Stores a category list for a unit from a year on (later years inherit it until changed). Values are
 * stable codes: renaming changes labels only, a value no longer wanted is retired (kept for the records
 * that hold it). Removing a value that records or reported values of the unit use in that year or later
 * is refused with Conflict, naming where it is used. Audited; returns the configuration now in force.
 */
export async function setCategories(store: Store, actor: Actor, input: SetCategoriesInput): Promise<ConfigView> {
  const { year, unit, list } = input;
  configYear(year);
  assertConfigure(actor, unit);
  await assertUnit(store, unit);
  await refreshConfig(store);
  const before = categoriesFor(year, unit || undefined, store)[list];
  if (!before) {
    const known = Object.keys(categoriesFor(year, undefined, store));
    throw invalid(`没有名为 ${list} 的分类列表；可选：${known.join('、')}`, `no category list named ${list}; choose one of ${known.join(', ')}`);
  }
  if (input.inherit) return inheritCategories(store, actor, year, unit, list, before);
  const problems: string[] = [];
  const seen = new Set<string>();
  const items = input.items.map((it, i) => {
    const value = String(it.value ?? '').trim();
    const zh = String(it.zh ?? '').trim();
    const en = String(it.en ?? '').trim();
    if (!VALUE.test(value)) problems.push(`第${i + 1}项：值「${value}」应为小写字母开头的字母、数字或下划线 / item ${i + 1}: value '${value}' must be lower-case letters, digits or _`);
    if (seen.has(value)) problems.push(`第${i + 1}项：值 ${value} 重复 / item ${i + 1}: duplicate value ${value}`);
    seen.add(value);
    if (!zh || zh.length > 100) problems.push(`第${i + 1}项：须有中文名称（100字以内） / item ${i + 1}: a Chinese label (up to 100 characters) is required`);
    if (!en || en.length > 200) problems.push(`第${i + 1}项：须有英文名称 / item ${i + 1}: an English label is required`);
    return { value, zh, en, ...(it.retired ? { retired: true } : {}) };
  });
  if (!items.some((it) => !it.retired)) problems.push('列表中至少要有一个可用的值 / the list needs at least one value in use');
  if (problems.length) {
    const [zh, en] = [problems.map((p) => p.split(' / ')[0]).join('；'), problems.map((p) => p.split(' / ')[1]).join('; ')];
    throw invalid(`分类列表 ${list} 有误：${zh}`, `category list ${list} is invalid: ${en}`, problems);
  }
  const removed = before.map((c) => c.value).filter((v) => !seen.has(v));
  const elements = Object.values(catalogueFor(year).elements).filter((e) => e.dims === list).map((e) => e.id);
  await store.db.transaction().execute(async (tx) => {
    const used = await categoryUse(tx, list, removed, unit, year, elements);
    if (used.length) {
      const where = used.map((u) => `${u.value}（${u.where}：${u.count}）`).join('、');
      throw conflict(
        `不能删除仍在使用的值：${where}。请改为停用（保留该值，不再用于新记录）`,
        `cannot delete values still in use: ${used.map((u) => `${u.value} (${u.where}: ${u.count})`).join(', ')}; retire them instead (kept for existing records, not offered for new ones)`,
        used,
      );
    }
    const prev = storedEntry(store, 'categories', year, unit, list);
    const entry = await insertEntry(tx, { kind: 'categories', name: list, year, unit, body: items, by: actor.id, at: now() });
    await audit(tx, actor, 'config.categories', 'config', `categories/${list}/${year}/${unit || 'national'}`, unit || null, year,
      { list, items: before, ...(prev ? { storedVersion: prev.version, storedYear: prev.year } : {}) }, { list, items, version: entry.version });
  });
  await refreshConfig(store);
  return showConfig(store, year, unit);
}

/**
 * Drops a unit's own category list from a year on (a stored "inherit"), so the list above applies
 * again. Refused when the unit has no list of its own, or when values only its own list has are still
 * used by its records (they would lose their labels). Audited.
 */
async function inheritCategories(store: Store, actor: Actor, year: number, unit: string, list: string, before: readonly CategoryItem[]): Promise<ConfigView> {
  const own = storedEntry(store, 'categories', year, unit, list);
  if (!own || own.body === null) throw invalid(`${unit || '全国'}没有自己的分类列表 ${list}，已在沿用上级`, `${unit || 'national'} has no list ${list} of its own; it already inherits`);
  const above = (unit === '' ? categoriesFor(year) : categoriesFor(year, unit.length > 2 ? unit.slice(0, unit.length - 2) : undefined, store))[list] ?? [];
  const lost = before.map((c) => c.value).filter((v) => !above.some((c) => c.value === v));
  const elements = Object.values(catalogueFor(year).elements).filter((e) => e.dims === list).map((e) => e.id);
  await store.db.transaction().execute(async (tx) => {
    const used = await categoryUse(tx, list, lost, unit, year, elements);
    if (used.length)
      throw conflict(
        `不能恢复沿用上级：本级列表特有的值仍在使用：${used.map((u) => `${u.value}（${u.where}：${u.count}）`).join('、')}`,
        `cannot inherit: values only this unit's list has are still in use: ${used.map((u) => `${u.value} (${u.where}: ${u.count})`).join(', ')}`,
        used,
      );
    const entry = await insertEntry(tx, { kind: 'categories', name: list, year, unit, body: null, by: actor.id, at: now() });
    await audit(tx, actor, 'config.categories', 'config', `categories/${list}/${year}/${unit || 'national'}`, unit || null, year,
      { list, items: before, storedVersion: own.version, storedYear: own.year }, { list, inherit: true, version: entry.version });
  });
  await refreshConfig(store);
  return showConfig(store, year, unit);
}

export interface SetRoundingInput {
  year: number;
  unit: string;
  /** The default for rates at this unit; absent = inherit it. */
  rates?: RoundingRule;
  /** Per-indicator exceptions at this unit (replacing those stored before for it). */
  indicators?: Record<string, RoundingRule>;
  /** Drop this unit's stored policy from this year on, so it inherits the unit above. */
  inherit?: boolean;
}

function checkRule(r: RoundingRule, what: string, problems: string[]): RoundingRule {
  if (r.mode !== 'half_up' && r.mode !== 'truncate') problems.push(`${what}：取舍方式应为四舍五入（half_up）或截尾（truncate） / ${what}: mode must be half_up or truncate`);
  if (!Number.isInteger(r.decimals) || r.decimals < 0 || r.decimals > 6) problems.push(`${what}：小数位数应为0–6 / ${what}: decimals must be 0–6`);
  return { mode: r.mode, decimals: r.decimals };
}

/**
 * Stores the rounding policy of a unit from a year on: half-up or truncation at N decimals (0 = whole
 * percent) for rates, and per-indicator exceptions. It only changes how figures print. Audited.
 */
export async function setRounding(store: Store, actor: Actor, input: SetRoundingInput): Promise<ConfigView> {
  const { year, unit } = input;
  configYear(year);
  assertConfigure(actor, unit);
  await assertUnit(store, unit);
  await refreshConfig(store);
  const problems: string[] = [];
  const body: RoundingLayer = {};
  if (!input.inherit) {
    if (input.rates) body.rates = checkRule(input.rates, '比率', problems);
    if (input.indicators) {
      const cat = catalogueFor(year);
      body.indicators = {};
      for (const [id, r] of Object.entries(input.indicators)) {
        if (!cat.byId.has(id)) problems.push(`没有编号为 ${id} 的指标 / no indicator ${id}`);
        body.indicators[id] = checkRule(r, id, problems);
      }
    }
    if (!body.rates && !body.indicators) problems.push('请给出比率的取舍规则或指标例外，或选择沿用上级 / give a rule for rates or indicator exceptions, or choose to inherit');
  }
  if (problems.length)
    throw invalid(`取舍规则有误：${problems.map((p) => p.split(' / ')[0]).join('；')}`, `rounding policy is invalid: ${problems.map((p) => p.split(' / ')[1]).join('; ')}`, problems);
  const before = roundingFor(year, unit || undefined, store);
  await store.db.transaction().execute(async (tx) => {
    const entry = await insertEntry(tx, { kind: 'rounding', name: '', year, unit, body, by: actor.id, at: now() });
    await audit(tx, actor, 'config.rounding', 'config', `rounding/${year}/${unit || 'national'}`, unit || null, year,
      { policy: before }, { layer: body, version: entry.version });
  });
  await refreshConfig(store);
  return showConfig(store, year, unit);
}

/** Every stored version of a unit's configuration of one kind, newest first. */
export async function configHistory(store: Store, kind: ConfigKind, unit: string): Promise<ConfigEntry[]> {
  await assertUnit(store, unit);
  return entryHistory(store, kind, unit);
}

/** The report template in force for a unit and year, as YAML text, with where it comes from. */
export interface ReportTemplateView {
  year: number;
  unit: string;
  yaml: string;
  source: { from: 'stored'; unit: string; year: number; version: number; updatedBy: string; updatedAt: string } | { from: 'file'; unit: string; path: string };
  /** Whether what is in force is stored for exactly this unit (so it can be dropped to inherit). */
  own: boolean;
}

export async function showReportTemplate(store: Store, year: number, unit: string): Promise<ReportTemplateView> {
  configYear(year);
  await assertUnit(store, unit);
  await refreshConfig(store);
  const { data, source } = wholeLayer(year, unit || undefined, store, 'report', 'report.yaml');
  const yaml = source.from === 'file' ? configFileText(source.path) : stringify(data, { lineWidth: 0 });
  return {
    year, unit, yaml, own: source.from === 'stored' && source.entry.unit === unit,
    source: source.from === 'stored'
      ? { from: 'stored', unit: source.entry.unit, year: source.entry.year, version: source.entry.version, updatedBy: source.entry.updatedBy, updatedAt: source.entry.updatedAt }
      : { from: 'file', unit: source.unit, path: source.path },
  };
}

export interface SetReportTemplateInput {
  year: number;
  unit: string;
  /** The template as YAML (the shape of config/<year>/report.yaml); absent with inherit. */
  yaml?: string;
  /** Drop this unit's stored template from this year on, so it uses the one above. */
  inherit?: boolean;
}

/**
 * Stores a report template for a unit from a year on. The text must parse, have the template's shape,
 * and name only indicators, ledgers, fields and context names that exist; every problem is returned at
 * once, located (line for YAML errors, block and sentence otherwise). Audited.
 */
export async function setReportTemplate(store: Store, actor: Actor, input: SetReportTemplateInput): Promise<ReportTemplateView> {
  const { year, unit } = input;
  configYear(year);
  assertConfigure(actor, unit);
  await assertUnit(store, unit);
  await refreshConfig(store);
  let body: unknown = null;
  if (!input.inherit) {
    if (!input.yaml?.trim()) throw invalid('请给出报告模板（YAML），或选择沿用上级', 'give the report template (YAML), or choose to inherit');
    if (input.yaml.length > 200_000) throw invalid('报告模板过长（上限200000字符）', 'the report template is too long (200,000 characters at most)');
    const doc = parseDocument(input.yaml, { uniqueKeys: true });
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line;
      const why = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw invalid(`报告模板不是有效的 YAML${line ? `（第${line}行）` : ''}：${why}`, `the report template is not valid YAML${line ? ` (line ${line})` : ''}: ${why}`);
    }
    body = doc.toJS() as unknown;
    try {
      checkTemplate(structuredClone(body), 'template');
    } catch (e) {
      if (e instanceof TemplateError) throw invalid(`报告模板有误：${e.message}`, `the report template is invalid: ${e.message}`);
      throw e;
    }
    const problems = lintTemplate(body as ReportTemplate, year);
    if (problems.length) {
      const where = (p: TemplateProblem, zh: boolean) => (p.block < 0 ? (zh ? '标题' : 'title') : zh ? `第${p.block + 1}块` : `block ${p.block + 1}`);
      throw invalid(
        `报告模板有误：${problems.map((p) => `${where(p, true)}${p.sentence ? `「${p.sentence}」` : ''}：${p.zh}`).join('；')}`,
        `the report template is invalid: ${problems.map((p) => `${where(p, false)}${p.sentence ? ` "${p.sentence}"` : ''}: ${p.en}`).join('; ')}`,
        problems,
      );
    }
  } else if (storedEntry(store, 'report', year, unit)?.body == null) {
    throw invalid('该单位没有自己保存的报告模板，已在沿用上级', 'this unit has no template of its own; it already inherits');
  }
  const before = wholeLayer(year, unit || undefined, store, 'report', 'report.yaml').source;
  await store.db.transaction().execute(async (tx) => {
    const entry = await insertEntry(tx, { kind: 'report', name: '', year, unit, body, by: actor.id, at: now() });
    await audit(tx, actor, 'config.report', 'config', `report/${year}/${unit || 'national'}`, unit || null, year,
      { source: before.from === 'stored' ? { unit: before.entry.unit, year: before.entry.year, version: before.entry.version } : { path: before.path } },
      { inherit: body === null, version: entry.version });
  });
  await refreshConfig(store);
  return showReportTemplate(store, year, unit);
}
