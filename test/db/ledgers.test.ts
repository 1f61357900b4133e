import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDivisions } from '../../src/services/orgunits.ts';
import { createRecord, deleteRecord, listRecords, updateRecord, upsertRecords } from '../../src/services/ledgers.ts';
import type { Actor } from '../../src/services/scope.ts';
import { engines, freshStore, type TestStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';
const clerk: Actor = { id: 'clerk', name: 'clerk', role: 'county_clerk', units: ['623023'], ledgers: ['enterprise', 'donation'] };
const eastern: Actor = { id: 'east', name: 'east', role: 'east_user', units: ['120101'] };

const enterprise = { name: '天津某科技有限公司', credit_code: '91350100M000100Y43', planned_investment: 470_000_000, jobs_planned: 45 };

for (const engine of await engines()) {
  describe(`ledger records through the service (${engine})`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await freshStore(engine);
      await loadDivisions(t.store, ['62'], { depth: 'county' });
    });
    afterAll(async () => { await t.dispose(); });

    it('validates the unified social credit code checksum', async () => {
      await expect(createRecord(t.store, clerk, 'enterprise', '623023', 2022, { ...enterprise, credit_code: '91350100M000100Y44' }))
        .rejects.toMatchObject({ code: 'INVALID', details: [expect.objectContaining({ field: 'credit_code' })] });
    });

    it('creates, refuses a duplicate natural key, updates with a version check, deletes — all audited', async () => {
      const rec = await createRecord(t.store, clerk, 'enterprise', '623023', 2022, enterprise);
      expect(rec).toMatchObject({ name: enterprise.name, planned_investment: 470_000_000, planned_investment_qual: 'exact', version: 1 });
      await expect(createRecord(t.store, clerk, 'enterprise', '623023', 2022, enterprise)).rejects.toMatchObject({ code: 'CONFLICT' });
      const v2 = await updateRecord(t.store, clerk, 'enterprise', rec.id, { ...enterprise, jobs_planned: 50 }, 1);
      expect(v2).toMatchObject({ jobs_planned: 50, version: 2 });
      await expect(updateRecord(t.store, clerk, 'enterprise', rec.id, { ...enterprise, jobs_planned: 60 }, 1)).rejects.toMatchObject({ code: 'CONFLICT' });
      await deleteRecord(t.store, clerk, 'enterprise', rec.id, 2);
      const log = await t.store.db.selectFrom('audit_log').select(['action', 'before_json', 'after_json']).where('entity', '=', 'enterprise').orderBy('id').execute();
      expect(log.map((l) => l.action)).toEqual(['create', 'update', 'delete']);
      expect(JSON.parse(log[1]!.before_json!)).toMatchObject({ jobs_planned: 45 });
      expect(JSON.parse(log[1]!.after_json!)).toMatchObject({ jobs_planned: 50 });
    });

    it('keeps each user inside their units and ledgers', async () => {
      await expect(createRecord(t.store, clerk, 'enterprise', '623024', 2022, enterprise)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(createRecord(t.store, clerk, 'project', '623023', 2022, { name: 'x', status: 'planned' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(listRecords(t.store, eastern, 'enterprise', '623023', 2022)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await t.store.db.insertInto('org_unit').values({ code: '120101', name: '和平区', level: 'county', parent_code: null }).execute();
      await t.store.db.insertInto('cooperation_pair').values({ east_code: '120101', west_code: '623023', since_year: null, until_year: null }).execute();
      expect((await listRecords(t.store, eastern, 'enterprise', '623023', 2022)).total).toBe(0);
      await expect(createRecord(t.store, eastern, 'enterprise', '623023', 2022, enterprise)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('refuses edits to a submitted ledger', async () => {
      await t.store.db.insertInto('ledger_state').values({ county_code: '623023', year: 2022, ledger: 'donation', completeness: 'complete', status: 'submitted', comment: null, updated_by: 'x', updated_at: 'now' }).execute();
      await expect(createRecord(t.store, clerk, 'donation', '623023', 2022, { donor: 'a', donor_kind: 'enterprise', recipient: 'b', form: 'cash', value: 100 }))
        .rejects.toMatchObject({ code: 'CONFLICT', en: expect.stringMatching(/locked/) });
    });

    it('upserts all or nothing: one bad row and nothing is written; re-importing changes nothing', async () => {
      const rows = [enterprise, { ...enterprise, name: '另一家公司', credit_code: 'BAD' }];
      const bad = await upsertRecords(t.store, clerk, '623023', 2022, [{ kind: 'enterprise', rows }]);
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.problems).toEqual([expect.objectContaining({ kind: 'enterprise', index: 1, field: 'credit_code' })]);
      expect((await listRecords(t.store, clerk, 'enterprise', '623023', 2022)).total).toBe(0);
      const good = [enterprise, { ...enterprise, name: '另一家公司' }];
      expect(await upsertRecords(t.store, clerk, '623023', 2022, [{ kind: 'enterprise', rows: good }], { dryRun: true }))
        .toEqual({ ok: true, summary: [{ kind: 'enterprise', added: 2, updated: 0, unchanged: 0 }] });
      expect((await listRecords(t.store, clerk, 'enterprise', '623023', 2022)).total).toBe(0);
      await upsertRecords(t.store, clerk, '623023', 2022, [{ kind: 'enterprise', rows: good }]);
      expect(await upsertRecords(t.store, clerk, '623023', 2022, [{ kind: 'enterprise', rows: [good[0]!, { ...good[1]!, jobs_planned: 9 }] }]))
        .toEqual({ ok: true, summary: [{ kind: 'enterprise', added: 0, updated: 1, unchanged: 1 }] });
    });
  });
}
