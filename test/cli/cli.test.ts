import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'xiezuo.mjs');

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, DATABASE_URL: '' }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('xiezuo CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-cli-'));
  const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_SECRET: 'cli-test' };

  beforeAll(() => {
    const r = run(['init', '--demo'], env);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/demo dataset loaded: county 623023, year 2022/);
    expect(r.code).toBe(0);
  });

  it('is idempotent: a second init --demo leaves the data alone', () => {
    const r = run(['init', '--demo'], env);
    expect(r.out).toMatch(/already loaded/);
    expect(r.code).toBe(0);
  });

  it('has --help on every command', { timeout: 180_000 }, () => {
    for (const cmd of [[], ['init'], ['report'], ['indicators'], ['check']]) {
      const r = run([...cmd, '--help'], env);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.out).toMatch(/Usage: xiezuo/);
    }
  });

  it('prints indicators with targets and status, and JSON on request', () => {
    const r = run(['indicators', '--county', '623023', '--year', '2022'], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/funds\.disbursement_rate\s+资金拨付率\t89\.45%/);
    expect(r.out).toMatch(/enterprise\.investment\s+引导企业投资额\t470万元\t目标 超过1000万元\t未达标/);
    const j = JSON.parse(run(['indicators', '--county', '623023', '--year', '2022', '--json'], env).out) as Array<{ id: string; value: string; status: string }>;
    expect(j.find((x) => x.id === 'projects.completion_rate')).toMatchObject({ value: '70', status: 'no_target' });
  });

  it('check exits 0 when every rule holds and 3 when one fails', () => {
    const ok = run(['check', '--county', '623023', '--year', '2022'], env);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/PASS\s+funds\.categories_sum/);
    expect(ok.out).toMatch(/\d+ passed, 0 failed/);
    const db = new Database(env.XIEZUO_DB);
    db.prepare("update fund_allocation set amount_fen = amount_fen + 1 where category = 'talent'").run();
    const bad = run(['check', '--county', '623023', '--year', '2022'], env);
    db.prepare("update fund_allocation set amount_fen = amount_fen - 1 where category = 'talent'").run();
    db.close();
    expect(bad.code).toBe(3);
    expect(bad.out).toMatch(/FAIL\s+funds\.categories_sum/);
  });

  it('check counts rules it could not run as skipped, and says why', () => {
    const r = run(['check', '--county', '623023', '--year', '2023'], env);
    expect(r.out).toMatch(/0 passed, 0 failed, \d+ skipped/);
    expect(r.err).toMatch(/no rule could be checked/);
  });

  it('reports user mistakes in one line on stderr without a stack trace', { timeout: 300_000 }, () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['report', '--county', '623023', '--year', 'twenty'], 1, /--year must be a year/],
      [['report', '--county', '999999', '--year', '2022'], 2, /没有代码为 999999 的行政区划 \/ no division with code 999999/],
      [['report', '--county', '623023', '--year', '2022', '--format', 'pdf'], 1, /cannot be pdf; choose from md, docx, html/],
      [['indicators', '--year', '2022'], 1, /--county/],
      [['report', '--county', '623023', '--year', '2022', '--format', 'docx'], 1, /--out/],
      [['load', join(import.meta.dirname, '..', 'fixtures', 'not-yaml.yaml')], 1, /not valid YAML/],
    ];
    for (const [args, code, msg] of cases) {
      const r = run(args, env);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('says clearly when the database cannot be reached', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', '--county', '623023', '--year', '2022'], {
      env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, encoding: 'utf8', timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot reach the database/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('xiezuo load', () => {
  it('loads a dataset file and refuses a broken one with the entry named, changing nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xiezuo-load-'));
    const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_SECRET: 'cli-test' };
    const demo = join(import.meta.dirname, '..', '..', 'data', 'demo', '623023-2022.yaml');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, readFileSync(demo, 'utf8').replace('amount: 314万元', 'amount: 三百万元'));
    const bad = run(['load', broken], env);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/ledgers\.fund_allocation\[1\]/);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    const db = new Database(env.XIEZUO_DB);
    expect(db.prepare('select count(*) n from fund_allocation').get()).toEqual({ n: 0 });
    db.close();
    const ok = run(['load', demo], env);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/county 623023, year 2022, \d+ records/);
  });
});

describe('xiezuo init for a deployment without the demo', () => {
  it('loads the provinces it covers and records a cooperation pair', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xiezuo-init-'));
    const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_SECRET: 'cli-test' };
    expect(run(['init', '--pair', '120101:623023'], env)).toMatchObject({ code: 1, err: expect.stringMatching(/--provinces first/) });
    const r = run(['init', '--provinces', '62,12', '--pair', '120101:623023'], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/division codes loaded: \d{5} new/);
    const db = new Database(env.XIEZUO_DB);
    expect(db.prepare("select name from org_unit where code = '623023200200'").get()).toEqual({ name: '城马村村民委员会' });
    expect(db.prepare('select count(*) n from org_unit where code like ?').get('11%')).toEqual({ n: 0 });
    expect(db.prepare('select east_code, west_code from cooperation_pair').all()).toEqual([{ east_code: '120101', west_code: '623023' }]);
    db.close();
    expect(run(['init', '--provinces', 'gansu'], env)).toMatchObject({ code: 1, err: expect.stringMatching(/2-digit/) });
  });
});

describe('xiezuo report --all', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-cli-all-'));
  const env = { XIEZUO_DB: join(dir, 'x.sqlite'), XIEZUO_SECRET: 'cli-test' };

  it('writes one Word report (and its sources annex) per county of a province into one zip, with progress', { timeout: 300_000 }, async () => {
    expect(run(['init'], env).code).toBe(0);
    expect(run(['synth', '--counties', '12', '--year', '2022', '--seed', '3'], env).code).toBe(0);
    const out = join(dir, 'yunnan.zip');
    const r = run(['report', '--county', '53', '--year', '2022', '--all', '--format', 'docx', '--out', out], env);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const progress = r.err.split('\n').filter((l) => /^\[\d+\/\d+\] 53\d{4} /.test(l));
    const n = Number(/\/(\d+)\]/.exec(progress[0] ?? '')?.[1]);
    expect(n).toBeGreaterThan(1);
    expect(progress).toHaveLength(n);
    const { default: JSZip } = await import('jszip');
    const zip = await JSZip.loadAsync(readFileSync(out));
    const names = Object.keys(zip.files);
    expect(names.filter((f) => /^53\d{4}-.+\.docx$/.test(f) && !f.includes('附件'))).toHaveLength(n);
    for (const f of names) {
      const doc = await JSZip.loadAsync(await zip.file(f)!.async('uint8array'));
      expect(await doc.file('word/document.xml')!.async('string'), f).toContain('w:body');
    }
    expect(run(['report', '--county', '532327', '--year', '2022', '--all', '--out', join(dir, 'x.zip')], env).err).toMatch(/--all takes a prefecture/);
    expect(run(['report', '--county', '62', '--year', '2022', '--all', '--out', join(dir, 'y.zip')], env).err).toMatch(/no county under 62 has data/);
  });
});
