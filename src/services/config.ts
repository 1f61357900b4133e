import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Categories } from '../domain/ledgers/schema.ts';
import { invalid } from './errors.ts';

/** The project root (where config/ and data/ live), independent of the working directory. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The newest configured assessment year not after `year`; configuration carries forward until changed. */
export function configYear(year: number): number {
  for (let y = year; y >= 2000; y--) if (existsSync(join(ROOT, 'config', String(y)))) return y;
  throw invalid(`${year}年及以前的年度都没有考核配置（config/ 下没有对应年度）`, `no assessment configuration for ${year} or earlier under config/`);
}

const cache = new Map<string, unknown>();

/** Reads config/<year>/<name> (YAML) once per process. */
export function configFile(year: number, name: string): { path: string; text: string; data: unknown } {
  const path = join(ROOT, 'config', String(configYear(year)), name);
  const key = path;
  if (!cache.has(key)) {
    const text = readFileSync(path, 'utf8');
    cache.set(key, { path, text, data: parse(text) });
  }
  return cache.get(key) as { path: string; text: string; data: unknown };
}

/**
 * The category lists in force for an assessment year and, when a county is given, its province:
 * config/<year>/provinces/<2-digit code>/categories.yaml replaces whole lists of the year's base file
 * (e.g. a province that splits labour destinations as 公益性岗位/省内/赴东部).
 */
export function categoriesFor(year: number, county?: string): Categories {
  const base = configFile(year, 'categories.yaml').data as Categories;
  if (!county) return base;
  const override = join(ROOT, 'config', String(configYear(year)), 'provinces', county.slice(0, 2), 'categories.yaml');
  if (!existsSync(override)) return base;
  return { ...base, ...(configFile(year, join('provinces', county.slice(0, 2), 'categories.yaml')).data as Categories) };
}

/** The label of a category value, or the value itself when the list does not know it. */
export function categoryLabel(year: number, list: string, value: string, locale: 'zh' | 'en' = 'zh', county?: string): string {
  return categoriesFor(year, county)[list]?.find((c) => c.value === value)?.[locale] ?? value;
}
