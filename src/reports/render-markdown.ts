import { type Block, type Inline, type ProvenanceEntry, type ReportModel, formatReportDate, reportLabels } from './model.ts';
import { derivationInWords } from './method-words.ts';

type ProvenanceLocale = ReportModel['locale'];

/**
 * Markdown text of a report: title `#`, section levels 1–3 as `##`–`####`, GitHub tables, and the
 * provenance appendix. Figures print as their text only; their ids appear in the appendix alone.
 * The same model always gives the same text.
 */
export function renderMarkdown(m: ReportModel): string {
  const L = reportLabels(m.locale);
  const out: string[] = [`# ${escapeText(oneLine(m.title))}`];
  if (m.subtitle) out.push(escapeBlockStart(escapeText(oneLine(m.subtitle))));
  out.push(`${escapeBlockStart(escapeText(oneLine(m.issuer)))}  \n${escapeText(formatReportDate(m.date, m.locale))}`);
  if (m.generatedAt) out.push(`${L.generatedAt}${escapeText(m.generatedAt)}`);
  for (const b of m.blocks) {
    const s = block(b);
    if (s) out.push(s);
  }
  if (m.provenance.length) out.push(`## ${escapeText(L.appendix)}`, appendix(m.provenance, L, m.locale));
  return `${out.join('\n\n')}\n`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level + 1)} ${escapeText(oneLine(b.text))}`;
    case 'paragraph':
      return escapeBlockStart(inlines(b.parts));
    case 'list':
      return b.items.map((it) => `- ${inlines(it)}`).join('\n');
    case 'table': {
      const align = b.columns.map((_, i) => b.align?.[i] ?? 'left');
      const lines = [
        `**${escapeText(oneLine(b.caption))}**`,
        '',
        row(b.columns.map((c) => escapeText(oneLine(c)))),
        row(align.map((a) => (a === 'right' ? '---:' : a === 'center' ? ':---:' : ':---'))),
        ...b.rows.map((r) => row(b.columns.map((_, i) => inlines(r[i] ?? [])))),
      ];
      return lines.join('\n');
    }
    case 'pagebreak':
      return '';
  }
}

function appendix(entries: readonly ProvenanceEntry[], L: ReturnType<typeof reportLabels>, locale: ProvenanceLocale): string {
  const lines = [
    row([L.id, L.label, L.value, L.derivation, L.sources].map(escapeText)),
    row([':---', ':---', '---:', ':---', ':---']),
  ];
  for (const p of entries) {
    const derivation = escapeText(oneLine(derivationInWords(p, entries, locale)));
    lines.push(row([`[${escapeText(oneLine(p.id))}]`, escapeText(oneLine(p.label)), escapeText(oneLine(p.value)), derivation,
      p.sources.map((s) => escapeText(oneLine(s))).join('；')]));
  }
  return lines.join('\n');
}

const row = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|') || ' ').join(' | ')} |`;

const inlines = (parts: readonly Inline[]) => escapeText(oneLine(parts.map((p) => p.text).join('')));

/** Line breaks inside a block would end it; CJK text joins without a space, other text with one. */
function oneLine(s: string): string {
  return s.replace(/\s*\r?\n\s*/g, (_, offset: number, all: string) => {
    const before = all[offset - 1] ?? '';
    return /[\u3000-\u9fff\uff00-\uffef]/.test(before) ? '' : ' ';
  }).trim();
}

/**
 * Characters with inline Markdown meaning print literally. An underscore inside a word cannot start
 * emphasis and a lone `]` cannot close a link, so those stay as they are.
 */
function escapeText(s: string): string {
  return s.replace(/[\\`*[<>~]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\$&');
}

/** A block never starts as a heading, list item, quote or rule by accident. */
function escapeBlockStart(s: string): string {
  return s.replace(/^(\s*)([#>+=-]|\d+[.)])/, (_, ws: string, mark: string) => `${ws}${mark.replace(/([#>+=\-.)])$/, '\\$1')}`);
}

