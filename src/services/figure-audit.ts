import { extname } from 'node:path';
import { auditText, type CrossRelation, crossDocumentRelations, extractFigures, type Figure, type TextAudit } from '../domain/figures-audit/index.ts';
import { Rational } from '../domain/rational.ts';
import { xmlText, zipEntry } from '../reports/docx-text.ts';
import type { Store } from '../store/db.ts';
import { invalid } from './errors.ts';
import { IndicatorEngine, type IndicatorResult } from './indicators.ts';
import { type Actor, assertRead } from './scope.ts';

/** Largest document the auditor reads (text after extraction). */
export const MAX_AUDIT_CHARS = 2_000_000;
export const AUDIT_EXTENSIONS = ['.txt', '.md', '.docx'] as const;

/**
 * The body of a .docx with its tables as Markdown rows ("| 用途 | 金额（万元） |"), so that table cells are
 * read as a table (a 合计 row against its column) and never as a run of prose.
 */
function docxWithTables(bytes: Buffer): string {
  const xml = zipEntry(bytes, 'word/document.xml').toString('utf8');
  const out: string[] = [];
  let at = 0;
  for (const m of xml.matchAll(/<w:tbl\b[\s\S]*?<\/w:tbl>/g)) {
    out.push(xmlText(xml.slice(at, m.index)));
    const rows = [...m[0].matchAll(/<w:tr\b[\s\S]*?<\/w:tr>/g)].map((r) =>
      `| ${[...r[0].matchAll(/<w:tc\b[\s\S]*?<\/w:tc>/g)].map((c) => xmlText(c[0]).replace(/\s*\n\s*/g, ' ').replace(/\|/g, '｜').trim()).join(' | ')} |`);
    if (rows.length) out.push(['', rows[0]!, `|${' --- |'.repeat(Math.max(1, rows[0]!.split('|').length - 2))}`, ...rows.slice(1), ''].join('\n'));
    at = m.index + m[0].length;
  }
  out.push(xmlText(xml.slice(at)));
  return out.join('\n');
}

/**
 * The text of an uploaded or named document: .txt and .md as UTF-8 (a BOM is dropped), .docx through its
 * zip (the body's paragraphs, one per line). Throws Invalid, naming the file, for any other type, for a
 * .docx that is not a Word document, and for text that is not UTF-8.
 */
export async function documentText(name: string, bytes: Buffer): Promise<string> {
  const ext = extname(name).toLowerCase();
  let text: string;
  if (ext === '.docx') {
    try {
      text = docxWithTables(bytes);
    } catch (e) {
      throw invalid(`${name}：不是有效的 Word 文档（${(e as Error).message}）`, `${name}: not a valid Word document (${(e as Error).message})`);
    }
  } else if (ext === '.txt' || ext === '.md') {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
    } catch {
      throw invalid(`${name}：文本不是 UTF-8 编码`, `${name}: the text is not UTF-8`);
    }
  } else {
    throw invalid(`${name}：只能核查 .txt、.md 或 .docx 文件`, `${name}: only .txt, .md and .docx files can be audited`);
  }
  if (text.length > MAX_AUDIT_CHARS) throw invalid(`${name}：文本超过 ${MAX_AUDIT_CHARS} 字`, `${name}: the text is longer than ${MAX_AUDIT_CHARS} characters`);
  return text;
}

export type DataVerdict = 'supported' | 'contradicted' | 'unchecked';

export interface DataCheck {
  figure: number;
  text: string;
  verdict: DataVerdict;
  indicator?: { id: string; label: string; display: string | null };
  detail: { zh: string; en: string };
  /** Where the system's figure comes from: records and reported values, as the report's appendix names them. */
  trace?: string[];
}

export interface DocumentAudit extends TextAudit {
  name: string;
  text: string;
  data?: { county: string; year: number; checks: DataCheck[]; supported: number; contradicted: number; unchecked: number };
}

const UNIT_KIND: Record<string, string[]> = {
  people: ['人'], households: ['户'], pairs: ['对'], times: ['次'], sessions: ['场'], enterprises: ['家'], items: ['个', '项'], villages: ['个', '村'], sqm: ['平方米'],
};

function compatible(f: Figure, r: IndicatorResult): boolean {
  if (r.unit === 'money' || r.unit === 'yuan') return f.dim === 'money';
  if (r.unit === 'percent') return f.dim === 'percent';
  if (r.unit === 'pp') return f.dim === 'pp';
  return f.dim === 'count' && (UNIT_KIND[r.unit] ?? []).includes(f.kind);
}

/** The stated figure in the indicator's exact scale: money in 分, others as written. */
function statedExact(f: Figure): Rational {
  return f.dim === 'money' ? f.value.mul(Rational.of(100)) : f.value;
}

// Two characters shared by nearly every label say nothing about which figure is meant.
const GENERIC = new Set(['干部', '资金', '项目', '人员', '企业', '帮扶', '协作', '东部', '西部', '人数', '其中', '投入', '合计', '全县', '实施']);

/** Longest run of Chinese characters the two texts share (a generic two-character word counts as none). */
function overlap(a: string, b: string): number {
  let best = 0;
  let bestText = '';
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) {
    let k = 0;
    while (i + k < a.length && j + k < b.length && a[i + k] === b[j + k] && /[\u4e00-\u9fa5]/.test(a[i + k]!)) k++;
    if (k > best) { best = k; bestText = a.slice(i, i + k); }
  }
  return best === 2 && GENERIC.has(bestText) ? 0 : best;
}

/** A figure that is one entry of an indicator's breakdown (6次 of the 15 meetings by type), named by the entry's label. */
function partMatch(f: Figure, words: string, results: IndicatorResult[]): { r: IndicatorResult } | undefined {
  const shown = f.dim === 'money' ? f.value.div(Rational.of(10_000)).toNumber() : f.value.toNumber();
  for (const r of results) {
    if (!compatible(f, r)) continue;
    const e = r.breakdown?.find((b) => b.raw !== null && Math.abs(b.raw - shown) < 1e-9 && overlap(words, b.label) >= 2);
    if (e) return { r: { ...r, label: { zh: `${r.label.zh}·${e.label}`, en: `${r.label.en} · ${e.labelEn ?? e.label}` }, display: e.display, displayEn: e.displayEn ?? e.display } };
  }
  return undefined;
}

/** Whether the stated figure equals the indicator's value, exactly or at the precision it is stated to. */
function agrees(f: Figure, r: IndicatorResult): boolean {
  if (!r.exact) return false;
  const v = statedExact(f);
  if (v.eq(r.exact)) return true;
  if (f.qual !== 'exact') return r.exact.sub(v).abs().cmp(v.abs().mul(Rational.ratio(1n, 10n))) <= 0;
  const res = f.dim === 'money' ? f.resolution.mul(Rational.of(100)) : f.resolution;
  return Rational.parse(r.exact.div(res).toDecimalString(0)).mul(res).eq(v);
}

/**
 * Holds the figures of an audited text against the system's indicators for a county-year, through the
 * indicator engine: a figure whose words name an indicator and whose value agrees is supported; one that
 * names it and disagrees is contradicted (with the sources behind the system's value); any other figure
 * cannot be checked. Scoped like every read; throws Forbidden outside the actor's units.
 */
export async function checkAgainstData(store: Store, actor: Actor, county: string, year: number, text: string): Promise<NonNullable<DocumentAudit['data']>> {
  await assertRead(store, actor, county);
  const engine = new IndicatorEngine(store, county, year);
  const results = (await engine.all()).filter((r) => r.exact !== null);
  const x = extractFigures(text);
  const checks: DataCheck[] = [];
  for (const f of x.figures) {
    const words = (f.label + f.after).replace(/[\d.%]/g, '');
    const scored = results.filter((r) => compatible(f, r)).map((r) => ({ r, score: overlap(words, r.label.zh) })).filter((s) => s.score >= 2)
      .sort((a, b) => b.score - a.score);
    const match = scored.find((s) => agrees(f, s.r)) ?? partMatch(f, words, results);
    if (match) {
      checks.push({ figure: f.id, text: f.text, verdict: 'supported', indicator: { id: match.r.id, label: match.r.label.zh, display: match.r.display },
        detail: { zh: `与系统指标「${match.r.label.zh}」${match.r.display ?? ''}相符`, en: `agrees with the indicator “${match.r.label.en}” ${match.r.displayEn ?? match.r.display ?? ''}` } });
      continue;
    }
    // Contradicted only when the words name the indicator closely: its whole label, or four characters of it.
    // A planned or target figure (拟, 计划, 力争) is not the achieved one the indicator counts.
    const planned = /拟|计划|目标|力争|预计|任务/.test(f.label);
    // Contradicted only when the words just before the figure are the indicator's label, or end as it ends
    // and share three characters with it; an indicator with a breakdown may be stated by its parts.
    const tail = f.label.replace(/[\d.%]/g, '').replace(/(等|为|达|共|共计|合计|累计|总计)+$/, '');
    const strong = planned || f.qual !== 'exact' ? undefined : results.filter((r) => compatible(f, r) && !r.breakdown?.length)
      .map((r) => ({ r, score: overlap(tail, r.label.zh) }))
      .filter((s) => tail.endsWith(s.r.label.zh) || (s.score >= 3 && tail.endsWith(s.r.label.zh.slice(-2)))).sort((a, b) => b.score - a.score)[0];
    if (strong) {
      checks.push({ figure: f.id, text: f.text, verdict: 'contradicted', indicator: { id: strong.r.id, label: strong.r.label.zh, display: strong.r.display },
        detail: { zh: `文中为 ${f.text}，系统指标「${strong.r.label.zh}」为 ${strong.r.display ?? '—'}`, en: `the text says ${f.text}; the indicator “${strong.r.label.en}” is ${strong.r.displayEn ?? strong.r.display ?? '—'}` },
        trace: await engine.sources(strong.r) });
      continue;
    }
    checks.push({ figure: f.id, text: f.text, verdict: 'unchecked', detail: { zh: '系统中没有可对照的指标', en: 'no indicator in the system to compare with' } });
  }
  const count = (v: DataVerdict) => checks.filter((c) => c.verdict === v).length;
  return { county, year, checks, supported: count('supported'), contradicted: count('contradicted'), unchecked: count('unchecked') };
}

/** Figures the documents state in common, for two or more documents audited together. */
export function acrossDocuments(docs: Array<{ name: string; text: string }>): CrossRelation[] {
  return docs.length > 1 ? crossDocumentRelations(docs) : [];
}

/** Audits each document's text, and with a county and year holds its figures against the data too. */
export async function auditDocuments(
  docs: Array<{ name: string; text: string }>,
  against?: { store: Store; actor: Actor; county: string; year: number },
): Promise<DocumentAudit[]> {
  const out: DocumentAudit[] = [];
  for (const d of docs) {
    const a: DocumentAudit = { name: d.name, text: d.text, ...auditText(d.text) };
    if (against) a.data = await checkAgainstData(against.store, against.actor, against.county, against.year, d.text);
    out.push(a);
  }
  return out;
}
