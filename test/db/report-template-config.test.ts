import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderMarkdown } from '../../src/reports/render-markdown.ts';
import { checkTemplate } from '../../src/reports/template.ts';
import { listAudit } from '../../src/services/audit.ts';
import { setCategories, setOwnElements, setReportTemplate, showConfig, showReportTemplate } from '../../src/services/config-admin.ts';
import { readReportSheets } from '../../src/excel/report-sheets.ts';
import { listReported, setReported } from '../../src/services/reported.ts';
import { categoriesFor, ROOT } from '../../src/services/config.ts';
import { loadDataset, loadDemo } from '../../src/services/demo.ts';
import { buildReport, lintTemplate, reportTemplate } from '../../src/services/reports.ts';
import { type Actor, SYSTEM } from '../../src/services/scope.ts';
import type { Store } from '../../src/store/db.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

const GANSU: Actor = { id: 'gansu.p', name: '甘肃省用户', role: 'province_user', units: ['62'] };
const CLERK: Actor = { id: 'zhouqu.c', name: '舟曲县填报员', role: 'county_clerk', units: ['623023'] };
const ZHOUQU = '623023';
const CANGXI = '510824';

const report = async (s: Store, unit: string, year: number) => renderMarkdown(await buildReport(s, SYSTEM, unit, year, { generatedAt: 'T' })).split('## 附录')[0]!;

describe('shipped report templates', () => {
  it('every shipped template names only indicators, ledgers, fields and context names that exist', () => {
    for (let year = 2021; year <= 2025; year++) expect(lintTemplate(reportTemplate(year, ZHOUQU), year), String(year)).toEqual([]);
    const base = join(ROOT, 'config');
    for (const y of readdirSync(base))
      for (const level of ['provinces', 'units']) {
        const dir = join(base, y, level);
        if (!existsSync(dir)) continue;
        for (const u of readdirSync(dir)) {
          const f = join(dir, u, 'report.yaml');
          if (existsSync(f)) expect(lintTemplate(checkTemplate(parse(readFileSync(f, 'utf8')), f), Number(y)), f).toEqual([]);
        }
      }
  });

  it('finds every unknown name at once, located by block and sentence', () => {
    const tpl = checkTemplate({
      title: '{unit}{nope}', blocks: [
        { p: '共{funds.allocated}，{no.such}。' },
        { each: 'project', p: '{r.name}{r.no_field}{r.start_date~no_end}' },
        { list: 'no_ledger', item: '{r.name}', p: '{items}' },
        { p: '{r.name}' },
        { p: '{funds.allocated:sum}' },
      ],
    }, 'test');
    const problems = lintTemplate(tpl, 2022).map((p) => [p.block, p.en]);
    expect(problems).toEqual([
      [0, 'unknown indicator no.such'],
      [1, 'ledger project has no field no_field'],
      [1, 'ledger project has no field no_end'],
      [2, 'unknown ledger no_ledger'],
      [2, expect.stringContaining('only valid where a block walks a ledger')],
      [3, expect.stringContaining('only valid where a block walks a ledger')],
      [4, expect.stringContaining('only :parts or :claim')],
      [-1, 'unknown name nope'],
    ]);
  });
});

for (const engine of await engines()) {
  describe(`report templates and category lists stored per unit (${engine})`, () => {
    let t: TestStore;
    let s: Store;
    let shipped: string;
    beforeAll(async () => {
      t = await freshStore(engine);
      s = t.store;
      await loadDemo(s);
      await loadDataset(s, join(ROOT, 'data', 'examples', 'cangxi-2021.yaml'));
      shipped = (await showReportTemplate(s, 2022, '62')).yaml;
    }, 120_000);
    afterAll(async () => { await t?.dispose(); });

    it('a province template changes that province’s reports from the year on; another province keeps the shipped one', async () => {
      const cangxiBefore = await report(s, CANGXI, 2021);
      const zhouquBefore = await report(s, ZHOUQU, 2022);
      const own = shipped.replace('围绕东西部协作年度任务推进各项工作。', '按照全省东西部协作年度部署推进各项工作。');
      expect(own).not.toBe(shipped);
      const v = await setReportTemplate(s, GANSU, { year: 2022, unit: '62', yaml: own });
      expect(v).toMatchObject({ own: true, source: { from: 'stored', unit: '62', year: 2022, version: 1, updatedBy: 'gansu.p' } });
      const after = await report(s, ZHOUQU, 2022);
      expect(after).toContain('按照全省东西部协作年度部署推进各项工作');
      expect(after.replace('按照全省东西部协作年度部署推进各项工作', '围绕东西部协作年度任务推进各项工作')).toBe(zhouquBefore);
      expect(await report(s, CANGXI, 2021)).toBe(cangxiBefore);
      // Later years inherit it; the year before does not see it; a county below shows where it comes from.
      expect((await showReportTemplate(s, 2024, ZHOUQU)).source).toMatchObject({ from: 'stored', unit: '62', year: 2022 });
      expect((await showReportTemplate(s, 2024, ZHOUQU)).own).toBe(false);
      expect((await showReportTemplate(s, 2021, ZHOUQU)).source).toMatchObject({ from: 'file', unit: '' });
    });

    it('a county template beats its province’s, and inherit brings the province’s back', async () => {
      await setReportTemplate(s, SYSTEM, { year: 2022, unit: ZHOUQU, yaml: shipped.replace('现将全年工作情况和自评结果报告如下。', '全年工作和自评情况如下。') });
      const county = await report(s, ZHOUQU, 2022);
      expect(county).toContain('全年工作和自评情况如下');
      expect(county).not.toContain('按照全省东西部协作年度部署');
      await setReportTemplate(s, SYSTEM, { year: 2022, unit: ZHOUQU, inherit: true });
      expect(await report(s, ZHOUQU, 2022)).toContain('按照全省东西部协作年度部署推进各项工作');
      await expect(setReportTemplate(s, SYSTEM, { year: 2022, unit: ZHOUQU, inherit: true })).rejects.toMatchObject({ code: 'INVALID', en: expect.stringContaining('already inherits') });
    });

    it('refuses a broken template with every problem located, and writes nothing', async () => {
      const before = await showReportTemplate(s, 2022, '62');
      await expect(setReportTemplate(s, GANSU, { year: 2022, unit: '62', yaml: 'title: [x\n' })).rejects.toMatchObject({ code: 'INVALID', zh: expect.stringContaining('第2行') });
      await expect(setReportTemplate(s, GANSU, { year: 2022, unit: '62', yaml: 'title: x\nblocks:\n  - p: "{a"\n' })).rejects.toMatchObject({ code: 'INVALID', en: expect.stringContaining('blocks[0]') });
      await expect(setReportTemplate(s, GANSU, { year: 2022, unit: '62', yaml: 'title: x\nblocks:\n  - p: "{no.such}"\n  - level: town\n    p: a\n' }))
        .rejects.toMatchObject({ code: 'INVALID', en: expect.stringContaining("level 'town'") });
      await expect(setReportTemplate(s, GANSU, { year: 2022, unit: '62', yaml: 'title: x\nblocks:\n  - p: "{no.such}与{r.name}"\n' }))
        .rejects.toMatchObject({ code: 'INVALID', en: expect.stringMatching(/unknown indicator no\.such.*only valid where a block walks a ledger/) });
      await expect(setReportTemplate(s, CLERK, { year: 2022, unit: ZHOUQU, yaml: shipped })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(setReportTemplate(s, GANSU, { year: 2022, unit: '61', yaml: shipped })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await showReportTemplate(s, 2022, '62')).toEqual(before);
    });

    it('a category list can go back to inheriting the unit above, unless its own values are in use', async () => {
      const national = categoriesFor(2022, ZHOUQU).meeting_type!;
      await setCategories(s, GANSU, { year: 2022, unit: '62', list: 'meeting_type', items: [...national, { value: 'special_topic', zh: '专题会议', en: 'Special-topic meetings' }] });
      expect(categoriesFor(2022, ZHOUQU, s).meeting_type!.map((c) => c.value)).toContain('special_topic');
      const v = await setCategories(s, GANSU, { year: 2022, unit: '62', list: 'meeting_type', items: [], inherit: true });
      expect(v.categories.find((c) => c.name === 'meeting_type')).toMatchObject({ own: false, source: { stored: false } });
      expect(categoriesFor(2022, ZHOUQU, s).meeting_type).toEqual(national);
      await expect(setCategories(s, GANSU, { year: 2022, unit: '62', list: 'meeting_type', items: [], inherit: true })).rejects.toMatchObject({ code: 'INVALID' });
      expect((await showConfig(s, 2022, '62')).categories.find((c) => c.name === 'meeting_type')!.items).toEqual(national);
    });

    it('writes each change to the audit log', async () => {
      const a = await listAudit(s, SYSTEM, { entity: 'config', limit: 100 });
      expect(a.rows.filter((r) => r.action === 'config.report').map((r) => [r.actor, r.entityId])).toEqual(expect.arrayContaining([
        ['gansu.p', 'report/2022/62'], ['system', `report/2022/${ZHOUQU}`],
      ]));
      expect(a.rows.some((r) => r.action === 'config.categories' && JSON.stringify(r.after).includes('"inherit":true'))).toBe(true);
    });

    it('words the opening by level: a county names its partner, a province says what its figures cover', async () => {
      await loadDataset(s, join(ROOT, 'data', 'examples', 'guangxi-province-2022.yaml'));
      const county = await report(s, ZHOUQU, 2022);
      const province = await report(s, '62', 2022);
      expect(county).not.toContain('本报告的数字包括');
      expect(province).toMatch(/本报告的数字包括本级上报数和所辖1个县（市、区）台账的汇总数/);
      // A province with no county data loaded says nothing about counties.
      expect(await report(s, '45', 2022)).not.toContain('本报告的数字包括');
    });
  });
}

for (const engine of await engines()) {
  describe(`a unit's own elements (${engine})`, () => {
    let t: TestStore;
    let s: Store;
    beforeAll(async () => {
      t = await freshStore(engine);
      s = t.store;
      await loadDemo(s);
      await loadDataset(s, join(ROOT, 'data', 'examples', 'cangxi-2021.yaml'));
    }, 120_000);
    afterAll(async () => { await t?.dispose(); });

    it('a province defines figures the catalogue lacks; its counties enter them and the report prints them in their section', async () => {
      const v = await setOwnElements(s, GANSU, {
        year: 2022, unit: '62', elements: [
          { zh: '硬化村组道路', en: 'Village roads paved', unit: 'items', unitWord: { zh: '公里', en: 'km' }, section: 'villages' },
          { zh: '培训致富带头人', en: 'Local business leaders trained', unit: 'people', section: 'talent' },
        ],
      });
      expect(v.elements.map((e) => [e.id, e.definedBy])).toEqual([['own.u62_1', '62'], ['own.u62_2', '62']]);
      await setReported(s, CLERK, ZHOUQU, 2022, { element: 'own.u62_1', text: '12.5', note: '县交通局' });
      await setReported(s, CLERK, ZHOUQU, 2022, { element: 'own.u62_2', text: '约120' });
      const md = await report(s, ZHOUQU, 2022);
      const villages = md.slice(md.indexOf('、示范村建设'), md.indexOf('、特色亮点'));
      expect(villages).toContain('硬化村组道路12.5公里。');
      const talent = md.slice(md.indexOf('、干部人才交流'), md.indexOf('、协作资金'));
      expect(talent).toContain('培训致富带头人约120人');
      // Listed with its label; a county of another province knows nothing of it.
      expect((await listReported(s, SYSTEM, ZHOUQU, 2022)).find((r) => r.element === 'own.u62_1')).toMatchObject({ label: { zh: '硬化村组道路' }, display: '12.5公里' });
      await expect(setReported(s, SYSTEM, CANGXI, 2021, { element: 'own.u62_1', text: '3' })).rejects.toMatchObject({ code: 'INVALID' });
      expect(await report(s, CANGXI, 2021)).not.toContain('硬化村组道路');
    });

    it('an element holding values can be retired, not deleted; a retired one takes no new values but keeps printing', async () => {
      const mine = (await showConfig(s, 2022, '62')).elements.map(({ definedBy: _d, ...e }) => e);
      await expect(setOwnElements(s, GANSU, { year: 2022, unit: '62', elements: mine.slice(1) })).rejects.toMatchObject({ code: 'CONFLICT', zh: expect.stringContaining('硬化村组道路') });
      await setOwnElements(s, GANSU, { year: 2022, unit: '62', elements: mine.map((e, i) => (i === 0 ? { ...e, retired: true } : e)) });
      await expect(setReported(s, CLERK, ZHOUQU, 2022, { element: 'own.u62_1', text: '13' })).rejects.toMatchObject({ code: 'INVALID', zh: expect.stringContaining('已停用') });
      expect(await report(s, ZHOUQU, 2022)).toContain('硬化村组道路12.5公里');
    });

    it('refuses unknown units and sections, duplicate or shipped ids and outsiders, naming each item', async () => {
      await expect(setOwnElements(s, GANSU, {
        year: 2022, unit: '62', elements: [
          { zh: 'a', en: 'a', unit: 'furlongs', section: 'talent' },
          { zh: 'b', en: 'b', unit: 'people', section: 'nowhere' },
          { id: 'labour.total', zh: 'c', en: 'c', unit: 'people', section: 'labour' },
        ],
      })).rejects.toMatchObject({ code: 'INVALID', en: expect.stringMatching(/item 1: unknown unit furlongs.*item 2: section nowhere.*item 3: .*own\./) });
      await expect(setOwnElements(s, CLERK, { year: 2022, unit: ZHOUQU, elements: [] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect((await showConfig(s, 2022, '62')).elements).toHaveLength(2);
    });

    it('imports them by name through the Excel report sheets', async () => {
      const sheets = [{ file: 'f.xlsx', sheet: '上报数据', rows: [{ number: 1, cells: ['要素', '分项', '数值', '备注'] }, { number: 2, cells: ['培训致富带头人', null, '130', 'x'] }] }];
      const r = readReportSheets(sheets, ZHOUQU, 2022, undefined, s);
      expect(r.errors).toEqual([]);
      expect(r.data.reported).toEqual([expect.objectContaining({ element: 'own.u62_2', value: '130' })]);
    });
  });
}
