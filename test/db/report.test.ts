import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/reports/render-markdown.ts';
import type { ReportModel } from '../../src/reports/model.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { buildReport } from '../../src/services/reports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

/**
 * Every figure the 2022 source report states, in the form the generated report prints it. Each must
 * appear in the generated report, computed from the dataset.
 */
export const SEED_REPORT_FIGURES = [
  // organisation
  '6次', '4次', '5次', '15次', '7月13日至14日', '8月15日至17日', '36对', '2对', '3对', '24对',
  '160人', '37.74%', '10.38个百分点', '19.74个百分点', '172人', '40.57%', '10.97个百分点', '21.38个百分点',
  // poverty gains
  '13场', '4场', '9场', '14人', '534人', '1233人', '1232万元', '460.23万元', '8161户', '30682人', '405人', '161.87万元',
  '100万元', '87.52万元',
  // regional cooperation
  '470万元', '45人', '50万元', '257.7万元', '3038.13万元', '465.73万元', '7739平方米', '600头', '960头', '1920头', '1.2万–1.5万头',
  '3个', '3000万元', '3698人', '919人', '700人',
  // rural revitalisation
  '5人', '56人', '44人', '22人', '4人', '5100万元', '3178.587', '314', '143.6', '37.52', '1326.293', '1377.52万元',
  '4562.143万元', '89.45%', '43个', '100%', '30个', '69.77%', '448.2582万元', '40余家', '1家', '70余万元', '238.1634万元', '18万元',
  '约3万元', '约12万元', '约15万元', '8万元', '9万元', '10万元', '174.2万元', '900万元', '280万元', '23.32万元', '1人', '2021年',
  // highlights
  '363.4万元', '70余人', '34.4万元', '168户', '696人', '约2600元', '5月30日至6月2日', '150名', '6月30日',
  // problems
  '30人', '20人', '8人', '2人', '超过1000万元',
];

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
      expect(section).toMatch(/目标为不少于30人[\s\S]*实际为4人/);
      expect(section).toMatch(/引导企业投资额未达到目标[\s\S]*目标为超过1000万元[\s\S]*实际为470万元/);
      expect(section).toMatch(/部分项目受疫情影响推进缓慢/);
      expect(section).toMatch(/赴协作地就业人数较上年增加/); // a target that cannot be judged without last year's data
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
