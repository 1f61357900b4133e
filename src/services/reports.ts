import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { type Fen, fen, formatWan } from '../domain/money.ts';
import type { Block, Inline, ProvenanceEntry, ReportModel } from '../reports/model.ts';
import { checkTemplate, headingNumber, parseSentence, type Piece, placeholders, render, type ReportTemplate, type TemplateBlock } from '../reports/template.ts';
import type { Store } from '../store/db.ts';
import type { LedgerRecord } from '../store/ledger-repo.ts';
import { LedgerRepo } from '../store/ledger-repo.ts';
import { categoryLabel, configFile, configYear, ROOT, unitChain } from './config.ts';
import { invalid, notFound } from './errors.ts';
import { IndicatorEngine, type IndicatorResult } from './indicators.ts';
import { fullName, orgUnit } from './orgunits.ts';
import { type Actor, assertRead } from './scope.ts';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';

/** "7月13日至14日" or "5月30日至6月2日" from ISO dates. */
export function dateSpan(start: string, end?: string | null): string {
  const [, m1, d1] = start.split('-').map(Number);
  if (!end || end === start) return `${m1}月${d1}日`;
  const [, m2, d2] = end.split('-').map(Number);
  return m1 === m2 ? `${m1}月${d1}日至${d2}日` : `${m1}月${d1}日至${m2}月${d2}日`;
}

const qualText = (text: string, qual: unknown, unit: string, max?: string) =>
  qual === 'about' ? `约${text}${unit}` : qual === 'over' ? `${text}余${unit}` : qual === 'range' && max ? `${text}–${max}${unit}` : `${text}${unit}`;

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

/** The report template of a year and unit: the province's own file when it has one, else the year's. */
export function reportTemplate(year: number, unit: string): ReportTemplate {
  const dir = join(ROOT, 'config', String(configYear(year)));
  for (const u of unitChain(unit).reverse()) {
    const path = join(dir, u.length === 2 ? 'provinces' : 'units', u, 'report.yaml');
    if (existsSync(path)) return checkTemplate(parse(readFileSync(path, 'utf8')), path);
  }
  const f = configFile(year, 'report.yaml');
  return checkTemplate(f.data, f.path);
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
  const meta = await store.db.selectFrom('report_meta').selectAll().where('county_code', '=', unitCode).where('year', '=', year).executeTakeFirst();
  const engine = new IndicatorEngine(store, unitCode, year);
  const anyData = meta ?? (await store.db.selectFrom('ledger_state').select('ledger').where('county_code', '=', unitCode).where('year', '=', year).executeTakeFirst())
    ?? (await store.db.selectFrom('reported_value').select('id').where('county_code', '=', unitCode).where('year', '=', year).executeTakeFirst())
    ?? (unitCode.length < 6 && (await engine.countiesWithData(year)).length ? {} : undefined);
  if (!anyData) throw notFound(`${unit.name}${year}年尚无任何数据，无法生成报告`, `${unitCode} has no data for ${year}; there is nothing to report`);
  const template = reportTemplate(year, unitCode);
  const pair = meta?.partner_code ? await store.db.selectFrom('cooperation_pair').selectAll().where('east_code', '=', meta.partner_code).where('west_code', '=', unitCode).executeTakeFirst() : undefined;
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
  const narratives = await store.db.selectFrom('narrative').selectAll().where('county_code', '=', unitCode).where('year', '=', year).orderBy('section').orderBy('seq').execute();

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
      case 'enum': return [{ kind: 'text', text: categoryLabel(year, f.categories!, String(v), 'zh', unitCode) }];
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
      return s === 'exceeded' ? [{ kind: 'text', text: '超额完成' }] : s === 'met' ? [{ kind: 'text', text: '完成' }] : null;
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

  for (const blk of template.blocks as TemplateBlock[]) {
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
      const joined: Piece[] = [];
      items.forEach((it, i) => {
        if (i) joined.push({ kind: 'text', text: i === items.length - 1 ? (blk.last ?? blk.sep ?? '、') : (blk.sep ?? '、') });
        joined.push(...it);
      });
      await paragraph(blk.p, resolver(undefined, { items: joined }));
    } else if (blk.p) {
      await paragraph(blk.p, resolver());
    } else if (blk.table) {
      const t = blk.table;
      const heads = t.columns.map((c) => (typeof c === 'string' ? c : c.head));
      const caption = async () => { const c = await sentence(t.caption, resolver()); return c ? `表${++tables}  ${toInline(c).map((x) => x.text).join('')}` : null; };
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
            ...(t.total !== false && r.value ? [[[{ kind: 'text' as const, text: '合计' }], [{ kind: 'figure' as const, text: r.value, ref }]]] : [])],
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
      const STATUS = { met: '达到', missed: '未达到', no_data: '无法评价', no_target: '—' } as const;
      const rows: Inline[][][] = [];
      for (const r of targeted) {
        const claim = r.target!.reportedStatus === 'exceeded' ? '（自评超额完成）' : r.target!.reportedStatus === 'met' ? '（自评完成）' : '';
        rows.push([[{ kind: 'text', text: r.label.zh }], [{ kind: 'text', text: r.target!.display }],
          [r.display ? { kind: 'figure', text: r.display, ref: await b.refFor(r) } : { kind: 'text', text: '—' }], [{ kind: 'text', text: `${STATUS[r.status]}${claim}` }]]);
      }
      b.blocks.push({ kind: 'paragraph', parts: [{ kind: 'text', text: `对照上级下达的目标任务，自评情况见表${tables + 1}。` }] });
      b.blocks.push({ kind: 'table', caption: `表${++tables}  目标任务完成情况`, columns: ['指标', '目标', '完成', '结果'], align: ['left', 'left', 'right', 'center'], rows });
    } else if (blk.targets === 'missed') {
      const notes = new Map(narratives.filter((n) => n.section === 'problem_note').map((n) => [n.title ?? '', n.body.replace(/\s*\n\s*/g, '')]));
      for (const r of (await all()).filter((x) => x.status === 'missed' && x.target)) {
        b.blocks.push({ kind: 'heading', level: 2, text: `${r.label.zh}未达到目标` });
        const detailId = engine.cat.byId.get(r.id)?.detail;
        const pieces = await sentence(`${r.label.zh}全年为{${r.id}}，未达到“${r.target!.display}”的目标${detailId ? `[（计划${'{'}${detailId}:parts${'}'}）]` : ''}。`, resolver());
        const note = notes.get(r.id);
        if (pieces || note) b.blocks.push({ kind: 'paragraph', parts: toInline([...(pieces ?? []), ...(note ? [{ kind: 'text' as const, text: note }] : [])]) });
      }
    } else if (blk.targets === 'unknown') {
      const unknown = (await all()).filter((r) => r.status === 'no_data' && r.target && r.target.value !== null);
      if (unknown.length) b.blocks.push({ kind: 'paragraph', parts: [{ kind: 'text', text: `以下目标尚缺少数据，暂无法评价：${unknown.map((r) => `${r.label.zh}（目标${r.target!.display}）`).join('；')}。` }] });
    } else if (blk.checks) {
      const failures = (await engine.rules()).filter((r) => r.ok === false);
      if (failures.length)
        b.blocks.push({ kind: 'paragraph', parts: [{ kind: 'text', text: `【数据校验提示】以下${failures.length}项校验未通过，相关数字请核实后再使用：${failures.map((r) => `${r.label.zh}（${r.detail.zh}）`).join('；')}。` }] });
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

  const fill = async (s: string | undefined) => (s ? toInline((await sentence(s, resolver())) ?? []).map((x) => x.text).join('') : undefined);
  return {
    title: (await fill(template.title)) ?? unit.name, subtitle: await fill(template.subtitle), issuer: meta?.issuer ?? unit.name, date: meta?.report_date ?? `${year}-12-31`,
    generatedAt: opts.generatedAt ?? `${new Date().toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}（北京时间）`, locale: 'zh-CN', blocks: numbered, provenance: b.provenance,
  };
}
