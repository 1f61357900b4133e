import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/reports/render-markdown.ts';
import { ROOT } from '../../src/services/config.ts';
import { loadDataset } from '../../src/services/demo.ts';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { buildReport } from '../../src/services/reports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

/**
 * Each dataset transcribes one extract in ../shared/examples. `figures` are the figures its table states,
 * in the form the source prints them; `fails` the inconsistencies its checks note (rule ids), nothing else.
 */
const EXAMPLES = [
  {
    file: 'guangxi-province-2022.yaml', unit: '45', year: 2022, fails: [] as string[],
    figures: ['17.58亿元', '33个', '5327万元', '267人', '2411人次', '321家', '179.16亿元', '111个', '71个', '378个', '75.31万人', '26.35万人',
      '219家', '101家', '202家', '84家', '224.45亿元', '2.35亿元', '4个'],
  },
  {
    file: 'cangxi-2021.yaml', unit: '510824', year: 2021, fails: [],
    figures: ['2021年5月', '五张名片', '3900万元', '200万元', '251万元', '1085万元', '2360万元', '10000平方米', '6家', '3.18亿元', '800万元', '1家', '4名', '30名', '300人', '2人', '132人'],
  },
  {
    file: 'chayouqianqi-2018-2021.yaml', unit: '150926', year: 2021, fails: ['stated.parts.funds.allocated_total'],
    figures: ['8次', '80次', '892人', '5107.12万元', '4大类', '24个', '5073名', '3952万元', '1291.3万元'],
  },
  {
    file: 'lanping-2021.yaml', unit: '533325', year: 2021, fails: [],
    figures: ['5个', '5000万元', '4800万元', '1200万元', '500亩', '500户', '1782人', '413户', '1528人'],
  },
];

describe.each(await engines())('published reports beyond the demo (%s)', (engine) => {
  describe.each(EXAMPLES)('$file', (ex) => {
    let t: TestStore;
    let body: string;
    beforeAll(async () => {
      t = await freshStore(engine);
      await loadDataset(t.store, join(ROOT, 'data', 'examples', ex.file));
      const md = renderMarkdown(await buildReport(t.store, SYSTEM, ex.unit, ex.year, { generatedAt: 'T' }));
      body = md.split('## 附录')[0]!;
    });
    afterAll(() => t.dispose());

    it('prints every figure the source states, as published', () => {
      expect(ex.figures.filter((f) => !body.includes(f))).toEqual([]);
    });

    it('prints no figure the data lacks and nothing from another county', () => {
      expect(body).not.toMatch(/暂无数据|未列明/);
      expect(body).not.toMatch(/(^|[^\d.])0(\.0+)?(万元|亿元|个|人|家|次|%)/m);
      expect(body).not.toMatch(/舟曲|天津|和平区|甘南|津陇/);
      expect(body).not.toMatch(/[，、；]。|。。|，，/);
    });

    it('flags exactly the inconsistencies the source carries', async () => {
      const rules = await new IndicatorEngine(t.store, ex.unit, ex.year).rules();
      expect(rules.filter((r) => r.ok === false).map((r) => r.id)).toEqual(ex.fails);
    });
  });
});

describe.each(await engines())('a prefecture states a total its counties do not add up to (%s)', (engine) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore(engine);
    await loadDataset(t.store);
    await t.store.db.insertInto('reported_value').values({ county_code: '6230', year: 2022, element: 'funds.allocated_total', dim: '', value: '520000000000'.slice(0, 10), qual: 'exact', value_max: null, note: 'test', updated_at: 'T', scale: '' }).execute();
  });
  afterAll(() => t.dispose());

  it('the province adds up its prefectures, each with the figure it states itself where it states one', async () => {
    const province = await new IndicatorEngine(t.store, '62', 2022).evaluate('funds.allocated');
    // The prefecture's own 5200万元 stands for it, not its county's 5100万元.
    expect(province.display).toBe('5200万元');
    expect(province.trace.filter((x) => x.kind === 'indicator').map((x) => (x.kind === 'indicator' ? x.query.id : ''))).toEqual(['funds.allocated@6230']);
    // Without the prefecture's own figure the province is its counties' sum again.
    const other = await freshStore(engine);
    try {
      await loadDataset(other.store);
      expect((await new IndicatorEngine(other.store, '62', 2022).evaluate('funds.allocated')).display).toBe('5100万元');
    } finally { await other.dispose(); }
  });

  it('shows both figures side by side and flags the difference', async () => {
    const r = await new IndicatorEngine(t.store, '6230', 2022).evaluate('funds.allocated');
    expect(r.display).toBe('5200万元');
    expect(r.rolledUp?.display).toBe('5100万元');
    expect(r.flags.map((f) => f.zh).join()).toMatch(/本级上报5200万元，所辖1个县合计5100万元/);
    expect(r.rolledUp).toMatchObject({ parts: 1, level: 'county', counties: 1 });
    const rules = await new IndicatorEngine(t.store, '6230', 2022).rules();
    expect(rules.filter((x) => x.ok === false).map((x) => x.id)).toEqual(['consistency.funds.allocated']);
  });

  it('builds the prefecture report and checks from its own and its counties’ figures', async () => {
    const md = renderMarkdown(await buildReport(t.store, SYSTEM, '6230', 2022, { generatedAt: 'T' }));
    expect(md).toMatch(/甘南藏族自治州东西部协作工作自评报告/);
    expect(md).toContain('5200万元');
    const prov = renderMarkdown(await buildReport(t.store, SYSTEM, '62', 2022, { generatedAt: 'T' }));
    expect(prov).toContain('5100万元');
  });
});
