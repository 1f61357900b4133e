import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'xiezuo.mjs');

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, DATABASE_URL: '' }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('xiezuo rank', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-rank-cli-'));
  const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_SECRET: 'cli-test' };
  beforeAll(() => { expect(run(['init', '--demo'], env).code).toBe(0); }, 120_000);

  it('ranks the counties by one indicator as Markdown, CSV and JSON, with the figures the indicators command shows', () => {
    const own = (JSON.parse(run(['indicators', '--county', '623023', '--year', '2022', '--json'], env).out) as Array<{ id: string; display: string | null; raw: number | null }>)
      .find((i) => i.id === 'funds.disbursement_rate')!;
    expect(own.display).toBe('89.45%');
    const md = run(['rank', '--year', '2022', '--indicator', 'funds.disbursement_rate', '--unit', '62'], env);
    expect(md.code).toBe(0);
    expect(md.out).toContain('# 2022年甘肃省（62）所辖各县：资金拨付率（从高到低）');
    expect(md.out).toMatch(/\| \d+ \| 舟曲县（623023） \| 89\.45% \| 无目标 \|/);
    const j = JSON.parse(run(['rank', '--year', '2022', '--indicator', 'funds.disbursement_rate', '--format', 'json', '--asc'], env).out) as {
      indicator: { id: string; label: { zh: string } }; order: string; rows: Array<{ code: string; rank: number | null; display: string | null; raw: number | null; status: string }>;
    };
    expect(j.indicator).toMatchObject({ id: 'funds.disbursement_rate', label: { zh: '资金拨付率' } });
    expect(j.order).toBe('asc');
    const row = j.rows.find((r) => r.code === '623023')!;
    expect(row).toMatchObject({ display: own.display, raw: own.raw, status: 'no_target' });
    const raws = j.rows.flatMap((r) => (r.raw === null ? [] : [r.raw]));
    expect(raws).toEqual([...raws].sort((a, b) => a - b));
    const csv = run(['rank', '--year', '2022', '--indicator', 'funds.disbursement_rate', '--format', 'csv'], env).out.trim().split('\n');
    expect(csv[0]).toBe('名次,县区,代码,资金拨付率,数值,状态');
    expect(csv).toContain(`${String(j.rows.filter((r) => r.rank !== null).length - row.rank! + 1)},舟曲县,623023,89.45%,${own.raw},无目标`);
    // A period to date says so in the title.
    expect(run(['rank', '--year', '2022', '--indicator', 'labour.transferred', '--period', 'Q2'], env).out).toMatch(/^# 2022年第二季度末各县：/);
  }, 120_000);

  it('answers user mistakes with one line and exit 1', () => {
    for (const [args, said] of [
      [['--indicator', 'no.such'], /no indicator no\.such/],
      [['--indicator', 'funds.allocated', '--unit', '6'], /--unit must be a province/],
      [['--indicator', 'funds.allocated', '--unit', '62', '--east', '12'], /cannot be used together/],
      [['--indicator', 'funds.allocated', '--format', 'pdf'], /cannot be pdf/],
    ] as const) {
      const r = run(['rank', '--year', '2022', ...args], env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(said);
    }
  }, 120_000);
});

describe('xiezuo indicators --national and --east', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-rollup-cli-'));
  const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_SECRET: 'cli-test' };
  const json = (args: string[]) => JSON.parse(run(['indicators', '--year', '2022', '--json', ...args], env).out) as Array<{ id: string; raw: number | null; source: string }>;
  beforeAll(() => { expect(run(['init', '--demo'], env).code).toBe(0); }, 120_000);

  it("adds up the nation's counties and an eastern unit's paired counties", () => {
    const county = json(['--county', '623023']).find((i) => i.id === 'pairings.total')!;
    expect(county.raw).toBe(36);
    // The demo holds one county, paired with one eastern district: both roll-ups add up its figure.
    for (const args of [['--national'], ['--east', '120101'], ['--east', '12']]) {
      const r = json(args).find((i) => i.id === 'pairings.total')!;
      expect(r, args.join(' ')).toMatchObject({ raw: 36, source: 'records' });
    }
  }, 120_000);

  it('answers user mistakes with one line and a non-zero exit', () => {
    for (const [args, code, said] of [
      [[], 1, /give one of --county, --national or --east/],
      [['--national', '--county', '62'], 1, /give one of/],
      [['--east', 'x1'], 1, /--east must be an eastern unit code/],
      [['--east', '44'], 2, /eastern unit 44 has no paired county in 2022/],
    ] as const) {
      const r = run(['indicators', '--year', '2022', ...args], env);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(said);
    }
  }, 120_000);
});
