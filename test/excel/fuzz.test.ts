/**
 * Fuzzing the Excel and CSV readers through the whole import (dry run): damaged zips, flipped and
 * cut bytes, random text in every encoding we sniff, and workbooks full of odd cell values. Every
 * case must end — no crash, no hang — with a result value, its problems located and their texts
 * bounded. Bounded in CI (XIEZUO_FUZZ_CASES, default 40 per kind); set it higher for a longer run,
 * and XIEZUO_FUZZ_SEED to replay one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/services/imports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';
import { residentId, writeWorkbook } from './builders.ts';
import { addOrgUnits, COUNTY, snapshot, tempDir, YEAR } from './helpers.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

const CASES = Number(process.env.XIEZUO_FUZZ_CASES ?? 40);
const SEED = Number(process.env.XIEZUO_FUZZ_SEED ?? 20261201);
/** Longest a case may take before it counts as a hang. */
const CASE_MS = 20_000;

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['合计', '示例', '"', ',', '\t', ';', '\r\n', '\n', '\u0000', '\ufeff', '万元', '约', '余', '-', '１２', '2022年7月13日', '=1+1', '<', '&amp;', '�', '身份证号', '姓名', '就业日期', '资金用途类别', '金额（万元）', '序号'];

function randomText(r: () => number, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) {
    const k = r();
    s += k < 0.5 ? PIECES[Math.floor(r() * PIECES.length)]! : String.fromCharCode(Math.floor(r() * (k < 0.8 ? 128 : 0xffff)));
  }
  return s;
}

function mutate(r: () => number, data: Buffer): Buffer {
  const out = Buffer.from(data);
  const kind = r();
  if (kind < 0.3) return out.subarray(0, Math.floor(r() * out.length));
  const flips = 1 + Math.floor(r() * 20);
  for (let i = 0; i < flips; i++) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
  if (kind > 0.8) return Buffer.concat([out.subarray(0, Math.floor(r() * out.length)), Buffer.from(randomText(r, 200)), out.subarray(Math.floor(r() * out.length))]);
  return out;
}

describe('fuzzing the Excel and CSV readers', () => {
  const dir = tempDir('fuzz');
  let store: Store;
  let before: string;
  let xlsx: Buffer;
  let csv: Buffer;
  beforeAll(async () => {
    store = openStore({ engine: 'sqlite', file: ':memory:' });
    await migrate(store);
    await addOrgUnits(store);
    before = await snapshot(store);
    const base = join(dir, 'base.xlsx');
    await writeWorkbook(base, [
      { name: '转移就业', title: '转移就业台账', header: ['序号', '姓名', '身份证号', '就业去向', '就业日期', '务工月数'], textColumns: [3],
        rows: [[1, '张三', residentId('623023', '19900101', 11), '省内', '2022-03-01', 10], ['合计', null, null, null, null, 10]] },
      { name: '协作资金安排', header: ['资金用途类别', '金额（万元）', '资金来源'], rows: [['产业开发', 12.5, '来源']] },
    ]);
    xlsx = readFileSync(base);
    csv = Buffer.from(`资金用途类别,金额（万元）,资金来源\n产业开发,12.5,来源\n"劳务协作","3",""\n`);
  });
  afterAll(async () => store?.close());

  /** Imports one file (dry run) and checks the outcome is a clean value. */
  async function oneCase(name: string, data: Buffer): Promise<void> {
    const path = join(dir, name);
    writeFileSync(path, data);
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${name}: no answer within ${CASE_MS} ms`)), CASE_MS); });
    try {
      const r = await Promise.race([importFiles(store, SYSTEM, [{ path, name }], { county: COUNTY, year: YEAR, dryRun: true }), hang]);
      expect(r.committed).toBe(false);
      for (const e of r.errors) {
        expect(e.file).toBe(name);
        expect(e.zh.length).toBeGreaterThan(0);
        expect(e.en.length).toBeGreaterThan(0);
        expect(e.value.length).toBeLessThan(400);
      }
      expect(JSON.stringify(r).length).toBeLessThan(1_000_000);
    } finally {
      clearTimeout(timer);
    }
  }

  it(`damaged workbooks (${CASES} cases, seed ${SEED})`, async () => {
    const r = rng(SEED);
    for (let i = 0; i < CASES; i++) await oneCase(`damaged-${i}.xlsx`, mutate(r, xlsx));
    expect(await snapshot(store)).toBe(before);
  }, CASES * CASE_MS);

  it(`random and damaged CSV (${CASES} cases, seed ${SEED})`, async () => {
    const r = rng(SEED + 1);
    for (let i = 0; i < CASES; i++) {
      const data = i % 2 ? mutate(r, csv) : Buffer.from(randomText(r, 400), i % 4 ? 'utf8' : 'latin1');
      await oneCase(`random-${i}.csv`, data);
    }
    expect(await snapshot(store)).toBe(before);
  }, CASES * CASE_MS);

  it(`workbooks full of odd cell values (${Math.ceil(CASES / 4)} cases)`, async () => {
    const r = rng(SEED + 2);
    for (let i = 0; i < Math.ceil(CASES / 4); i++) {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet(r() < 0.5 ? '转移就业' : randomText(r, 20).replace(/[\\/?*[\]:]/g, '').slice(0, 31) || 'x');
      ws.addRow(['姓名', '身份证号', '就业去向', '就业日期', '务工月数']);
      for (let j = 0; j < 20; j++) {
        ws.addRow(Array.from({ length: 1 + Math.floor(r() * 8) }, () => {
          const k = r();
          if (k < 0.2) return randomText(r, 50);
          if (k < 0.35) return (r() - 0.5) * 10 ** Math.floor(r() * 30);
          if (k < 0.45) return new Date(Math.floor((r() - 0.3) * 4e12));
          if (k < 0.55) return { formula: 'A1+1', result: randomText(r, 5) };
          if (k < 0.65) return { richText: [{ text: randomText(r, 10) }, { text: randomText(r, 10) }] };
          if (k < 0.7) return { error: '#N/A' } as ExcelJS.CellErrorValue;
          if (k < 0.8) return r() < 0.5;
          return null;
        }));
      }
      await oneCase(`odd-${i}.xlsx`, Buffer.from(await wb.xlsx.writeBuffer()));
    }
    expect(await snapshot(store)).toBe(before);
  }, CASES * CASE_MS);
});
