import { describe, expect, it } from 'vitest';
import { renderDocx } from '../../src/reports/render-docx.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { buildReport } from '../../src/services/reports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { freshStore } from '../support/engines.ts';
import { sofficeAvailable, sofficeConvert } from '../support/soffice.ts';
import { SEED_REPORT_FIGURES } from '../support/seed-figures.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

describe('the Word report of the demo', () => {
  it.runIf(sofficeAvailable())('opens in LibreOffice and its text holds every figure of the source', async () => {
    const t = await freshStore('sqlite');
    await loadDemo(t.store);
    const docx = await renderDocx(await buildReport(t.store, SYSTEM, '623023', 2022));
    await t.dispose();
    const text = (await sofficeConvert(docx, 'report.docx', 'txt:Text')).toString('utf8');
    expect(text).toContain('舟曲县东西部协作工作自评报告');
    expect(text).toContain('附录');
    expect(SEED_REPORT_FIGURES.filter((f) => !text.includes(f))).toEqual([]);
  }, 240_000);
});
