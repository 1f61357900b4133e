import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { parseStated } from '../domain/figures.ts';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import type { Store } from '../store/db.ts';
import { getMeta, isEmptyDatabase, setMeta } from '../store/deployment-repo.ts';
import { reportMetaExists } from '../store/report-repo.ts';
import { createDemoAccounts } from './accounts.ts';
import { configYear, ROOT } from './config.ts';
import { conflict, invalid } from './errors.ts';
import { upsertValidated, validateRecord } from './ledgers.ts';
import { addCooperationPair, addCustomUnit, loadDivisions, orgUnit } from './orgunits.ts';
import { located, writeReportData } from './report-data.ts';
import { type Actor, SYSTEM } from './scope.ts';

/** Who the demo loader writes as: audited as `demo`, with the system's reach. */
export const DEMO: Actor = { id: 'demo', name: 'demo', role: 'admin', units: [] };

/** The demo dataset shipped with the project: 舟曲县 (623023), 2022. */
export const DEMO_FILE = join(ROOT, 'data', 'demo', '623023-2022.yaml');

interface DatasetFile {
  /** The unit the dataset describes: a county (6 digits), a prefecture (4) or a province (2). */
  county: string;
  year: number;
  partner?: string;
  /** When the pairing began, as the source states it: 2021 or 2021-05. */
  partner_since?: string;
  /** Units without a division code that the dataset names (开发区…), created under their parent. */
  units?: Array<{ code: string; name: string; parent: string }>;
  report: { issuer: string; date: string };
  ledgers: Record<string, { completeness: 'complete' | 'partial'; records: Array<Record<string, unknown>> }>;
  reported: Array<{ element: string; dim?: string; value: string | number; qual?: string; note?: string; as_of?: string }>;
  earlier?: Array<{ year: number; element: string; dim?: string; value: string | number; note?: string }>;
  targets: Array<{ org: string; indicator: string; op: string; value?: string | number; value_max?: string | number; reported_status?: string; note?: string }>;
  narratives: Array<{ section: string; seq: number; title?: string; body: string; note?: string }>;
}

/** Folded YAML turns line breaks into spaces; Chinese text has none between characters, so drop them there. */
export function joinCjkLines(s: string): string {
  const cjk = '\u3000-\u303f\u3400-\u9fff\uff00-\uffef';
  return s.trim().replace(new RegExp(`(?<=[${cjk}])\\s+|\\s+(?=[${cjk}])`, 'g'), '');
}

/** Converts a dataset record (money as "12万元", qualifiers as written) into ledger input. */
function toInput(kind: string, rec: Record<string, unknown>, where: string): Record<string, unknown> {
  const decl = ledgerDecl(kind);
  if (!decl) throw invalid(`${where}：未知台账 ${kind}`, `${where}: unknown ledger ${kind}`);
  // No prototype: a key named `__proto__` stays a (refused) field instead of replacing the prototype.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) {
    const f = decl.fields.find((x) => x.name === k);
    if (!f || v === null || (f.type !== 'money' && f.type !== 'int')) { out[k] = typeof v === 'number' && f?.type !== 'int' ? String(v) : v; continue; }
    const s = located(`${where}.${k}`, () => parseStated(v as string | number, f.type === 'money' ? 'money' : 'number'));
    out[k] = Number(s.value);
    if (f.qualified) {
      out[`${k}_qual`] = s.qual;
      out[`${k}_max`] = s.max === null ? null : Number(s.max);
    } else if (s.qual !== 'exact') {
      throw invalid(`${where}：字段 ${k} 不接受约数或区间`, `${where}: field ${k} takes exact figures only`);
    }
  }
  return out;
}

/**
 * Loads a dataset file (the demo format) for one county-year in a single transaction: division codes
 * of the provinces involved, the cooperation pair, ledger records (validated like any other input),
 * reported values, targets and narrative. Throws Invalid naming the entry when anything is wrong,
 * and then nothing is written.
 */
export async function loadDataset(store: Store, file: string = DEMO_FILE, actor: Actor = SYSTEM): Promise<{ county: string; year: number; records: number }> {
  let data: DatasetFile;
  try {
    data = parse(readFileSync(file, 'utf8')) as DatasetFile;
  } catch (e) {
    if (!(e instanceof YAMLParseError)) throw e;
    const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [0, 0];
    throw invalid(`${file}:${line}:${col}：YAML 格式错误（${e.code}）`, `${file}:${line}:${col}: not valid YAML (${e.code})`);
  }
  if (!data || typeof data !== 'object' || !/^(\d{2}|\d{4}|\d{6})$/.test(String(data.county)) || !Number.isInteger(data.year))
    throw invalid(`${file}：缺少 county（县、市州或省的区划代码）或 year`, `${file}: county (a county, prefecture or province code) or year missing`);
  data.ledgers ??= {};
  const { county, year } = data;
  configYear(year);
  await loadDivisions(store, [...new Set([county.slice(0, 2), ...(data.partner ? [data.partner.slice(0, 2)] : [])])]);
  for (const u of data.units ?? []) await addCustomUnit(store, u.code, u.name, u.parent);
  if (data.partner && !(await orgUnit(store, data.partner)))
    throw invalid(`${file}：协作方 ${data.partner} 不是已知单位（自定义单位请在 units 中列出）`, `${file}: partner ${data.partner} is not a known unit (list custom units under units)`);
  const batches: Array<{ kind: string; rows: Array<Record<string, unknown>> }> = [];
  for (const [kind, ledger] of Object.entries(data.ledgers)) {
    const rows = ledger.records.map((rec, i) => {
      const where = `${file} ledgers.${kind}[${i}]`;
      const v = validateRecord(kind, year, toInput(kind, rec, where), county, store);
      if (!v.ok) throw invalid(`${where}：${v.problems.map((p) => `${p.field} ${p.zh}`).join('；')}`,
        `${where}: ${v.problems.map((p) => `${p.field} ${p.en}`).join('; ')}`);
      return v.value;
    });
    batches.push({ kind, rows });
  }
  await store.db.transaction().execute(async (tx) => {
    await writeReportData(tx, county, year, {
      partner: data.partner, report: data.report,
      completeness: Object.fromEntries(Object.entries(data.ledgers).map(([kind, l]) => [kind, l.completeness])),
      reported: data.reported ?? [], earlier: data.earlier ?? [], targets: data.targets ?? [],
      narratives: (data.narratives ?? []).map((n) => ({ ...n, body: joinCjkLines(n.body) })),
    }, { where: file, ledgerStates: 'replace', actor, store });
    await upsertValidated(tx, actor, county, year, batches);
  });
  if (data.partner && data.partner_since) await addCooperationPair(store, data.partner, county, String(data.partner_since));
  return { county, year, records: batches.reduce((n, b) => n + b.rows.length, 0) };
}

const DEMO_MARK = 'demo';

/**
 * True when the demo dataset was loaded into this database (it is marked when loaded). Data that
 * merely has the demo's county and year is not the demo: a real deployment of that county is never
 * taken for it.
 */
export async function demoLoaded(store: Store): Promise<boolean> {
  return (await getMeta(store.db, DEMO_MARK)) !== undefined;
}

/**
 * Loads the 舟曲县 2022 demo dataset and marks the database as holding it. Refused (Conflict) when
 * the database already holds the demo's county-year without the mark: that is real data.
 */
export async function loadDemo(store: Store): Promise<{ county: string; year: number; records: number }> {
  if (!(await demoLoaded(store))) {
    if (await reportMetaExists(store.db, '623023', 2022)) throw conflict('数据库中已有该县该年度的真实数据，不加载演示数据', 'the database already holds real data for the demo\'s county-year; the demo is not loaded');
  }
  const r = await loadDataset(store, DEMO_FILE, DEMO);
  await setMeta(store.db, DEMO_MARK, JSON.stringify({ county: r.county, year: r.year, at: new Date().toISOString() }));
  return r;
}

/**
 * What `xiezuo start` does about the demo: into an empty database (and only then) it loads the demo
 * dataset and creates the demo accounts, returning their passwords to print once. A database that
 * holds anything is left exactly as it is: no data loaded, no account created, reset or printed.
 */
export async function demoOnFirstStart(store: Store, wanted: boolean): Promise<{ loaded?: { county: string; year: number; records: number }; accounts: Awaited<ReturnType<typeof createDemoAccounts>> }> {
  if (!wanted || !(await isEmptyDatabase(store.db))) return { accounts: [] };
  const loaded = await loadDemo(store);
  return { loaded, accounts: await createDemoAccounts(store) };
}
