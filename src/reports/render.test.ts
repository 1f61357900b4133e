import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docxText, zipEntry, zipNames } from './docx-text.ts';
import type { Inline, ReportModel } from './model.ts';
import { renderDocx } from './render-docx.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';

const t = (text: string): Inline => ({ kind: 'text', text });
const f = (text: string, ref: string): Inline => ({ kind: 'figure', text, ref });

/** A small report shaped like the 舟曲县 2022 one: headings on three levels, figures, a table, a list, an appendix. */
const MODEL: ReportModel = {
  title: '舟曲县东西部协作工作自评报告',
  subtitle: '（2022年度）',
  issuer: '舟曲县乡村振兴局',
  date: '2022-11-29',
  generatedAt: '2022-11-29T08:00:00.000Z',
  locale: 'zh-CN',
  blocks: [
    { kind: 'paragraph', parts: [t('2022年，舟曲县与天津市北辰区围绕产业合作、劳务协作和消费帮扶等重点任务，继续深化东西部协作。')] },
    { kind: 'heading', level: 1, text: '一、2022年东西部协作主要工作' },
    { kind: 'heading', level: 2, text: '（一）促进乡村振兴' },
    { kind: 'heading', level: 3, text: '1、协作资金' },
    {
      kind: 'paragraph',
      parts: [t('北辰区援助财政资金'), f('5100万元', 'F1'), t('，截至目前已拨付'), f('4562.143万元', 'F2'), t('，拨付率'), f('89.45%', 'F3'),
        t('（目标 <不低于95%> & “按期拨付”）。')],
    },
    {
      kind: 'table', caption: '表1  2022年东西部协作资金安排（万元）', columns: ['用途', '金额（万元）'], align: ['left', 'right'],
      rows: [
        [[t('产业发展')], [f('3178.587', 'F1')]],
        [[t('劳务协作|就业')], [f('314', 'F1')]],
        [[t('合计')], [f('5100万元', 'F1')]],
      ],
    },
    { kind: 'paragraph', parts: [t('借助外部资金实施的项目：')] },
    { kind: 'list', items: [[t('智慧大棚：社会资金投入'), f('363.4万元', 'F2')], [t('养殖合作社：提供就业岗位'), t('70余人')]] },
  ],
  provenance: [
    { id: 'F1', label: '东部援助财政资金', value: '5100万元', indicator: 'funds.allocated', formula: 'sum(project.coop_funds)', sources: ['台账 协作项目 #1 产业发展', 'reported value funds.allocated 2022'] },
    { id: 'F2', label: '已拨付资金', value: '4562.143万元', indicator: 'funds.disbursed', formula: 'sum(project.disbursed)', sources: ['台账 协作项目 #1–#43'] },
    { id: 'F3', label: '资金拨付率', value: '89.45%', indicator: 'funds.disbursement_rate', formula: 'ref(funds.disbursed) / ref(funds.allocated) * 100', sources: ['F1', 'F2'] },
  ],
};

const FIGURES = ['5100万元', '4562.143万元', '89.45%', '3178.587', '314', '363.4万元'];

describe('Markdown', () => {
  const md = renderMarkdown(MODEL);

  it('prints the title block, every heading and every figure', () => {
    expect(md.startsWith('# 舟曲县东西部协作工作自评报告\n\n（2022年度）\n\n舟曲县乡村振兴局  \n2022年11月29日\n\n生成时间：2022-11-29T08:00:00.000Z\n')).toBe(true);
    expect(md).toContain('\n## 一、2022年东西部协作主要工作\n');
    expect(md).toContain('\n### （一）促进乡村振兴\n');
    expect(md).toContain('\n#### 1、协作资金\n');
    for (const fig of FIGURES) expect(md).toContain(fig);
  });

  it('prints tables as GitHub tables with | escaped, and lists as items', () => {
    expect(md).toContain('| 用途 | 金额（万元） |\n| :--- | ---: |\n| 产业发展 | 3178.587 |\n| 劳务协作\\|就业 | 314 |');
    expect(md).toContain('- 智慧大棚：社会资金投入363.4万元\n- 养殖合作社');
  });

  it('keeps provenance ids out of the body and lists them in the appendix', () => {
    const [body, appendix] = md.split('## 附录：数据来源');
    expect(body).not.toMatch(/F\d/);
    // How the figure is computed, in words: referenced indicators by their labels, no formula syntax or ids.
    expect(appendix).toMatch(/\| \[F3\] \| 资金拨付率 \| 89\.45% \| 指标“[^”]+” ÷ 指标“[^”]+” × 100 \| F1；F2 \|/);
    expect(appendix).not.toMatch(/`|ref\(|sum\(/);
    expect(appendix).toContain('[F1]');
    expect(appendix).toContain('[F2]');
  });

  it('escapes Markdown syntax in model text and is deterministic', () => {
    expect(md).toContain('（目标 \\<不低于95%\\> & “按期拨付”）');
    expect(renderMarkdown(structuredClone(MODEL))).toBe(md);
    const tricky = renderMarkdown({ ...MODEL, generatedAt: undefined, provenance: [], blocks: [
      { kind: 'paragraph', parts: [t('# 不是标题，*不是强调*，edu.pass_rate 保持原样，_x_ 与 [链接](y) 转义')] },
      { kind: 'paragraph', parts: [t('1. 不是列表')] },
    ] });
    expect(tricky).toContain('\\# 不是标题，\\*不是强调\\*，edu.pass_rate 保持原样，\\_x\\_ 与 \\[链接](y) 转义');
    expect(tricky).toContain('\n\n1\\. 不是列表\n');
  });
});

describe('HTML', () => {
  const html = renderHtml(MODEL);

  it('escapes model text', () => {
    expect(html).toContain('（目标 &lt;不低于95%&gt; &amp; “按期拨付”）');
    expect(html).not.toContain('<不低于');
    const hostile = renderHtml({ ...MODEL, title: '<script>alert(1)</script>', provenance: [{ ...MODEL.provenance[0]!, label: '"><img src=x>' }] });
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<img');
    expect(hostile).toContain('title="&quot;&gt;&lt;img src=x&gt;"');
  });

  it('marks each figure with its provenance id and label', () => {
    expect(html).toContain('<span class="fig" data-ref="F3" title="资金拨付率">89.45%</span>');
    expect(html).toContain('<span class="fig" data-ref="F1" title="东部援助财政资金">5100万元</span>');
    expect(html.match(/class="fig"/g)).toHaveLength(7);
    expect(html).toContain('<tr id="prov-F3">');
  });

  it('is a fragment by default and a full document when standalone', () => {
    expect(html.startsWith('<article class="xz-report" lang="zh-CN">')).toBe(true);
    expect(html).not.toContain('<html');
    const page = renderHtml(MODEL, { standalone: true });
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="zh-CN">')).toBe(true);
    expect(page).toContain('<title>舟曲县东西部协作工作自评报告（2022年度）</title>');
    expect(page).toContain("'FangSong','STFangsong'");
    expect(page).toContain("'SimHei'");
    expect(page).toContain('<h1>舟曲县东西部协作工作自评报告</h1>');
    expect(page).toContain('<h4>1、协作资金</h4>');
  });
});

describe('Word', () => {
  let docx: Buffer;
  let xml: string;
  beforeAll(async () => {
    docx = await renderDocx(MODEL, { appendix: 'inline' });
    xml = zipEntry(docx, 'word/document.xml').toString('utf8');
  });

  it('is a zip holding the figures, the title and the appendix', async () => {
    expect(docx.subarray(0, 2).toString()).toBe('PK');
    const text = await docxText(docx);
    for (const fig of FIGURES) expect(text).toContain(fig);
    expect(text).toContain('舟曲县东西部协作工作自评报告');
    expect(text).toContain('（目标 <不低于95%> & “按期拨付”）');
    expect(text).toContain('附录：数据来源');
    expect(text).toContain('指标“已拨付资金” ÷ 指标“东部援助财政资金” × 100');
    expect(text).not.toContain('ref(');
    expect(text).toContain('（1）智慧大棚：社会资金投入363.4万元');
    expect(text.split('\n')).toEqual(expect.arrayContaining(['舟曲县乡村振兴局', '2022年11月29日']));
  });

  it('sets the 公文 fonts, sizes, spacing and page', () => {
    for (const name of ['方正小标宋简体', '仿宋_GB2312', '黑体', '楷体_GB2312']) expect(xml).toContain(`w:eastAsia="${name}"`);
    expect(xml).toMatch(/w:eastAsia="方正小标宋简体"[^>]*\/>(?:<[^>]+>)*?<w:sz w:val="44"\/>/);
    expect(xml).toContain('<w:spacing w:after="0" w:before="0" w:line="579" w:lineRule="exact"/>');
    expect(xml).toMatch(/w:firstLine="640"/);
    expect(xml).toMatch(/w:firstLineChars="200"/);
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toMatch(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/);
    expect(xml).toContain('<w:tblHeader/>');
    // The only switched-off property is table and body text leaving the document grid.
    expect(xml.replace(/<w:snapToGrid w:val="false"\/>/g, '')).not.toContain('w:val="false"');
    expect(xml).toMatch(/<w:pageBreakBefore\/>(?:(?!<\/w:p>).)*附录：数据来源/);
    const footerName = zipNames(docx).find((n) => /^word\/footer\d*\.xml$/.test(n))!;
    const footer = zipEntry(docx, footerName).toString('utf8');
    expect(footer).toContain('— ');
    expect(footer).toContain('PAGE');
    expect(footer).toMatch(/<w:jc w:val="(right|left)"\/>/);
  });

  it('signs with the issuer two characters from the margin and the date two characters further right', () => {
    // 舟曲县乡村振兴局 is 8 characters wide, 2022年11月29日 7: the date ends one character from the margin.
    expect(xml).toMatch(/<w:ind w:right="640"\/><w:jc w:val="right"\/><\/w:pPr><w:r>(?:(?!<\/w:p>).)*舟曲县乡村振兴局/);
    expect(xml).toMatch(/<w:ind w:right="320"\/><w:jc w:val="right"\/><\/w:pPr><w:r>(?:(?!<\/w:p>).)*2022年11月29日/);
  });

  it('rejects what is not a .docx', async () => {
    await expect(docxText(Buffer.from('not a zip'))).rejects.toThrow(/not a zip/);
  });

  it('carries the title and the issuer as document properties', () => {
    const core = zipEntry(docx, 'docProps/core.xml').toString('utf8');
    expect(core).toContain('<dc:title>舟曲县东西部协作工作自评报告（2022年度）</dc:title>');
    expect(core).toContain('<dc:creator>舟曲县乡村振兴局</dc:creator>');
  });
});

const SOFFICE = '/usr/bin/soffice';
const hasSoffice = existsSync(SOFFICE);
if (!hasSoffice && !process.env.CI) {
  console.warn(`\n!!! LibreOffice is missing (${SOFFICE} not found): the check that the .docx opens in an office suite is SKIPPED.\n`
    + '!!! Install it (e.g. apt-get install libreoffice-writer) to run it; on CI this check fails instead.\n');
}

describe('Word in LibreOffice', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'report-docx-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it.skipIf(!hasSoffice && !process.env.CI)('opens the .docx and reads back the title and every figure', async () => {
    expect(hasSoffice, `LibreOffice is required on CI: ${SOFFICE} not found`).toBe(true);
    const file = join(dir, 'report.docx');
    writeFileSync(file, await renderDocx(MODEL, { appendix: 'inline' }));
    await promisify(execFile)(SOFFICE, [
      `-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--convert-to', 'txt:Text', '--outdir', dir, file,
    ], { timeout: 120_000 });
    const text = readFileSync(join(dir, 'report.txt'), 'utf8');
    expect(text).toContain('舟曲县东西部协作工作自评报告');
    for (const fig of FIGURES) expect(text).toContain(fig);
    expect(text).toContain('附录：数据来源');
  }, 150_000);
});
