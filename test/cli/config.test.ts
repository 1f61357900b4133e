import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, openConfiguredStore } from '../../src/cli/main.ts';
import type { StoreConfig } from '../../src/store/db.ts';
import { createPgDatabase, engines } from '../support/engines.ts';

/** `xiezuo config …` and `xiezuo year open`, run in-process against a database on each engine. */
for (const engine of await engines()) {
  describe(`xiezuo config and year (${engine})`, () => {
    let dir: string;
    let config: StoreConfig;
    let drop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'xiezuo-cli-config-'));
      if (engine === 'postgres') { const db = await createPgDatabase(); drop = db.drop; config = { engine: 'postgres', url: db.url }; }
      else config = { engine: 'sqlite', file: join(dir, 'x.sqlite') };
    });
    afterAll(async () => { await drop?.(); rmSync(dir, { recursive: true, force: true }); });

    async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
      let out = '';
      let err = '';
      const code = await main(['node', 'xiezuo', ...args], {
        openStore: () => openConfiguredStore(config, { create: true }),
        out: (s) => { out += s; }, err: (s) => { err += s; },
      });
      return { code, out, err };
    }

    it('sets and shows a province list and rounding; another province is unaffected', async () => {
      expect((await run('init', '--demo')).code).toBe(0);
      const set = await run('config', 'set-categories', '--year', '2022', '--unit', '62', '--list', 'labour_destination', '--add', 'public_post:公益性岗位:Public-welfare posts', '--rename', 'in_province:省内务工:Within the province');
      expect(set.err).toBe('');
      expect(set.code).toBe(0);
      expect(set.out).toContain('public_post\t公益性岗位');
      const shown = await run('config', 'show', '--year', '2023', '--unit', '623023', '--list', 'labour_destination', '--json');
      const list = JSON.parse(shown.out) as { items: Array<{ value: string; zh: string }>; source: { stored: boolean; unit: string } };
      expect(list.items.find((i) => i.value === 'in_province')!.zh).toBe('省内务工');
      expect(list.source).toMatchObject({ stored: true, unit: '62' });
      const other = JSON.parse((await run('config', 'show', '--year', '2022', '--unit', '12', '--list', 'labour_destination', '--json')).out) as { items: Array<{ value: string }>; source: { stored: boolean } };
      expect(other.source.stored).toBe(false);
      expect(other.items.map((i) => i.value)).not.toContain('public_post');

      const r = await run('config', 'set-rounding', '--year', '2022', '--unit', '62', '--rates', 'truncate:2', '--indicator', 'funds.disbursement_rate=whole');
      expect(r.code).toBe(0);
      expect(r.out).toContain('truncate:2');
      const view = JSON.parse((await run('config', 'show', '--year', '2022', '--unit', '623023', '--json')).out) as { rounding: { rates: unknown; indicators: Record<string, unknown> } };
      expect(view.rounding.rates).toEqual({ mode: 'truncate', decimals: 2 });
      expect(view.rounding.indicators['funds.disbursement_rate']).toEqual({ mode: 'half_up', decimals: 0 });
      const twelve = JSON.parse((await run('config', 'show', '--year', '2022', '--unit', '12', '--json')).out) as { rounding: unknown };
      expect(twelve.rounding).toEqual({ rates: { mode: 'half_up', decimals: 2 }, indicators: {} });
    }, 180_000);

    it('refuses mistakes in one line with a non-zero exit and changes nothing', async () => {
      const before = (await run('config', 'show', '--year', '2022', '--unit', '62', '--json')).out;
      const badTemplate = join(dir, 'bad.yaml');
      writeFileSync(badTemplate, 'title: x\nblocks:\n  - p: "{no.such}"\n');
      const cases: Array<[string[], number, RegExp]> = [
        [['config', 'set-categories', '--year', '2022', '--unit', '62', '--list', 'labour_destination', '--remove', 'in_province'], 2, /in use|使用/],
        [['config', 'set-categories', '--year', '2022', '--unit', '62', '--list', 'labour_destination', '--add', 'broken'], 1, /value:中文名称:English label/],
        [['config', 'set-categories', '--year', '2022', '--unit', '62', '--list', 'no_such'], 1, /nothing to change|no category list/],
        [['config', 'set-rounding', '--year', '2022', '--unit', '62', '--rates', 'round:9'], 1, /half_up:N/],
        [['config', 'set-rounding', '--year', '2022', '--unit', '62', '--indicator', 'no.such=whole'], 1, /no indicator no\.such/],
        [['config', 'set-rounding', '--year', '2020', '--unit', '62', '--rates', 'whole'], 1, /starts in 2021/],
        [['config', 'show', '--year', '2022', '--unit', '6x'], 1, /--unit takes/],
        [['year', 'open', '--county', '623023', '--year', '2020'], 1, /starts in 2021/],
        [['template', '--all', '--year', '2020', '--out', join(dir, 't.xlsx')], 1, /starts in 2021/],
        [['indicators', '--county', '623023', '--year', '2020'], 1, /starts in 2021/],
        [['report', '--county', '623023', '--year', '2020'], 1, /starts in 2021/],
        [['export', '--county', '623023', '--year', '2020', '--out', join(dir, 'e.xlsx')], 1, /starts in 2021/],
        [['config', 'set-report', '--year', '2022', '--unit', '62'], 1, /--file or --inherit/],
        [['config', 'set-report', '--year', '2022', '--unit', '62', '--file', join(dir, 'none.yaml')], 1, /no such file/],
        [['config', 'set-report', '--year', '2022', '--unit', '62', '--file', badTemplate], 1, /unknown indicator no\.such/],
        [['config', 'set-report', '--year', '2022', '--unit', '62', '--inherit'], 1, /already inherits/],
        [['config', 'set-categories', '--year', '2022', '--unit', '62', '--list', 'meeting_type', '--inherit'], 1, /already inherits/],
      ];
      for (const [args, code, msg] of cases) {
        const r = await run(...args);
        expect(`${args.join(' ')} → ${r.code}`).toBe(`${args.join(' ')} → ${code}`);
        expect(r.err.trim().split('\n')).toHaveLength(1);
        expect(r.err).toMatch(msg);
        expect(r.err).not.toMatch(/\n\s+at /);
      }
      expect((await run('config', 'show', '--year', '2022', '--unit', '62', '--json')).out).toBe(before);
    }, 180_000);

    it('prints the report template in force, stores an edited one for a province, and goes back to inheriting', async () => {
      const file = join(dir, 'report.yaml');
      const out = await run('config', 'report', '--year', '2022', '--unit', '62', '--out', file);
      expect(out.code).toBe(0);
      expect(out.out).toContain('shipped file config/2021/report.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('现将全年工作情况和自评结果报告如下。', '全年情况报告如下。'));
      expect((await run('config', 'set-report', '--year', '2022', '--unit', '62', '--file', file)).out).toContain('version 1');
      expect((await run('config', 'report', '--year', '2023', '--unit', '623023')).out.split('\n')[0]).toBe('# stored for 62 from 2022, version 1, by system');
      expect((await run('report', '--county', '623023', '--year', '2022')).out).toContain('全年情况报告如下。');
      expect((await run('config', 'set-report', '--year', '2022', '--unit', '62', '--inherit')).code).toBe(0);
      expect((await run('report', '--county', '623023', '--year', '2022')).out).not.toContain('全年情况报告如下。');
    }, 120_000);

    it('opens 2023 for the demo county once; 2021 works for a county in 陕西 with an import', async () => {
      const o = await run('year', 'open', '--county', '623023', '--year', '2023');
      expect(o.code).toBe(0);
      expect(o.out).toMatch(/opened 2023 for 623023 from 2022: \d+ pairings, \d+ demonstration villages, \d+ unfinished projects/);
      const again = await run('year', 'open', '--county', '623023', '--year', '2023');
      expect(again.code).toBe(2);
      expect(again.err).toContain('already open');

      expect((await run('init', '--provinces', '61')).code).toBe(0);
      const s = await run('year', 'open', '--county', '610102', '--year', '2021');
      expect(s.out).toContain('opened 2021 for 610102 (no earlier year');
      const csv = join(dir, '资金.csv');
      writeFileSync(csv, '资金用途类别,金额,资金来源\r\nindustry,3,陕西测试\r\n');
      const imp = await run('import', csv, '--county', '610102', '--year', '2021');
      expect(imp.code, imp.err).toBe(0);
      const ind = await run('indicators', '--county', '610102', '--year', '2021', '--json');
      expect(ind.code).toBe(0);
      const allocated = (JSON.parse(ind.out) as Array<{ id: string; display: string | null }>).find((x) => x.id === 'funds.allocated');
      expect(allocated?.display).toBe('3万元');
    }, 300_000);
  });
}
