/**
 * The report model: computed once from stored data, then printed by the Markdown, HTML and Word
 * renderers. Renderers add layout only; every word and figure of the report is in the model.
 */

/** A run of text. A figure's text is already formatted ("89.45%", "448.2582万元"); `ref` names its provenance entry. */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'figure'; text: string; ref: string };

/** Heading numbering (一、 （一） 1、) is part of the heading text. */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; parts: Inline[] }
  | { kind: 'table'; caption: string; columns: string[]; rows: Inline[][][]; align?: Array<'left' | 'right' | 'center'> }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'pagebreak' };

/** Where one figure comes from: the indicator and formula that compute it, and the records or reported values behind it. */
export interface ProvenanceEntry {
  id: string;
  label: string;
  value: string;
  indicator?: string;
  formula?: string;
  /** Human-readable, e.g. "donation #3 (2022) 天津学而思…", "reported value edu.pass_rate 2022". */
  sources: string[];
}

export interface ReportModel {
  title: string;
  subtitle?: string;
  issuer: string;
  /** ISO date (YYYY-MM-DD) the report bears. */
  date: string;
  /** ISO timestamp of generation; only the Markdown renderer prints it. */
  generatedAt?: string;
  locale: 'zh-CN' | 'en';
  blocks: Block[];
  /** Printed as the appendix 附录：数据来源. */
  provenance: ProvenanceEntry[];
}

/** The words the renderers add around the model, in the report's language. */
export function reportLabels(locale: ReportModel['locale']) {
  return locale === 'en'
    ? { generatedAt: 'Generated at: ', appendix: 'Appendix: Data sources', id: 'No.', label: 'Item', value: 'Value', derivation: 'How computed', sources: 'Sources', annex: 'Annex' }
    : { generatedAt: '生成时间：', appendix: '附录：数据来源', id: '编号', label: '项目', value: '数值', derivation: '计算方法', sources: '来源', annex: '附件' };
}

/** "2022年11月29日" for zh-CN (Arabic numerals, as GB/T 9704 writes dates); the ISO date itself for en or when it is not YYYY-MM-DD. */
export function formatReportDate(date: string, locale: ReportModel['locale']): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m || locale === 'en') return date;
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}
