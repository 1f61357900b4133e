import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/reports/render-markdown.ts';
import type { ReportModel } from '../../src/reports/model.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { buildReport } from '../../src/services/reports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';
import { SEED_REPORT_FIGURES } from '../support/seed-figures.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';


function text(m: ReportModel): string {
  return renderMarkdown({ ...m, generatedAt: 'T' });
}

for (const engine of await engines()) {
  describe(`self-assessment report of the demo (${engine})`, () => {
    let t: TestStore;
    let model: ReportModel;
    beforeAll(async () => {
      t = await freshStore(engine);
      await loadDemo(t.store);
      model = await buildReport(t.store, SYSTEM, '623023', 2022);
    });
    afterAll(async () => { await t.dispose(); });

    it('contains every figure the source report states', () => {
      const md = text(model);
      const missing = SEED_REPORT_FIGURES.filter((f) => !md.includes(f));
      expect(missing).toEqual([]);
    });

    it('follows the assessment structure', () => {
      const h1 = model.blocks.filter((b) => b.kind === 'heading' && b.level === 1).map((b) => (b as { text: string }).text);
      expect(h1).toEqual(['一、2022年东西部协作主要工作', '二、特色亮点', '三、存在的问题', '四、2023年工作计划']);
      const h2 = model.blocks.filter((b) => b.kind === 'heading' && b.level === 2).map((b) => (b as { text: string }).text);
      expect(h2.slice(0, 4)).toEqual(['（一）组织领导', '（二）助力巩固拓展脱贫攻坚成果', '（三）区域协作', '（四）促进乡村振兴']);
      expect(model.title).toBe('舟曲县东西部协作工作自评报告');
      expect(model.issuer).toBe('舟曲县乡村振兴局');
    });

    it('draws 存在的问题 from the indicators that miss their targets, then stored notes', () => {
      const start = model.blocks.findIndex((b) => b.kind === 'heading' && b.text === '三、存在的问题');
      const end = model.blocks.findIndex((b) => b.kind === 'heading' && b.text.startsWith('四、'));
      const section = renderMarkdown({ ...model, blocks: model.blocks.slice(start, end), provenance: [] });
      expect(section).toMatch(/选派赴东部学习交流人员未达到目标/);
      expect(section).toMatch(/全年为4人，未达到“不少于30人”的目标/);
      expect(section).toMatch(/引导企业投资额未达到目标[\s\S]*引导企业投资额全年为470万元，未达到“超过1000万元”的目标/);
      expect(section).toMatch(/部分项目受疫情影响推进缓慢/);
      expect(section).toMatch(/赴协作地就业人数较上年增加/); // a target that cannot be judged without last year's data
    });

    it('warns at the top when a validation rule fails, and refuses a year without data', async () => {
      await t.store.db.updateTable('fund_allocation' as never).set({ amount_fen: 1 } as never).where('category' as never, '=', 'talent' as never).execute();
      const warned = await buildReport(t.store, SYSTEM, '623023', 2022);
      await t.store.db.updateTable('fund_allocation' as never).set({ amount_fen: 37_520_000 } as never).where('category' as never, '=', 'talent' as never).execute();
      expect(warned.blocks[0]).toMatchObject({ kind: 'paragraph', parts: [expect.objectContaining({ text: expect.stringMatching(/^【数据校验提示】.*各类资金之和等于资金总额/) })] });
      expect(model.blocks[0]).not.toMatchObject({ parts: [expect.objectContaining({ text: expect.stringMatching(/数据校验提示/) })] });
      await expect(buildReport(t.store, SYSTEM, '623023', 2023)).rejects.toMatchObject({ code: 'NOT_FOUND', zh: expect.stringMatching(/尚无任何数据/) });
    });

    it('binds every figure to a provenance entry that names its sources', () => {
      const refs = new Set(model.provenance.map((p) => p.id));
      const figures = model.blocks.flatMap((b) =>
        b.kind === 'paragraph' ? b.parts : b.kind === 'table' ? b.rows.flat(2) : b.kind === 'list' ? b.items.flat() : []).filter((i) => i.kind === 'figure');
      expect(figures.length).toBeGreaterThan(80);
      for (const f of figures) expect(refs.has((f as { ref: string }).ref), (f as { text: string }).text).toBe(true);
      for (const p of model.provenance) expect(p.sources.length, p.label).toBeGreaterThan(0);
      const rate = model.provenance.find((p) => p.indicator === 'funds.disbursement_rate')!;
      expect(rate.formula).toBe('ref(funds.disbursed) / ref(funds.allocated) * 100');
    });
  });
}

describe('the report is the same on both engines', async () => {
  const list = await engines();
  it.runIf(list.includes('postgres'))('prints identically apart from the generation time', async () => {
    const out: string[] = [];
    for (const engine of list) {
      const t = await freshStore(engine);
      await loadDemo(t.store);
      out.push(text(await buildReport(t.store, SYSTEM, '623023', 2022)));
      await t.dispose();
    }
    expect(out[1]).toBe(out[0]);
  });
});
