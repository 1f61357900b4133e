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

describe('xiezuo indicators --period', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-cli-periods-'));
  const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_SECRET: 'cli-test' };
  beforeAll(() => { expect(run(['init', '--demo'], env).code).toBe(0); }, 120_000);

  it('prints the figures to the end of a quarter, says so, and names the undated records left out', () => {
    const r = run(['indicators', '--county', '623023', '--year', '2022', '--period', 'Q2'], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# 2022年第二季度末（截至2022-06-30/);
    expect(r.out).toMatch(/visits\.exchange\s+\S+\t0次/);
    expect(r.out).toMatch(/enterprise\.count[^\n]*1条记录未填日期/);
    expect(r.out).toMatch(/enterprise\.investment[^\n]*257\.7万元[^\n]*截至期末（已完成全年目标25\.8%）/);
    const q3 = run(['indicators', '--county', '623023', '--year', '2022', '--to', '2022-08-15'], env);
    expect(q3.out).toMatch(/visits\.exchange\s+\S+\t2次/);
  }, 120_000);

  it('gives JSON with the period, and the year as before without one', () => {
    const j = JSON.parse(run(['indicators', '--county', '623023', '--year', '2022', '--period', 'M07', '--json'], env).out) as { period: { key: string }; indicators: Array<{ id: string; raw: number | null; toDate?: unknown }> };
    expect(j.period.key).toBe('M07');
    expect(j.indicators.find((i) => i.id === 'visits.exchange')!.raw).toBe(1);
    const y = JSON.parse(run(['indicators', '--county', '623023', '--year', '2022', '--json'], env).out) as Array<{ id: string; raw: number | null; toDate?: unknown }>;
    expect(y.find((i) => i.id === 'visits.exchange')!.raw).toBe(2);
    expect(y.every((i) => i.toDate === undefined)).toBe(true);
  }, 120_000);

  it('refuses a bad period with a one-line bilingual message and exit 1', () => {
    const r = run(['indicators', '--county', '623023', '--year', '2022', '--period', 'Q7'], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/无法识别的期间.*unknown period/s);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  }, 120_000);
});
