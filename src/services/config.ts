import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Categories } from '../domain/ledgers/schema.ts';
import { DomainError } from './errors.ts';

/** The project root (where config/ and data/ live), independent of the working directory. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The assessment method in force since 2021 is the one the shipped configuration describes. */
export const FIRST_YEAR = 2021;
/** Years up to this one are shipped; later years inherit the newest shipped year until changed. */
export const LAST_SHIPPED_YEAR = 2025;

/** Raised for a year the system has no configuration for; the message says what to do instead. */
export class ConfigMissing extends DomainError {
  constructor(readonly year: number) {
    super(
      'INVALID',
      `${year}年没有考核配置：东西部协作考核配置从${FIRST_YEAR}年开始（系统内置${FIRST_YEAR}–${LAST_SHIPPED_YEAR}年），请选择${FIRST_YEAR}年及以后的年度`,
      `no assessment configuration for ${year}: the configuration starts in ${FIRST_YEAR} (shipped ${FIRST_YEAR}–${LAST_SHIPPED_YEAR}); choose ${FIRST_YEAR} or later`,
    );
    this.name = 'ConfigMissing';
  }
}

/** Whether a year can be configured at all (the current assessment method, 2021 on, up to a sane bound). */
export function isConfiguredYear(year: number): boolean {
  return Number.isInteger(year) && year >= FIRST_YEAR && year <= 2100;
}

/**
 * The shipped configuration folder a year reads: the newest config/<y>/ not after `year`, so year N
 * inherits year N−1 until a newer folder changes it. Years before the method began raise ConfigMissing.
 */
export function configYear(year: number): number {
  if (!isConfiguredYear(year)) throw new ConfigMissing(year);
  for (let y = year; y >= FIRST_YEAR; y--) if (existsSync(join(ROOT, 'config', String(y)))) return y;
  throw new ConfigMissing(year);
}

const cache = new Map<string, unknown>();

/** Reads a YAML file under config/ once per process; null when it does not exist. */
function readYaml(path: string): { path: string; text: string; data: unknown } | null {
  if (!cache.has(path)) cache.set(path, existsSync(path) ? (() => { const text = readFileSync(path, 'utf8'); return { path, text, data: parse(text) }; })() : null);
  return cache.get(path) as { path: string; text: string; data: unknown } | null;
}

/** Reads config/<year>/<name> (YAML) once per process, from the folder the year inherits. */
export function configFile(year: number, name: string): { path: string; text: string; data: unknown } {
  const path = join(ROOT, 'config', String(configYear(year)), name);
  const f = readYaml(path);
  if (!f) throw new Error(`configuration file missing: ${path}`);
  return f;
}

/** The chain of units whose overrides apply to `unit`, most general first: province, prefecture, county. */
export function unitChain(unit?: string): string[] {
  if (!unit) return [];
  const out: string[] = [];
  for (const n of [2, 4, 6]) if (unit.length >= n && /^\d+$/.test(unit.slice(0, n))) out.push(unit.slice(0, n));
  if (unit.length > 6 || !/^\d+$/.test(unit)) out.push(unit);
  return [...new Set(out)];
}

/** Override files of a unit chain for one file name: config/<year>/provinces/<code>/<name>, then more specific units. */
function overrides(year: number, unit: string | undefined, name: string): unknown[] {
  const base = join(ROOT, 'config', String(configYear(year)));
  return unitChain(unit).map((u) => readYaml(join(base, u.length === 2 ? 'provinces' : 'units', u, name))?.data).filter((d) => d != null);
}

/**
 * The category lists in force for an assessment year and, when a unit is given, its province,
 * prefecture and county: each override file replaces whole lists of the same name (e.g. a province
 * that splits labour destinations its own way).
 */
export function categoriesFor(year: number, county?: string): Categories {
  const base = configFile(year, 'categories.yaml').data as Categories;
  if (!county) return base;
  let out = base;
  for (const o of overrides(year, county, 'categories.yaml')) out = { ...out, ...(o as Categories) };
  return out;
}

/** The label of a category value, or the value itself when the list does not know it. */
export function categoryLabel(year: number, list: string, value: string, locale: 'zh' | 'en' = 'zh', county?: string): string {
  return categoriesFor(year, county)[list]?.find((c) => c.value === value)?.[locale] ?? value;
}

export type RoundMode = 'half_up' | 'truncate';
export interface RoundingRule { mode: RoundMode; decimals: number }
/** How rates (percent, percentage points) print: a default and per-indicator exceptions. */
export interface RoundingPolicy { rates: RoundingRule; indicators: Record<string, RoundingRule> }

const DEFAULT_POLICY: RoundingPolicy = { rates: { mode: 'half_up', decimals: 2 }, indicators: {} };

function asRule(v: unknown): RoundingRule | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as { mode?: unknown; decimals?: unknown };
  const mode = r.mode === 'truncate' ? 'truncate' : 'half_up';
  const decimals = Number.isInteger(r.decimals) && (r.decimals as number) >= 0 && (r.decimals as number) <= 6 ? (r.decimals as number) : null;
  return decimals === null ? null : { mode, decimals };
}

/**
 * The rounding policy of a unit for a year: the year's default (config/<year>/rounding.yaml), then the
 * province's, prefecture's and county's overrides, the more specific winning. Policies only change how a
 * figure prints; the exact value is kept and shown beside it where sources are listed.
 */
export function roundingFor(year: number, unit?: string): RoundingPolicy {
  const layers = [readYaml(join(ROOT, 'config', String(configYear(year)), 'rounding.yaml'))?.data, ...overrides(year, unit, 'rounding.yaml')];
  let policy: RoundingPolicy = { rates: { ...DEFAULT_POLICY.rates }, indicators: {} };
  for (const l of layers) {
    if (!l || typeof l !== 'object') continue;
    const o = l as { rates?: unknown; indicators?: Record<string, unknown> };
    const rates = asRule(o.rates);
    const ind = Object.fromEntries(Object.entries(o.indicators ?? {}).map(([k, v]) => [k, asRule(v)]).filter((e) => e[1] !== null)) as Record<string, RoundingRule>;
    policy = { rates: rates ?? policy.rates, indicators: { ...policy.indicators, ...ind } };
  }
  return policy;
}
