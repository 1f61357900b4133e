import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReportSheets } from '../../src/excel/report-sheets.ts';
import { setTarget } from '../../src/services/indicators.ts';
import { loadDivisions } from '../../src/services/orgunits.ts';
import { readReportData, writeReportData } from '../../src/services/report-data.ts';
import { deleteDatedReported, listDatedReported, listReported, setReported } from '../../src/services/reported.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { computeWarnings, type CountyWarnings } from '../../src/services/warnings.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const C = '623025';
const Y = 2022;

/**
 * A county that keeps 帮助农村劳动力就业 (labour.total) as a stated total, not as records: 400 people
 * as of 31 March, 1200 as of 30 June, and 2100 for the year (undated). The province asks 2000.
 */
async function build(t: TestStore): Promise<void> {
  await loadDivisions(t.store, ['62'], { depth: 'county' });
  await setReported(t.store, SYSTEM, C, Y, { element: 'labour.total', text: '400', asOf: '2022-03-31', note: '一季度人社局统计' });
  await setReported(t.store, SYSTEM, C, Y, { element: 'labour.total', text: '1200', asOf: '2022-06-30' });
  await setReported(t.store, SYSTEM, C, Y, { element: 'labour.total', text: '2100' });
  const province = { ...SYSTEM, role: 'province_user' as const, units: ['62'] };
  await setTarget(t.store, province, '62', Y, 'labour.total', { op: '>=', value: '2000' });
}

const county = (r: { counties: CountyWarnings[] }) => r.counties.find((c) => c.code === C)!;
const paceOf = async (t: TestStore, asOf: string) => {
  const c = county(await computeWarnings(t.store, SYSTEM, C, asOf));
  return { pace: c.pace.find((p) => p.indicator === 'labour.total')!, keys: c.warnings.map((w) => w.key), c };
};

for (const engine of await engines()) {
  describe(`pace of a figure stated as of days of the year (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => { t = await freshStore(engine); await build(t); });
    afterAll(async () => { await t.dispose(); });

    it('keeps the dated statements beside the year\'s figure', async () => {
      expect((await listReported(t.store, SYSTEM, C, Y)).map((r) => [r.element, r.value, r.asOf])).toEqual([['labour.total', '2100', null]]);
      const dated = await listDatedReported(t.store, SYSTEM, C, Y);
      expect(dated.map((r) => [r.value, r.asOf, r.display, r.note])).toEqual([['400', '2022-03-31', '400人', '一季度人社局统计'], ['1200', '2022-06-30', '1200人', null]]);
      await expect(setReported(t.store, SYSTEM, C, Y, { element: 'labour.total', text: '1', asOf: '2021-12-31' })).rejects.toMatchObject({ code: 'INVALID' });
      await expect(setReported(t.store, SYSTEM, C, Y, { element: 'labour.total', text: '1', asOf: '2022-02-30' })).rejects.toMatchObject({ code: 'INVALID' });
      const audit = await t.store.db.selectFrom('audit_log').select('entity_id').where('entity', '=', 'reported_value_dated').orderBy('id').execute();
      expect(audit.map((a) => a.entity_id)).toEqual(['labour.total@2022-03-31', 'labour.total@2022-06-30']);
    });

    it('before any dated statement: no figure to date', async () => {
      const { pace } = await paceOf(t, '2022-02-15');
      expect(pace).toMatchObject({ method: 'no_records', toDate: null, projection: null, onTrack: null });
    });

    it('as of 15 May: the statement of 31 March, projected at its own daily average', async () => {
      const { pace, keys, c } = await paceOf(t, '2022-05-15');
      // 400 by day 90: 400 × 365/90 = 1622.2 at year end, 377.8 short; 2000 is reached on day 450 = 2023-03-26.
      expect(pace).toMatchObject({ method: 'stated', toDate: '400人', projection: '1622人', gap: '378人', reachDate: '2023-03-26', onTrack: false, reached: false });
      expect(pace.methodText.zh).toContain('2022-03-31');
      expect(keys).toContain('pace:labour.total');
      const w = c.warnings.find((x) => x.key === 'pace:labour.total')!;
      expect(w.title.zh).toBe('帮助农村劳动力就业：年底预计1622人，目标不少于2000人');
      expect(w.records).toEqual([]);
    });

    it('as of 31 July: the statement of 30 June puts it on track', async () => {
      const { pace, keys } = await paceOf(t, '2022-07-31');
      // 1200 by day 181: 1200 × 365/181 = 2419.9; 2000 on day 302 = 2022-10-29.
      expect(pace).toMatchObject({ method: 'stated', toDate: '1200人', projection: '2420人', gap: null, gapShare: 0, reachDate: '2022-10-29', onTrack: true });
      expect(keys).not.toContain('pace:labour.total');
    });

    it('at the year end the undated statement is the year\'s figure', async () => {
      const { pace, keys } = await paceOf(t, '2022-12-31');
      expect(pace).toMatchObject({ method: 'year_end', toDate: '2100人', reached: true, onTrack: true });
      expect(keys).not.toContain('pace:labour.total');
    });

    it('removes a dated statement by its version', async () => {
      const [first] = await listDatedReported(t.store, SYSTEM, C, Y);
      await expect(deleteDatedReported(t.store, SYSTEM, first!.id, first!.version + 1)).rejects.toMatchObject({ code: 'CONFLICT' });
      await deleteDatedReported(t.store, SYSTEM, first!.id, first!.version);
      const { pace } = await paceOf(t, '2022-05-15');
      expect(pace).toMatchObject({ method: 'no_records', toDate: null });
      await setReported(t.store, SYSTEM, C, Y, { element: 'labour.total', text: '400', asOf: '2022-03-31' });
    });

    it('loads and reads back dated statements through the dataset path, an undated one staying the year\'s', async () => {
      await t.store.db.transaction().execute(async (tx) => {
        await writeReportData(tx, C, Y, {
          completeness: {}, earlier: [], targets: [], narratives: [],
          reported: [{ element: 'labour.total', value: 1500, as_of: '2022-08-31', note: '八月底' }],
        }, { where: 't.yaml', ledgerStates: 'merge', store: t.store });
      });
      const data = await readReportData(t.store.db, C, Y);
      expect(data.reported).toEqual([{ element: 'labour.total', value: '2100' }]);
      expect(data.dated).toEqual([
        { element: 'labour.total', value: '400', as_of: '2022-03-31' },
        { element: 'labour.total', value: '1200', as_of: '2022-06-30' },
        { element: 'labour.total', value: '1500', as_of: '2022-08-31', note: '八月底' },
      ]);
      // Loading the same again changes nothing.
      const again = await t.store.db.transaction().execute((tx) => writeReportData(tx, C, Y, { completeness: {}, earlier: [], targets: [], narratives: [], reported: [], dated: data.dated! }, { where: 't.yaml', ledgerStates: 'merge', store: t.store }));
      expect(again).toEqual([]);
      const { pace } = await paceOf(t, '2022-09-15');
      expect(pace).toMatchObject({ method: 'stated', toDate: '1500人' });
      await expect(t.store.db.transaction().execute((tx) => writeReportData(tx, C, Y, {
        completeness: {}, earlier: [], targets: [], narratives: [], reported: [{ element: 'labour.total', value: 1, as_of: '2023-01-05' }],
      }, { where: 't.yaml', ledgerStates: 'merge', store: t.store }))).rejects.toMatchObject({ code: 'INVALID' });
    });
  });
}

describe('the 上报数据 sheet with a 截至日期 column', () => {
  it('reads a dated row as a figure as of that day and an undated one as the year\'s', () => {
    const rows = [
      { number: 1, cells: ['要素', '分项', '数值', '备注', '截至日期'] },
      { number: 2, cells: ['labour.total', null, 1200, null, '2022-06-30'] },
      { number: 3, cells: ['labour.total', null, 2100, null, null] },
      { number: 4, cells: ['labour.total', null, 900, null, new Date(Date.UTC(2022, 4, 31))] },
      { number: 5, cells: ['labour.total', null, 1, null, '2021-06-30'] },
    ];
    const { data, errors } = readReportSheets([{ file: 'x.xlsx', sheet: '上报数据', rows }], C, Y);
    expect(data.reported).toEqual([{ element: 'labour.total', value: 2100 }]);
    expect(data.dated).toEqual([{ element: 'labour.total', value: 1200, as_of: '2022-06-30' }, { element: 'labour.total', value: 900, as_of: '2022-05-31' }]);
    expect(errors.map((e) => [e.row, e.column, e.value])).toEqual([[5, 'E', '2021-06-30']]);
  });
});
