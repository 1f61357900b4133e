import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { type Fen, fen, formatWan } from '../domain/money.ts';
import type { Block, Inline, ProvenanceEntry, ReportModel } from '../reports/model.ts';
import { checkTemplate, forLevel, headingNumber, parseSentence, type Piece, placeholders, render, type ReportTemplate, type TemplateBlock, type UnitLevel } from '../reports/template.ts';
import type { Store } from '../store/db.ts';
import type { LedgerRecord } from '../store/ledger-repo.ts';
import { LedgerRepo } from '../store/ledger-repo.ts';
import { anyLedgerStateOf } from '../store/ledger-state-repo.ts';
import { findCooperationPair } from '../store/orgunit-repo.ts';
import { anyReportedValueOf, findReportMeta, narrativesOf } from '../store/report-repo.ts';
import { categoryLabel, wholeLayer } from './config.ts';
import { invalid, notFound } from './errors.ts';
import { qualified } from '../domain/format.ts';
import { catalogueFor } from './catalogue.ts';
import { syntheticDataset } from './dataset.ts';
import { IndicatorEngine, type IndicatorResult } from './indicators.ts';
import { fullName, orgUnit } from './orgunits.ts';
import { type Actor, assertRead } from './scope.ts';

/** "7月13日至14日" or "5月30日至6月2日" from ISO dates. */
export function dateSpan(start: string, end?: string | null): string {
  const [, m1, d1] = start.split('-').map(Number);
  if (!end || end === start) return `${m1}月${d1}日`;
  const [, m2, d2] = end.split('-').map(Number);
  return m1 === m2 ? `${m1}月${d1}日至${d2}日` : `${m1}月${d1}日至${m2}月${d2}日`;
}

const qualText = (text: string, qual: unknown, unit: string, max?: string) => qualified(text, String(qual ?? 'exact'), unit, max ? { max } : {});

/** Ranges of ten thousand and more print as 1.2万–1.5万, the way reports write them; single counts print in full. */
const headCount = (n: number, range = false) => (range && n >= 10000 && n % 1000 === 0 ? `${n / 10000}万` : String(n));

/**
 * Collects the report's figures with their provenance: every figure is an inline bound to an
 * indicator or a record field, each with an entry naming the records or reported values behind it.
 */
class ReportBuilder {
  readonly blocks: Block[] = [];
  readonly provenance: ProvenanceEntry[] = [];
  private refs = new Map<string, string>();

  constructor(readonly engine: IndicatorEngine, readonly year: number) {}

  ind(id: string): Promise<IndicatorResult> {
    return this.engine.evaluate(id, this.year);
  }

  async refFor(r: IndicatorResult): Promise<string> {
    const key = `ind:${r.id}`;
    if (!this.refs.has(key)) {
      const ref = `F${this.provenance.length + 1}`;
      this.refs.set(key, ref);
      const exact = r.exactText && r.value !== null && r.exactText !== r.value ? `（精确值 ${r.exactText}）` : '';
      this.provenance.push({ id: ref, label: r.label.zh, value: `${r.display ?? '—'}${exact}`, indicator: r.id, formula: r.formula, sources: await this.engine.sources(r) });
    }
    return this.refs.get(key)!;
  }

  /** A figure stored on one record (a donation's value, a park's floor area). */
  recFig(kind: string, rec: LedgerRecord, field: string, text: string): Piece {
    const key = `rec:${kind}:${rec.id}:${field}`;
    if (!this.refs.has(key)) {
      const ref = `F${this.provenance.length + 1}`;
      this.refs.set(key, ref);
      const decl = ledgerDecl(kind)!;
      const f = decl.fields.find((x) => x.name === field)!;
      this.provenance.push({
        id: ref, label: `${decl.label.zh}·${f.label.zh}`, value: text,
        sources: [`台账「${decl.label.zh}」：${String(rec[decl.titleField] ?? '')}${rec.note ? `（出处：${String(rec.note)}）` : ''}`],
      });
    }
    return { kind: 'figure', text, ref: this.refs.get(key)! };
  }
}

type Ctx = Record<string, string | null>;

/** A table's caption with the template's numbering ("表{n}"), or the caption alone when the template numbers none. */
function tableCaption(t: ReportTemplate, n: number, caption: string): string {
  const prefix = t.words?.table?.replace('{n}', String(n));
  return prefix ? `${prefix}  ${caption}` : caption;
}

/** Items of a list joined by the block's separators (、 by default, `last` before the final one). */
function joinItems(items: Piece[][], blk: TemplateBlock): Piece[] {
  const out: Piece[] = [];
  items.forEach((it, i) => {
    if (i) out.push({ kind: 'text', text: i === items.length - 1 ? (blk.last ?? blk.sep ?? '、') : (blk.sep ?? '、') });
    out.push(...it);
  });
  return out;
}

/** Whether a record passes a template's `where`: value lists, `present`/`absent`, true/false. */
function matches(rec: LedgerRecord, where: Record<string, unknown> | undefined): boolean {
  if (!where) return true;
  return Object.entries(where).every(([k, want]) => {
    const v = rec[k];
    if (want === 'present') return v !== null && v !== undefined && v !== '';
    if (want === 'absent') return v === null || v === undefined || v === '';
    if (Array.isArray(want)) return want.includes(v);
    return v === want;
  });
}

const parsedTemplates = new Map<string, ReportTemplate>();

/**
 * The report template in force for a year and unit: the most specific of what is stored in the
 * database and shipped under config/ for the county, its prefecture, its province and the nation
 * (see wholeLayer). Parsed and checked once per stored version or file.
 */
export function reportTemplate(year: number, unit: string, store?: Store): ReportTemplate {
  const { data, source } = wholeLayer(year, unit, store, 'report', 'report.yaml');
  const key = source.from === 'stored' ? `db:${source.entry.id}` : `file:${source.path}`;
  let t = parsedTemplates.get(key);
  if (!t) {
    t = checkTemplate(data, source.from === 'stored' ? `stored template ${source.entry.unit || 'national'} ${source.entry.year} v${source.entry.version}` : source.path);
    parsedTemplates.set(key, t);
  }
  return t;
}

/** The names a report supplies to every sentence (besides indicators). */
export const CONTEXT_NAMES = ['unit', 'unit_full', 'partner', 'partner_short', 'partner_province', 'year', 'year-1', 'year-2', 'year+1', 'since', 'counties'] as const;

/** One problem a template has: which block, which sentence, and why. */
export interface TemplateProblem { block: number; sentence: string; zh: string; en: string }

/**
 * Checks a template against a year's catalogue and ledgers, beyond its syntax: every placeholder names
 * an indicator, a context name, a name its block supplies, or a field of the ledger the block walks;
 * every ledger exists. Returns every problem (empty when the template can be used).
 */
export function lintTemplate(tpl: ReportTemplate, year: number): TemplateProblem[] {
  const cat = catalogueFor(year);
  const out: TemplateProblem[] = [];
  tpl.blocks.forEach((b, i) => {
    const ledger = b.each ?? b.list ?? b.table?.ledger;
    if (ledger && !ledgerDecl(ledger)) out.push({ block: i, sentence: '', zh: `未知台账 ${ledger}`, en: `unknown ledger ${ledger}` });
    if (b.table?.indicator && !cat.byId.has(b.table.indicator)) out.push({ block: i, sentence: '', zh: `未知指标 ${b.table.indicator}`, en: `unknown indicator ${b.table.indicator}` });
    const extras = new Set<string>(b.list || b.extras ? ['items'] : b.targets === 'table' ? ['table'] : b.targets === 'missed' ? ['label', 'target', 'value', 'detail']
      : b.targets === 'unknown' || b.checks ? ['items', 'count'] : []);
    const itemExtras = new Set<string>(b.targets === 'unknown' ? ['label', 'target'] : b.checks ? ['label', 'detail'] : b.extras ? ['label', 'value'] : []);
    const check = (src: string, withRecord: boolean, names: Set<string>) => {
      for (const name of placeholders(parseSentence(src))) {
        const bad = (zh: string, en: string) => out.push({ block: i, sentence: src, zh, en });
        if (names.has(name) || (CONTEXT_NAMES as readonly string[]).includes(name)) continue;
        if (name.startsWith('r.')) {
          const decl = ledger ? ledgerDecl(ledger) : undefined;
          if (!withRecord || !decl) { bad(`${name} 只能用在台账列表（each、list 的 item、ledger 表格）中`, `${name} is only valid where a block walks a ledger`); continue; }
          const path = name.slice(2).split('|')[0]!;
          for (const f of path === 'produced' ? [] : path.split('~'))
            if (!decl.fields.some((x) => x.name === f)) bad(`台账 ${ledger} 没有字段 ${f}`, `ledger ${ledger} has no field ${f}`);
          continue;
        }
        const [id, view] = name.split(':');
        if (!cat.byId.has(id!)) bad(`未知指标 ${id}`, `unknown indicator ${id}`);
        else if (view !== undefined && view !== 'parts' && view !== 'claim') bad(`${name}：冒号后只能是 parts 或 claim`, `${name}: only :parts or :claim may follow an indicator`);
      }
    };
    const none = new Set<string>();
    for (const s of [b.h1, b.h2, b.h3]) if (typeof s === 'string') check(s, false, none);
    for (const s of Array.isArray(b.p) ? b.p : b.p ? [b.p] : []) check(s, !!b.each, extras);
    for (const s of [b.heading, b.intro]) if (typeof s === 'string') check(s, false, extras);
    if (typeof b.item === 'string') check(b.item, !!b.list, b.list ? none : itemExtras);
    if (b.table) {
      check(b.table.caption, false, none);
      for (const c of b.table.columns) if (typeof c !== 'string') check(c.cell, true, none);
    }
  });
  for (const s of [tpl.title, tpl.subtitle]) if (typeof s === 'string') for (const name of placeholders(parseSentence(s)))
    if (!(CONTEXT_NAMES as readonly string[]).includes(name) && !catalogueFor(year).byId.has(name.split(':')[0]!)) out.push({ block: -1, sentence: s, zh: `未知名称 ${name}`, en: `unknown name ${name}` });
  return out;
}

/**
 * Builds the self-assessment report of a unit-year (a county, a prefecture or a province) from stored
 * data through the year's report template. Every sentence appears only when its figures exist; record
 * lists and tables come from the ledgers; highlights, problems and plans are the unit's own narrative;
 * 存在的问题 opens with the targets and how each stands. Forbidden outside the actor's scope.
 */
export async function buildReport(store: Store, actor: Actor, unitCode: string, year: number, opts: { generatedAt?: string } = {}): Promise<ReportModel> {
  if (!/^\d{2}(\d{2}){0,2}$/.test(unitCode)) throw invalid('请给出县（6位）、市州（4位）或省（2位）区划代码', 'give a county (6-digit), prefecture (4-digit) or province (2-digit) code');
  await assertRead(store, actor, unitCode);
  const unit = await orgUnit(store, unitCode);
  if (!unit) throw notFound(`未找到区划 ${unitCode}`, `unit ${unitCode} not found`);
  const meta = await findReportMeta(store.db, unitCode, year);
  const engine = new IndicatorEngine(store, unitCode, year);
  const anyData = meta ?? (await anyLedgerStateOf(store.db, unitCode, year))
    ?? (await anyReportedValueOf(store.db, unitCode, year))
    ?? (unitCode.length < 6 && (await engine.countiesWithData(year)).length ? {} : undefined);
  if (!anyData) throw notFound(`${unit.name}${year}年尚无任何数据，无法生成报告`, `${unitCode} has no data for ${year}; there is nothing to report`);
  const template = reportTemplate(year, unitCode, store);
  const pair = meta?.partner_code ? await findCooperationPair(store.db, meta.partner_code, unitCode) : undefined;
  const partnerUnit = meta?.partner_code ? await orgUnit(store, meta.partner_code) : undefined;
  const partnerProvince = meta?.partner_code ? (await orgUnit(store, meta.partner_code.slice(0, 2)))?.name ?? null : null;
  const since = pair?.since ? /^(\d{4})-(\d{2})/.exec(pair.since) : null;
  const ctx: Ctx = {
    unit: unit.name, unit_full: await fullName(store, unit.code),
    partner: meta?.partner_code ? await fullName(store, meta.partner_code) : null,
    partner_short: partnerUnit?.name ?? null,
    partner_province: partnerProvince,
    year: String(year), 'year-1': String(year - 1), 'year-2': String(year - 2), 'year+1': String(year + 1),
    since: since ? `${since[1]}年${Number(since[2])}月` : null,
    counties: unitCode.length < 6 ? String((await engine.countiesWithData(year)).length || '') || null : null,
  };
  const b = new ReportBuilder(engine, year);
  const recCache = new Map<string, LedgerRecord[]>();
  const rec = async (kind: string) => {
    if (!ledgerDecl(kind)) throw invalid(`报告模板引用了未知台账 ${kind}`, `the report template names an unknown ledger ${kind}`);
    if (!recCache.has(kind)) recCache.set(kind, (await new LedgerRepo(store.db, ledgerDecl(kind)!).list(unitCode, year)).rows);
    return recCache.get(kind)!;
  };
  const narratives = await narrativesOf(store.db, unitCode, year);

  /** Resolves a record placeholder: r.field, r.field|单位, r.start~end, r.produced (its output rows). */
  const recordField = async (kind: string, r: LedgerRecord, spec: string): Promise<Piece[] | null> => {
    const [path, unitWord] = spec.split('|');
    const decl = ledgerDecl(kind)!;
    if (path!.includes('~')) {
      const [a, z] = path!.split('~');
      return r[a!] ? [{ kind: 'text', text: dateSpan(String(r[a!]), r[z!] as string | null) }] : null;
    }
    if (path === 'produced') {
      const outs = (await rec('output')).filter((o) => o.owner_kind === kind && o.owner === r[decl.titleField]);
      if (!outs.length) return null;
      const pieces: Piece[] = [];
      outs.forEach((o, i) => {
        if (i) pieces.push({ kind: 'text', text: '、' });
        const max = o.quantity_max;
        pieces.push({ kind: 'text', text: String(o.item) },
          b.recFig('output', o, 'quantity', qualText(headCount(Number(o.quantity), o.quantity_qual === 'range'), o.quantity_qual, String(o.unit), typeof max === 'number' ? headCount(max, true) : undefined)));
      });
      return pieces;
    }
    const f = decl.fields.find((x) => x.name === path);
    if (!f) throw invalid(`报告模板引用了台账 ${kind} 中不存在的字段 ${path}`, `the report template names an unknown field ${kind}.${path}`);
    const v = r[f.name];
    if (v === null || v === undefined || v === '') return null;
    switch (f.type) {
      case 'money': {
        const max = r[`${f.name}_max`];
        return [b.recFig(kind, r, f.name, qualText(formatWan(fen(Number(v)) as Fen), r[`${f.name}_qual`], '万元', typeof max === 'number' ? formatWan(fen(max) as Fen) : undefined))];
      }
      case 'int': {
        const max = r[`${f.name}_max`];
        return [b.recFig(kind, r, f.name, qualText(headCount(Number(v), r[`${f.name}_qual`] === 'range'), r[`${f.name}_qual`], unitWord ?? '', typeof max === 'number' ? headCount(max, true) : undefined))];
      }
      case 'enum': return [{ kind: 'text', text: categoryLabel(year, f.categories!, String(v), 'zh', unitCode, store) }];
      case 'date': return [{ kind: 'text', text: dateSpan(String(v)) }];
      case 'bool': return v ? [{ kind: 'text', text: '' }] : null;
      case 'code': case 'text': return [{ kind: 'text', text: String(v).replace(/；/g, '，') }];
    }
  };

  /** Resolves an indicator, breakdown, context or record placeholder; null when it has no value. */
  const resolver = (record?: { kind: string; r: LedgerRecord }, extra: Record<string, Piece[]> = {}) => async (name: string): Promise<Piece[] | null> => {
    if (name in extra) return extra[name]!.length ? extra[name]! : null;
    if (name.startsWith('r.')) {
      if (!record) throw invalid(`报告模板：${name} 只能用在台账列表中`, `report template: ${name} is only valid inside a record list`);
      return recordField(record.kind, record.r, name.slice(2));
    }
    if (name in ctx) return ctx[name] ? [{ kind: 'text', text: ctx[name]! }] : null;
    const [id, view] = name.split(':');
    if (!engine.cat.byId.has(id!)) throw invalid(`报告模板引用了未知指标 ${id}`, `the report template names an unknown indicator ${id}`);
    const r = await b.ind(id!);
    if (view === 'parts') {
      if (!r.breakdown?.length) return null;
      const ref = await b.refFor(r);
      const out: Piece[] = [];
      r.breakdown.forEach((e, i) => {
        if (i) out.push({ kind: 'text', text: '、' });
        out.push({ kind: 'text', text: e.label }, { kind: 'figure', text: e.display, ref });
      });
      return out;
    }
    if (view === 'claim') {
      const s = r.target?.reportedStatus;
      const word = s === 'exceeded' || s === 'met' ? template.words?.claim?.[s] : undefined;
      return word ? [{ kind: 'text', text: word }] : null;
    }
    if (r.display === null) return null;
    return [{ kind: 'figure', text: r.display, ref: await b.refFor(r) }];
  };

  const toInline = (p: Piece[]): Inline[] => {
    const out: Inline[] = [];
    for (const x of p) {
      const last = out[out.length - 1];
      if (x.kind === 'text' && last?.kind === 'text') last.text += x.text;
      else if (x.kind === 'text' && !x.text) continue;
      else out.push(x.kind === 'text' ? { kind: 'text', text: x.text } : { kind: 'figure', text: x.text, ref: x.ref });
    }
    return out;
  };
  /**
   * One sentence: null when a required figure is missing, and also when it has placeholders but every
   * one of them sat in a dropped group (nothing but punctuation would remain). Punctuation left at the
   * start by a dropped leading group goes.
   */
  const sentence = async (src: string, res: (n: string) => Promise<Piece[] | null>) => {
    const nodes = parseSentence(src);
    const out = await render(nodes, async (n) => { const r = await res(n); return r ? r.map((x) => ({ ...x, ph: true })) : null; });
    if (!out || (placeholders(nodes).length > 0 && !out.some((x) => x.ph))) return null;
    return out;
  };
  /** Punctuation left at the start of a paragraph by a dropped leading group goes. */
  const trimLead = (out: Piece[]) => {
    const first = out.find((x) => x.kind === 'figure' || x.text !== '');
    if (first?.kind === 'text') first.text = first.text.replace(/^[，；、。]+/, '');
    return out;
  };
  const paragraph = async (srcs: string | string[] | undefined, res: (n: string) => Promise<Piece[] | null>) => {
    const pieces: Piece[] = [];
    for (const s of Array.isArray(srcs) ? srcs : srcs ? [srcs] : []) {
      const r = await sentence(s, res);
      if (r) pieces.push(...r);
    }
    if (pieces.length) b.blocks.push({ kind: 'paragraph', parts: toInline(trimLead(pieces)) });
  };
  let tables = 0;
  const all = () => engine.all();

  const level: UnitLevel = unitCode.length === 2 ? 'province' : unitCode.length === 4 ? 'prefecture' : 'county';
  for (const blk of (template.blocks as TemplateBlock[]).filter((x) => forLevel(x, level))) {
    if (blk.h1 || blk.h2 || blk.h3) {
      const level = blk.h1 ? 1 : blk.h2 ? 2 : 3;
      const r = await sentence((blk.h1 ?? blk.h2 ?? blk.h3)!, resolver());
      if (r) b.blocks.push({ kind: 'heading', level, text: toInline(r).map((x) => x.text).join('') });
    } else if (blk.each) {
      for (const r of (await rec(blk.each)).filter((x) => matches(x, blk.where))) await paragraph(blk.p, resolver({ kind: blk.each, r }));
    } else if (blk.list) {
      const items: Piece[][] = [];
      for (const r of (await rec(blk.list)).filter((x) => matches(x, blk.where))) {
        const it = await sentence(blk.item ?? '', resolver({ kind: blk.list, r }));
        if (it) items.push(it);
      }
      await paragraph(blk.p, resolver(undefined, { items: joinItems(items, blk) }));
    } else if (blk.extras) {
      // The unit's own figures of this section (or, for `other`, of sections no block of the template prints).
      const named = new Set(template.blocks.map((x) => x.extras).filter((x) => x && x !== 'other'));
      const mine = engine.cat.indicators.filter((d) => d.own && (blk.extras === 'other' ? !named.has(d.section) : d.section === blk.extras));
      const items: Piece[][] = [];
      for (const d of mine) {
        const r = await b.ind(d.id);
        if (r.display === null) continue;
        const it = await sentence(blk.item ?? '', resolver(undefined, { label: [{ kind: 'text', text: r.label.zh }], value: [{ kind: 'figure', text: r.display, ref: await b.refFor(r) }] }));
        if (it) items.push(it);
      }
      await paragraph(blk.p, resolver(undefined, { items: joinItems(items, blk) }));
    } else if (blk.p && !blk.targets && !blk.checks) {
      await paragraph(blk.p, resolver());
    } else if (blk.table) {
      const t = blk.table;
      const heads = t.columns.map((c) => (typeof c === 'string' ? c : c.head));
      const caption = async () => { const c = await sentence(t.caption, resolver()); return c ? tableCaption(template, ++tables, toInline(c).map((x) => x.text).join('')) : null; };
      if (t.indicator) {
        const r = await b.ind(t.indicator);
        if (!r.breakdown?.length) continue;
        const ref = await b.refFor(r);
        const cap = await caption();
        if (!cap) continue;
        const strip = (s: string) => s.replace(/万元$/, '');
        b.blocks.push({
          kind: 'table', caption: cap, columns: heads, align: ['left', 'right'],
          rows: [...r.breakdown.map((e) => [[{ kind: 'text' as const, text: e.label }], [{ kind: 'figure' as const, text: strip(e.display), ref }]]),
            ...(t.total !== false && r.value && template.words?.total ? [[[{ kind: 'text' as const, text: template.words.total }], [{ kind: 'figure' as const, text: r.value, ref }]]] : [])],
        });
      } else if (t.ledger) {
        const rows: Inline[][][] = [];
        for (const r of (await rec(t.ledger)).filter((x) => matches(x, t.where))) {
          const row: Inline[][] = [];
          for (const c of t.columns) {
            const cell = typeof c === 'string' ? null : await sentence(c.cell, resolver({ kind: t.ledger, r }));
            row.push(cell ? toInline(cell) : [{ kind: 'text', text: '—' }]);
          }
          rows.push(row);
        }
        const cap = rows.length ? await caption() : null;
        if (cap) b.blocks.push({ kind: 'table', caption: cap, columns: heads, rows, align: t.columns.map((c) => (typeof c === 'string' ? 'left' : c.align ?? 'left')) });
      }
    } else if (blk.narrative) {
      for (const n of narratives.filter((x) => x.section === blk.narrative)) {
        if (n.title) b.blocks.push({ kind: 'heading', level: 2, text: n.title });
        b.blocks.push({ kind: 'paragraph', parts: [{ kind: 'text', text: n.body.replace(/\s*\n\s*/g, '') }] });
      }
    } else if (blk.targets === 'table') {
      const targeted = (await all()).filter((r) => r.target);
      if (!targeted.length) continue;
      const rows: Inline[][][] = [];
      for (const r of targeted) {
        const s = r.target!.reportedStatus;
        const claim = s === 'exceeded' || s === 'met' ? blk.claims?.[s] ?? '' : '';
        rows.push([[{ kind: 'text', text: r.label.zh }], [{ kind: 'text', text: r.target!.display }],
          [r.display ? { kind: 'figure', text: r.display, ref: await b.refFor(r) } : { kind: 'text', text: '—' }], [{ kind: 'text', text: `${blk.status?.[r.status] ?? '—'}${claim}` }]]);
      }
      const cap = tableCaption(template, tables + 1, blk.caption ?? '');
      await paragraph(blk.intro, resolver(undefined, { table: [{ kind: 'text', text: tableCaption(template, tables + 1, '').trim() }] }));
      tables++;
      b.blocks.push({ kind: 'table', caption: cap, columns: blk.columns ?? [], align: ['left', 'left', 'right', 'center'], rows });
    } else if (blk.targets === 'missed') {
      const notes = new Map(narratives.filter((n) => n.section === 'problem_note').map((n) => [n.title ?? '', n.body.replace(/\s*\n\s*/g, '')]));
      for (const r of (await all()).filter((x) => x.status === 'missed' && x.target)) {
        const detailId = engine.cat.byId.get(r.id)?.detail;
        const detail = detailId ? await resolver()(`${detailId}:parts`) : null;
        const extra = {
          label: [{ kind: 'text' as const, text: r.label.zh }], target: [{ kind: 'text' as const, text: r.target!.display }],
          value: r.display ? [{ kind: 'figure' as const, text: r.display, ref: await b.refFor(r) }] : [], detail: detail ?? [],
        };
        const head = blk.heading ? await sentence(blk.heading, resolver(undefined, extra)) : null;
        if (head) b.blocks.push({ kind: 'heading', level: 2, text: toInline(head).map((x) => x.text).join('') });
        const pieces = blk.p ? await sentence(Array.isArray(blk.p) ? blk.p.join('') : blk.p, resolver(undefined, extra)) : null;
        const note = notes.get(r.id);
        if (pieces || note) b.blocks.push({ kind: 'paragraph', parts: toInline([...(pieces ?? []), ...(note ? [{ kind: 'text' as const, text: note }] : [])]) });
      }
    } else if (blk.targets === 'unknown') {
      const unknown = (await all()).filter((r) => r.status === 'no_data' && r.target && r.target.value !== null);
      const items: Piece[][] = [];
      for (const r of unknown) {
        const it = await sentence(blk.item ?? '', resolver(undefined, { label: [{ kind: 'text', text: r.label.zh }], target: [{ kind: 'text', text: r.target!.display }] }));
        if (it) items.push(it);
      }
      await paragraph(blk.p, resolver(undefined, { items: joinItems(items, blk), count: items.length ? [{ kind: 'text', text: String(items.length) }] : [] }));
    } else if (blk.checks) {
      const failures = (await engine.rules()).filter((r) => r.ok === false);
      const items: Piece[][] = [];
      for (const r of failures) {
        const it = await sentence(blk.item ?? '', resolver(undefined, { label: [{ kind: 'text', text: r.label.zh }], detail: [{ kind: 'text', text: r.detail.zh }] }));
        if (it) items.push(it);
      }
      await paragraph(blk.p, resolver(undefined, { items: joinItems(items, blk), count: items.length ? [{ kind: 'text', text: String(items.length) }] : [] }));
    }
  }

  // Headings without content under them go; the rest are numbered 一、 （一） 1、 in order.
  const kept: Block[] = [];
  b.blocks.forEach((blk, i) => {
    if (blk.kind === 'heading') {
      const next = b.blocks.slice(i + 1).find((x) => x.kind === 'heading' && x.level <= blk.level);
      const hasContent = b.blocks.slice(i + 1, next ? b.blocks.indexOf(next, i + 1) : undefined).some((x) => x.kind !== 'heading');
      if (!hasContent) return;
    }
    kept.push(blk);
  });
  const counters = [0, 0, 0];
  const numbered = kept.map((blk) => {
    if (blk.kind !== 'heading') return blk;
    counters[blk.level - 1]!++;
    for (let l = blk.level; l < 3; l++) counters[l] = 0;
    return { ...blk, text: `${headingNumber(blk.level, counters[blk.level - 1]!)}${blk.text}` };
  });

  // A generated dataset says so before anything else: its figures describe no real county.
  const synthetic = await syntheticDataset(store);
  if (synthetic) {
    const text = (template.words?.synthetic ?? '【合成数据】本报告依据系统生成的合成数据（种子{seed}，{counties}个县）编制，不反映任何真实单位的工作。')
      .replace('{seed}', String(synthetic.seed)).replace('{counties}', String(synthetic.counties));
    numbered.unshift({ kind: 'paragraph', parts: [{ kind: 'text', text }] });
  }

  const fill = async (s: string | undefined) => (s ? toInline((await sentence(s, resolver())) ?? []).map((x) => x.text).join('') : undefined);
  return {
    title: (await fill(template.title)) ?? unit.name, subtitle: await fill(template.subtitle), issuer: meta?.issuer ?? unit.name, date: meta?.report_date ?? `${year}-12-31`,
    generatedAt: opts.generatedAt ?? `${new Date().toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}（北京时间）`, locale: 'zh-CN', blocks: numbered, provenance: b.provenance,
  };
}
