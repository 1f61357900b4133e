import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../src/services/demo.ts';
import { IndicatorEngine, setClaim, setTarget } from '../../src/services/indicators.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

describe.each(await engines())('targets per unit, claims per county (%s)', (engine) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore(engine);
    await loadDemo(t.store);
    // A second county of the same province, with no data at all.
    await setTarget(t.store, SYSTEM, '62', 2022, 'labour.transferred', { op: '>=', value: '1000' });
  });
  afterAll(() => t.dispose());

  it('one county’s claim never makes another county meet the target', async () => {
    const other = await new IndicatorEngine(t.store, '623024', 2022).evaluate('labour.transferred');
    expect(other.target?.display).toBe('不少于1000人');
    expect(other.status).toBe('no_data');
    expect(other.target?.reportedStatus).toBeNull();
  });

  it('a county is judged on its own figure, and its claim is shown beside it', async () => {
    const own = await new IndicatorEngine(t.store, '623023', 2022).evaluate('labour.transferred');
    expect(own.display).toBe('1767人');
    expect(own.status).toBe('met');
    expect(own.target?.reportedStatus).toBe('exceeded');
  });

  it('a claim decides only where no figure can, and clearing it is audited', async () => {
    await setClaim(t.store, { id: 'u1', name: 'clerk', role: 'county_admin', units: ['623024'] }, '623024', 2022, 'labour.transferred', 'met', '自评完成');
    const other = await new IndicatorEngine(t.store, '623024', 2022).evaluate('labour.transferred');
    expect(other.status).toBe('met');
    await expect(setClaim(t.store, { id: 'u2', name: 'clerk', role: 'county_admin', units: ['623023'] }, '623024', 2022, 'labour.transferred', 'met', null)).rejects.toThrow();
    await setClaim(t.store, SYSTEM, '623024', 2022, 'labour.transferred', null, null);
    expect((await new IndicatorEngine(t.store, '623024', 2022).evaluate('labour.transferred')).status).toBe('no_data');
    const log = await t.store.db.selectFrom('audit_log').select('action').where('action', '=', 'target.claim').execute();
    expect(log.length).toBe(2);
  });
});
