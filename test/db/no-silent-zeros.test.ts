import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../src/services/demo.ts';
import { IndicatorEngine } from '../../src/services/indicators.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { setCompleteness, transition } from '../../src/services/workflow.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

const ADMIN = { ...SYSTEM, role: 'admin' as const };

describe.each(await engines())('no silent zeros (%s)', (engine) => {
  let t: TestStore;
  beforeAll(async () => { t = await freshStore(engine); await loadDemo(t.store); });
  afterAll(() => t.dispose());
  const fig = (id: string, year = 2022) => new IndicatorEngine(t.store, '623023', year).evaluate(id, year);

  it('a blank field summed over records is no data, not 0', async () => {
    // The demo's one enterprise states planned investment but not actual investment.
    expect((await fig('enterprise.investment')).display).toBe('470万元');
    const actual = await fig('enterprise.actual_investment');
    expect(actual.display).toBeNull();
    expect(actual.source).toBe('none');
  });

  it('a year nobody entered has no data, and a rule needing it is not checkable rather than failed', async () => {
    expect((await fig('meetings.total', 2023)).display).toBeNull();
    const rules = await new IndicatorEngine(t.store, '623023', 2023).rules();
    expect(rules.every((r) => r.ok !== false)).toBe(true);
  });

  it('submitting an empty ledger for review keeps its figures and its completeness', async () => {
    const before = (await fig('meetings.total')).display;
    expect(before).toBe('15次');
    await transition(t.store, ADMIN, '623023', 2022, 'meeting', 'submit');
    expect((await fig('meetings.total')).display).toBe(before);
    const state = await t.store.db.selectFrom('ledger_state').select('completeness').where('county_code', '=', '623023').where('year', '=', 2022).where('ledger', '=', 'meeting').executeTakeFirstOrThrow();
    expect(state.completeness).toBe('partial');
    // A ledger never touched before gets a state without any completeness statement.
    await transition(t.store, ADMIN, '623023', 2022, 'job_fair', 'reopen').catch(() => undefined);
    await t.store.db.deleteFrom('ledger_state').where('county_code', '=', '623023').where('year', '=', 2022).where('ledger', '=', 'consumption_sale').execute();
    await transition(t.store, ADMIN, '623023', 2022, 'consumption_sale', 'submit');
    expect((await fig('consumption.sales')).display).toBe('1232万元');
  });

  it('completeness is the county’s own statement, audited, refused once submitted', async () => {
    await setCompleteness(t.store, ADMIN, '623023', 2022, 'deal', 'complete');
    const log = await t.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'ledger.completeness').execute();
    expect(log.length).toBe(1);
    await expect(setCompleteness(t.store, ADMIN, '623023', 2022, 'meeting', 'complete')).rejects.toThrow(/submitted/);
  });
});
