import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../src/services/demo.ts';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { deleteReported, listNarratives, listReported, setNarrative, setReported } from '../../src/services/reported.ts';
import { type Actor, SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';
const clerk: Actor = { id: 'clerk', name: 'clerk', role: 'county_admin', units: ['623023'] };
const other: Actor = { id: 'other', name: 'other', role: 'county_admin', units: ['623024'] };
const auditor: Actor = { id: 'aud', name: 'aud', role: 'auditor', units: ['62'] };

for (const engine of await engines()) {
  describe(`reported values and narrative (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => { t = await freshStore(engine); await loadDemo(t.store); });
    afterAll(async () => { await t.dispose(); });

    it('lists reported values with labels, breakdown names and the figure as printed', async () => {
      const rows = await listReported(t.store, auditor, '623023', 2022);
      expect(rows.find((r) => r.element === 'donation.total')).toMatchObject({ value: '448258200', display: '448.2582万元' });
      expect(rows.find((r) => r.element === 'donation.enterprises')).toMatchObject({ qual: 'over', display: '40余家' });
      expect(rows.find((r) => r.element === 'pairing.count' && r.dim === 'school')).toMatchObject({ dimLabel: '学校', display: '24对' });
      expect(rows.find((r) => r.element === 'edu.undergrad_line_rate')).toMatchObject({ display: '37.74%' });
      expect(rows.find((r) => r.element === 'funds.allocated_total')).toMatchObject({ display: '5100万元' });
    });

    it('sets a value in 万元, changes the indicator, and keeps the change in the audit log', async () => {
      const before = (await listReported(t.store, clerk, '623023', 2022)).find((r) => r.element === 'funds.disbursed')!;
      const after = await setReported(t.store, clerk, '623023', 2022, { element: 'funds.disbursed', text: '4590' }, before.version);
      expect(after).toMatchObject({ value: '4590000000', display: '4590万元', version: before.version + 1 });
      expect((await new IndicatorEngine(t.store, '623023', 2022).evaluate('funds.disbursement_rate')).display).toBe('90%');
      const log = await t.store.db.selectFrom('audit_log').selectAll().where('entity', '=', 'reported_value').where('entity_id', '=', 'funds.disbursed').execute();
      expect(log.at(-1)).toMatchObject({ actor: 'clerk', action: 'update' });
      await expect(setReported(t.store, clerk, '623023', 2022, { element: 'funds.disbursed', text: '1' }, before.version)).rejects.toMatchObject({ code: 'CONFLICT' });
      await setReported(t.store, clerk, '623023', 2022, { element: 'funds.disbursed', text: '4562.143' });
      expect((await setReported(t.store, clerk, '623023', 2022, { element: 'funds.disbursed', text: '4562.143', note: '' })).note).toBeNull();
    });

    it('keeps qualifiers and refuses unknown elements, wrong breakdowns, unreadable figures and other counties', async () => {
      expect((await setReported(t.store, clerk, '623023', 2022, { element: 'donation.enterprises', text: '45余' })).display).toBe('45余家');
      expect((await setReported(t.store, clerk, '623023', 2022, { element: 'consumption.sales', text: '约1300' })).display).toBe('约1300万元');
      await expect(setReported(t.store, clerk, '623023', 2022, { element: 'nope', text: '1' })).rejects.toMatchObject({ code: 'INVALID' });
      await expect(setReported(t.store, clerk, '623023', 2022, { element: 'pairing.count', dim: 'zoo', text: '1' })).rejects.toMatchObject({ code: 'INVALID' });
      await expect(setReported(t.store, clerk, '623023', 2022, { element: 'pairing.total', text: '三十六' })).rejects.toMatchObject({ code: 'INVALID' });
      await expect(setReported(t.store, other, '623023', 2022, { element: 'pairing.total', text: '1' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(setReported(t.store, auditor, '623023', 2022, { element: 'pairing.total', text: '1' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(listReported(t.store, other, '623023', 2022)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('deletes with a version check', async () => {
      const row = await setReported(t.store, SYSTEM, '623023', 2022, { element: 'demo_village.workers', text: '2' });
      await expect(deleteReported(t.store, clerk, row.id, row.version - 1)).rejects.toMatchObject({ code: 'CONFLICT' });
      await deleteReported(t.store, clerk, row.id, row.version);
      expect((await listReported(t.store, clerk, '623023', 2022)).some((r) => r.element === 'demo_village.workers')).toBe(false);
    });

    it('edits narrative; a problem note must name an indicator', async () => {
      await setNarrative(t.store, clerk, '623023', 2022, { section: 'plan', seq: 5, title: '新增计划', body: '继续推进。' });
      expect((await listNarratives(t.store, clerk, '623023', 2022)).some((n) => n.section === 'plan' && n.seq === 5)).toBe(true);
      await expect(setNarrative(t.store, clerk, '623023', 2022, { section: 'problem_note', seq: 9, title: 'not.an.indicator', body: 'x' })).rejects.toMatchObject({ code: 'INVALID' });
      await expect(setNarrative(t.store, clerk, '623023', 2022, { section: 'plan', seq: 1, body: '  ' })).rejects.toMatchObject({ code: 'INVALID' });
    });
  });
}

describe.each(await engines())('reported values as typed (%s)', (engine) => {
  it('takes 亿元 as typed, a stated total beside its parts, and refuses an unknown category with the choices', async () => {
    const t = await freshStore(engine);
    try {
      await loadDemo(t.store);
      await setReported(t.store, SYSTEM, '623023', 2022, { element: 'consumption.sales', text: '2.8亿元' });
      expect((await new IndicatorEngine(t.store, '623023', 2022).evaluate('consumption.sales')).display).toBe('2.8亿元');
      await setReported(t.store, SYSTEM, '623023', 2022, { element: 'pairing.count', text: '38' });
      const rules = await new IndicatorEngine(t.store, '623023', 2022).rules();
      expect(rules.find((r) => r.id === 'stated.parts.pairing.count')).toMatchObject({ ok: false });
      await expect(setReported(t.store, SYSTEM, '623023', 2022, { element: 'pairing.count', dim: 'nonsense', text: '1' })).rejects.toThrow(/street_township/);
    } finally { await t.dispose(); }
  });
});
