import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'xiezuo.mjs');

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: '', XIEZUO_DEBUG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
    const timer = setTimeout(() => p.kill('SIGTERM'), 60_000);
    p.on('close', (code) => { clearTimeout(timer); done({ code, out, err }); });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'xiezuo-mistakes-'));
const db = join(dir, 'x.sqlite');
const base = { XIEZUO_DB: db, XIEZUO_SECRET: 'cli-test' };
let blocker: Server;
let busyPort = 0;

beforeAll(async () => {
  const r = await run(['init', '--demo'], base);
  expect(r.code, r.err).toBe(0);
  blocker = createServer();
  await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
  busyPort = (blocker.address() as { port: number }).port;
  writeFileSync(join(dir, 'broken.yaml'), 'ledgers:\n  - [\n');
}, 120_000);
afterAll(() => new Promise<void>((ok) => blocker.close(() => ok())));

type Case = { name: string; args: () => string[]; env?: () => Record<string, string>; exit: number; says: RegExp };

/** Twenty mistakes a new user makes; each must give one bilingual line and the README's exit code. */
const CASES: Case[] = [
  { name: 'a year without configuration', args: () => ['indicators', '--county', '623023', '--year', '2019'], exit: 1, says: /没有考核配置.* \/ no assessment configuration for 2019/ },
  { name: 'a template for a year without configuration', args: () => ['template', '--all', '--year', '2015', '--out', join(dir, 't.xlsx')], exit: 1, says: /没有考核配置/ },
  { name: 'a port in use', args: () => ['serve', '--quiet', '--port', String(busyPort)], exit: 2, says: /端口 [1-9]\d* 已被占用.* \/ port [1-9]\d* is already in use/ },
  { name: 'no database file yet', args: () => ['indicators', '--county', '623023', '--year', '2022'], env: () => ({ XIEZUO_DB: join(dir, 'missing.sqlite') }), exit: 2, says: /数据库文件 .*missing\.sqlite 不存在.*xiezuo init/ },
  { name: 'export of an unknown county', args: () => ['export', '--county', '999999', '--year', '2022', '--out', join(dir, 'e.xlsx')], exit: 2, says: /没有代码为 999999 的行政区划 \/ no division with code 999999/ },
  { name: 'report of an unknown county', args: () => ['report', '--county', '999999', '--year', '2022'], exit: 2, says: /999999/ },
  { name: 'a malformed county code', args: () => ['indicators', '--county', '62302x', '--year', '2022'], exit: 1, says: /2、4 或 6 位数字/ },
  { name: 'load of a missing file', args: () => ['load', join(dir, 'nope.yaml')], exit: 1, says: /找不到文件或目录：.*nope\.yaml \/ no such file or directory/ },
  { name: 'load of broken YAML', args: () => ['load', join(dir, 'broken.yaml')], exit: 1, says: /broken\.yaml:\d+:\d+/ },
  { name: 'a DATABASE_URL that is not a URL', args: () => ['indicators', '--county', '623023', '--year', '2022'], env: () => ({ DATABASE_URL: 'localhost/xiezuo' }), exit: 1, says: /DATABASE_URL 应形如 postgres:\/\// },
  { name: 'a prepared-statements switch that is neither on nor off', args: () => ['indicators', '--county', '623023', '--year', '2022'], env: () => ({ DATABASE_URL: 'postgres://u@127.0.0.1:1/x', XIEZUO_PG_PREPARE: 'yes' }), exit: 1, says: /XIEZUO_PG_PREPARE 应为 on 或 off/ },
  { name: 'a pool size that is not a number', args: () => ['indicators', '--county', '623023', '--year', '2022'], env: () => ({ DATABASE_URL: 'postgres://u@127.0.0.1:1/x', XIEZUO_PG_POOL: 'many' }), exit: 1, says: /XIEZUO_PG_POOL 应为1到200的整数/ },
  { name: 'a DATABASE_URL nobody answers', args: () => ['indicators', '--county', '623023', '--year', '2022'], env: () => ({ DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/x' }), exit: 2, says: /无法连接数据库 \(postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x\)/ },
  { name: 'an unknown option', args: () => ['report', '--county', '623023', '--year', '2022', '--frob'], exit: 1, says: /未知选项 --frob \/ unknown option --frob/ },
  { name: 'an unknown command', args: () => ['reprot'], exit: 1, says: /未知命令 reprot \/ unknown command reprot/ },
  { name: 'a missing mandatory option', args: () => ['report', '--year', '2022'], exit: 1, says: /缺少必填选项 --county/ },
  { name: 'an option without its value', args: () => ['report', '--county'], exit: 1, says: /选项 --county <code> 缺少取值/ },
  { name: 'a year that is not a year', args: () => ['check', '--county', '623023', '--year', '22'], exit: 1, says: /--year 应为年份，如 2022，而不是“22”/ },
  { name: 'an unknown format', args: () => ['report', '--county', '623023', '--year', '2022', '--format', 'pdf'], exit: 1, says: /--format <format> 不能取 pdf，可选：md, docx, html/ },
  { name: 'docx without --out', args: () => ['report', '--county', '623023', '--year', '2022', '--format', 'docx'], exit: 1, says: /--format docx 需要 --out/ },
  { name: 'an output folder that does not exist', args: () => ['report', '--county', '623023', '--year', '2022', '--out', join(dir, 'no', 'such', 'r.md')], exit: 1, says: /找不到文件或目录/ },
  { name: 'a port out of range', args: () => ['serve', '--port', '99999'], exit: 1, says: /--port 应为 0–65535 的整数/ },
  { name: 'an unknown ledger to export', args: () => ['export', '--county', '623023', '--year', '2022', '--ledger', 'meetingz', '--out', join(dir, 'e.xlsx')], exit: 1, says: /没有“meetingz”这种台账/ },
  { name: 'a template without a ledger', args: () => ['template', '--out', join(dir, 't.xlsx')], exit: 1, says: /请用 --ledger/ },
];

describe('CLI mistakes', () => {
  it('are at least twenty', () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  it.each(CASES)('$name: one bilingual line, the documented exit code, no stack trace', async (c) => {
    const r = await run(c.args(), { ...base, ...(c.env?.() ?? {}) });
    const lines = r.err.split('\n').filter((l) => l && !l.startsWith('note: '));
    expect(lines, r.err).toHaveLength(1);
    expect(lines[0]).toMatch(/^xiezuo: /);
    expect(lines[0]).toMatch(/[\u4e00-\u9fff]/);
    expect(lines[0]).toMatch(/ \/ \S/);
    expect(lines[0]).toMatch(c.says);
    expect(r.err + r.out).not.toMatch(/\n\s+at |Error: /);
    expect(r.code).toBe(c.exit);
  }, 90_000);

  it('prints its version and bilingual help', async () => {
    const v = await run(['--version'], base);
    expect(v.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(v.code).toBe(0);
    const h = await run(['report', '--help'], base);
    expect(h.out).toMatch(/用法 Usage: xiezuo report/);
    expect(h.out).toMatch(/自评报告 \/ generate the self-assessment report/);
    expect(h.out).toMatch(/-h, --help\s+显示帮助 \/ show help/);
    expect(h.code).toBe(0);
  }, 90_000);
});
