import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/services/config.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { loadDivisions } from '../../src/services/orgunits.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { acknowledgeWarning, computeWarnings, type CountyWarnings, DRAFT_NOTE, draftProblems } from '../../src/services/warnings.ts';
import { setTarget } from '../../src/services/indicators.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const C = '623024';
const Y = 2022;
const WAN = 1_000_000; // 分 per 万元

/**
 * One county-year built from dated records: 1000万元 allocated, disbursements in February, April,
 * June and September, consumption sales through the year (with a 2021 season to project from), and
 * three projects with cooperation funds. Expected figures are worked out by hand in the comments.
 */
async function build(t: TestStore): Promise<void> {
  const s = t.store;
  await loadDivisions(s, ['62'], { depth: 'county' });
  const now = new Date().toISOString();
  for (const ledger of ['fund_allocation', 'fund_disbursement', 'project', 'consumption_sale'])
    await s.db.insertInto('ledger_state').values({ county_code: C, year: Y, ledger, completeness: 'complete', status: 'draft', comment: null, updated_by: 't', updated_at: now }).execute();
  await createRecord(s, SYSTEM, 'fund_allocation', C, Y, { category: 'industry', amount: 1000 * WAN, source: '测试' });
  for (const [date, wan, v] of [['2022-02-15', 100, 'v1'], ['2022-04-10', 150, 'v2'], ['2022-06-20', 50, 'v3'], ['2022-09-05', 200, 'v4']] as const)
    await createRecord(s, SYSTEM, 'fund_disbursement', C, Y, { date, amount: wan * WAN, project: '项目甲', voucher: v });
  for (const [date, wan] of [['2022-01-20', 60], ['2022-03-15', 40], ['2022-05-31', 50], ['2022-08-01', 100]] as const)
    await createRecord(s, SYSTEM, 'consumption_sale', C, Y, { channel: 'fair', seller: `合作社${date}`, date, amount: wan * WAN });
  // The year before: 50 in February, 50 in June, 100 in November — half the year's sales by the end of June.
  for (const [date, wan] of [['2021-02-10', 50], ['2021-06-15', 50], ['2021-11-20', 100]] as const)
    await s.db.insertInto('consumption_sale' as never).values({ county_code: C, year: 2021, channel: 'fair', seller: `合作社${date}`, date, amount_fen: wan * WAN, version: 1, created_at: now, updated_at: now } as never).execute();
  await createRecord(s, SYSTEM, 'project', C, Y, { name: '项目甲', coop_funds: 100 * WAN, status: 'completed', start_date: '2022-03-01', completion_date: '2022-08-30' });
  await createRecord(s, SYSTEM, 'project', C, Y, { name: '项目乙', coop_funds: 200 * WAN, status: 'started', start_date: '2022-05-10' });
  await createRecord(s, SYSTEM, 'project', C, Y, { name: '项目丙', coop_funds: 50 * WAN, status: 'planned' });
  await createRecord(s, SYSTEM, 'project', C, Y, { name: '项目丁', other_funds: 10 * WAN, status: 'planned' });
  const province = { ...SYSTEM, role: 'province_user' as const, units: ['62'] };
  await setTarget(s, province, '62', Y, 'funds.disbursement_rate', { op: '>=', value: '90' });
  await setTarget(s, province, '62', Y, 'consumption.sales', { op: '>=', value: '500' });
}

const county = (r: { counties: CountyWarnings[] }) => r.counties.find((c) => c.code === C)!;
const keys = (c: CountyWarnings) => c.warnings.map((w) => w.key).sort();

for (const engine of await engines()) {
  describe(`early warnings from dated records (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => { t = await freshStore(engine); await build(t); });
    afterAll(async () => { await t.dispose(); });

    it('as of 31 March: figures to date, projections, predicted dates and warnings', async () => {
      const c = county(await computeWarnings(t.store, SYSTEM, C, '2022-03-31'));
      const rate = c.pace.find((p) => p.indicator === 'funds.disbursement_rate')!;
      // 100 of 1000 by day 90; linear: 10% × 365/90 = 40.56%; 90% is reached on day 810 = 2024-03-20.
      expect(rate).toMatchObject({ method: 'linear', toDate: '10%', projection: '40.56%', gap: '49.44%', reachDate: '2024-03-20', onTrack: false });
      const sales = c.pace.find((p) => p.indicator === 'consumption.sales')!;
      // 100万 by 31 March; in 2021 a quarter of the year's sales came by then: 100 / 0.25 = 400; never 500 within the year.
      expect(sales).toMatchObject({ method: 'seasonal', toDate: '100万元', projection: '400万元', gap: '100万元', reachDate: null, onTrack: false });
      expect(keys(c)).toEqual(['disbursement.milestone:2022-03-31', 'pace:consumption.sales', 'pace:funds.disbursement_rate']);
      const m = c.warnings.find((w) => w.rule === 'disbursement.milestone')!;
      expect(m.title.zh).toBe('资金拨付率：截至2022-03-31为10%，2022-03-31节点要求15%');
      expect(m.records.map((r) => [r.ledger, r.date])).toEqual([['fund_disbursement', '2022-02-15']]);
      const p = c.warnings.find((w) => w.key === 'pace:consumption.sales')!;
      expect(p.records.map((r) => r.date)).toEqual(['2022-03-15', '2022-01-20']);
    });

    it('as of 30 June', async () => {
      const c = county(await computeWarnings(t.store, SYSTEM, C, '2022-06-30'));
      // 300 of 1000 by day 181: 30% × 365/181 = 60.50%; 90% on day 543 = 2023-06-27.
      expect(c.pace.find((p) => p.indicator === 'funds.disbursement_rate')).toMatchObject({ toDate: '30%', projection: '60.50%', gap: '29.50%', reachDate: '2023-06-27' });
      // 150万 by the end of June, when 2021 had reached half its year: 300万 expected.
      expect(c.pace.find((p) => p.indicator === 'consumption.sales')).toMatchObject({ method: 'seasonal', toDate: '150万元', projection: '300万元', gap: '200万元', reachDate: null });
      expect(keys(c)).toEqual(['disbursement.milestone:2022-06-30', 'pace:consumption.sales', 'pace:funds.disbursement_rate', 'project.not_started:project#3']);
      const ns = c.warnings.find((w) => w.rule === 'project.not_started')!;
      expect(ns.records).toMatchObject([{ ledger: 'project', id: 3, title: '项目丙' }]);
      expect(c.warnings.find((w) => w.rule === 'disbursement.milestone')!.records.map((r) => r.date)).toEqual(['2022-06-20', '2022-04-10', '2022-02-15']);
    });

    it('as of 30 September', async () => {
      const c = county(await computeWarnings(t.store, SYSTEM, C, '2022-09-30'));
      // 500 of 1000 by day 273: 50% × 365/273 = 66.85%; 90% on day 492 = 2023-05-07.
      expect(c.pace.find((p) => p.indicator === 'funds.disbursement_rate')).toMatchObject({ toDate: '50%', projection: '66.85%', gap: '23.15%', reachDate: '2023-05-07', onTrack: false });
      // 250万 with half of 2021 done by the end of September: 500万, on track; the rest of 2021 came in November.
      expect(c.pace.find((p) => p.indicator === 'consumption.sales')).toMatchObject({ toDate: '250万元', projection: '500万元', gap: null, reachDate: '2022-11-30', onTrack: true });
      expect(keys(c)).toEqual(['disbursement.milestone:2022-09-30', 'funds.idle:project#2', 'ledger.stale:consumption_sale', 'pace:funds.disbursement_rate', 'project.not_started:project#3']);
      const idle = c.warnings.find((w) => w.rule === 'funds.idle')!;
      expect(idle.title.zh).toBe('项目乙：开工143天无拨付记录');
      expect(idle.records).toMatchObject([{ ledger: 'project', id: 2, date: '2022-05-10' }]);
      const stale = c.warnings.find((w) => w.rule === 'ledger.stale')!;
      expect(stale.title.zh).toBe('消费帮扶：60天无新记录');
      expect(stale.records).toMatchObject([{ ledger: 'consumption_sale', date: '2022-08-01' }]);
    });

    it('at the year end the actual figures stand and late projects are named', async () => {
      const c = county(await computeWarnings(t.store, SYSTEM, C, '2022-12-31'));
      expect(c.pace.find((p) => p.indicator === 'funds.disbursement_rate')).toMatchObject({ method: 'year_end', toDate: '50%', projection: '50%', gap: '40%', yearStatus: 'missed', reachDate: null });
      expect(c.warnings.find((w) => w.key === 'pace:funds.disbursement_rate')!.title.zh).toBe('资金拨付率：全年50%，目标不少于90%');
      expect(keys(c).filter((k) => k.startsWith('project.not_completed'))).toEqual(['project.not_completed:project#2', 'project.not_completed:project#3']);
    });

    it('keeps an acknowledged warning visible with the note, audited; refuses outsiders and bad input', async () => {
      const clerk = { id: 'u1', name: '县管理员', role: 'county_admin' as const, units: [C] };
      await acknowledgeWarning(t.store, clerk, C, Y, 'pace:funds.disbursement_rate', '第四季度集中拨付，已报县政府督办');
      const c = county(await computeWarnings(t.store, SYSTEM, C, '2022-06-30'));
      expect(c.warnings.find((w) => w.key === 'pace:funds.disbursement_rate')!.ack).toMatchObject({ note: '第四季度集中拨付，已报县政府督办', by: 'u1', version: 1 });
      const audit = await t.store.db.selectFrom('audit_log').selectAll().where('entity', '=', 'warning_ack').execute();
      expect(audit.map((a) => [a.actor, a.entity_id])).toEqual([['u1', 'pace:funds.disbursement_rate']]);
      const other = { id: 'u2', name: '外县', role: 'county_admin' as const, units: ['623023'] };
      await expect(acknowledgeWarning(t.store, other, C, Y, 'pace:funds.disbursement_rate', 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(acknowledgeWarning(t.store, clerk, C, Y, 'pace:funds.disbursement_rate', '  ')).rejects.toMatchObject({ code: 'INVALID' });
      await expect(acknowledgeWarning(t.store, clerk, C, Y, 'pace:funds.disbursement_rate', '新说明', 7)).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(computeWarnings(t.store, SYSTEM, C, '2022-02-30')).rejects.toMatchObject({ code: 'INVALID' });
    });
  });
}

for (const engine of await engines()) {
  describe(`drafts of 存在的问题 from the year's warnings (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => { t = await freshStore(engine); await build(t); });
    afterAll(async () => { await t.dispose(); });

    it('writes missed targets with their quarterly figures and late projects as marked drafts, and never overwrites them unasked', async () => {
      const admin = { id: 'u1', name: '县管理员', role: 'county_admin' as const, units: [C] };
      const drafts = await draftProblems(t.store, admin, C, Y);
      expect(drafts).toEqual([
        { seq: 1, title: '消费帮扶金额未完成年度目标', body: '消费帮扶金额全年250万元，目标不少于500万元，差250万元；从年内进度看，截至3月31日为100万元，截至6月30日为150万元，截至9月30日为250万元。' },
        { seq: 2, title: '资金拨付率未完成年度目标', body: '资金拨付率全年50%，目标不少于90%，差40%；从年内进度看，截至3月31日为10%，截至6月30日为30%，截至9月30日为50%。' },
        { seq: 3, title: '部分项目建设进度滞后', body: '2个项目未按期建成：项目乙：2022-11-30前未完工；项目丙：2022-11-30前未完工。' },
      ]);
      const rows = await t.store.db.selectFrom('narrative').selectAll().where('county_code', '=', C).where('section', '=', 'problem').orderBy('seq').execute();
      expect(rows.map((r) => r.note)).toEqual([DRAFT_NOTE, DRAFT_NOTE, DRAFT_NOTE]);
      await expect(draftProblems(t.store, admin, C, Y)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await draftProblems(t.store, admin, C, Y, { replace: true })).map((d) => d.seq)).toEqual([1, 2, 3]);
      const auditor = { id: 'a', name: '审计', role: 'auditor' as const, units: [C] };
      await expect(draftProblems(t.store, auditor, C, Y)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });
  });
}

for (const engine of await engines()) {
  describe(`prefecture and county overrides of the warning rules (${engine})`, () => {
    let t: TestStore;
    let root: string;
    const OTHER = '623021';
    beforeAll(async () => {
      t = await freshStore(engine);
      await build(t);
      // A second county of the same prefecture with a funded project still planned.
      await t.store.db.insertInto('ledger_state').values({ county_code: OTHER, year: Y, ledger: 'project', completeness: 'complete', status: 'draft', comment: null, updated_by: 't', updated_at: new Date().toISOString() }).execute();
      await createRecord(t.store, SYSTEM, 'project', OTHER, Y, { name: '项目戊', coop_funds: 80 * WAN, status: 'planned' });
      // A configuration folder of its own: the shipped rules, the prefecture 6230 asking projects to
      // start by 31 May, and the county 623024 turning that rule off for itself.
      root = mkdtempSync(join(tmpdir(), 'xiezuo-rules-'));
      const dir = (u: string) => { const d = join(root, 'config', '2021', 'units', u); mkdirSync(d, { recursive: true }); return d; };
      mkdirSync(join(root, 'config', '2021'), { recursive: true });
      copyFileSync(join(ROOT, 'config', '2021', 'warnings.yaml'), join(root, 'config', '2021', 'warnings.yaml'));
      writeFileSync(join(dir('6230'), 'warnings.yaml'), "rules:\n  - { id: project.not_started, kind: project_not_started, severity: high, label: { zh: 项目须于5月底前开工, en: Projects start by the end of May }, by: '05-31' }\n");
      writeFileSync(join(dir(C), 'warnings.yaml'), 'rules:\n  - { id: project.not_started, enabled: false }\n');
    });
    afterAll(async () => { await t.dispose(); rmSync(root, { recursive: true, force: true }); });

    it('holds each county to its own chain, the most specific file winning', async () => {
      const r = await computeWarnings(t.store, SYSTEM, '62', '2022-06-15', { configRoot: root });
      const of = (code: string) => r.counties.find((c) => c.code === code)!;
      // The county's own file turns the rule off for itself only.
      expect(keys(of(C)).filter((k) => k.startsWith('project.not_started'))).toEqual([]);
      const other = of(OTHER).warnings.filter((w) => w.rule === 'project.not_started');
      expect(other.map((w) => [w.title.zh, w.severity])).toEqual([['项目戊：2022-05-31前未开工', 'high']]);
      // Everything else of the county is as without the files.
      const plain = await computeWarnings(t.store, SYSTEM, '62', '2022-06-15');
      expect(keys(of(C))).toEqual(keys(plain.counties.find((c) => c.code === C)!));
      expect(plain.counties.find((c) => c.code === OTHER)!.warnings.some((w) => w.rule === 'project.not_started')).toBe(false);
      expect(r.rules).toEqual(['config/2021/warnings.yaml', 'config/2021/units/6230/warnings.yaml', 'config/2021/units/623024/warnings.yaml']);
      // Asked for the county alone, the same rules apply.
      const alone = await computeWarnings(t.store, SYSTEM, C, '2022-06-15', { configRoot: root });
      expect(keys(alone.counties[0]!)).toEqual(keys(of(C)));
      expect(alone.rules).toEqual(['config/2021/warnings.yaml', 'config/2021/units/6230/warnings.yaml', 'config/2021/units/623024/warnings.yaml']);
    });
  });
}
