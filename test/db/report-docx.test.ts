import { describe, expect, it } from 'vitest';
import { zipEntry, zipNames } from '../../src/reports/docx-text.ts';
import { CHAR_SPACE, GRID, LINE_PITCH, renderDocx, renderDocxAnnex } from '../../src/reports/render-docx.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { buildReport } from '../../src/services/reports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { freshStore } from '../support/engines.ts';
import { sofficeAvailable, sofficeConvert } from '../support/soffice.ts';
import { SEED_REPORT_FIGURES } from '../support/seed-figures.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

async function demoModel() {
  const t = await freshStore('sqlite');
  await loadDemo(t.store);
  const model = await buildReport(t.store, SYSTEM, '623023', 2022);
  await t.dispose();
  return model;
}

/** Pages of a PDF: its page objects (LibreOffice writes one `/Type /Page` per page). */
const pdfPages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;

const xml = (docx: Buffer, name: string) => zipEntry(docx, name).toString('utf8');

describe('the Word report of the demo', () => {
  it('declares the 公文 grid of 28 characters × 22 lines on A4 and numbers pages on the outer side', async () => {
    const docx = await renderDocx(await demoModel());
    const doc = xml(docx, 'word/document.xml');
    // A4 and the GB/T 9704 text block: 156 mm wide, 225 mm high.
    expect(doc).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    const margin = /<w:pgMar ([^>]*)\/>/.exec(doc)![1]!;
    const attr = (n: string) => Number(new RegExp(`w:${n}="(\\d+)"`).exec(margin)![1]);
    expect((11906 - attr('left') - attr('right')) / 1440 * 25.4).toBeCloseTo(156, 0);
    expect((16838 - attr('top') - attr('bottom')) / 1440 * 25.4).toBeCloseTo(225, 0);
    const grid = /<w:docGrid ([^>]*)\/>/.exec(doc)![1]!;
    expect(grid).toMatch(/w:type="linesAndChars"/);
    const pitch = Number(/w:linePitch="(-?\d+)"/.exec(grid)![1]);
    const charSpace = Number(/w:charSpace="(-?\d+)"/.exec(grid)![1]);
    expect([pitch, charSpace]).toEqual([LINE_PITCH, CHAR_SPACE]);
    // 22 lines fill the text block; 28 characters of 三号 (16 pt) plus charSpace fill its width.
    expect(Math.floor(16838 - attr('top') - attr('bottom')) / pitch).toBeGreaterThanOrEqual(GRID.lines);
    expect(Math.floor(16838 - attr('top') - attr('bottom')) / pitch).toBeLessThan(GRID.lines + 1);
    const charPitch = 16 + charSpace / 4096;
    expect((11906 - attr('left') - attr('right')) / 20 / charPitch).toBeCloseTo(GRID.chars, 2);
    // The body's own spacing (16 pt − 0.25 pt a character) fits the same 28 characters.
    expect(Math.floor((11906 - attr('left') - attr('right')) / 20 / (16 - 5 / 20))).toBe(GRID.chars);
    // Body text in 仿宋_GB2312 三号.
    expect(doc).toMatch(/w:eastAsia="仿宋_GB2312"[^>]*\/><w:spacing w:val="-5"\/><w:sz w:val="32"\/>/);

    // Odd and even pages get their own footers: "— n —", odd on the right, even on the left.
    expect(xml(docx, 'word/settings.xml')).toMatch(/<w:evenAndOddHeaders\/>|<w:evenAndOddHeaders w:val="(true|1)"\/>/);
    const refs = [...doc.matchAll(/<w:footerReference w:type="(\w+)" r:id="(\w+)"\/>/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(refs.map(([t]) => t).sort()).toEqual(['default', 'even']);
    const rels = xml(docx, 'word/_rels/document.xml.rels');
    const footer = (type: string) => {
      const id = refs.find(([t]) => t === type)![1];
      const target = new RegExp(`Id="${id}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="${id}"`).exec(rels)!;
      return xml(docx, `word/${target[1] ?? target[2]}`);
    };
    for (const [type, side, indent] of [['default', 'right', 'w:right'], ['even', 'left', 'w:left']] as const) {
      const f = footer(type);
      expect(f, type).toMatch(new RegExp(`<w:jc w:val="${side}"/>`));
      expect(f, type).toMatch(new RegExp(`<w:ind ${indent}="280"/>`));
      expect(f, type).toMatch(/— <\/w:t>[\s\S]*PAGE[\s\S]* —<\/w:t>/);
    }
    expect(zipNames(docx).filter((n) => /^word\/footer\d*\.xml$/.test(n))).toHaveLength(2);

    // Body rows of tables may split across pages; only the repeated header row is kept whole.
    const rows = [...doc.matchAll(/<w:tr>(?:<w:trPr>([\s\S]*?)<\/w:trPr>)?/g)].map((m) => m[1] ?? '');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((r) => r.includes('cantSplit')).every((r) => r.includes('tblHeader'))).toBe(true);
    expect(rows.filter((r) => !r.includes('tblHeader')).some((r) => r.includes('cantSplit'))).toBe(false);
  }, 120_000);

  it.runIf(sofficeAvailable())('opens in LibreOffice: the body holds every source figure on at most 12 pages, the annex the sources in words', async () => {
    const model = await demoModel();
    const docx = await renderDocx(model);
    const text = (await sofficeConvert(docx, 'report.docx', 'txt:Text')).toString('utf8');
    expect(text).toContain('舟曲县东西部协作工作自评报告');
    expect(SEED_REPORT_FIGURES.filter((f) => !text.includes(f))).toEqual([]);
    expect(text).not.toContain('附录：数据来源');
    const pages = pdfPages(await sofficeConvert(docx, 'report.docx', 'pdf'));
    expect(pages).toBeGreaterThan(3);
    expect(pages).toBeLessThanOrEqual(12);

    const annex = await renderDocxAnnex(model);
    const annexText = (await sofficeConvert(annex!, 'annex.docx', 'txt:Text')).toString('utf8');
    expect(annexText).toContain('附件：舟曲县东西部协作工作自评报告');
    expect(annexText).toContain('数据来源');
    expect(annexText).toContain('计算方法');
    expect(annexText).toMatch(/台账“[^”]+”/);
    // No formula syntax or keys: no function calls, no dotted ids, no `by dim`.
    expect(annexText).not.toMatch(/\b(values?|count|sum|ref)\(|\bby dim\b|[a-z_]+\.[a-z_]+/);

    const inline = await renderDocx(model, { appendix: 'inline' });
    expect((await sofficeConvert(inline, 'inline.docx', 'txt:Text')).toString('utf8')).toContain('附录：数据来源');
  }, 400_000);
});
