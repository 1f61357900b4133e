/**
 * CSV files without quotes or carriage returns are split by hand rather than by the CSV parser;
 * on random such files (empty lines and cells, a byte-order mark or none, a last line with or
 * without its newline, Chinese text, each delimiter) both must give the same records.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readSheets } from '../../src/excel/read.ts';
import { tempDir } from './helpers.ts';

const CASES = Number(process.env.XIEZUO_FUZZ_CASES ?? 40) * 5;

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

const PIECES = ['', '', 'a', '姓名', '623023199001010012', '协作地（天津）', ' x ', '2022-07-13', '12', '　', 'é', '😀', "'", 'a b'];

describe('plain CSV files read by hand', () => {
  it('give the records the CSV parser gives', async () => {
    const dir = tempDir('csv-plain');
    const r = rng(20261202);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    for (let c = 0; c < CASES; c++) {
      const delimiter = pick([',', ',', '\t', ';']);
      const lines: string[] = [];
      const header = Array.from({ length: 2 + Math.floor(r() * 6) }, (_, i) => `列${i}`);
      lines.push(header.join(delimiter));
      const n = Math.floor(r() * 40);
      for (let i = 0; i < n; i++) {
        const width = r() < 0.1 ? 0 : 1 + Math.floor(r() * 8);
        lines.push(Array.from({ length: width }, () => pick(PIECES)).join(delimiter));
      }
      let text = lines.join('\n');
      if (r() < 0.5) text += '\n';
      if (r() < 0.2) text += '\n';
      const bom = r() < 0.3 ? '\ufeff' : '';
      const file = join(dir, `c${c}.csv`);
      writeFileSync(file, bom + text);
      const expected = (parse(bom + text, { bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as string[][])
        .map((rec, i) => ({ number: i + 1, cells: rec.map((v) => (v === '' ? null : v)) }));
      const got: unknown[] = [];
      for await (const sheet of readSheets(file, 'csv')) for await (const row of sheet.rows) got.push(row);
      expect(got, JSON.stringify(bom + text)).toEqual(expected);
    }
  });

  it('gives the same records when lines and characters are cut by the reader\'s chunks', async () => {
    const dir = tempDir('csv-plain');
    const r = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const lines = ['姓名,身份证号,备注'];
    // About 1.5 MB: several chunks of the reader, with a 200 KB line among short ones.
    for (let i = 0; i < 20_000; i++) lines.push(Array.from({ length: 3 }, () => pick(PIECES)).join(','));
    lines.splice(9_000, 0, `长,${'协作地'.repeat(25_000)},x`);
    const text = `\ufeff${lines.join('\n')}`;
    const file = join(dir, 'big.csv');
    writeFileSync(file, text);
    const expected = (parse(text, { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: 32_767 * 16 }) as string[][])
      .map((rec, i) => ({ number: i + 1, cells: rec.map((v) => (v === '' ? null : v)) }));
    const got: unknown[] = [];
    for await (const sheet of readSheets(file, 'csv')) for await (const row of sheet.rows) got.push(row);
    expect(got.length).toBe(expected.length);
    expect(got).toEqual(expected);
  });

  it('a byte-order mark alone, or an empty file, holds no record', async () => {
    const dir = tempDir('csv-plain');
    for (const [name, content] of [['bom.csv', '\ufeff'], ['empty.csv', ''], ['nl.csv', '\ufeff\n']] as const) {
      const file = join(dir, name);
      writeFileSync(file, content);
      const got: unknown[] = [];
      for await (const sheet of readSheets(file, 'csv')) for await (const row of sheet.rows) got.push(row);
      const expected = (parse(content, { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as string[][]).map((rec, i) => ({ number: i + 1, cells: rec.map((v) => (v === '' ? null : v)) }));
      expect(got, name).toEqual(expected);
    }
  });
});
