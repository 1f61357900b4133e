/**
 * Synthetic labour-placement ledgers for benchmarks and load tests: made-up people with resident
 * IDs that pass the checks (unique per row), written as CSV or streamed .xlsx.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { residentIdCheckChar } from '../src/domain/ids.ts';

export const PLACEMENT_HEADER = ['姓名', '身份证号', '就业去向', '就业单位', '就业地点', '就业日期', '务工月数', '脱贫人口', '监测对象'];

const SURNAMES = ['马', '杨', '李', '王', '张', '赵', '何', '安', '包', '才'];
const GIVEN = ['明', '丽', '强', '芳', '军', '霞', '东', '珍', '措', '卓玛'];
const DESTINATIONS = ['协作地（天津）', '省内', '省外'];
const DAY = 86_400_000;
const BIRTH0 = Date.UTC(1965, 0, 1);

/** Row `i` of the synthetic ledger; deterministic, and (ID, start date) unique for i < 16,000,000. */
export function placementRow(i: number): string[] {
  const birth = new Date(BIRTH0 + (i % 16_000) * DAY).toISOString().slice(0, 10).replace(/-/g, '');
  const first17 = `623023${birth}${String(Math.floor(i / 16_000) % 1000).padStart(3, '0')}`;
  const start = new Date(Date.UTC(2022, 0, 1) + (i % 300) * DAY).toISOString().slice(0, 10);
  return [
    SURNAMES[i % 10]! + GIVEN[(i >> 3) % 10]!, first17 + residentIdCheckChar(first17), DESTINATIONS[i % 3]!,
    `企业${i % 997}`, `地点${i % 101}`, start, String(1 + (i % 12)), i % 4 === 0 ? '是' : '否', '否',
  ];
}

/** Writes `n` rows (rows `from` … `from + n - 1`) as UTF-8 CSV, with back-pressure so memory stays flat. */
export async function writePlacementsCsv(file: string, n: number, from = 0): Promise<void> {
  const out = createWriteStream(file);
  const write = async (line: string) => { if (!out.write(line)) await once(out, 'drain'); };
  await write(`${PLACEMENT_HEADER.join(',')}\n`);
  let buf = '';
  for (let i = from; i < from + n; i++) {
    buf += `${placementRow(i).join(',')}\n`;
    if (buf.length > 1 << 16) { await write(buf); buf = ''; }
  }
  await write(buf);
  out.end();
  await once(out, 'finish');
}

/** Writes `n` rows as a streamed .xlsx (IDs as text, months as numbers). */
export async function writePlacementsXlsx(file: string, n: number): Promise<void> {
  // Loaded only here: an import child reads placementRow and must not carry exceljs in its memory.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('转移就业');
  ws.addRow(PLACEMENT_HEADER).commit();
  for (let i = 0; i < n; i++) {
    const r = placementRow(i);
    ws.addRow([r[0], r[1], r[2], r[3], r[4], r[5], Number(r[6]), r[7], r[8]]).commit();
  }
  await ws.commit();
  await wb.commit();
}
