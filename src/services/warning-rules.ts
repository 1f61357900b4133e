import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { ROOT, unitChain } from './config.ts';
import { invalid } from './errors.ts';

/**
 * Early-warning rules as configuration: config/<year>/warnings.yaml (the newest year not after the
 * assessment year), then the override files of the unit's chain, each replacing rules by id: the
 * province's config/<year>/provinces/<code>/warnings.yaml, then the prefecture's and the county's
 * config/<year>/units/<code>/warnings.yaml (4 and 6 digits), the most specific winning. The file
 * reading is kept apart from `mergeWarningConfig`, so the same merge can serve configuration held
 * elsewhere by folding the layers in order.
 */

const MonthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a day of the year as MM-DD');
const Label = z.object({ zh: z.string().min(1), en: z.string().min(1) });
const Severity = z.enum(['high', 'medium', 'low']);
const base = { id: z.string().min(1), severity: Severity, label: Label, enabled: z.boolean().optional() };

const Rule = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('pace'), min_days: z.number().int().min(1).max(366).default(31) }).strict(),
  z.object({
    ...base, kind: z.literal('milestone'), indicator: z.string().min(1),
    milestones: z.array(z.object({ by: MonthDay, value: z.number().optional(), share: z.number().min(0).max(1000).optional() }).strict()
      .refine((m) => (m.value === undefined) !== (m.share === undefined), 'give either value or share')).min(1),
  }).strict(),
  z.object({ ...base, kind: z.literal('project_not_started'), by: MonthDay, funded_only: z.boolean().default(true) }).strict(),
  z.object({ ...base, kind: z.literal('project_not_completed'), by: MonthDay, funded_only: z.boolean().default(true) }).strict(),
  z.object({ ...base, kind: z.literal('no_disbursement'), days: z.number().int().min(1).max(366) }).strict(),
  z.object({
    ...base, kind: z.literal('ledger_stale'), days: z.number().int().min(1).max(366),
    season: z.object({ from: MonthDay, to: MonthDay }).strict(), ledgers: z.array(z.string()).min(1),
  }).strict(),
  z.object({ ...base, kind: z.literal('undated_records') }).strict(),
]);
export type WarningRule = z.infer<typeof Rule>;

const Layer = z.object({
  dates: z.record(z.string(), z.string().nullable()).optional(),
  indicator_dates: z.record(z.string(), z.record(z.string(), z.string().nullable())).optional(),
  rules: z.array(z.union([Rule, z.object({ id: z.string().min(1), enabled: z.literal(false) }).strict()])).optional(),
}).strict();
export type WarningConfigLayer = z.infer<typeof Layer>;

export interface WarningConfig {
  /** Ledger kind → the date field that places its records in the year (null: not dated). */
  dates: Record<string, string | null>;
  /** Indicator id → ledger kind → date field, where an indicator counts by another date. */
  indicatorDates: Record<string, Record<string, string | null>>;
  rules: WarningRule[];
  /** The files the configuration was read from, base first. */
  sources: string[];
}

/** Folds one layer onto a configuration: dates by ledger, rules by id (a rule with `enabled: false` is dropped). */
export function mergeWarningConfig(into: WarningConfig, layer: WarningConfigLayer, source: string): WarningConfig {
  const rules = [...into.rules];
  for (const r of layer.rules ?? []) {
    const i = rules.findIndex((x) => x.id === r.id);
    if (!('kind' in r) || r.enabled === false) { if (i >= 0) rules.splice(i, 1); continue; }
    if (i >= 0) rules[i] = r; else rules.push(r);
  }
  const indicatorDates = { ...into.indicatorDates };
  for (const [id, m] of Object.entries(layer.indicator_dates ?? {})) indicatorDates[id] = { ...indicatorDates[id], ...m };
  return { dates: { ...into.dates, ...layer.dates }, indicatorDates, rules, sources: [...into.sources, source] };
}

/** Checks that dates name date fields of known ledgers; throws Invalid naming the file. */
function checkDates(cfg: WarningConfig, file: string): void {
  const maps = [cfg.dates, ...Object.values(cfg.indicatorDates)];
  for (const m of maps) for (const [ledger, field] of Object.entries(m)) {
    const d = ledgerDecl(ledger);
    if (!d) throw invalid(`${file}：未知台账 ${ledger}`, `${file}: unknown ledger ${ledger}`);
    if (field !== null && d.fields.find((f) => f.name === field)?.type !== 'date')
      throw invalid(`${file}：${ledger}.${field} 不是日期字段`, `${file}: ${ledger}.${field} is not a date field`);
  }
  for (const r of cfg.rules) if (r.kind === 'ledger_stale') for (const l of r.ledgers)
    if (!cfg.dates[l]) throw invalid(`${file}：规则 ${r.id} 的台账 ${l} 未配置日期字段`, `${file}: rule ${r.id}: ledger ${l} has no date field in dates`);
}

function readLayer(path: string, root: string): WarningConfigLayer {
  const name = relative(root, path);
  let data: unknown;
  try { data = parse(readFileSync(path, 'utf8')); } catch (e) {
    throw invalid(`${name}：不是有效的 YAML（${(e as Error).message}）`, `${name}: not valid YAML (${(e as Error).message})`);
  }
  const r = Layer.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const where = i.path.join('.');
    throw invalid(`${name}：${where}：${i.message}`, `${name}: ${where}: ${i.message}`);
  }
  return r.data;
}

/** The folder of the newest configured year not after `year` that ships warnings.yaml. */
function warningYear(year: number, root: string): number {
  for (let y = year; y >= 2000; y--) if (existsSync(join(root, 'config', String(y), 'warnings.yaml'))) return y;
  throw invalid(`没有 ${year} 年或更早的预警规则（config/<年度>/warnings.yaml）`, `no warning rules for ${year} or earlier (config/<year>/warnings.yaml)`);
}

const cache = new Map<string, WarningConfig>();

/**
 * The warning rules in force for an assessment year and an org unit (province, prefecture or county
 * code): the year's rules with the override files of the unit's chain folded on, province first.
 * Read once per process and unit. `root` is the folder holding config/ (the shipped one by default).
 */
export function warningRulesFor(year: number, unit: string, root: string = ROOT): WarningConfig {
  const y = warningYear(year, root);
  const key = `${root}|${y}/${unit}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const basePath = join(root, 'config', String(y), 'warnings.yaml');
  let cfg = mergeWarningConfig({ dates: {}, indicatorDates: {}, rules: [], sources: [] }, readLayer(basePath, root), relative(root, basePath));
  for (const u of unitChain(unit)) {
    const over = join(root, 'config', String(y), u.length === 2 ? 'provinces' : 'units', u, 'warnings.yaml');
    if (existsSync(over)) cfg = mergeWarningConfig(cfg, readLayer(over, root), relative(root, over));
  }
  checkDates(cfg, cfg.sources.at(-1)!);
  cache.set(key, cfg);
  return cfg;
}

/** Parses a layer given as text (tests, configuration edited elsewhere); throws Invalid with the path of the first problem. */
export function parseWarningLayer(text: string, name: string): WarningConfigLayer {
  const r = Layer.safeParse(parse(text));
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw invalid(`${name}：${i.path.join('.')}：${i.message}`, `${name}: ${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}

/** The date field that places a ledger's records for one indicator, or null when the figure is not dated. */
export function dateFieldFor(cfg: WarningConfig, indicator: string, ledger: string): string | null {
  const own = cfg.indicatorDates[indicator];
  if (own && ledger in own) return own[ledger] ?? null;
  return cfg.dates[ledger] ?? null;
}
