/**
 * What a county-year's report needs besides its ledger records — report details, the cooperation
 * pair, ledger completeness, reported values (earlier years too), the targets that apply and the
 * narrative — read from and written to the database in the text form the dataset files and the
 * export workbook share: figures as reports write them (`约12万元`, `40余`, `1.2万元-1.5万元`).
 */
import type { Kysely } from 'kysely';
import { parseStated } from '../domain/figures.ts';
import { type Fen, fen, formatWan } from '../domain/money.ts';
import { qualified } from '../domain/format.ts';
import { appendAudit } from '../store/audit-repo.ts';
import { completenessAndStatusOf, completenessOf, deleteLedgerState, insertLedgerState, updateLedgerState } from '../store/ledger-state-repo.ts';
import { findCooperationPairId, insertCooperationPairIfAbsent } from '../store/orgunit-repo.ts';
import { datedStatements, findStatement, putStatement } from '../store/reported-dated-repo.ts';
import {
  findReportMeta, narrativeFields, narrativesOf, replaceReportMeta, reportedValueFields, reportedValuesUpTo, reportMetaFields, targetClaimFields,
  targetClaimsOf, targetFields, targetsFor, upsertNarrative, upsertReportedValue, upsertTarget, upsertTargetClaim,
} from '../store/report-repo.ts';
import { isIsoDate } from '../domain/pace.ts';
import { Rational } from '../domain/rational.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import { catalogueFor } from './catalogue.ts';
import { categoriesFor } from './config.ts';
import { DomainError, forbidden, invalid } from './errors.ts';
import { now } from './ledgers.ts';
import { type Actor, SYSTEM } from './scope.ts';
import { assertMayWriteReport, type ReportPart, reportLocked } from './write-rules.ts';

export type Completeness = 'complete' | 'partial';

/** A stated figure; `as_of` (YYYY-MM-DD, within the year) makes it the figure as of that day rather than the year's. */
export interface ReportedEntry { element: string; dim?: string; value: string | number; qual?: string; note?: string; as_of?: string }
export interface EarlierEntry { year: number; element: string; dim?: string; value: string | number; note?: string }
export interface TargetEntry { org: string; indicator: string; op: string; value?: string | number; value_max?: string | number; reported_status?: string; note?: string }
export interface NarrativeEntry { section: string; seq: number; title?: string; body: string; note?: string }

export interface ReportData {
  partner?: string;
  report?: { issuer: string; date: string };
  /** Completeness per ledger kind, for the ledgers that have a state. */
  completeness: Record<string, Completeness>;
  reported: ReportedEntry[];
  /** Figures stated as of a day of the year (read back apart from `reported`, which holds the year's figures). */
  dated?: ReportedEntry[];
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
  // About and over as reports write them (约70万元, 70余万元, 40余): the unit follows the qualifier.
  if (qual !== 'about' && qual !== 'over') return v;
  const unit = money ? /(亿元|万元)$/.exec(v)?.[1] ?? '' : '';
  return qualified(v.slice(0, v.length - unit.length), qual, unit);
}

/** Whether a catalogue element (reported values) or indicator (targets) is an amount of money. */
export function moneyElement(year: number, element: string, county?: string, store?: Store): boolean {
  const els = catalogueFor(year, county, store).elements;
  return Object.hasOwn(els, element) && els[element]?.unit === 'money';
}
export function moneyIndicator(year: number, indicator: string): boolean {
  return catalogueFor(year).byId.get(indicator)?.unit === 'money';
}

/** The organisations whose targets apply to a county: the county, its prefecture, its province. */
export const targetOrgs = (county: string): string[] => [county, county.slice(0, 4), county.slice(0, 2)];

type Db = Kysely<Database>;

/** Reads a county-year's report data; `report` is absent when the county-year has no report details. */
export async function readReportData(db: Db, county: string, year: number, store?: Store): Promise<ReportData> {
  const meta = await findReportMeta(db, county, year);
  const states = await completenessOf(db, county, year);
  const rv = await reportedValuesUpTo(db, county, year);
  const entry = (r: (typeof rv)[number]) => ({
    element: r.element, ...(r.dim ? { dim: r.dim } : {}), value: statedText(r.value, r.qual, r.value_max, moneyElement(year, r.element, county, store), r.scale ?? '', r.unit_word ?? null), ...(r.note ? { note: r.note } : {}),
  });
  const dated = (await datedStatements(db, county, year)).map((r) => ({ ...entry(r), as_of: r.as_of }));
  const targets = await targetsFor(db, year, targetOrgs(county));
  const claims = await targetClaimsOf(db, county, year);
  const narratives = await narrativesOf(db, county, year);
  return {
    ...(meta?.partner_code ? { partner: meta.partner_code } : {}),
    ...(meta ? { report: { issuer: meta.issuer, date: meta.report_date } } : {}),
    completeness: Object.fromEntries(states.map((s) => [s.ledger, s.completeness as Completeness])),
    reported: rv.filter((r) => r.year === year).map(entry),
    ...(dated.length ? { dated } : {}),
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
  /** The database whose stored category lists apply to breakdowns (shipped lists when absent). */
  store?: Store;
  /** Who writes: every change is checked against what this actor may change and audited as theirs (default: the system). */
  actor?: Actor;
}

/** One change that writing report data would make, with what it needs permission for. */
export interface ReportChange {
  part: ReportPart;
  /** The target's org, the ledger of a completeness change. */
  key?: string;
  /** Names the entry: `targets.funds.disbursement_rate@62`, `reported.meeting.count[standing]`. */
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  apply: () => Promise<void>;
}

/** Compares stored and new values, numbers by value (PostgreSQL and the import may write them differently). */
function sameValues(had: Record<string, unknown>, row: Record<string, unknown>): boolean {
  return Object.keys(had).every((k) => {
    const a = had[k] ?? '';
    const b = row[k] ?? '';
    if (String(a) === String(b)) return true;
    const x = Number(a);
    const y = Number(b);
    return String(a) !== '' && String(b) !== '' && Number.isFinite(x) && Number.isFinite(y) && x === y;
  });
}

/**
 * The changes writing `data` would make to a county-year, against what is stored (unchanged
 * entries are no change). Throws Invalid naming the entry for a figure it cannot read. Nothing is
 * written until a change's `apply` runs.
 */
export async function planReportData(tx: Db, county: string, year: number, data: ReportData, opts: WriteReportOptions): Promise<ReportChange[]> {
  const t = now();
  const file = opts.where;
  const by = opts.actor?.id ?? SYSTEM.id;
  const out: ReportChange[] = [];
  if (data.partner) {
    const had = await findCooperationPairId(tx, data.partner, county);
    if (!had) out.push({
      part: 'partner', entity: 'cooperation_pair', entityId: `${data.partner}:${county}`, before: null, after: { east_code: data.partner, west_code: county },
      apply: async () => {
        await insertCooperationPairIfAbsent(tx, data.partner!, county);
      },
    });
  }
  const meta = await reportMetaFields(tx, county, year);
  if (data.report) {
    const row = { issuer: data.report.issuer, report_date: data.report.date, partner_code: data.partner ?? null };
    if (!(meta && sameValues(meta, row))) out.push({
      // A changed partner code in the report details is a change of the pairing, not only of the details.
      part: meta && (meta.partner_code ?? null) !== row.partner_code && row.partner_code ? 'partner' : 'report',
      entity: 'report_meta', entityId: `${county}/${year}`, before: meta ?? null, after: row,
      apply: async () => {
        await replaceReportMeta(tx, county, year, row);
      },
    });
  }
  const states = new Map((await completenessAndStatusOf(tx, county, year)).map((r) => [r.ledger, r]));
  for (const [kind, completeness] of Object.entries(data.completeness)) {
    const had = states.get(kind);
    if (had && had.completeness === completeness && (opts.ledgerStates === 'merge' || had.status === 'draft')) continue;
    out.push({
      part: 'completeness', key: kind, entity: 'ledger_state', entityId: `${county}/${year}/${kind}`, before: had ?? null, after: { completeness },
      apply: async () => {
        if (opts.ledgerStates === 'merge' && had) {
          await updateLedgerState(tx, county, year, kind, { completeness });
          return;
        }
        await deleteLedgerState(tx, county, year, kind);
        await insertLedgerState(tx, { county_code: county, year, ledger: kind, completeness, status: 'draft', comment: null, updated_by: by, updated_at: t });
      },
    });
  }
  const reported = [
    ...data.reported.map((r) => ({ ...r, year })),
    ...(data.dated ?? []).map((r) => ({ ...r, year })),
    ...data.earlier.map((r) => ({ ...r, qual: undefined, as_of: undefined })),
  ];
  const cat = catalogueFor(year, county, opts.store);
  for (const [i, r] of reported.entries()) {
    const where = `${file} reported[${i}]`;
    // Own keys only: `__proto__` or `constructor` is no element.
    const el = Object.hasOwn(cat.elements, r.element) ? cat.elements[r.element] : undefined;
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
    if (r.as_of !== undefined) {
      const asOf = String(r.as_of);
      if (!isIsoDate(asOf) || !asOf.startsWith(`${year}-`))
        throw invalid(`${where}：截至日期应为${year}年内的日期（YYYY-MM-DD）：${asOf}`, `${where}: as_of must be a day of ${year} written YYYY-MM-DD: ${asOf}`);
      const before = await findStatement(tx, county, year, r.element, row.dim, asOf);
      const { county_code: _c, year: _y, element: _e, dim: _d, updated_at: _u, ...vals } = row;
      if (before && sameValues({ value: before.value, qual: before.qual, value_max: before.value_max, note: before.note, scale: before.scale, unit_word: before.unit_word }, vals)) continue;
      out.push({
        part: 'reported', entity: 'reported_value_dated', entityId: `${r.element}${row.dim ? `[${row.dim}]` : ''}@${asOf}`, before: before ?? null, after: { ...row, as_of: asOf },
        apply: async () => { await putStatement(tx, { ...row, as_of: asOf }, before); },
      });
      continue;
    }
    const had = await reportedValueFields(tx, county, r.year, r.element, row.dim);
    if (had && sameValues(had, row)) continue;
    out.push({
      part: 'reported', entity: 'reported_value', entityId: `${r.element}${row.dim ? `[${row.dim}]` : ''}${r.year !== year ? `@${r.year}` : ''}`, before: had ?? null, after: row,
      apply: async () => {
        await upsertReportedValue(tx, row);
      },
    });
  }
  for (const g of data.targets) {
    if (g.reported_status) {
      // A stated status is the unit's own claim about the target, never the target's.
      if (!['met', 'exceeded', 'missed'].includes(g.reported_status))
        throw invalid(`${file} targets.${g.indicator}：完成情况须为 met、exceeded 或 missed`, `${file} targets.${g.indicator}: status must be met, exceeded or missed`);
      const claim = { org_code: county, year, indicator: g.indicator, status: g.reported_status, note: g.note ?? null, updated_by: by, updated_at: t };
      const had = await targetClaimFields(tx, county, year, g.indicator);
      // The county's own statement about a target is reported data of the county, not the target.
      if (!(had && sameValues(had, { status: claim.status, note: claim.note }))) out.push({
        part: 'reported', entity: 'target_claim', entityId: `${county}/${year}/${g.indicator}`, before: had ?? null, after: claim,
        apply: async () => {
          await upsertTargetClaim(tx, claim);
        },
      });
      if (g.value === undefined) continue;
    }
    const row = {
      org_code: g.org, year, indicator: g.indicator, op: g.op,
      value: g.value === undefined ? null : statedFigure(g.value, `${file} targets.${g.indicator}`).value,
      value_max: g.value_max === undefined ? null : statedFigure(g.value_max, `${file} targets.${g.indicator}`).value,
      reported_status: null, set_by: opts.actor ? opts.actor.id : g.org, note: g.note ?? null, updated_at: t,
    };
    const had = await targetFields(tx, g.org, year, g.indicator);
    if (had && sameValues(had, { op: row.op, value: row.value, value_max: row.value_max, reported_status: row.reported_status, note: row.note })) continue;
    out.push({
      part: 'target', key: g.org, entity: 'target', entityId: `${g.org}/${year}/${g.indicator}`, before: had ?? null, after: row,
      apply: async () => {
        await upsertTarget(tx, row);
      },
    });
  }
  for (const n of data.narratives) {
    const row = { county_code: county, year, section: n.section, seq: n.seq, title: n.title ?? null, body: n.body, note: n.note ?? null, updated_at: t };
    const had = await narrativeFields(tx, county, year, n.section, n.seq);
    if (had && sameValues(had, row)) continue;
    out.push({
      part: 'narrative', entity: 'narrative', entityId: `${n.section}#${n.seq}`, before: had ?? null, after: row,
      apply: async () => {
        await upsertNarrative(tx, row);
      },
    });
  }
  return out;
}

/** Why the actor may not make a change (zh, en), or undefined when it may; the lock of an approved county-year included. */
export function refusal(actor: Actor, county: string, c: ReportChange, locked: boolean): { zh: string; en: string } | undefined {
  try {
    assertMayWriteReport(actor, county, c.part, c.key);
  } catch (e) {
    if (e instanceof DomainError) return { zh: e.zh, en: e.en };
    throw e;
  }
  if (locked && (c.part === 'reported' || c.part === 'narrative' || c.part === 'report'))
    return { zh: '该县该年度已审核通过，上报数据和报告文字已锁定', en: 'the county-year is approved; reported values and narrative are locked' };
  return undefined;
}

/**
 * Writes a county-year's report data inside the caller's transaction — the one write path for
 * bulk report data (dataset loads, the import's report sheets): every change is checked against
 * what the actor may change (`write-rules.ts`, the same rules as the routes), refused as a whole
 * with Forbidden naming the first entry it may not change, and otherwise applied and audited
 * entry by entry with before and after, as a form edit is. Unchanged entries are neither written
 * nor audited. Throws Invalid naming the entry for a figure it cannot read.
 */
export async function writeReportData(tx: Db, county: string, year: number, data: ReportData, opts: WriteReportOptions): Promise<ReportChange[]> {
  const actor = opts.actor ?? SYSTEM;
  const changes = await planReportData(tx, county, year, data, opts);
  const locked = changes.some((c) => c.part === 'reported' || c.part === 'narrative' || c.part === 'report') && (await reportLocked(tx, county, year));
  for (const c of changes) {
    const no = refusal(actor, county, c, locked);
    if (no) throw forbidden(`${c.entity} ${c.entityId}：${no.zh}`, `${c.entity} ${c.entityId}: ${no.en}`);
  }
  for (const c of changes) {
    await c.apply();
    await appendAudit(tx, {
      at: now(), actor: actor.id, action: `${c.before ? 'update' : 'create'}`, entity: c.entity, entity_id: c.entityId,
      county_code: county, year, before_json: c.before ? JSON.stringify(c.before) : null, after_json: JSON.stringify(c.after),
    });
  }
  return changes;
}
