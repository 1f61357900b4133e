import { derivationInWords } from './method-words.ts';
import { type Block, type Inline, type ProvenanceEntry, type ReportModel, formatReportDate, reportLabels } from './model.ts';
import { type ZipPart, zipArchive, zipPart } from './zip-write.ts';

/**
 * Layout of Chinese official documents (GB/T 9704-2012 党政机关公文格式): A4, 版心 156 mm × 225 mm,
 * 22 lines of 28 characters in 三号 (16 pt) type. The section carries a document grid (w:docGrid,
 * lines and characters) of exactly that: a line pitch of 225 mm / 22 and a character pitch of
 * 156 mm / 28, so Word and WPS set 28 characters on every line and 22 lines on every page.
 *
 * The WordprocessingML is written here as text. Child elements of w:pPr, w:rPr, w:tblPr and
 * w:sectPr follow the order of their schema sequences (ECMA-376 Part 1, CT_PPrBase, CT_RPr,
 * CT_TblPr, CT_SectPr): Word refuses a document that lists them in another order.
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

/**
 * Character spacing of 三号 runs, in twentieths of a point: 28 characters of 16 pt are 448 pt, a
 * little more than the 442 pt text block, so each character gives up 0.25 pt. Body paragraphs set
 * their 28 characters and 22 lines this way (exact line pitch, tightened characters) rather than by
 * snapping to the grid, because LibreOffice spreads characters snapped to a grid finer than their
 * size over two cells; the section's grid still declares 28 × 22 for text typed into the document.
 */
export const SANHAO_SPACING = -5;

/**
 * Model text as XML character data: & < > and " become references, and characters XML 1.0 does not
 * allow (C0 controls other than tab, line feed and carriage return; unpaired surrogates; U+FFFE and
 * U+FFFF) are dropped, so no model text can break the document. Returns the input itself when
 * nothing needs changing.
 */
export function xmlEscape(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string;
    if (c >= 0x20 && c < 0xd800) {
      if (c === 38) rep = '&amp;';
      else if (c === 60) rep = '&lt;';
      else if (c === 62) rep = '&gt;';
      else if (c === 34) rep = '&quot;';
      else continue;
    } else if (c < 0x20) {
      if (c === 9 || c === 10 || c === 13) continue;
      rep = '';
    } else if (c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) { i++; continue; }
      rep = '';
    } else if (c >= 0xfffe) rep = '';
    else continue;
    out += s.slice(from, i) + rep;
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * Run fonts with an East Asian face for CJK text and a Latin face for the rest (the page number is
 * all in its CJK face); `hint` keeps CJK punctuation in the CJK face.
 */
function rFonts(role: FontRole): string {
  const eastAsia = FONT[role];
  const latin = role === 'pageNumber' ? eastAsia : LATIN;
  return `<w:rFonts w:ascii="${latin}" w:cs="${latin}" w:eastAsia="${eastAsia}" w:hAnsi="${latin}" w:hint="eastAsia"/>`;
}

const runProperties = new Map<string, string>();
/** w:rPr of a run style; the handful of styles in use are built once. */
function rPr(s: RunStyle): string {
  const key = `${s.role} ${s.size} ${s.bold ? 1 : 0}`;
  let xml = runProperties.get(key);
  if (xml === undefined) {
    xml = `<w:rPr>${rFonts(s.role)}${s.bold ? '<w:b/><w:bCs/>' : ''}${s.size === SIZE.sanhao ? `<w:spacing w:val="${SANHAO_SPACING}"/>` : ''}`
      + `<w:sz w:val="${s.size}"/><w:szCs w:val="${s.size}"/></w:rPr>`;
    runProperties.set(key, xml);
  }
  return xml;
}

const run = (text: string, s: RunStyle) => `<w:r>${rPr(s)}<w:t xml:space="preserve">${xmlEscape(text)}</w:t></w:r>`;
const LINE_BREAK = '<w:r><w:br/></w:r>';

/** Line breaks inside model text become Word line breaks. */
function runs(parts: readonly Inline[], s: RunStyle): string {
  let out = '';
  for (const p of parts) {
    if (!p.text.includes('\n')) {
      if (p.text) out += run(p.text, s);
      continue;
    }
    p.text.split(/\r?\n/).forEach((line, i) => {
      if (i > 0) out += LINE_BREAK;
      if (line) out += run(line, s);
    });
  }
  return out;
}

type Jc = 'left' | 'right' | 'center' | 'both';
interface ParagraphLayout {
  keepNext?: boolean;
  keepLines?: boolean;
  pageBreakBefore?: boolean;
  widowControl?: boolean;
  /**
   * w:snapToGrid off: the paragraph keeps its own line spacing instead of snapping to the document
   * grid (table cells set smaller type on shorter lines than the body's grid pitch).
   */
  offGrid?: boolean;
  /** Exact line height in twips; no space before, `after` (default none) after. */
  line: number;
  after?: number;
  /** Attributes of w:ind. */
  ind?: string;
  jc?: Jc;
  outlineLevel?: number;
}

/** w:pPr in CT_PPrBase order: keepNext, keepLines, pageBreakBefore, widowControl, snapToGrid, spacing, ind, jc, outlineLvl. */
function pPr(p: ParagraphLayout): string {
  return '<w:pPr>'
    + (p.keepNext ? '<w:keepNext/>' : '')
    + (p.keepLines ? '<w:keepLines/>' : '')
    + (p.pageBreakBefore ? '<w:pageBreakBefore/>' : '')
    + (p.widowControl ? '<w:widowControl/>' : '')
    + (p.offGrid ? '<w:snapToGrid w:val="false"/>' : '')
    + `<w:spacing w:after="${p.after ?? 0}" w:before="0" w:line="${p.line}" w:lineRule="exact"/>`
    + (p.ind ? `<w:ind ${p.ind}/>` : '')
    + (p.jc ? `<w:jc w:val="${p.jc}"/>` : '')
    + (p.outlineLevel !== undefined ? `<w:outlineLvl w:val="${p.outlineLevel}"/>` : '')
    + '</w:pPr>';
}

const paragraph = (props: string, content = '') => `<w:p>${props}${content}</w:p>`;

const BODY: RunStyle = { role: 'body', size: SIZE.sanhao };
const HEADING: Record<1 | 2 | 3, RunStyle> = {
  1: { role: 'h1', size: SIZE.sanhao },
  2: { role: 'h2', size: SIZE.sanhao },
  3: { role: 'body', size: SIZE.sanhao, bold: true },
};

/** A body paragraph: justified, first line indented two characters, fixed 28 pt lines, off the grid. */
const BODY_LAYOUT: ParagraphLayout = {
  widowControl: true, offGrid: true, line: LINE_28PT, ind: `w:firstLine="${2 * EM}" w:firstLineChars="200"`, jc: 'both',
};
const BODY_PPR = pPr(BODY_LAYOUT);
const HEADING_PPR: Record<1 | 2 | 3, string> = {
  1: pPr({ ...BODY_LAYOUT, keepNext: true, outlineLevel: 0 }),
  2: pPr({ ...BODY_LAYOUT, keepNext: true, outlineLevel: 1 }),
  3: pPr({ ...BODY_LAYOUT, keepNext: true, outlineLevel: 2 }),
};
/** An empty 28 pt line, the spacer 公文 puts between parts. */
const BLANK_LINE = paragraph(pPr({ line: LINE_28PT }));
const PAGE_BREAK = paragraph(pPr({ pageBreakBefore: true, line: LINE_28PT }));
const CAPTION_PPR = pPr({ keepNext: true, keepLines: true, line: LINE_28PT, jc: 'center' });

/** Cell text sizes: 小四 in body tables, 五号 in the wider appendix table. */
type TableStyle = { size: number; line: number };
const BODY_TABLE: TableStyle = { size: SIZE.xiaosi, line: 400 };
const APPENDIX_TABLE: TableStyle = { size: SIZE.wuhao, line: 320 };

const BORDER = 'w:val="single" w:color="000000" w:sz="4"';
/** Full width, centred, single 0.5 pt borders all round and inside, fixed layout, narrow cell margins. */
const TABLE_PROPERTIES = `<w:tblPr><w:tblW w:type="dxa" w:w="${TEXT_WIDTH}"/><w:jc w:val="center"/>`
  + `<w:tblBorders>${['top', 'left', 'bottom', 'right', 'insideH', 'insideV'].map((side) => `<w:${side} ${BORDER}/>`).join('')}</w:tblBorders>`
  + '<w:tblLayout w:type="fixed"/>'
  + '<w:tblCellMar><w:top w:type="dxa" w:w="40"/><w:left w:type="dxa" w:w="100"/><w:bottom w:type="dxa" w:w="40"/><w:right w:type="dxa" w:w="100"/></w:tblCellMar>'
  + '</w:tblPr>';
/** The header row repeats on every page and is kept whole; body rows may break across pages, so a tall row never leaves a page nearly empty. */
const HEADER_ROW_PROPERTIES = '<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>';

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

const cellProperties = new Map<string, string>();
/** w:pPr of a cell paragraph, off the grid on the table's own line height. */
function cellPPr(st: TableStyle, jc: Jc): string {
  const key = `${st.line} ${jc}`;
  let xml = cellProperties.get(key);
  if (xml === undefined) cellProperties.set(key, xml = pPr({ offGrid: true, line: st.line, jc }));
  return xml;
}

function table(columns: readonly string[], rows: readonly (readonly Inline[][])[], align: ReadonlyArray<'left' | 'right' | 'center'> | undefined, st: TableStyle): string {
  const widths = columnWidths(columns.map((c, i) => [c, ...rows.map((r) => (r[i] ?? []).map((p) => p.text).join(''))]), st.size);
  const tcPr = widths.map((w) => `<w:tcPr><w:tcW w:type="dxa" w:w="${w}"/><w:vAlign w:val="center"/></w:tcPr>`);
  const bodyPPr = columns.map((_, i) => cellPPr(st, align?.[i] ?? 'left'));
  const headerPPr = cellPPr(st, 'center');
  const headerStyle: RunStyle = { role: 'body', size: st.size, bold: true };
  const cellStyle: RunStyle = { role: 'body', size: st.size };
  let xml = `<w:tbl>${TABLE_PROPERTIES}<w:tblGrid>${widths.map((w) => `<w:gridCol w:w="${w}"/>`).join('')}</w:tblGrid>`;
  xml += `<w:tr>${HEADER_ROW_PROPERTIES}`;
  columns.forEach((c, i) => { xml += `<w:tc>${tcPr[i]!}${paragraph(headerPPr, runs([{ kind: 'text', text: c }], headerStyle))}</w:tc>`; });
  xml += '</w:tr>';
  for (const r of rows) {
    xml += '<w:tr>';
    for (let i = 0; i < columns.length; i++) xml += `<w:tc>${tcPr[i]!}${paragraph(bodyPPr[i]!, runs(r[i] ?? [], cellStyle))}</w:tc>`;
    xml += '</w:tr>';
  }
  return `${xml}</w:tbl>`;
}

const caption = (text: string) => paragraph(CAPTION_PPR, run(text, { role: 'h1', size: SIZE.sihao }));

function blocks(bs: readonly Block[]): string {
  let out = '';
  for (const b of bs) {
    switch (b.kind) {
      case 'heading':
        out += paragraph(HEADING_PPR[b.level], runs([{ kind: 'text', text: b.text }], HEADING[b.level]));
        break;
      case 'paragraph':
        out += paragraph(BODY_PPR, runs(b.parts, BODY));
        break;
      case 'list':
        // 公文 has no bullets: items take the level-4 marker （1）, which follows 一、 （一） 1、.
        b.items.forEach((it, i) => { out += paragraph(BODY_PPR, runs([{ kind: 'text', text: `（${i + 1}）` }, ...it], BODY)); });
        break;
      case 'table':
        out += caption(b.caption) + table(b.columns, b.rows, b.align, BODY_TABLE) + BLANK_LINE;
        break;
      case 'pagebreak':
        out += PAGE_BREAK;
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
function signature(issuer: string, date: string): string {
  const iw = ems(issuer);
  const dw = ems(date);
  const [issuerRight, dateRight] = dw > iw ? [4 + dw - iw, 2] : [2, iw - dw];
  const line = (text: string, right: number) => paragraph(
    pPr({ keepNext: true, keepLines: true, line: LINE_28PT, ind: `w:right="${Math.round(right * EM)}"`, jc: 'right' }),
    run(text, BODY),
  );
  return line(issuer, issuerRight) + line(date, dateRight);
}

/** The figure-sources table: each figure's label, value, how it is computed (in words) and its sources. */
function appendix(entries: readonly ProvenanceEntry[], L: ReturnType<typeof reportLabels>, locale: ReportModel['locale'], pageBreak: boolean): string {
  const t = (text: string): Inline[] => [{ kind: 'text', text }];
  const rows = entries.map((p) => [
    t(p.id), t(p.label), t(p.value), t(derivationInWords(p, entries, locale)), t(p.sources.join('\n')),
  ]);
  const heading = paragraph(
    pPr({ keepNext: true, pageBreakBefore: pageBreak, line: LINE_28PT, after: LINE_28PT, outlineLevel: 0 }),
    run(L.appendix, HEADING[1]),
  );
  return heading + table([L.id, L.label, L.value, L.derivation, L.sources], rows, ['center', 'left', 'right', 'left', 'left'], APPENDIX_TABLE);
}

/** Where the figure-sources appendix goes: in a separate annex document (the default), at the end of the report, or nowhere. */
export type AppendixMode = 'annex' | 'inline' | 'none';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const NS_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument';

/**
 * Page numbers as GB/T 9704-2012 7.5 sets them: 四号 half-width digits between two em dashes
 * ("— 1 —"), odd pages on the right and even pages on the left, one character in from the edge of
 * the text block.
 */
function footer(odd: boolean): string {
  const one = SIZE.sihao * 10;
  const rp = `<w:rPr>${rFonts('pageNumber')}<w:sz w:val="${SIZE.sihao}"/><w:szCs w:val="${SIZE.sihao}"/></w:rPr>`;
  const r = (content: string) => `<w:r>${rp}${content}</w:r>`;
  const props = pPr({ line: PAGE_NUMBER_LINE, ind: odd ? `w:right="${one}"` : `w:left="${one}"`, jc: odd ? 'right' : 'left' });
  return `${XML_DECLARATION}<w:ftr ${NS_W} ${NS_R}>${paragraph(props,
    r('<w:t xml:space="preserve">— </w:t>') + r('<w:fldChar w:fldCharType="begin"/>') + r('<w:instrText xml:space="preserve">PAGE</w:instrText>')
      + r('<w:fldChar w:fldCharType="separate"/>') + r('<w:fldChar w:fldCharType="end"/>') + r('<w:t xml:space="preserve"> —</w:t>'))}</w:ftr>`;
}

/** A4, GB/T 9704 margins, the 28 × 22 grid, odd and even footers (rId2 odd/default, rId3 even). */
const SECTION_PROPERTIES = '<w:sectPr><w:footerReference w:type="default" r:id="rId2"/><w:footerReference w:type="even" r:id="rId3"/>'
  + `<w:pgSz w:w="${PAGE.width}" w:h="${PAGE.height}" w:orient="portrait"/>`
  + `<w:pgMar w:top="${PAGE.top}" w:right="${PAGE.right}" w:bottom="${PAGE.bottom}" w:left="${PAGE.left}" w:header="${mm(15)}" w:footer="${PAGE.footer}" w:gutter="0"/>`
  + `<w:docGrid w:type="linesAndChars" w:linePitch="${LINE_PITCH}" w:charSpace="${CHAR_SPACE}"/></w:sectPr>`;

/**
 * Styles: the document defaults carry the body's font, size and exact 28 pt lines; Normal, the
 * default character style and the default table style are the only styles, since every paragraph
 * and run states its own layout.
 */
function styles(locale: ReportModel['locale']): string {
  return `${XML_DECLARATION}<w:styles ${NS_W}><w:docDefaults>`
    + `<w:rPrDefault><w:rPr>${rFonts('body')}<w:sz w:val="${SIZE.sanhao}"/><w:szCs w:val="${SIZE.sanhao}"/>`
    + `<w:lang w:val="${locale === 'en' ? 'en-US' : 'zh-CN'}" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>`
    + `<w:pPrDefault>${pPr({ line: LINE_28PT })}</w:pPrDefault></w:docDefaults>`
    + '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
    + '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>'
    + '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>'
    + '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    + '</w:styles>';
}

/** The typefaces the document names; the CJK ones carry the GB2312 character set (86), which helps substitution where a face is missing. */
function fontTable(): string {
  const font = (name: string, charset: string) => `<w:font w:name="${name}"><w:charset w:val="${charset}"/></w:font>`;
  return `${XML_DECLARATION}<w:fonts ${NS_W}>${font(LATIN, '00')}${Object.values(FONT).map((f) => font(f, '86')).join('')}</w:fonts>`;
}

/** The parts every report shares, compressed on first use and then reused. */
interface StaticParts { head: ZipPart[]; tail: ZipPart[]; styles: Record<ReportModel['locale'], ZipPart> }
let staticParts: StaticParts | undefined;

function shared(): StaticParts {
  if (staticParts) return staticParts;
  const types = `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
    + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    + `<Override PartName="/word/document.xml" ContentType="${CONTENT_TYPE}.wordprocessingml.document.main+xml"/>`
    + `<Override PartName="/word/styles.xml" ContentType="${CONTENT_TYPE}.wordprocessingml.styles+xml"/>`
    + `<Override PartName="/word/settings.xml" ContentType="${CONTENT_TYPE}.wordprocessingml.settings+xml"/>`
    + `<Override PartName="/word/fontTable.xml" ContentType="${CONTENT_TYPE}.wordprocessingml.fontTable+xml"/>`
    + `<Override PartName="/word/footer1.xml" ContentType="${CONTENT_TYPE}.wordprocessingml.footer+xml"/>`
    + `<Override PartName="/word/footer2.xml" ContentType="${CONTENT_TYPE}.wordprocessingml.footer+xml"/>`
    + '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    + `<Override PartName="/docProps/app.xml" ContentType="${CONTENT_TYPE}.extended-properties+xml"/>`
    + '</Types>';
  const rels = `${XML_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
    + `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="word/document.xml"/>`
    + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    + `<Relationship Id="rId3" Type="${REL}/extended-properties" Target="docProps/app.xml"/>`
    + '</Relationships>';
  const documentRels = `${XML_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
    + `<Relationship Id="rId1" Type="${REL}/styles" Target="styles.xml"/>`
    + `<Relationship Id="rId2" Type="${REL}/footer" Target="footer1.xml"/>`
    + `<Relationship Id="rId3" Type="${REL}/footer" Target="footer2.xml"/>`
    + `<Relationship Id="rId4" Type="${REL}/settings" Target="settings.xml"/>`
    + `<Relationship Id="rId5" Type="${REL}/fontTable" Target="fontTable.xml"/>`
    + '</Relationships>';
  // Odd and even pages take different footers (w:evenAndOddHeaders); compatibility mode 15 is Word 2013 and later.
  const settings = `${XML_DECLARATION}<w:settings ${NS_W}><w:defaultTabStop w:val="720"/><w:evenAndOddHeaders/>`
    + '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>';
  const app = `${XML_DECLARATION}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>`;
  staticParts = {
    head: [zipPart('[Content_Types].xml', types), zipPart('_rels/.rels', rels)],
    tail: [
      zipPart('word/_rels/document.xml.rels', documentRels), zipPart('word/settings.xml', settings), zipPart('word/fontTable.xml', fontTable()),
      zipPart('word/footer1.xml', footer(true)), zipPart('word/footer2.xml', footer(false)), zipPart('docProps/app.xml', app),
    ],
    styles: { 'zh-CN': zipPart('word/styles.xml', styles('zh-CN')), en: zipPart('word/styles.xml', styles('en')) },
  };
  return staticParts;
}

function coreProperties(m: ReportModel, title: string): string {
  // W3CDTF to the second: some readers refuse fractions of a second.
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return `${XML_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`
    + `<dc:title>${xmlEscape(title)}</dc:title>${m.subtitle ? `<dc:subject>${xmlEscape(m.subtitle)}</dc:subject>` : ''}`
    + `<dc:creator>${xmlEscape(m.issuer)}</dc:creator><cp:lastModifiedBy>${xmlEscape(m.issuer)}</cp:lastModifiedBy><cp:revision>1</cp:revision>`
    + `<dcterms:created xsi:type="dcterms:W3CDTF">${now}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${now}</dcterms:modified>`
    + '</cp:coreProperties>';
}

/** A 公文 document of the given body: A4, GB/T 9704 margins, the 28 × 22 grid, odd/even page numbers. */
function officialDocument(m: ReportModel, title: string, body: string): Buffer {
  const s = shared();
  const document = `${XML_DECLARATION}<w:document ${NS_W} ${NS_R}><w:body>${body}${SECTION_PROPERTIES}</w:body></w:document>`;
  return zipArchive([
    ...s.head, zipPart('word/document.xml', document), s.styles[m.locale], ...s.tail, zipPart('docProps/core.xml', coreProperties(m, title)),
  ]);
}

/**
 * A Word document of the report in 公文 layout: A4 with GB/T 9704 margins and its 28-character,
 * 22-line grid; title in 方正小标宋简体 二号 centred; body in 仿宋_GB2312 三号 with a two-character
 * first-line indent; headings 一、 in 黑体, （一） in 楷体_GB2312, 1、 in bold 仿宋; bordered tables
 * with a bold, repeating header row and rows that may break across pages; issuer and date at the
 * end; page numbers "— 1 —" on the outer side. The figure-sources appendix is left out unless
 * `appendix: 'inline'` (the default 'annex' expects the caller to offer renderDocxAnnex as its own file).
 * Characters XML cannot carry are dropped from the model's text (see xmlEscape).
 */
export async function renderDocx(m: ReportModel, opts: { appendix?: AppendixMode } = {}): Promise<Buffer> {
  const L = reportLabels(m.locale);
  let body = paragraph(pPr({ keepNext: true, line: 700, jc: 'center' }), run(m.title, { role: 'title', size: SIZE.erhao }));
  if (m.subtitle) body += paragraph(pPr({ keepNext: true, line: LINE_28PT, jc: 'center' }), run(m.subtitle, { role: 'h2', size: SIZE.sanhao }));
  body += BLANK_LINE + blocks(m.blocks) + BLANK_LINE + signature(m.issuer, formatReportDate(m.date, m.locale));
  if (opts.appendix === 'inline' && m.provenance.length) body += appendix(m.provenance, L, m.locale, true);
  return officialDocument(m, m.title + (m.subtitle ?? ''), body);
}

/**
 * The figure-sources appendix as its own document (附件), in the same layout: a line naming the
 * report it belongs to, then the table. Null when the report has no figures.
 */
export async function renderDocxAnnex(m: ReportModel): Promise<Buffer | null> {
  if (!m.provenance.length) return null;
  const L = reportLabels(m.locale);
  const of = paragraph(pPr({ line: LINE_28PT, after: LINE_28PT }), run(`${L.annex}${m.locale === 'en' ? ': ' : '：'}${m.title}${m.subtitle ?? ''}`, BODY));
  return officialDocument(m, `${m.title}${m.subtitle ?? ''} ${L.appendix}`, of + appendix(m.provenance, L, m.locale, false));
}
