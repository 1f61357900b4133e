import { stringify } from 'yaml';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import { type Fen, fen, formatWan } from '../domain/money.ts';
import type { Store } from '../store/db.ts';
import { LedgerRepo } from '../store/ledger-repo.ts';
import { catalogueFor } from './catalogue.ts';
import { notFound } from './errors.ts';
import { type Actor, assertRead } from './scope.ts';

const wan = (v: string | number) => `${formatWan(fen(Number(v)) as Fen)}万元`;

/** A figure with its qualifier, written the way the dataset format (and Chinese reports) write it. */
function statedText(value: string | number, qual: string, max: string | number | null, money: boolean): string {
  const v = money ? wan(value) : String(value);
  if (qual === 'range' && max !== null) return `${v}-${money ? wan(max) : String(max)}`;
  if (qual === 'about') return `约${v}`;
  if (qual === 'over') return money ? v.replace(/万元$/, '余万元') : `${v}余`;
  return v;
}

/**
 * Writes a county-year as a dataset file in the demo format (YAML), which `xiezuo load` reads back:
 * ledgers with their completeness, reported values (earlier years too), the targets that apply,
 * narrative and report details. Personal ID numbers are never written; ledgers that need them
 * (labour placements) are left out and listed in the returned `omitted`.
 */
export async function dumpDataset(store: Store, actor: Actor, county: string, year: number): Promise<{ yaml: string; omitted: string[] }> {
  await assertRead(store, actor, county);
  const meta = await store.db.selectFrom('report_meta').selectAll().where('county_code', '=', county).where('year', '=', year).executeTakeFirst();
  if (!meta) throw notFound('该县该年度没有报告信息', 'no report details for this county and year');
  const states = new Map((await store.db.selectFrom('ledger_state').select(['ledger', 'completeness'])
    .where('county_code', '=', county).where('year', '=', year).execute()).map((s) => [s.ledger, s.completeness]));
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
  const cat = catalogueFor(year);
  const money = (element: string) => cat.elements[element]?.unit === 'money';
  const rv = await store.db.selectFrom('reported_value').selectAll().where('county_code', '=', county).where('year', '<=', year)
    .orderBy('year', 'desc').orderBy('id').execute();
  const entry = (r: (typeof rv)[number]) => ({
    element: r.element, ...(r.dim ? { dim: r.dim } : {}), value: statedText(r.value, r.qual, r.value_max, money(r.element)), ...(r.note ? { note: r.note } : {}),
  });
  const prefixes = [county, county.slice(0, 4), county.slice(0, 2)];
  const targets = await store.db.selectFrom('target').selectAll().where('year', '=', year).where('org_code', 'in', prefixes).orderBy('id').execute();
  const narratives = await store.db.selectFrom('narrative').selectAll().where('county_code', '=', county).where('year', '=', year).orderBy('section').orderBy('seq').execute();
  const doc = {
    county, year, partner: meta.partner_code ?? undefined,
    report: { issuer: meta.issuer, date: meta.report_date },
    ledgers,
    reported: rv.filter((r) => r.year === year).map(entry),
    earlier: rv.filter((r) => r.year < year).map((r) => ({ year: r.year, ...entry(r) })),
    targets: targets.map((t) => {
      const m = cat.byId.get(t.indicator)?.unit === 'money';
      return {
        org: t.org_code, indicator: t.indicator, op: t.op,
        ...(t.value !== null ? { value: m ? wan(t.value) : t.value } : {}),
        ...(t.value_max !== null ? { value_max: m ? wan(t.value_max) : t.value_max } : {}),
        ...(t.reported_status ? { reported_status: t.reported_status } : {}), ...(t.note ? { note: t.note } : {}),
      };
    }),
    narratives: narratives.map((n) => ({ section: n.section, seq: n.seq, ...(n.title ? { title: n.title } : {}), body: n.body, ...(n.note ? { note: n.note } : {}) })),
  };
  const header = `# ${county} ${year}: dataset written by xiezuo dump; read it back with xiezuo load.\n`;
  return { yaml: header + stringify(doc, { lineWidth: 0 }), omitted };
}
