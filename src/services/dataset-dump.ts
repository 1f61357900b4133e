import { stringify } from 'yaml';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { Store } from '../store/db.ts';
import { LedgerRepo } from '../store/ledger-repo.ts';
import { findReportMeta } from '../store/report-repo.ts';
import { notFound } from './errors.ts';
import { readReportData, statedText } from './report-data.ts';
import { type Actor, assertRead } from './scope.ts';

/**
 * Writes a county-year as a dataset file in the demo format (YAML), which `xiezuo load` reads back:
 * ledgers with their completeness, reported values (earlier years too), the targets that apply,
 * narrative and report details. Personal ID numbers are never written; ledgers that need them
 * (labour placements) are left out and listed in the returned `omitted`.
 */
export async function dumpDataset(store: Store, actor: Actor, county: string, year: number): Promise<{ yaml: string; omitted: string[] }> {
  await assertRead(store, actor, county);
  const meta = await findReportMeta(store.db, county, year);
  if (!meta) throw notFound('该县该年度没有报告信息', 'no report details for this county and year');
  const data = await readReportData(store.db, county, year, store);
  const states = new Map(Object.entries(data.completeness));
  const ledgers: Record<string, unknown> = {};
  const omitted: string[] = [];
  for (const decl of LEDGERS) {
    const { rows } = await new LedgerRepo(store.db, decl).list(county, year);
    if (!rows.length && !states.has(decl.kind)) continue;
    if (decl.fields.some((f) => f.pii) && rows.length) { omitted.push(decl.kind); continue; }
    const records = rows.map((r) => {
      const out: Record<string, unknown> = {};
      for (const f of decl.fields) {
        const v = r[f.name];
        if (v === null || v === undefined) continue;
        out[f.name] = f.type === 'money' || (f.type === 'int' && f.qualified)
          ? statedText(v as number, String(r[`${f.name}_qual`] ?? 'exact'), (r[`${f.name}_max`] as number | null) ?? null, f.type === 'money')
          : v;
      }
      if (r.note) out.note = r.note;
      return out;
    });
    ledgers[decl.kind] = { completeness: states.get(decl.kind) ?? 'complete', records };
  }
  const { partner, report, earlier, targets, narratives } = data;
  // Figures stated as of a day travel with the year's, each with its as_of.
  const reported = [...data.reported, ...(data.dated ?? [])];
  const doc = { county, year, partner, report, ledgers, reported, earlier, targets, narratives };
  const header = `# ${county} ${year}: dataset written by xiezuo dump; read it back with xiezuo load.\n`;
  return { yaml: header + stringify(doc, { lineWidth: 0 }), omitted };
}
