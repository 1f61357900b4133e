import type { AuditEntry, Categories, FieldDecl, LedgerDecl, LedgerRecord, Meta } from '../../api.ts';
import type { I18n, Key } from '../../i18n.ts';
import { qualified } from '../../../../src/domain/format.ts';
import { fenToWan } from '../../money.ts';
import { displayValue } from '../ledgers/format.ts';

/** What the audit page knows besides the entries: declarations, category lists, indicator and element names. */
export interface AuditContext {
  meta: Meta;
  categories: Categories;
  i18n: I18n;
  indicators: Map<string, { label: { zh: string; en: string }; unit: string }>;
  elements: Map<string, { label: { zh: string; en: string }; unit: string; dims: Array<{ value: string; zh: string; en: string }> | null }>;
}

export interface Change {
  key: string;
  label: string;
  before: string;
  after: string;
}

const ACTIONS: Record<string, Key> = {
  create: 'act_create', update: 'act_update', delete: 'act_delete',
  import: 'act_import', 'import.create': 'act_import_create', 'import.update': 'act_import_update',
  'workflow.submit': 'submit', 'workflow.approve': 'approve', 'workflow.return': 'return', 'workflow.reopen': 'reopen',
  'target.set': 'editTarget', 'evidence.add': 'act_evidence_add', 'evidence.delete': 'act_evidence_delete',
};

/** The action in words: 新增, 审核通过, 导入新增…; unknown codes as they are. */
export function actionLabel(action: string, i18n: I18n): string {
  const k = ACTIONS[action];
  return k ? i18n.t(k) : action;
}

/** Who acted: the account's display name, 系统 for the system itself, else the login name. */
export function actorLabel(e: AuditEntry, i18n: I18n): string {
  if (e.actor === 'system') return i18n.t('systemActor');
  return e.actorName ?? e.actor;
}

export const OPS = ['>=', '>', '<=', '<', '=', 'between'] as const;
const OP_KEYS: Record<string, Key> = { '>=': 'op_ge', '>': 'op_gt', '<=': 'op_le', '<': 'op_lt', '=': 'op_eq', between: 'op_between' };
/** A comparison in words: 不少于, 超过, 不超过, 少于, 等于, 介于. */
export function opLabel(op: string, i18n: I18n): string {
  const k = OP_KEYS[op];
  return k ? i18n.t(k) : op;
}

const ledgerOf = (ctx: AuditContext, kind: string) => ctx.meta.ledgers.find((l) => l.kind === kind);
const SKIP = new Set(['id', 'version', 'county_code', 'year', 'created_at', 'updated_at', 'updated_by', 'set_by']);
const EMPTY = '—';

/** A ledger row as stored (money in `<name>_fen` columns) or as served (money under the field name), read per field. */
function asRecord(decl: LedgerDecl, o: Record<string, unknown>): LedgerRecord {
  const r: Record<string, unknown> = { ...o };
  for (const f of decl.fields) {
    const col = f.type === 'money' ? `${f.name}_fen` : f.name;
    if (r[f.name] === undefined && o[col] !== undefined) r[f.name] = o[col];
    if (f.qualified) {
      if (r[`${f.name}_qual`] === undefined && o[`${col}_qual`] !== undefined) r[`${f.name}_qual`] = o[`${col}_qual`];
      if (r[`${f.name}_max`] === undefined && o[`${col}_max`] !== undefined) r[`${f.name}_max`] = o[`${col}_max`];
    }
  }
  return r as LedgerRecord;
}

function fieldText(f: FieldDecl, r: LedgerRecord, ctx: AuditContext): string {
  const s = displayValue(f, r, ctx.categories, ctx.i18n);
  if (!s) return EMPTY;
  return f.type === 'money' ? withWan(s, ctx) : s;
}

/** "12.5万元", "12.5 10k yuan". */
const withWan = (s: string, ctx: AuditContext) => `${s}${ctx.i18n.locale === 'zh' ? '' : ' '}${ctx.i18n.t('wan')}`;
const obj = (x: unknown): Record<string, unknown> => (x && typeof x === 'object' && !Array.isArray(x) ? x as Record<string, unknown> : {});
const plain = (v: unknown): string => (v === undefined || v === null || v === '' ? EMPTY : typeof v === 'object' ? JSON.stringify(v) : String(v));

function ledgerChanges(decl: LedgerDecl, e: AuditEntry, ctx: AuditContext): Change[] {
  const b = obj(e.before);
  const a = obj(e.after);
  const rb = asRecord(decl, b);
  const ra = asRecord(decl, a);
  const { L, t } = ctx.i18n;
  const out: Change[] = [];
  for (const f of decl.fields) {
    const before = e.before ? fieldText(f, rb, ctx) : EMPTY;
    const after = e.after ? fieldText(f, ra, ctx) : EMPTY;
    if (before !== after) out.push({ key: f.name, label: L(f.label), before, after });
  }
  if (plain(b.note) !== plain(a.note)) out.push({ key: 'note', label: t('note'), before: plain(b.note), after: plain(a.note) });
  return out;
}

function scaled(v: unknown, unit: string | undefined, ctx: AuditContext): string {
  if (v === null || v === undefined || v === '') return EMPTY;
  if (unit === 'money' && /^-?\d+$/.test(String(v))) return withWan(fenToWan(Number(v)), ctx);
  return unit === 'percent' ? `${String(v)}%` : String(v);
}

function targetChanges(e: AuditEntry, ctx: AuditContext): Change[] {
  const unit = ctx.indicators.get(e.entityId?.split('/')[2] ?? '')?.unit;
  const text = (x: unknown) => {
    const o = obj(x);
    if (!x || !o.op) return EMPTY;
    const v = scaled(o.value, unit, ctx);
    return o.op === 'between' ? `${opLabel('between', ctx.i18n)} ${v}–${scaled(o.value_max, unit, ctx)}` : `${opLabel(String(o.op), ctx.i18n)} ${v}`;
  };
  const out: Change[] = [];
  const { t } = ctx.i18n;
  if (text(e.before) !== text(e.after)) out.push({ key: 'target', label: t('target'), before: text(e.before), after: text(e.after) });
  const nb = plain(obj(e.before).note);
  const na = plain(obj(e.after).note);
  if (nb !== na) out.push({ key: 'note', label: t('note'), before: nb, after: na });
  return out;
}

function workflowChanges(e: AuditEntry, ctx: AuditContext): Change[] {
  const { L, t } = ctx.i18n;
  const status = (x: unknown) => { const s = obj(x).status; return s ? L(ctx.meta.statuses[String(s)]) || String(s) : EMPTY; };
  const out: Change[] = [];
  if (status(e.before) !== status(e.after)) out.push({ key: 'status', label: t('status'), before: status(e.before), after: status(e.after) });
  const c = obj(e.after).comment;
  if (c) out.push({ key: 'comment', label: t('comment'), before: EMPTY, after: String(c) });
  return out;
}

function reportedChanges(e: AuditEntry, ctx: AuditContext): Change[] {
  const el = ctx.elements.get((e.entityId ?? '').replace(/\[.*\]$/, ''));
  const text = (x: unknown) => {
    const o = obj(x);
    if (!x || o.value === undefined || o.value === null) return EMPTY;
    const v = scaled(o.value, el?.unit, ctx);
    const max = o.value_max === null || o.value_max === undefined ? null : scaled(o.value_max, el?.unit, ctx);
    return qualified(v, String(o.qual ?? 'exact'), '', { ...(max ? { max } : {}), locale: ctx.i18n.locale });
  };
  const { t } = ctx.i18n;
  const out: Change[] = [];
  if (text(e.before) !== text(e.after)) out.push({ key: 'value', label: t('value'), before: text(e.before), after: text(e.after) });
  const nb = plain(obj(e.before).note);
  const na = plain(obj(e.after).note);
  if (nb !== na) out.push({ key: 'note', label: t('sourceNote'), before: nb, after: na });
  return out;
}

function genericChanges(e: AuditEntry, ctx: AuditContext): Change[] {
  const b = obj(e.before);
  const a = obj(e.after);
  const labels: Record<string, Key> = {
    filename: 'fileName', size: 'fileSize', title: 'paragraphTitle', body: 'paragraphBody', note: 'note',
    added: 'importAdded', updated: 'importUpdated', unchanged: 'importUnchanged', sources: 'importSources',
  };
  const hidden = new Set([...SKIP, 'sha256', 'ledger', 'recordId', 'indicator', 'addedIdsAbove', 'section', 'seq', 'stored_name']);
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => !hidden.has(k) && JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => {
      const show = (v: unknown) => (k === 'size' && typeof v === 'number' ? `${(v / 1024).toFixed(1)} KB` : Array.isArray(v) ? v.join('、') : plain(v));
      return { key: k, label: labels[k] ? ctx.i18n.t(labels[k]) : k, before: show(b[k]), after: show(a[k]) };
    });
}

/** The fields an entry changed, labelled and formatted as on the pages: 万元, category names, statuses. */
export function changesOf(e: AuditEntry, ctx: AuditContext): Change[] {
  const decl = ledgerOf(ctx, e.entity);
  if (decl) return e.action === 'import' ? genericChanges(e, ctx) : ledgerChanges(decl, e, ctx);
  if (e.entity === 'target') return targetChanges(e, ctx);
  if (e.entity === 'ledger_state') return workflowChanges(e, ctx);
  if (e.entity === 'reported_value') return reportedChanges(e, ctx);
  return genericChanges(e, ctx);
}

/** What an entry is about, in words: "协作项目 · 杰迪村产业科技大棚建设项目", "填报审核 · 协作项目", "目标 · 资金拨付率". */
export function entityLabel(e: AuditEntry, ctx: AuditContext): string {
  const { L, t } = ctx.i18n;
  const decl = ledgerOf(ctx, e.entity);
  if (decl) {
    const title = decl.fields.find((f) => f.name === decl.titleField);
    const rec = asRecord(decl, obj(e.after ?? e.before));
    const name = title ? displayValue(title, rec, ctx.categories, ctx.i18n) : '';
    return name ? `${L(decl.label)} · ${name}` : e.entityId ? `${L(decl.label)} #${e.entityId}` : L(decl.label);
  }
  const id = e.entityId ?? '';
  switch (e.entity) {
    case 'ledger_state': {
      const kind = id.split('/')[2] ?? '';
      return `${t('workflow')} · ${L(ledgerOf(ctx, kind)?.label) || kind}`;
    }
    case 'target': {
      const [org, , ind] = id.split('/');
      return `${t('target')} · ${L(ctx.indicators.get(ind ?? '')?.label) || ind}${org && org !== e.county ? `（${org}）` : ''}`;
    }
    case 'reported_value': {
      const m = /^(.*?)(?:\[(.*)\])?$/.exec(id)!;
      const el = ctx.elements.get(m[1]!);
      const dim = m[2] ? el?.dims?.find((d) => d.value === m[2]) : undefined;
      return `${t('reported')} · ${L(el?.label) || m[1]}${m[2] ? `（${dim ? dim[ctx.i18n.locale] : m[2]}）` : ''}`;
    }
    case 'narrative': {
      const section = id.split('#')[0] ?? '';
      const key = `section_${section}` as Key;
      return `${t('narrative')} · ${section ? t(key) : id}`;
    }
    case 'evidence': {
      const name = obj(e.after ?? e.before).filename;
      return `${t('evidence')}${name ? ` · ${String(name)}` : ''}`;
    }
    default: return id ? `${e.entity} ${id}` : e.entity;
  }
}
