/**
 * Streaming readers for .xlsx and .csv: sheets, and rows of plain cell values, without holding the
 * file in memory. CSV may be UTF-8 (with or without BOM) or GB18030 (what Excel and WPS on Chinese
 * Windows save); the delimiter may be a comma, a tab or a semicolon.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { CellValue } from './cells.ts';

export interface RawRow {
  /** 1-based row number as the spreadsheet shows it (for CSV: the record number). */
  number: number;
  /** Cells by 0-based column index (column A is 0). */
  cells: CellValue[];
}

export interface SheetSource {
  /** The sheet name; for CSV, the file name without extension. */
  name: string;
  /** Hidden sheets (lists behind drop-downs) hold no ledger. */
  hidden: boolean;
  /** The rows one by one. */
  rows: AsyncIterable<RawRow>;
  /**
   * The same rows in order, as many at a time as the reader has at hand (a CSV: hundreds), so a
   * caller going through a million rows waits once per group rather than once per row. Both views
   * share one reader: a caller uses one of them.
   */
  batches: AsyncIterable<RawRow[]>;
}

/** A sheet source from its rows in groups; the one-by-one view reads from the same groups. */
function sheetSource(name: string, hidden: boolean, batches: AsyncIterable<RawRow[]>): SheetSource {
  async function* rows(): AsyncGenerator<RawRow> {
    for await (const b of batches) yield* b;
  }
  return { name, hidden, rows: rows(), batches };
}

export type FileFormat = 'xlsx' | 'csv';

/** The format a file name implies, or undefined. */
export function formatOf(file: string): FileFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') return 'csv';
  return undefined;
}

export interface ReadLimits {
  /** Characters in one cell; the readers refuse a file whose markup could hold a longer one before building it in memory. */
  cellChars: number;
}

const DEFAULT_READ_LIMITS: ReadLimits = { cellChars: 32_767 };

/** Markup characters one cell may take: its text with every character written as a numeric entity, plus its tags. */
const markupPerCell = (l: ReadLimits) => l.cellChars * 10 + 4096;
/** Markup characters of one row of a sheet. */
const MAX_ROW_MARKUP = 64 * 1024 * 1024;
/** Markup characters of the shared-strings part, which is held in memory while the sheets are read. */
const MAX_SHARED_MARKUP = 512 * 1024 * 1024;
/** Markup characters of the workbook's small parts (relations, sheet list, styles). */
const MAX_SMALL_PART = 64 * 1024 * 1024;

/** A file refused because a limit was reached while reading it; located as well as the reader can. */
export class ReadLimitError extends Error {
  constructor(readonly zh: string, readonly en: string, readonly sheet: string | null = null, readonly row: number | null = null, readonly column: string | null = null) {
    super(en);
  }
}

/** Sheets of a file in order. Each sheet's rows must be consumed (or abandoned) before the next is read. */
export function readSheets(file: string, format: FileFormat, limits: ReadLimits = DEFAULT_READ_LIMITS): AsyncIterable<SheetSource> {
  return format === 'xlsx' ? xlsxSheets(file, limits) : csvSheets(file, limits);
}

/**
 * Passes decoded XML through while checking its shape against the limits: no run of text or markup
 * between two angle brackets longer than one cell may take, no row longer than `MAX_ROW_MARKUP`, no
 * part longer than `maxTotal`. Cheap (native searches) and before the XML parser builds any string.
 */
async function* guarded(chunks: AsyncIterable<string>, limits: ReadLimits, part: string, maxTotal: number): AsyncGenerator<string> {
  const maxGap = markupPerCell(limits);
  let gap = 0; // characters since the last '<' or '>'
  let sinceRow = 0; // characters since the last '</row>'
  let total = 0;
  const tooLong = () => new ReadLimitError(`${part}中有单元格超过${limits.cellChars}个字符，文件被拒绝`, `${part}: a cell is longer than ${limits.cellChars} characters; the file is refused`, part);
  for await (const c of chunks) {
    total += c.length;
    if (total > maxTotal)
      throw new ReadLimitError(`${part}解压后超过${Math.round(maxTotal / 1048576)}MB，文件被拒绝`, `${part} is larger than ${Math.round(maxTotal / 1048576)} MB unpacked; the file is refused`, part);
    let lt = c.indexOf('<');
    let gt = c.indexOf('>');
    let pos = 0;
    for (;;) {
      const next = lt < 0 ? gt : gt < 0 ? lt : Math.min(lt, gt);
      if (next < 0) break;
      if (gap + next - pos > maxGap) throw tooLong();
      gap = 0;
      pos = next + 1;
      if (next === lt) lt = c.indexOf('<', pos);
      else gt = c.indexOf('>', pos);
    }
    gap += c.length - pos;
    if (gap > maxGap) throw tooLong();
    const end = c.lastIndexOf('</row>');
    sinceRow = end < 0 ? sinceRow + c.length : c.length - end;
    if (sinceRow > MAX_ROW_MARKUP)
      throw new ReadLimitError(`${part}中有一行超过${MAX_ROW_MARKUP / 1048576}MB，文件被拒绝`, `${part}: a row is larger than ${MAX_ROW_MARKUP / 1048576} MB; the file is refused`, part);
    yield c;
  }
}

// ── xlsx ───────────────────────────────────────────────────────────────────

type ExcelValue = ExcelJS.CellValue | undefined;

/** An ExcelJS cell value reduced to what a ledger needs: formulas give their result, rich text its text. */
export function plainValue(v: ExcelValue): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('') || null;
    if ('result' in v) return plainValue(v.result as ExcelValue);
    if ('formula' in v || 'sharedFormula' in v) return null;
    if ('text' in v) return plainValue((v as { text: ExcelValue }).text);
    if ('error' in v) return String((v as { error: string }).error);
  }
  return String(v as unknown);
}

/** Decodes UTF-8 across chunk boundaries (a character split between two chunks stays whole). */
async function* utf8Chunks(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const c of chunks) {
    const s = typeof c === 'string' ? c : decoder.write(c);
    if (s) yield s;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}


type ReaderInternals = {
  model?: { sheets?: Array<{ id: number; name: string; rId: string; state?: string }> };
  workbookRels?: Array<{ Id: string; Target: string }>;
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: AsyncIterable<string>, sheetNo: string): Generator<{ eventType: string; value: unknown }>;
};

interface ZipEntry { path: string; stream(): Readable }

/**
 * The sheets of a workbook, in workbook order. The parts are found through the zip's central
 * directory and parsed in dependency order (relations, sheet list, shared strings, styles, then each
 * sheet as a stream). Reading the zip front to back instead — as the library's own streaming reader
 * does — depends on the order parts were written in, and intermittently loses the sheet list;
 * the XML parts are also handed over as decoded text so that a Chinese character split across two
 * chunks stays whole.
 */
async function* xlsxSheets(file: string, limits: ReadLimits): AsyncGenerator<SheetSource> {
  const { default: unzipper } = await import('unzipper');
  const zip = (await unzipper.Open.file(file)) as unknown as { files: ZipEntry[] };
  const parts = new Map(zip.files.map((f) => [f.path.replace(/^\//, ''), f]));
  const part = (p: string) => parts.get(p);
  // Loaded on the first workbook: a CSV import (and its reading thread) never carries the spreadsheet library.
  const { default: excel } = await import('exceljs');
  const reader = new excel.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
  }) as unknown as ReaderInternals;
  const rels = part('xl/_rels/workbook.xml.rels');
  const book = part('xl/workbook.xml');
  if (!rels || !book) throw new Error('not an Excel workbook (xl/workbook.xml is missing)');
  const small = (entry: ZipEntry) => Readable.from(guarded(utf8Chunks(entry.stream()), limits, entry.path, MAX_SMALL_PART));
  await reader._parseRels(small(rels));
  await reader._parseWorkbook(small(book));
  const shared = part('xl/sharedStrings.xml');
  if (shared) for await (const _ of reader._parseSharedStrings(Readable.from(guarded(utf8Chunks(shared.stream()), limits, 'xl/sharedStrings.xml', MAX_SHARED_MARKUP)))) { /* cached inside the reader */ }
  const styles = part('xl/styles.xml');
  if (styles) await reader._parseStyles(small(styles));
  for (const s of reader.model?.sheets ?? []) {
    const target = reader.workbookRels?.find((r) => r.Id === s.rId)?.Target;
    if (!target) continue;
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
    const entry = part(path.replace(/\/\.\//g, '/'));
    const sheetNo = /sheet(\d+)\.xml$/.exec(path)?.[1];
    if (!entry || !sheetNo) continue;
    let ws: (AsyncIterable<ExcelJS.Row> & { name: string }) | undefined;
    for (const ev of reader._parseWorksheet(guarded(utf8Chunks(entry.stream()), limits, s.name, Number.MAX_SAFE_INTEGER), sheetNo)) if (ev.eventType === 'worksheet') ws = ev.value as typeof ws;
    if (!ws) continue;
    const sheet = ws;
    async function* rows(): AsyncGenerator<RawRow[]> {
      for await (const row of sheet) {
        const values = row.values as ExcelValue[];
        const cells: CellValue[] = [];
        for (let i = 1; i < values.length; i++) cells.push(plainValue(values[i]));
        yield [{ number: row.number, cells }];
      }
    }
    yield sheetSource(s.name, s.state === 'hidden' || s.state === 'veryHidden', rows());
  }
}

// ── csv ────────────────────────────────────────────────────────────────────

/** UTF-8 when the first bytes decode as UTF-8 (or carry its BOM), otherwise GB18030. */
export function detectEncoding(head: Buffer): 'utf8' | 'gb18030' {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  // Cut at the last complete UTF-8 sequence so a character split by the sample does not count against it.
  let end = head.length;
  for (let i = head.length - 1, k = 0; i >= 0 && k < 4; i--, k++) {
    const b = head[i]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (head.length - i < need) end = i;
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return 'utf8';
  } catch {
    return 'gb18030';
  }
}

function detectDelimiter(firstLine: string): string {
  const counts = [',', '\t', ';'].map((d) => [d, firstLine.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 1 ? counts[0]![0] : ',';
}

async function sniff(file: string): Promise<{ encoding: 'utf8' | 'gb18030'; delimiter: string }> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    const encoding = detectEncoding(head);
    const text = iconv.decode(head, encoding === 'utf8' ? 'utf8' : 'gb18030').replace(/^\ufeff/, '');
    // The header is usually the first line, but title lines may come first: use the busiest of the first few.
    const lines = text.split(/\r?\n/).slice(0, 10);
    const busiest = lines.reduce((a, b) => (b.split(/[,\t;]/).length > a.split(/[,\t;]/).length ? b : a), '');
    return { encoding, delimiter: detectDelimiter(busiest) };
  } finally {
    await fh.close();
  }
}

async function* csvSheets(file: string, limits: ReadLimits): AsyncGenerator<SheetSource> {
  const { encoding, delimiter } = await sniff(file);
  const name = basename(file, extname(file));
  async function* rows(): AsyncGenerator<RawRow[]> {
    const input = createReadStream(file, { highWaterMark: 256 * 1024 });
    // UTF-8 bytes go to the parser as they are (it works on bytes and decodes each field once); GB18030 is decoded first.
    const decoded = encoding === 'utf8' ? input : input.pipe(iconv.decodeStream('gb18030'));
    // A record may hold a few full cells; past that the parser stops before buffering more.
    const maxRecord = limits.cellChars * 16;
    if (encoding === 'utf8' && (await isPlainCsv(file, maxRecord))) {
      yield* plainCsvRows(file, delimiter);
      return;
    }
    const parser = decoded.pipe(parse({ bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: maxRecord }));
    // Records are taken from the parser's buffer as they come, as many as it holds, and handed on
    // in one group; then this waits for the parser to have more, to end, or to fail.
    let ended = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const rouse = () => { const w = wake; wake = undefined; w?.(); };
    parser.on('readable', rouse);
    parser.on('end', () => { ended = true; rouse(); });
    parser.on('error', (e) => { failure ??= e; rouse(); });
    let n = 0;
    try {
      for (;;) {
        if (failure) throw failure;
        const batch: RawRow[] = [];
        for (let record = parser.read() as string[] | null; record !== null; record = parser.read() as string[] | null) {
          n++;
          // The parser hands over a new array per record: empty cells become null in place.
          const cells: CellValue[] = record;
          for (let i = 0; i < cells.length; i++) if (cells[i] === '') cells[i] = null;
          batch.push({ number: n, cells });
          if (batch.length >= CSV_BATCH) break;
        }
        if (batch.length) { yield batch; continue; }
        if (failure) throw failure;
        if (ended) return;
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    } catch (e) {
      if ((e as { code?: string }).code === 'CSV_MAX_RECORD_SIZE')
        throw new ReadLimitError(`第${n + 1}行超过${maxRecord}个字符（或有未闭合的引号），文件被拒绝`, `record ${n + 1} is longer than ${maxRecord} characters (or has an unclosed quote); the file is refused`, name, n + 1);
      throw e;
    } finally {
      input.destroy();
      parser.destroy();
    }
  }
  yield sheetSource(name, false, rows());
}

/** Most CSV records handed on at once; bounds what a group holds. */
const CSV_BATCH = 1000;

/**
 * True for a UTF-8 file without a quote or a carriage return, whose lines are all well under the
 * record limit: then a record is a line, its cells what lies between delimiters, exactly as the
 * CSV parser reads it (`test/excel/csv-plain.test.ts` compares the two), and lines can be split
 * by hand at several times the parser's speed. One pass of native byte searches over the file.
 */
async function isPlainCsv(file: string, maxRecord: number): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let line = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return true;
      const b = bytesRead < buf.length ? buf.subarray(0, bytesRead) : buf;
      if (b.indexOf(0x22) >= 0 || b.indexOf(0x0d) >= 0) return false;
      let at = 0;
      for (let nl = b.indexOf(0x0a); nl >= 0; nl = b.indexOf(0x0a, at)) {
        if (line + nl - at > maxRecord / 2) return false;
        line = 0;
        at = nl + 1;
      }
      line += b.length - at;
      if (line > maxRecord / 2) return false;
    }
  } finally {
    await fh.close();
  }
}

/** The records of a file `isPlainCsv` accepted, in groups: one per line, a last empty line dropped, as the parser does. */
async function* plainCsvRows(file: string, delimiter: string): AsyncGenerator<RawRow[]> {
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  let rest: Buffer | undefined;
  let n = 0;
  const record = (text: string): RawRow => {
    const cells: CellValue[] = text.split(delimiter);
    for (let i = 0; i < cells.length; i++) if (cells[i] === '') cells[i] = null;
    return { number: ++n, cells };
  };
  const line = (text: string): RawRow => record(n === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let batch: RawRow[] = [];
      let at = 0;
      if (rest) {
        // Only the line cut by the chunk's start is joined, not the whole chunk.
        const nl = chunk.indexOf(0x0a);
        if (nl < 0) { rest = Buffer.concat([rest, chunk]); continue; }
        batch.push(line(Buffer.concat([rest, chunk.subarray(0, nl)]).toString('utf8')));
        at = nl + 1;
      }
      for (let nl = chunk.indexOf(0x0a, at); nl >= 0; nl = chunk.indexOf(0x0a, at)) {
        batch.push(line(chunk.toString('utf8', at, nl)));
        at = nl + 1;
        if (batch.length >= CSV_BATCH) { yield batch; batch = []; }
      }
      rest = at < chunk.length ? chunk.subarray(at) : undefined;
      if (batch.length) yield batch;
    }
    if (rest) {
      const text = rest.toString('utf8');
      // A file of a byte-order mark alone holds no record.
      if (n > 0 || (text !== '' && text !== '\ufeff')) yield [line(text)];
    }
  } finally {
    input.destroy();
  }
}
