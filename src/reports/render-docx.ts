import {
  AlignmentType, BorderStyle, Document, DocumentGridType, Footer, LineRuleType, OnOffElement, Packer, PageNumber, Paragraph, Table, TableCell,
  TableLayoutType, TableRow, TextRun, VerticalAlignTable, WidthType,
  type IRunOptions, type ISpacingProperties,
} from 'docx';
import { derivationInWords } from './method-words.ts';
import { type Block, type Inline, type ProvenanceEntry, type ReportModel, formatReportDate, reportLabels } from './model.ts';

/**
 * Layout of Chinese official documents (GB/T 9704-2012 党政机关公文格式): A4, 版心 156 mm × 225 mm,
 * 22 lines of 28 characters in 三号 (16 pt) type. The section carries a document grid (w:docGrid,
 * lines and characters) of exactly that: a line pitch of 225 mm / 22 and a character pitch of
 * 156 mm / 28, so Word and WPS set 28 characters on every line and 22 lines on every page.
 */
const mm = (v: number) => Math.round((v * 1440) / 25.4);
/** The page number's line: 四号 (14 pt) type on a fixed 16 pt line. */
const PAGE_NUMBER_LINE = 320;
const PAGE = {
  width: 11906, height: 16838,
  top: mm(37), bottom: mm(35), left: mm(28), right: mm(26),
  /** The footer's bottom edge, so that the page-number line above it starts 7 mm below the text block. */
  footer: mm(35 - 7) - PAGE_NUMBER_LINE,
};
const TEXT_WIDTH = PAGE.width - PAGE.left - PAGE.right;
const TEXT_HEIGHT = PAGE.height - PAGE.top - PAGE.bottom;
/** Characters a line and lines a page (GB/T 9704-2012 5.2.2). */
export const GRID = { chars: 28, lines: 22 } as const;
/** The line pitch in twips (579 for 225 mm): body lines use it exactly, so a page holds 22 of them. */
export const LINE_PITCH = Math.floor(TEXT_HEIGHT / GRID.lines);
/**
 * w:charSpace: how much the grid's character pitch differs from the 三号 body size, in 1/4096 pt
 * (negative: 156 mm / 28 is a little under 16 pt).
 */
export const CHAR_SPACE = Math.round((TEXT_WIDTH / 20 / GRID.chars - 16) * 4096);

/** Type sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt, 五号 10.5 pt. */
const SIZE = { erhao: 44, sanhao: 32, sihao: 28, xiaosi: 24, wuhao: 21 } as const;
/** One character of 三号 type, in twips: the unit of 公文 indents. */
const EM = 320;
const LINE_28PT = LINE_PITCH;

/** Typefaces of the 公文 roles, for CJK text. Latin letters and digits are set in Times New Roman, except in page numbers. */
const FONT = {
  title: '方正小标宋简体',
  body: '仿宋_GB2312',
  h1: '黑体',
  h2: '楷体_GB2312',
  pageNumber: '宋体',
} as const;
const LATIN = 'Times New Roman';

type FontRole = keyof typeof FONT;
type RunStyle = { role: FontRole; size: number; bold?: boolean };

/** Run fonts with an East Asian face for CJK text and a Latin face for the rest; `hint` keeps CJK punctuation in the CJK face. */
function font(role: FontRole): NonNullable<IRunOptions['font']> {
  const eastAsia = FONT[role];
  const latin = role === 'pageNumber' ? eastAsia : LATIN;
  return { ascii: latin, hAnsi: latin, cs: latin, eastAsia, hint: 'eastAsia' };
}

/**
 * Character spacing of 三号 runs, in twentieths of a point: 28 characters of 16 pt are 448 pt, a
 * little more than the 442 pt text block, so each character gives up 0.25 pt. Body paragraphs set
 * their 28 characters and 22 lines this way (exact line pitch, tightened characters) rather than by
 * snapping to the grid, because LibreOffice spreads characters snapped to a grid finer than their
 * size over two cells; the section's grid still declares 28 × 22 for text typed into the document.
 */
export const SANHAO_SPACING = -5;

function run(text: string, s: RunStyle): TextRun {
  return new TextRun({
    text, font: font(s.role), size: s.size, sizeComplexScript: s.size, bold: s.bold || undefined, boldComplexScript: s.bold || undefined,
    ...(s.size === SIZE.sanhao && { characterSpacing: SANHAO_SPACING }),
  });
}

/** Line breaks inside model text become Word line breaks. */
function runs(parts: readonly Inline[], s: RunStyle): TextRun[] {
  const out: TextRun[] = [];
  for (const p of parts) {
    p.text.split(/\r?\n/).forEach((line, i) => {
      if (i > 0) out.push(new TextRun({ break: 1 }));
      if (line) out.push(run(line, s));
    });
  }
  return out;
}

const exact = (line: number, extra: Omit<ISpacingProperties, 'line' | 'lineRule'> = {}): ISpacingProperties =>
  ({ line, lineRule: LineRuleType.EXACT, before: 0, after: 0, ...extra });

const BODY: RunStyle = { role: 'body', size: SIZE.sanhao };
const HEADING: Record<1 | 2 | 3, RunStyle> = {
  1: { role: 'h1', size: SIZE.sanhao },
  2: { role: 'h2', size: SIZE.sanhao },
  3: { role: 'body', size: SIZE.sanhao, bold: true },
};

/** A body paragraph: justified, first line indented two characters, fixed 28 pt lines. */
function bodyParagraph(children: TextRun[], opts: { keepNext?: boolean; outlineLevel?: number } = {}): Paragraph {
  return offGrid(new Paragraph({
    children, alignment: AlignmentType.JUSTIFIED, spacing: exact(LINE_28PT),
    indent: { firstLine: 2 * EM, firstLineChars: 200 }, widowControl: true, ...opts,
  }));
}

/**
 * A paragraph that keeps its own line spacing instead of snapping to the document grid
 * (w:snapToGrid off): table cells set smaller type on shorter lines than the body's grid pitch.
 * The docx library has no paragraph option for it, so the element is added to its properties.
 */
function offGrid(p: Paragraph): Paragraph {
  // CT_PPrBase puts w:snapToGrid before w:spacing, w:ind and w:jc; Word refuses other orders.
  const root = (p as unknown as { properties: { root: Array<{ rootKey?: string }> } }).properties.root;
  const at = root.findIndex((c) => c.rootKey === 'w:spacing' || c.rootKey === 'w:ind' || c.rootKey === 'w:jc');
  root.splice(at < 0 ? root.length : at, 0, new OnOffElement('w:snapToGrid', false) as unknown as { rootKey?: string });
  return p;
}

/** Cell text sizes: 小四 in body tables, 五号 in the wider appendix table. */
type TableStyle = { size: number; line: number };
const BODY_TABLE: TableStyle = { size: SIZE.xiaosi, line: 400 };
const APPENDIX_TABLE: TableStyle = { size: SIZE.wuhao, line: 320 };

const BORDER = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;

/** Width of a line in half-ems: CJK and other wide characters count two, Latin letters and digits one. */
const halfEms = (s: string) => [...s].reduce((w, c) => w + (c.charCodeAt(0) > 0xff ? 2 : 1), 0);
const CELL_PADDING = 200 + 40;

/**
 * Column widths that fill the text block: each column's natural width is its longest line unwrapped;
 * when they do not all fit, columns narrower than an even share keep their natural width, so short
 * columns (ids, amounts) never wrap, and the others share the rest in proportion to their natural
 * widths capped at 40% of the text block, so one very long column cannot squeeze the others.
 */
function columnWidths(texts: readonly (readonly string[])[], size: number): number[] {
  const natural = texts.map((col) => Math.max(1, ...col.flatMap((t) => t.split('\n').map(halfEms))) * size * 5 + CELL_PADDING);
  const widths = natural.slice();
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= TEXT_WIDTH) {
    for (let i = 0; i < widths.length; i++) widths[i] = (natural[i]! * TEXT_WIDTH) / total;
  } else {
    let open = natural.map((_, i) => i);
    let remaining = TEXT_WIDTH;
    for (;;) {
      const share = remaining / open.length;
      const fits = open.filter((i) => natural[i]! <= share);
      if (!fits.length) break;
      for (const i of fits) remaining -= natural[i]!;
      open = open.filter((i) => natural[i]! > share);
      if (!open.length) break;
    }
    const weight = (i: number) => Math.min(natural[i]!, TEXT_WIDTH * 0.4);
    const openTotal = open.reduce((a, i) => a + weight(i), 0);
    for (const i of open) widths[i] = (weight(i) * remaining) / openTotal;
  }
  const out = widths.map(Math.floor);
  out[out.length - 1]! += TEXT_WIDTH - out.reduce((a, b) => a + b, 0);
  return out;
}

function table(columns: readonly string[], rows: readonly (readonly Inline[][])[], align: ReadonlyArray<'left' | 'right' | 'center'> | undefined, st: TableStyle): Table {
  const widths = columnWidths(columns.map((c, i) => [c, ...rows.map((r) => (r[i] ?? []).map((p) => p.text).join(''))]), st.size);
  const alignment = (i: number) => {
    const a = align?.[i];
    return a === 'right' ? AlignmentType.RIGHT : a === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT;
  };
  const cell = (parts: readonly Inline[], i: number, header: boolean) => new TableCell({
    width: { size: widths[i]!, type: WidthType.DXA },
    verticalAlign: VerticalAlignTable.CENTER,
    children: [offGrid(new Paragraph({
      children: runs(parts, { role: 'body', size: st.size, bold: header }),
      alignment: header ? AlignmentType.CENTER : alignment(i), spacing: exact(st.line),
    }))],
  });
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    alignment: AlignmentType.CENTER,
    borders: { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER, insideHorizontal: BORDER, insideVertical: BORDER },
    margins: { top: 40, bottom: 40, left: 100, right: 100 },
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: columns.map((c, i) => cell([{ kind: 'text', text: c }], i, true)) }),
      // Body rows may break across pages, so a tall row never leaves a page nearly empty.
      ...rows.map((r) => new TableRow({ children: columns.map((_, i) => cell(r[i] ?? [], i, false)) })),
    ],
  });
}

function caption(text: string): Paragraph {
  return new Paragraph({
    children: [run(text, { role: 'h1', size: SIZE.sihao })], alignment: AlignmentType.CENTER,
    spacing: exact(LINE_28PT), keepNext: true, keepLines: true,
  });
}

/** An empty 28 pt line, the spacer 公文 puts between parts. */
const blankLine = () => new Paragraph({ children: [], spacing: exact(LINE_28PT) });

function blocks(bs: readonly Block[]): Array<Paragraph | Table> {
  const out: Array<Paragraph | Table> = [];
  for (const b of bs) {
    switch (b.kind) {
      case 'heading':
        out.push(bodyParagraph(runs([{ kind: 'text', text: b.text }], HEADING[b.level]), { keepNext: true, outlineLevel: b.level - 1 }));
        break;
      case 'paragraph':
        out.push(bodyParagraph(runs(b.parts, BODY)));
        break;
      case 'list':
        // 公文 has no bullets: items take the level-4 marker （1）, which follows 一、 （一） 1、.
        b.items.forEach((it, i) => out.push(bodyParagraph(runs([{ kind: 'text', text: `（${i + 1}）` }, ...it], BODY))));
        break;
      case 'table':
        out.push(caption(b.caption), table(b.columns, b.rows, b.align, BODY_TABLE), blankLine());
        break;
      case 'pagebreak':
        out.push(new Paragraph({ children: [], pageBreakBefore: true, spacing: exact(LINE_28PT) }));
        break;
    }
  }
  return out;
}

/** Width of a line of 三号 text in characters: CJK characters count one, Latin letters and digits half. */
const ems = (s: string) => [...s].reduce((w, c) => w + (c.charCodeAt(0) > 0xff ? 1 : 0.5), 0);

/**
 * 发文机关署名 and 成文日期 (GB/T 9704-2012 7.3.5.2): the issuer two characters from the right margin,
 * the date on the next line starting two characters right of the issuer's first character; a date
 * longer than the issuer keeps two characters from the margin and moves the issuer left instead.
 */
function signature(issuer: string, date: string): Paragraph[] {
  const iw = ems(issuer);
  const dw = ems(date);
  const [issuerRight, dateRight] = dw > iw ? [4 + dw - iw, 2] : [2, iw - dw];
  const line = (text: string, right: number) => new Paragraph({
    children: [run(text, BODY)], alignment: AlignmentType.RIGHT, spacing: exact(LINE_28PT),
    indent: { right: Math.round(right * EM) }, keepNext: true, keepLines: true,
  });
  return [line(issuer, issuerRight), line(date, dateRight)];
}

/** The figure-sources table: each figure's label, value, how it is computed (in words) and its sources. */
function appendix(entries: readonly ProvenanceEntry[], L: ReturnType<typeof reportLabels>, locale: ReportModel['locale'], pageBreak: boolean): Array<Paragraph | Table> {
  const t = (text: string): Inline[] => [{ kind: 'text', text }];
  const rows = entries.map((p) => [
    t(p.id), t(p.label), t(p.value), t(derivationInWords(p, entries, locale)), t(p.sources.join('\n')),
  ]);
  return [
    new Paragraph({
      children: [run(L.appendix, HEADING[1])], pageBreakBefore: pageBreak, spacing: exact(LINE_28PT, { after: LINE_28PT }),
      outlineLevel: 0, keepNext: true,
    }),
    table([L.id, L.label, L.value, L.derivation, L.sources], rows, ['center', 'left', 'right', 'left', 'left'], APPENDIX_TABLE),
  ];
}

/** Where the figure-sources appendix goes: in a separate annex document (the default), at the end of the report, or nowhere. */
export type AppendixMode = 'annex' | 'inline' | 'none';

/**
 * Page numbers as GB/T 9704-2012 7.5 sets them: 四号 half-width digits between two em dashes
 * ("— 1 —"), odd pages on the right and even pages on the left, one character in from the edge of
 * the text block.
 */
function pageNumberFooters(): { default: Footer; even: Footer } {
  const pageNumberRun = (children: IRunOptions['children']) => new TextRun({ children, font: font('pageNumber'), size: SIZE.sihao });
  const one = SIZE.sihao * 10;
  const footer = (odd: boolean) => new Footer({
    children: [new Paragraph({
      alignment: odd ? AlignmentType.RIGHT : AlignmentType.LEFT, spacing: exact(PAGE_NUMBER_LINE),
      indent: odd ? { right: one } : { left: one },
      children: [pageNumberRun(['— ']), pageNumberRun([PageNumber.CURRENT]), pageNumberRun([' —'])],
    })],
  });
  return { default: footer(true), even: footer(false) };
}

/** A 公文 document: A4, GB/T 9704 margins, the 28 × 22 grid, odd/even page numbers. */
function officialDocument(m: ReportModel, title: string, children: Array<Paragraph | Table>): Promise<Buffer> {
  const doc = new Document({
    title,
    subject: m.subtitle,
    creator: m.issuer,
    lastModifiedBy: m.issuer,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: { font: font('body'), size: SIZE.sanhao, language: { value: m.locale === 'en' ? 'en-US' : 'zh-CN', eastAsia: 'zh-CN' } },
          paragraph: { spacing: exact(LINE_28PT) },
        },
      },
    },
    sections: [{
      properties: {
        page: {
          size: { width: PAGE.width, height: PAGE.height },
          margin: { top: PAGE.top, bottom: PAGE.bottom, left: PAGE.left, right: PAGE.right, header: mm(15), footer: PAGE.footer },
        },
        grid: { type: DocumentGridType.LINES_AND_CHARS, linePitch: LINE_PITCH, charSpace: CHAR_SPACE },
      },
      footers: pageNumberFooters(),
      children,
    }],
  });
  return Packer.toBuffer(doc);
}

/**
 * A Word document of the report in 公文 layout: A4 with GB/T 9704 margins and its 28-character,
 * 22-line grid; title in 方正小标宋简体 二号 centred; body in 仿宋_GB2312 三号 with a two-character
 * first-line indent; headings 一、 in 黑体, （一） in 楷体_GB2312, 1、 in bold 仿宋; bordered tables
 * with a bold, repeating header row and rows that may break across pages; issuer and date at the
 * end; page numbers "— 1 —" on the outer side. The figure-sources appendix is left out unless
 * `appendix: 'inline'` (the default 'annex' expects the caller to offer renderDocxAnnex as its own file).
 */
export async function renderDocx(m: ReportModel, opts: { appendix?: AppendixMode } = {}): Promise<Buffer> {
  const L = reportLabels(m.locale);
  const head: Paragraph[] = [
    new Paragraph({ children: [run(m.title, { role: 'title', size: SIZE.erhao })], alignment: AlignmentType.CENTER, spacing: exact(700), keepNext: true }),
  ];
  if (m.subtitle) head.push(new Paragraph({ children: [run(m.subtitle, { role: 'h2', size: SIZE.sanhao })], alignment: AlignmentType.CENTER, spacing: exact(LINE_28PT), keepNext: true }));
  head.push(blankLine());

  const children: Array<Paragraph | Table> = [
    ...head,
    ...blocks(m.blocks),
    blankLine(),
    ...signature(m.issuer, formatReportDate(m.date, m.locale)),
    ...(opts.appendix === 'inline' && m.provenance.length ? appendix(m.provenance, L, m.locale, true) : []),
  ];
  return officialDocument(m, m.title + (m.subtitle ?? ''), children);
}

/**
 * The figure-sources appendix as its own document (附件), in the same layout: a line naming the
 * report it belongs to, then the table. Null when the report has no figures.
 */
export async function renderDocxAnnex(m: ReportModel): Promise<Buffer | null> {
  if (!m.provenance.length) return null;
  const L = reportLabels(m.locale);
  const of = new Paragraph({
    children: [run(`${L.annex}${m.locale === 'en' ? ': ' : '：'}${m.title}${m.subtitle ?? ''}`, BODY)], spacing: exact(LINE_28PT, { after: LINE_28PT }),
  });
  return officialDocument(m, `${m.title}${m.subtitle ?? ''} ${L.appendix}`, [of, ...appendix(m.provenance, L, m.locale, false)]);
}
