import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'xiezuo.mjs');
const SEED = join(import.meta.dirname, '..', '..', '..', 'shared', 'seed', '000_618374a9dcdd491e.txt');

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, DATABASE_URL: '' }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// Each test starts the command several times; a loaded machine needs more than the default minute.
const SLOW = 240_000;

describe('xiezuo audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-audit-'));
  const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_SECRET: 'cli-test' };
  const bad = join(dir, '草稿.md');
  const other = join(dir, '另一版本.txt');

  beforeAll(() => {
    writeFileSync(bad, '## 结对帮扶\n\n建立街道与乡镇结对4对、村企结对5对、学校结对3对、医院结对6对，共计20对。引进企业吸纳农村劳动力就业132人。\n');
    writeFileSync(other, '引进企业吸纳农村劳动力就业123人。\n');
    expect(run(['init', '--demo'], env).code).toBe(0);
  }, SLOW);

  it('prints each relation with its location and exits 0 when every one holds', () => {
    const r = run(['audit', SEED], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/117 figures, 19 relations, 0 failing/);
    expect(r.out).toMatch(/:51:357 {2}按另一取舍规则成立 holds \(other rounding\) {2}比率: 30个 ÷ 43个 = 69\.77%/);
  }, SLOW);

  it('--json prints relations with kind, verdict, figures, location, detail and correction, and figures; exit 3 on a failure', () => {
    const r = run(['audit', bad, '--json'], env);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out) as { relations: Array<Record<string, unknown>>; figures: unknown[] };
    expect(j.figures).toHaveLength(6);
    expect(j.relations).toEqual([expect.objectContaining({
      kind: 'sum', verdict: 'fails', location: expect.objectContaining({ line: 3, column: 36 }),
      figures: expect.arrayContaining([expect.objectContaining({ text: '20对' })]),
      detail: expect.objectContaining({ zh: expect.stringContaining('= 18对') }), correction: expect.objectContaining({ zh: expect.stringContaining('18对') }),
    })]);
  }, SLOW);

  it('holds several files against each other, and against the data with --county and --year', () => {
    expect(run(['audit', bad, other], env).code).toBe(3); // the wrong total in the draft
    const r = run(['audit', bad, other, '--same-unit'], env);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/不成立 FAILS {2}“引进企业吸纳农村劳动力就业”在 .*草稿\.md 中为 132人，在 .*另一版本\.txt 中为 123人/);
    const p = join(dir, '州.txt'); const c1 = join(dir, '甲县.txt'); const c2 = join(dir, '乙县.txt');
    writeFileSync(p, '全年到位东西部协作财政帮扶资金12.16亿元。'); writeFileSync(c1, '全年到位东西部协作财政帮扶资金5.3亿元。'); writeFileSync(c2, '全年到位东西部协作财政帮扶资金7.31亿元。');
    const roll = run(['audit', '--parent', p, c1, c2], env);
    expect(roll.code).toBe(3);
    expect(roll.out).toMatch(/上下级合计: 下级合计 5\.3亿元 \+ 7\.31亿元 = 12\.61亿元，而 .*州\.txt 为 12\.16亿元/);
    expect(roll.out).not.toMatch(/across the files/);
    const d = run(['audit', SEED, '--county', '623023', '--year', '2022'], env);
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/against the data of 623023 2022: \d+ supported, 0 contradicted, \d+ cannot be checked/);
  }, SLOW);

  it('refuses what it cannot read in one line, without a stack trace', () => {
    const pdf = join(dir, 'a.pdf');
    writeFileSync(pdf, '%PDF');
    for (const args of [['audit', pdf], ['audit', SEED, '--county', '623023'], ['audit', join(dir, 'missing.txt')]]) {
      const r = run(args, env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).not.toMatch(/\bat \w+ \(/);
    }
  }, SLOW);
});
