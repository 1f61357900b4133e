import { describe, expect, it } from 'vitest';
import { sofficeAvailable, sofficeConvert } from '../../test/support/soffice.ts';
import { docxText, zipEntry, zipNames } from './docx-text.ts';
import type { Inline, ReportModel } from './model.ts';
import { renderDocx, renderDocxAnnex, xmlEscape } from './render-docx.ts';

const t = (text: string): Inline => ({ kind: 'text', text });
const part = (docx: Buffer, name: string) => zipEntry(docx, name).toString('utf8');
const allParts = (docx: Buffer) => zipNames(docx).map((n) => part(docx, n)).join('\n');

/** Text that looks like markup, and characters XML 1.0 cannot carry (controls, U+FFFE/U+FFFF, unpaired surrogates). */
const MARKUP = '</w:t></w:r><w:r><w:t>& &amp; "quoted" \'single\' <![CDATA[x]]> <!-- -->';
const CONTROLS = 'a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\uFFFEh\uFFFFi\uD800j\uDC00k';
const CONTROLS_KEPT = 'abcdefghijk';
/** Characters outside the BMP (a surrogate pair each) are valid and kept. */
const ASTRAL = '𠀀👍';
const LONG = '东西部协作'.repeat(30_000);

const hostile = (long: string): ReportModel => ({
  title: `<标题>&${MARKUP}`,
  subtitle: CONTROLS,
  issuer: 'A & B <局>',
  date: '2022-11-29',
  locale: 'zh-CN',
  blocks: [
    { kind: 'heading', level: 1, text: `一、${MARKUP}` },
    { kind: 'paragraph', parts: [t(MARKUP), t(CONTROLS), t(ASTRAL)] },
    { kind: 'paragraph', parts: [t(long)] },
    { kind: 'table', caption: '表1 <x>', columns: ['<列>', '"值"'], rows: [[[t('a&b')], [t(`${CONTROLS}\n第二行`)]]] },
    { kind: 'list', items: [[t('<li>')]] },
  ],
  provenance: [{ id: 'F1', label: '<label>&', value: '1 & 2', sources: ['<source>', CONTROLS] }],
});
const HOSTILE = hostile(LONG);

/** Whether XML text has only complete tags and entity references outside them, and no character XML 1.0 refuses. */
function plausiblyWellFormed(xml: string): boolean {
  const outside = xml.replace(/<\?xml [^>]*\?>/, '').replace(/<\/?[\w:]+(?:\s+[\w:]+="[^"<&]*(?:&(?:amp|lt|gt|quot);[^"<&]*)*")*\s*\/?>/g, '');
  return !/[<>]/.test(outside) && !/&(?!(?:amp|lt|gt|quot|apos);)/.test(outside)
    && !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(xml) && !/[\uD800-\uDFFF]/u.test(xml);
}

describe('XML text', () => {
  it('escapes markup characters and drops what XML 1.0 cannot carry', () => {
    expect(xmlEscape('a<b>&"c"\'d\'')).toBe('a&lt;b&gt;&amp;&quot;c&quot;\'d\'');
    expect(xmlEscape(CONTROLS)).toBe(CONTROLS_KEPT);
    expect(xmlEscape(`\t\n\r${ASTRAL}`)).toBe(`\t\n\r${ASTRAL}`);
    expect(xmlEscape('\uD83D')).toBe('');
    expect(xmlEscape('x\uDC00\uD83D')).toBe('x');
    const plain = '东西部协作 2022';
    expect(xmlEscape(plain)).toBe(plain);
  });
});

describe('Word report of hostile text', () => {
  it('keeps markup-like text as text, drops invalid characters, and holds a very long paragraph', async () => {
    const docx = await renderDocx(HOSTILE, { appendix: 'inline' });
    for (const name of zipNames(docx)) expect(plausiblyWellFormed(part(docx, name)), name).toBe(true);
    const doc = part(docx, 'word/document.xml');
    // Model text adds no elements: title, subtitle, blank line, heading, 2 paragraphs, caption, 4 cells, blank line, list item,
    // blank line, 2 signature lines, appendix heading, 10 cells.
    expect(doc.match(/<w:p>/g)).toHaveLength(27);
    expect(doc.match(/<w:tbl>/g)).toHaveLength(2);
    const text = await docxText(docx);
    expect(text).toContain(`<标题>&${MARKUP}`);
    expect(text).toContain(`${MARKUP}${CONTROLS_KEPT}${ASTRAL}`);
    expect(text.split('\n')).toContain(LONG);
    expect(text).toContain(`${CONTROLS_KEPT}\n第二行`);
    expect(text).toContain('<label>&');
    expect(part(docx, 'docProps/core.xml')).toContain(`<dc:subject>${CONTROLS_KEPT}</dc:subject>`);
    expect(part(docx, 'docProps/core.xml')).toContain('<dc:creator>A &amp; B &lt;局&gt;</dc:creator>');
    const annex = (await renderDocxAnnex(HOSTILE))!;
    for (const name of zipNames(annex)) expect(plausiblyWellFormed(part(annex, name)), name).toBe(true);
  });

  it.runIf(sofficeAvailable())('opens in LibreOffice, which reads the same text back', async () => {
    // A paragraph of some ten pages: long enough to wrap across pages, short enough for a quick conversion.
    const long = '东西部协作'.repeat(2_000);
    const text = (await sofficeConvert(await renderDocx(hostile(long), { appendix: 'inline' }), 'hostile.docx', 'txt:Text')).toString('utf8');
    expect(text).toContain(`<标题>&${MARKUP}`);
    expect(text).toContain(`${MARKUP}${CONTROLS_KEPT}${ASTRAL}`);
    expect(text).toContain(long);
    expect(text).toContain('<label>&');
    expect(text).toContain('A & B <局>');
  }, 200_000);
});

describe('parts shared between reports', () => {
  const A: ReportModel = {
    title: '甲县自评报告', subtitle: '（2022年度）', issuer: '甲县乡村振兴局', date: '2022-11-29', locale: 'zh-CN',
    blocks: [{ kind: 'paragraph', parts: [t('只属于甲县的文字')] }],
    provenance: [{ id: 'F1', label: '甲县指标', value: '1人', sources: ['甲县台账'] }],
  };
  const B: ReportModel = {
    title: 'County B self-assessment', issuer: 'County B bureau', date: '2023-01-05', locale: 'en',
    blocks: [{ kind: 'table', caption: 'Table 1', columns: ['Only B'], rows: [[[t('B cell')]]] }],
    provenance: [{ id: 'F1', label: 'B indicator', value: '2', sources: ['B ledger'] }],
  };

  it('do not carry one report into the next: each holds only its own words, language and properties', async () => {
    const a1 = await renderDocx(A, { appendix: 'inline' });
    const b = await renderDocx(B, { appendix: 'inline' });
    const bAnnex = (await renderDocxAnnex(B))!;
    const a2 = await renderDocx(A, { appendix: 'inline' });
    for (const [docx, own, other] of [[a1, A, B], [b, B, A], [bAnnex, B, A], [a2, A, B]] as const) {
      const all = allParts(docx);
      for (const word of [other.title, other.issuer, other.provenance[0]!.label, other.provenance[0]!.sources[0]!]) expect(all).not.toContain(word);
      expect(all).toContain(own.provenance[0]!.label);
      expect(part(docx, 'docProps/core.xml')).toContain(`<dc:creator>${own.issuer}</dc:creator>`);
      expect(part(docx, 'word/styles.xml')).toContain(own.locale === 'en' ? 'w:val="en-US"' : 'w:val="zh-CN"');
    }
    expect(allParts(b)).not.toContain('只属于甲县的文字');
    expect(await docxText(b)).toContain('B cell');
    expect(part(b, 'docProps/core.xml')).not.toContain('dc:subject');
    // Rendering A again after B gives the same document as before.
    expect(part(a2, 'word/document.xml')).toBe(part(a1, 'word/document.xml'));
  });
});
