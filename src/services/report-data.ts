/**
 * What a county-year's report needs besides its ledger records — report details, the cooperation
 * pair, ledger completeness, reported values (earlier years too), the targets that apply and the
 * narrative — read from and written to the database in the text form the dataset files and the
 * export workbook share: figures as reports write them (`约12万元`, `40余`, `1.2万元-1.5万元`).
 */
import { type Kysely, sql } from 'kysely';
import { parseStated } from '../domain/figures.ts';
import { type Fen, fen, formatWan } from '../domain/money.ts';
import { Rational } from '../domain/rational.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import { catalogueFor } from './catalogue.ts';
import { categoriesFor } from './config.ts';
import { invalid } from './errors.ts';
import { now } from './ledgers.ts';
import { SYSTEM } from './scope.ts';

export type Completeness = 'complete' | 'partial';

export interface ReportedEntry { element: string; dim?: string; value: string | number; qual?: string; note?: string }
export interface EarlierEntry { year: number; element: string; dim?: string; value: string | number; note?: string }
export interface TargetEntry { org: string; indicator: string; op: string; value?: string | number; value_max?: string | number; reported_status?: string; note?: string }
export interface NarrativeEntry { section: string; seq: number; title?: string; body: string; note?: string }

export interface ReportData {
  partner?: string;
  report?: { issuer: string; date: string };
  /** Completeness per ledger kind, for the ledgers that have a state. */
  completeness: Record<string, Completeness>;
  reported: ReportedEntry[];
  earlier: EarlierEntry[];
  targets: TargetEntry[];
  narratives: NarrativeEntry[];
}

/** An amount in 分 as 万元 text. */
export const wanText = (v: string | number): string => `${formatWan(fen(Number(v)) as Fen)}万元`;

/** A figure in 亿 or 万 as stated text: 3.18亿元, 75.31万. */
function scaledText(value: string | number, money: boolean, scale: string): string {
  const r = Rational.parse(String(value));
  const trim = (t: string) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (money && scale === '亿') return `${trim(r.div(Rational.of(10_000_000_000)).toDecimalString(8))}亿元`;
  if (!money && (scale === '万' || scale === '亿')) return `${trim(r.div(Rational.of(scale === '万' ? 10_000 : 100_000_000)).toDecimalString(8))}${scale}`;
  return money ? wanText(value) : String(value);
}

/** A figure with its qualifier, written the way the dataset format (and Chinese reports) write it. */
export function statedText(value: string | number, qual: string, max: string | number | null, money: boolean, scale = '', word: string | null = null): string {
  const v = `${scaledText(value, money, scale)}${!money && word && qual !== 'range' && qual !== 'over' ? word : ''}`;
  if (qual === 'range' && max !== null) return `${v}-${money ? wanText(max) : String(max)}`;
  if (qual === 'about') return `约${v}`;
  if (qual === 'over') return money ? v.replace(/万元$/, '余万元') : `${v}余`;
  return v;
}

/** Whether a catalogue element (reported values) or indicator (targets) is an amount of money. */
export function moneyElement(year: number, element: string): boolean {
  return catalogueFor(year).elements[element]?.unit === 'money';
}
export function moneyIndicator(year: number, indicator: string): boolean {
  return catalogueFor(year).byId.get(indicator)?.unit === 'money';
}

/** The organisations whose targets apply to a county: the county, its prefecture, its province. */
export const targetOrgs = (county: string): string[] => [county, county.slice(0, 4), county.slice(0, 2)];

type Db = Kysely<Database>;

/** Whether a stored row already holds these values (numbers compared as text: PostgreSQL returns numerics as strings). */
function same(had: Record<string, unknown>, row: Record<string, unknown>): boolean {
  return Object.keys(had).every((k) => String(had[k] ?? '') === String(row[k] ?? ''));
}

/** Reads a county-year's report data; `report` is absent when the county-year has no report details. */
export async function readReportData(db: Db, county: string, year: number): Promise<ReportData> {
  const meta = await db.selectFrom('report_meta').selectAll().where('county_code', '=', county).where('year', '=', year).executeTakeFirst();
  const states = await db.selectFrom('ledger_state').select(['ledger', 'completeness'])
    .where('county_code', '=', county).where('year', '=', year).orderBy('ledger').execute();
  const rv = await db.selectFrom('reported_value').selectAll().where('county_code', '=', county).where('year', '<=', year)
    .orderBy('year', 'desc').orderBy('id').execute();
  const entry = (r: (typeof rv)[number]) => ({
    element: r.element, ...(r.dim ? { dim: r.dim } : {}), value: statedText(r.value, r.qual, r.value_max, moneyElement(year, r.element), r.scale ?? '', r.unit_word ?? null), ...(r.note ? { note: r.note } : {}),
  });
  const targets = await db.selectFrom('target').selectAll().where('year', '=', year).where('org_code', 'in', targetOrgs(county)).orderBy('id').execute();
  const claims = await db.selectFrom('target_claim').selectAll().where('year', '=', year).where('org_code', '=', county).orderBy('indicator').execute();
  const narratives = await db.selectFrom('narrative').selectAll().where('county_code', '=', county).where('year', '=', year).orderBy('section').orderBy('seq').execute();
  return {
    ...(meta?.partner_code ? { partner: meta.partner_code } : {}),
    ...(meta ? { report: { issuer: meta.issuer, date: meta.report_date } } : {}),
    completeness: Object.fromEntries(states.map((s) => [s.ledger, s.completeness as Completeness])),
    reported: rv.filter((r) => r.year === year).map(entry),
    earlier: rv.filter((r) => r.year < year).map((r) => ({ year: r.year, ...entry(r) })),
    targets: [...targets.filter((t) => t.value !== null).map((t) => {
      const m = moneyIndicator(year, t.indicator);
      return {
        org: t.org_code, indicator: t.indicator, op: t.op,
        ...(t.value !== null ? { value: m ? wanText(t.value) : t.value } : {}),
        ...(t.value_max !== null ? { value_max: m ? wanText(t.value_max) : t.value_max } : {}),
        ...(t.note ? { note: t.note } : {}),
      };
    }),
    // The unit's own claims travel in the same list, under its own code, with the status it states.
    ...claims.map((c) => ({ org: c.org_code, indicator: c.indicator, op: '>=', reported_status: c.status, ...(c.note ? { note: c.note } : {}) }))],
    narratives: narratives.map((n) => ({ section: n.section, seq: n.seq, ...(n.title ? { title: n.title } : {}), body: n.body, ...(n.note ? { note: n.note } : {}) })),
  };
}

const isMoneyText = (v: unknown) => typeof v === 'string' && /元$/.test(v.trim());

/** Runs a parse, turning its RangeError into an Invalid that names the entry. */
export function located<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const [zh, en] = e.message.includes(' / ') ? e.message.split(' / ', 2) : [e.message, e.message];
    throw invalid(`${where}：${zh}`, `${where}: ${en}`);
  }
}

/** A figure as written; money is recognised by its unit (万元 or 元). */
export function statedFigure(v: string | number, where: string) {
  return located(where, () => parseStated(v, isMoneyText(v) ? 'money' : 'number'));
}

export interface WriteReportOptions {
  /** Prefix of the entry names in error messages (the file). */
  where: string;
  /**
   * `replace` (a dataset load) writes each ledger's state afresh as a draft; `merge` (an import)
   * changes only the completeness of a state already there, keeping its workflow status.
   */
  ledgerStates: 'replace' | 'merge';
  /** Who the states are updated by (default: the system). */
  by?: string;
  /** The database whose stored category lists apply to breakdowns (shipped lists when absent). */
  store?: Store;
}

/**
 * Writes a county-year's report data inside the caller's transaction: the cooperation pair, report
 * details, ledger states, reported values, targets and narrative (each upserted by its natural key).
 * Throws Invalid naming the entry for a figure it cannot read.
 */
export async function writeReportData(tx: Db, county: string, year: number, data: ReportData, opts: WriteReportOptions): Promise<void> {
  const t = now();
  const file = opts.where;
  if (data.partner)
    await tx.insertInto('cooperation_pair').values({ east_code: data.partner, west_code: county, since_year: null, until_year: null })
      .onConflict((oc) => oc.columns(['east_code', 'west_code']).doNothing()).execute();
  const meta = await tx.selectFrom('report_meta').select(['issuer', 'report_date', 'partner_code']).where('county_code', '=', county).where('year', '=', year).executeTakeFirst();
  if (data.report && !(meta && same(meta, { issuer: data.report.issuer, report_date: data.report.date, partner_code: data.partner ?? null }))) {
    await tx.deleteFrom('report_meta').where('county_code', '=', county).where('year', '=', year).execute();
    await tx.insertInto('report_meta').values({ county_code: county, year, issuer: data.report.issuer, report_date: data.report.date, partner_code: data.partner ?? null }).execute();
  }
  for (const [kind, completeness] of Object.entries(data.completeness)) {
    const by = opts.by ?? SYSTEM.id;
    if (opts.ledgerStates === 'merge') {
      const had = await tx.selectFrom('ledger_state').select('completeness').where('county_code', '=', county).where('year', '=', year).where('ledger', '=', kind).executeTakeFirst();
      if (had?.completeness === completeness) continue;
      const r = await tx.updateTable('ledger_state').set({ completeness })
        .where('county_code', '=', county).where('year', '=', year).where('ledger', '=', kind).executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) continue;
    } else {
      await tx.deleteFrom('ledger_state').where('county_code', '=', county).where('year', '=', year).where('ledger', '=', kind).execute();
    }
    await tx.insertInto('ledger_state').values({ county_code: county, year, ledger: kind, completeness, status: 'draft', comment: null, updated_by: by, updated_at: t }).execute();
  }
  const reported = [
    ...data.reported.map((r) => ({ ...r, year })),
    ...data.earlier.map((r) => ({ ...r, qual: undefined })),
  ];
  const cat = catalogueFor(year);
  for (const [i, r] of reported.entries()) {
    const where = `${file} reported[${i}]`;
    const el = cat.elements[r.element];
    if (!el) throw invalid(`${where}：未知的上报项 ${r.element}`, `${where}: unknown element ${r.element}`);
    if (r.dim) {
      const list = el.dims ? categoriesFor(year, county, opts.store)[el.dims] : undefined;
      if (!list) throw invalid(`${where}：${el.label.zh}不分类别，不能填写类别 ${r.dim}`, `${where}: ${el.label.en} has no categories; '${r.dim}' is not accepted`);
      if (!list.some((c) => c.value === r.dim || c.zh === r.dim))
        throw invalid(`${where}：${el.label.zh}没有类别“${r.dim}”（可选：${list.map((c) => c.zh).join('、')}）`, `${where}: ${el.label.en} has no category '${r.dim}' (choose from ${list.map((c) => c.value).join(', ')})`);
      r.dim = list.find((c) => c.value === r.dim || c.zh === r.dim)!.value;
    }
    const s = statedFigure(r.value, where);
    if ((el.unit === 'money') !== isMoneyText(r.value) && typeof r.value === 'string')
      throw invalid(`${where}：${el.label.zh}${el.unit === 'money' ? '是金额，须注明元、万元或亿元' : '不是金额，不能带“元”'}（${r.value}）`, `${where}: ${el.label.en} ${el.unit === 'money' ? 'is money and needs 元, 万元 or 亿元' : 'is not money'} (${r.value})`);
    const row = {
      county_code: county, year: r.year, element: r.element, dim: r.dim ?? '', value: s.value,
      qual: r.qual ?? s.qual, value_max: s.max, note: r.note ?? null, updated_at: t, scale: s.scale ?? '', unit_word: s.unitWord ?? null,
    };
    const had = await tx.selectFrom('reported_value').select(['value', 'qual', 'value_max', 'note', 'scale', 'unit_word'])
      .where('county_code', '=', county).where('year', '=', r.year).where('element', '=', r.element).where('dim', '=', row.dim).executeTakeFirst();
    if (had && same(had, row)) continue;
    await tx.insertInto('reported_value').values(row)
      .onConflict((oc) => oc.columns(['county_code', 'year', 'element', 'dim']).doUpdateSet({ value: row.value, qual: row.qual, value_max: row.value_max, note: row.note, scale: row.scale, unit_word: row.unit_word, updated_at: t, version: sql`reported_value.version + 1` }))
      .execute();
  }
  for (const g of data.targets) {
    if (g.reported_status) {
      // A stated status is the unit's own claim about the target, never the target's.
      if (!['met', 'exceeded', 'missed'].includes(g.reported_status))
        throw invalid(`${file} targets.${g.indicator}：完成情况须为 met、exceeded 或 missed`, `${file} targets.${g.indicator}: status must be met, exceeded or missed`);
      const claim = { org_code: county, year, indicator: g.indicator, status: g.reported_status, note: g.note ?? null, updated_by: opts.by ?? SYSTEM.id, updated_at: t };
      await tx.insertInto('target_claim').values(claim)
        .onConflict((oc) => oc.columns(['org_code', 'year', 'indicator']).doUpdateSet({ status: claim.status, note: claim.note, updated_by: claim.updated_by, updated_at: t })).execute();
      if (g.value === undefined) continue;
    }
    const row = {
      org_code: g.org, year, indicator: g.indicator, op: g.op,
      value: g.value === undefined ? null : statedFigure(g.value, `${file} targets.${g.indicator}`).value,
      value_max: g.value_max === undefined ? null : statedFigure(g.value_max, `${file} targets.${g.indicator}`).value,
      reported_status: null, set_by: g.org, note: g.note ?? null, updated_at: t,
    };
    const had = await tx.selectFrom('target').select(['op', 'value', 'value_max', 'reported_status', 'note'])
      .where('org_code', '=', g.org).where('year', '=', year).where('indicator', '=', g.indicator).executeTakeFirst();
    if (had && same(had, row)) continue;
    await tx.insertInto('target').values(row)
      .onConflict((oc) => oc.columns(['org_code', 'year', 'indicator']).doUpdateSet({ op: row.op, value: row.value, value_max: row.value_max, reported_status: row.reported_status, note: row.note, updated_at: t, version: sql`target.version + 1` }))
      .execute();
  }
  for (const n of data.narratives) {
    const row = { county_code: county, year, section: n.section, seq: n.seq, title: n.title ?? null, body: n.body, note: n.note ?? null, updated_at: t };
    const had = await tx.selectFrom('narrative').select(['title', 'body', 'note'])
      .where('county_code', '=', county).where('year', '=', year).where('section', '=', n.section).where('seq', '=', n.seq).executeTakeFirst();
    if (had && same(had, row)) continue;
    await tx.insertInto('narrative').values(row)
      .onConflict((oc) => oc.columns(['county_code', 'year', 'section', 'seq']).doUpdateSet({ title: row.title, body: row.body, note: row.note, updated_at: t, version: sql`narrative.version + 1` }))
      .execute();
  }
}
