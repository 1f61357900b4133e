import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/services/audit.ts';
import { setCategories, setRounding, showConfig } from '../../src/services/config-admin.ts';
import { categoriesFor, refreshConfig, roundingFor } from '../../src/services/config.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { createRecord, listRecords, validateRecord } from '../../src/services/ledgers.ts';
import { loadDivisions } from '../../src/services/orgunits.ts';
import { listReported } from '../../src/services/reported.ts';
import { type Actor, SYSTEM } from '../../src/services/scope.ts';
import { openYear } from '../../src/services/years.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { createPgDatabase, engines, freshStore, type TestStore } from '../support/engines.ts';

const GANSU: Actor = { id: 'gansu.p', name: '甘肃省用户', role: 'province_user', units: ['62'] };
const QINGHAI: Actor = { id: 'qinghai.p', name: '青海省用户', role: 'province_user', units: ['63'] };
const CLERK: Actor = { id: 'zhouqu.c', name: '舟曲县填报员', role: 'county_clerk', units: ['623023'] };
const ZHOUQU = '623023';
const SHAANXI = '610102';
/** The fields a validation found wrong. */
const wrongFields = (r: ReturnType<typeof validateRecord>): string[] => (r.ok ? [] : r.problems.map((p) => p.field));
const labour = (s: Store, year: number, county: string) => categoriesFor(year, county, s).labour_destination!;

for (const engine of await engines()) {
  describe(`configuration stored per year and unit (${engine})`, () => {
    let t: TestStore;
    let s: Store;
    beforeAll(async () => {
      t = await freshStore(engine);
      s = t.store;
      await loadDemo(s);
      await loadDivisions(s, ['61'], { depth: 'county' });
    }, 120_000);
    afterAll(async () => { await t?.dispose(); });

    it('a province list changes that province from the year on, and no other province or earlier year', async () => {
      const before = labour(s, 2022, ZHOUQU);
      const shaanxi = labour(s, 2022, SHAANXI);
      const items = [...before.map((c) => (c.value === 'in_province' ? { ...c, zh: '省内务工' } : c)), { value: 'public_post', zh: '公益性岗位', en: 'Public-welfare posts' }];
      const v = await setCategories(s, GANSU, { year: 2022, unit: '62', list: 'labour_destination', items });
      expect(v.categories.find((c) => c.name === 'labour_destination')!.source).toMatchObject({ stored: true, unit: '62', year: 2022, version: 1 });
      expect(labour(s, 2022, ZHOUQU).map((c) => c.value)).toEqual([...before.map((c) => c.value), 'public_post']);
      expect(labour(s, 2022, ZHOUQU).find((c) => c.value === 'in_province')!.zh).toBe('省内务工');
      expect(labour(s, 2024, ZHOUQU).map((c) => c.value)).toContain('public_post');
      expect(labour(s, 2021, ZHOUQU)).toEqual(categoriesFor(2021, ZHOUQU).labour_destination);
      expect(labour(s, 2022, SHAANXI)).toEqual(shaanxi);
      // New records of the province may use the new value; another province's may not.
      const rec = { person_name: '测试', destination: 'public_post' };
      expect(wrongFields(validateRecord('labour_placement', 2022, rec, ZHOUQU, s))).not.toContain('destination');
      expect(wrongFields(validateRecord('labour_placement', 2022, rec, SHAANXI, s))).toContain('destination');
    });

    it('a later year changed again keeps the earlier year as it was, and a county override beats its province', async () => {
      const y2023 = labour(s, 2023, ZHOUQU).filter((c) => c.value !== 'public_post');
      await setCategories(s, GANSU, { year: 2023, unit: '62', list: 'labour_destination', items: y2023 });
      expect(labour(s, 2023, ZHOUQU).map((c) => c.value)).not.toContain('public_post');
      expect(labour(s, 2022, ZHOUQU).map((c) => c.value)).toContain('public_post');
      await setCategories(s, GANSU, { year: 2023, unit: ZHOUQU, list: 'labour_destination', items: [...y2023, { value: 'county_only', zh: '县内', en: 'Within the county' }] });
      expect(labour(s, 2023, ZHOUQU).map((c) => c.value)).toContain('county_only');
      expect(labour(s, 2023, '623024').map((c) => c.value)).not.toContain('county_only');
    });

    it('refuses deleting a value in use, accepts retiring it, and the retired value stays labelled but cannot be chosen', async () => {
      const current = labour(s, 2022, ZHOUQU);
      const used = (await listReported(s, SYSTEM, ZHOUQU, 2022)).find((r) => r.element.startsWith('labour.') && r.dim && current.some((c) => c.value === r.dim));
      expect(used, 'the demo reports labour placements by destination').toBeDefined();
      await expect(setCategories(s, GANSU, { year: 2022, unit: '62', list: 'labour_destination', items: current.filter((c) => c.value !== used!.dim) }))
        .rejects.toMatchObject({ code: 'CONFLICT', zh: expect.stringContaining(used!.dim) });
      expect(labour(s, 2022, ZHOUQU)).toEqual(current);
      await setCategories(s, GANSU, { year: 2022, unit: '62', list: 'labour_destination', items: current.map((c) => (c.value === used!.dim ? { ...c, retired: true } : c)) });
      expect(labour(s, 2022, ZHOUQU).find((c) => c.value === used!.dim)).toMatchObject({ retired: true });
      expect(wrongFields(validateRecord('labour_placement', 2022, { person_name: '测试', destination: used!.dim }, ZHOUQU, s))).toContain('destination');
      expect((await listReported(s, SYSTEM, ZHOUQU, 2022)).find((x) => x.id === used!.id)!.dimLabel).not.toBe(used!.dim);
    });

    it('rounding: province, prefecture and county layers, inheritance and reset; another province keeps the default', async () => {
      // The county's own shipped exceptions (config/<year>/units/) stay under what is stored above it.
      const shipped = roundingFor(2022, ZHOUQU).indicators;
      await setRounding(s, GANSU, { year: 2022, unit: '62', rates: { mode: 'truncate', decimals: 2 } });
      await setRounding(s, GANSU, { year: 2022, unit: '6230', indicators: { 'funds.disbursement_rate': { mode: 'half_up', decimals: 0 } } });
      expect(roundingFor(2022, ZHOUQU, s)).toEqual({ rates: { mode: 'truncate', decimals: 2 }, indicators: { ...shipped, 'funds.disbursement_rate': { mode: 'half_up', decimals: 0 } } });
      expect(roundingFor(2025, ZHOUQU, s).rates).toEqual({ mode: 'truncate', decimals: 2 });
      expect(roundingFor(2021, ZHOUQU, s).rates).toEqual({ mode: 'half_up', decimals: 2 });
      expect(roundingFor(2022, '620102', s)).toEqual({ rates: { mode: 'truncate', decimals: 2 }, indicators: {} });
      expect(roundingFor(2022, SHAANXI, s)).toEqual({ rates: { mode: 'half_up', decimals: 2 }, indicators: {} });
      await setRounding(s, SYSTEM, { year: 2022, unit: ZHOUQU, rates: { mode: 'half_up', decimals: 1 } });
      expect(roundingFor(2022, ZHOUQU, s).rates).toEqual({ mode: 'half_up', decimals: 1 });
      await setRounding(s, SYSTEM, { year: 2022, unit: ZHOUQU, inherit: true });
      expect(roundingFor(2022, ZHOUQU, s).rates).toEqual({ mode: 'truncate', decimals: 2 });
      await expect(setRounding(s, GANSU, { year: 2022, unit: '62', indicators: { 'no.such': { mode: 'half_up', decimals: 1 } } })).rejects.toMatchObject({ code: 'INVALID' });
      await expect(setRounding(s, GANSU, { year: 2022, unit: '62', rates: { mode: 'half_up', decimals: 9 } })).rejects.toMatchObject({ code: 'INVALID' });
    });

    it('scope: a province user only under her province, never the national layer; administrators anywhere', async () => {
      const items = labour(s, 2022, SHAANXI);
      await expect(setCategories(s, GANSU, { year: 2022, unit: '61', list: 'labour_destination', items })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(setCategories(s, QINGHAI, { year: 2022, unit: ZHOUQU, list: 'labour_destination', items })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(setRounding(s, GANSU, { year: 2022, unit: '', rates: { mode: 'truncate', decimals: 1 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(setRounding(s, CLERK, { year: 2022, unit: ZHOUQU, rates: { mode: 'truncate', decimals: 1 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(setCategories(s, GANSU, { year: 2020, unit: '62', list: 'labour_destination', items })).rejects.toMatchObject({ code: 'INVALID', en: expect.stringContaining('starts in 2021') });
      await expect(setCategories(s, GANSU, { year: 2022, unit: '62', list: 'no_such_list', items })).rejects.toMatchObject({ code: 'INVALID' });
      await expect(setCategories(s, GANSU, { year: 2022, unit: '62', list: 'labour_destination', items: [{ value: 'Bad Value', zh: '', en: 'x' }] })).rejects.toMatchObject({ code: 'INVALID' });
      const v = await showConfig(s, 2022, '61');
      expect(v.categories.find((c) => c.name === 'labour_destination')!.items).toEqual(items);
    });

    it('every change is in the audit log with before and after', async () => {
      const a = await listAudit(s, SYSTEM, { entity: 'config', limit: 100 });
      expect(a.rows.length).toBeGreaterThanOrEqual(8);
      const first = a.rows.at(-1)!;
      expect(first).toMatchObject({ action: 'config.categories', actor: 'gansu.p', county: '62', year: 2022 });
      expect((first.after as { items: Array<{ value: string }> }).items.map((i) => i.value)).toContain('public_post');
      expect((first.before as { items: Array<{ value: string }> }).items.map((i) => i.value)).not.toContain('public_post');
    });

    it('opens 2023 for the demo county carrying over drafts, refuses it twice and refuses 2020', async () => {
      const projects2022 = (await listRecords(s, SYSTEM, 'project', ZHOUQU, 2022)).rows;
      const villages2022 = (await listRecords(s, SYSTEM, 'demo_village', ZHOUQU, 2022)).rows;
      const r = await openYear(s, CLERK, ZHOUQU, 2023);
      expect(r.from).toBe(2022);
      expect(r.carried.projects).toBe(projects2022.filter((p) => p.status !== 'completed').length);
      expect(r.carried.demoVillages).toBe(villages2022.length);
      expect(r.carried.reportInfo).toBe(true);
      const p2023 = (await listRecords(s, SYSTEM, 'project', ZHOUQU, 2023)).rows;
      expect(p2023.map((p) => p.name).sort()).toEqual(projects2022.filter((p) => p.status !== 'completed').map((p) => p.name).sort());
      expect(p2023.every((p) => String(p.note).includes('2022'))).toBe(true);
      // The carried records are drafts: they can be changed.
      await createRecord(s, SYSTEM, 'demo_village', ZHOUQU, 2023, { village: '623023100201', name: '新示范村' });
      await expect(openYear(s, CLERK, ZHOUQU, 2023)).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(openYear(s, CLERK, ZHOUQU, 2020)).rejects.toMatchObject({ code: 'INVALID', en: expect.stringContaining('2021') });
      await expect(openYear(s, QINGHAI, ZHOUQU, 2024)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const audit = await listAudit(s, SYSTEM, { county: ZHOUQU, year: 2023, action: 'year.', limit: 500 });
      expect(audit.rows.some((x) => x.action === 'year.open')).toBe(true);
      expect(audit.rows.filter((x) => x.action === 'year.carry_over' && x.entity === 'project')).toHaveLength(r.carried.projects);
    });

    it('opens 2021 for a county in Shaanxi with nothing to carry, then takes records', async () => {
      const r = await openYear(s, SYSTEM, SHAANXI, 2021);
      expect(r).toMatchObject({ from: null, carried: { pairings: 0, projects: 0, demoVillages: 0 } });
      await createRecord(s, SYSTEM, 'fund_allocation', SHAANXI, 2021, { category: 'industry', amount: 100_000_000, source: '2021年测试' });
      expect((await listRecords(s, SYSTEM, 'fund_allocation', SHAANXI, 2021)).total).toBe(1);
    });
  });

  describe(`configuration changed by another process is seen at the next check (${engine})`, () => {
    it('a second store on the same database picks the change up after refreshConfig', async () => {
      let url: string | undefined;
      let drop: (() => Promise<void>) | undefined;
      let dir: string | undefined;
      if (engine === 'postgres') ({ url, drop } = await createPgDatabase());
      else dir = mkdtempSync(join(tmpdir(), 'xiezuo-cfg-'));
      const open = () => (engine === 'postgres' ? openStore({ engine: 'postgres', url: url! }) : openStore({ engine: 'sqlite', file: join(dir!, 'x.sqlite') }));
      const a = open();
      const b = open();
      try {
        await migrate(a);
        await migrate(b);
        await loadDivisions(a, ['62'], { depth: 'county' });
        const items = [...labour(a, 2022, ZHOUQU), { value: 'elsewhere', zh: '其他', en: 'Elsewhere' }];
        await setCategories(a, SYSTEM, { year: 2022, unit: '62', list: 'labour_destination', items });
        expect(labour(b, 2022, ZHOUQU).map((c) => c.value)).not.toContain('elsewhere');
        expect(await refreshConfig(b)).toBe(true);
        expect(labour(b, 2022, ZHOUQU).map((c) => c.value)).toContain('elsewhere');
        expect(await refreshConfig(b)).toBe(false);
      } finally {
        await a.close();
        await b.close();
        await drop?.();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}
