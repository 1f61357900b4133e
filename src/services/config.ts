import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Categories, CategoryItem } from '../domain/ledgers/schema.ts';
import { configStamp, currentEntries, type ConfigEntry } from '../store/config-repo.ts';
import { onMigrated, type Store } from '../store/db.ts';
import { DomainError } from './errors.ts';
import { ROOT } from './root.ts';

export { ROOT };

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
  // The shipped folders do not change while the process runs; looking once per year keeps the
  // many engines of a national view off the file system.
  const known = configYears.get(year);
  if (known !== undefined) return known;
  for (let y = year; y >= FIRST_YEAR; y--) if (existsSync(join(ROOT, 'config', String(y)))) { configYears.set(year, y); return y; }
  throw new ConfigMissing(year);
}
const configYears = new Map<number, number>();

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

/** The text of a shipped configuration file, by its path relative to the project root. */
export function configFileText(path: string): string {
  const f = readYaml(join(ROOT, path));
  if (!f) throw new Error(`configuration file missing: ${path}`);
  return f.text;
}

/** The chain of units whose overrides apply to `unit`, most general first: province, prefecture, county. */
export function unitChain(unit?: string): string[] {
  if (!unit) return [];
  const out: string[] = [];
  for (const n of [2, 4, 6]) if (unit.length >= n && /^\d+$/.test(unit.slice(0, n))) out.push(unit.slice(0, n));
  if (unit.length > 6 || !/^\d+$/.test(unit)) out.push(unit);
  return [...new Set(out)];
}

/** The shipped override file of one unit for one file name: config/<year>/provinces/<code>/<name> or units/<code>/<name>. */
function fileLayer(year: number, unit: string, name: string): unknown {
  const base = join(ROOT, 'config', String(configYear(year)));
  if (!unit) return readYaml(join(base, name))?.data ?? null;
  return readYaml(join(base, unit.length === 2 ? 'provinces' : 'units', unit, name))?.data ?? null;
}

// ---- configuration stored in the database -------------------------------------------------------

/** What a store holds, loaded once and replaced whenever its stamp changes. */
interface Overlay {
  stamp: string;
  entries: ConfigEntry[];
  memo: Map<string, unknown>;
}
// Keyed by the store's query builder, so a wrapper around the same connection (e.g. a store whose close
// is replaced) shares what was loaded.
const overlays = new WeakMap<object, Overlay>();
const fileMemo = new Map<string, unknown>();

/**
 * Loads the configuration stored in a store, unless what is loaded is still current (one cheap stamp
 * query). Returns true when it reloaded. Runs after every migrate(); the server runs it at the start of
 * each request, so a change made by another process is seen by the next request.
 */
export async function refreshConfig(store: Store): Promise<boolean> {
  const stamp = await configStamp(store);
  if (overlays.get(store.db)?.stamp === stamp) return false;
  overlays.set(store.db, { stamp, entries: await currentEntries(store), memo: new Map() });
  return true;
}
onMigrated(async (store) => { await refreshConfig(store); });

function overlayOf(store: Store | undefined): Overlay | undefined {
  if (!store) return undefined;
  const o = overlays.get(store.db);
  if (!o) throw new Error('the configuration stored in this database is not loaded: run migrate(store) or refreshConfig(store) first');
  return o;
}

/** Memoises what is derived from the configuration a store holds (or the shipped files without a store), until it changes. */
export function configMemo<T>(store: Store | undefined, key: string, make: () => T): T {
  return memo(store, key, make);
}

function memo<T>(store: Store | undefined, key: string, make: () => T): T {
  const m = overlayOf(store)?.memo ?? fileMemo;
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

/**
 * The stored entries of one kind for one unit that a year sees: per name, the entry of the newest year
 * not after `year` (so year N inherits N−1 until changed).
 */
function storedLayer(store: Store | undefined, kind: string, year: number, unit: string): Map<string, ConfigEntry> {
  const out = new Map<string, ConfigEntry>();
  for (const e of overlayOf(store)?.entries ?? []) {
    if (e.kind !== kind || e.unit !== unit || e.year > year) continue;
    const prev = out.get(e.name);
    if (!prev || prev.year < e.year) out.set(e.name, e);
  }
  return out;
}

/** The units whose layers apply to `unit`, national ('') first. */
const layersOf = (unit?: string): string[] => ['', ...unitChain(unit)];

/**
 * The category lists in force for an assessment year and, when a unit is given, its province,
 * prefecture and county. Layers from general to specific, each replacing whole lists of the same name:
 * the shipped national lists, then for each level (national, province, prefecture, county) the shipped
 * override file and then what is stored in the database for it. Without a store only shipped files
 * count. Values marked retired stay (so old records keep their labels) but new input cannot use them.
 */
export function categoriesFor(year: number, county?: string, store?: Store): Categories {
  configYear(year);
  return memo(store, `cat|${year}|${county ?? ''}`, () => {
    let out = { ...(configFile(year, 'categories.yaml').data as Categories) };
    for (const u of layersOf(county)) {
      if (u) out = { ...out, ...((fileLayer(year, u, 'categories.yaml') as Categories | null) ?? {}) };
      // A stored null is a deliberate "inherit": the list stays as the layers above set it.
      for (const [name, e] of storedLayer(store, 'categories', year, u)) if (e.body !== null) out[name] = e.body as CategoryItem[];
    }
    return out;
  });
}

/** The label of a category value, or the value itself when the list does not know it. */
export function categoryLabel(year: number, list: string, value: string, locale: 'zh' | 'en' = 'zh', county?: string, store?: Store): string {
  return categoriesFor(year, county, store)[list]?.find((c) => c.value === value)?.[locale] ?? value;
}

export type RoundMode = 'half_up' | 'truncate';
export interface RoundingRule { mode: RoundMode; decimals: number }
/** How rates (percent, percentage points) print: a default and per-indicator exceptions. */
export interface RoundingPolicy { rates: RoundingRule; indicators: Record<string, RoundingRule> }

const DEFAULT_POLICY: RoundingPolicy = { rates: { mode: 'half_up', decimals: 2 }, indicators: {} };

export function asRule(v: unknown): RoundingRule | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as { mode?: unknown; decimals?: unknown };
  const mode = r.mode === 'truncate' ? 'truncate' : 'half_up';
  const decimals = Number.isInteger(r.decimals) && (r.decimals as number) >= 0 && (r.decimals as number) <= 6 ? (r.decimals as number) : null;
  return decimals === null ? null : { mode, decimals };
}

/** A rounding layer as stored or shipped: a default for rates and/or per-indicator exceptions. */
export interface RoundingLayer { rates?: RoundingRule; indicators?: Record<string, RoundingRule> }

/**
 * The rounding policy of a unit for a year: the year's shipped default (config/<year>/rounding.yaml),
 * then for each level (national, province, prefecture, county) the shipped override and the policy
 * stored in the database, the more specific winning. Policies only change how a figure prints; the
 * exact value is kept and shown beside it where sources are listed.
 */
export function roundingFor(year: number, unit?: string, store?: Store): RoundingPolicy {
  configYear(year);
  return memo(store, `round|${year}|${unit ?? ''}`, () => {
    const layers: unknown[] = [];
    for (const u of layersOf(unit)) {
      layers.push(fileLayer(year, u, 'rounding.yaml'));
      layers.push(storedLayer(store, 'rounding', year, u).get('')?.body);
    }
    let policy: RoundingPolicy = { rates: { ...DEFAULT_POLICY.rates }, indicators: {} };
    for (const l of layers) {
      if (!l || typeof l !== 'object') continue;
      const o = l as { rates?: unknown; indicators?: Record<string, unknown> };
      const rates = asRule(o.rates);
      const ind = Object.fromEntries(Object.entries(o.indicators ?? {}).map(([k, v]) => [k, asRule(v)]).filter((e) => e[1] !== null)) as Record<string, RoundingRule>;
      policy = { rates: rates ?? policy.rates, indicators: { ...policy.indicators, ...ind } };
    }
    return policy;
  });
}

/** The stored entry of exactly this unit in force for a year (inherited from an earlier year if so), for editors. */
export function storedEntry(store: Store, kind: ConfigKind, year: number, unit: string, name = ''): ConfigEntry | undefined {
  return storedLayer(store, kind, year, unit).get(name);
}

/** The kinds of configuration stored per year and unit. */
export type ConfigKind = 'categories' | 'rounding' | 'report' | 'elements';

/**
 * A figure a unit reports that the shipped catalogue has no element for (e.g. a province's own
 * indicator, or what one county's report states). Defined per unit and year like the category lists.
 */
export interface OwnElement {
  /** Stable code, `own.` followed by lower-case letters, digits or _; reported values refer to it. */
  id: string;
  zh: string;
  en: string;
  /** A unit key of the catalogue (money, people, items …), or a count word of the unit's own. */
  unit: string;
  unitWord?: { zh: string; en: string };
  /** Which part of the report it belongs to: a section key of the report template (`extras:` blocks). */
  section: string;
  retired?: boolean;
  /** Where it was defined. */
  definedBy?: string;
}

/**
 * The own elements in force for a unit and year: the stored lists of the nation, its province,
 * prefecture and the unit itself, the more specific replacing an element of the same id.
 */
export function ownElementsFor(year: number, unit: string | undefined, store: Store | undefined): OwnElement[] {
  if (!store) return [];
  return memo(store, `own|${year}|${unit ?? ''}`, () => {
    const out = new Map<string, OwnElement>();
    for (const u of layersOf(unit)) {
      const e = storedLayer(store, 'elements', year, u).get('');
      for (const el of (Array.isArray(e?.body) ? e.body : []) as OwnElement[]) out.set(el.id, { ...el, definedBy: u });
    }
    return [...out.values()];
  });
}

/** Where a whole-file setting in force comes from: a stored entry, a shipped file, or the shipped national default. */
export type WholeSource = { from: 'stored'; entry: ConfigEntry } | { from: 'file'; path: string; unit: string };

/**
 * A setting that one layer replaces as a whole (a report template): the most specific layer that has
 * one wins — for each unit from the county up to the nation, what is stored for it (a stored `null`
 * means "inherit": that unit's stored layer is skipped), then its shipped file. Falls back to the year's
 * shipped file. Returns the data and where it came from.
 */
export function wholeLayer(year: number, unit: string | undefined, store: Store | undefined, kind: ConfigKind, file: string): { data: unknown; source: WholeSource } {
  for (const u of layersOf(unit).reverse()) {
    const e = store ? storedLayer(store, kind, year, u).get('') : undefined;
    if (e && e.body !== null) return { data: e.body, source: { from: 'stored', entry: e } };
    if (!u) break;
    const data = fileLayer(year, u, file);
    if (data !== null) return { data, source: { from: 'file', unit: u, path: join('config', String(configYear(year)), u.length === 2 ? 'provinces' : 'units', u, file) } };
  }
  const f = configFile(year, file);
  return { data: f.data, source: { from: 'file', unit: '', path: join('config', String(configYear(year)), file) } };
}
