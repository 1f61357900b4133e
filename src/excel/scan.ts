/**
 * The reading side of an import: files → sheets → recognised ledgers → rows → validated records in
 * column form, as a stream of events. It touches no database, so it can run in the importing thread
 * or in a worker thread next to it (then reading and validating overlap with writing). Once any
 * problem is found it keeps reading and validating, to report every problem, but emits no more rows.
 */
import { basename } from 'node:path';
import type { z } from 'zod';
import { problemsOf, type Categories } from '../domain/ledgers/schema.ts';
import { toRow } from '../store/ledger-repo.ts';
import { categoriesFor, schemaFor } from '../services/ledgers.ts';
import { protectResidentId } from '../services/pii.ts';
import { CHUNK_ROWS, keyOf } from './bulk.ts';
import { cellText } from './cells.ts';
import { fingerprint, FingerprintTable } from './fingerprints.ts';
import type { ImportFile, LocatedError, Notice, SheetReport } from './import.ts';
import { formatOf, type RawRow, ReadLimitError, readSheets } from './read.ts';
import { columnLetter } from './layout.ts';
import { isReportSheet } from './report-sheets.ts';
import { precompiledCheck } from './precheck.ts';
import { bounded, DEFAULT_LIMITS, echo, type ImportLimits } from './limits.ts';
import { columnsOf } from '../domain/ledgers/types.ts';
import { type BoundColumn, HEADER_SEARCH_ROWS, maskedForReport, readRow, recognise, type Recognised } from './recognise.ts';

export type ScanEvent =
  /** Rows of this ledger follow; `source` names the file and sheet. */
  | { t: 'ledger'; kind: string; source: string }
  | { t: 'rows'; kind: string; rows: Array<Record<string, unknown>>; read: number; lines: number[]; file: string; sheet: string; present: string[] }
  | { t: 'sheet'; report: SheetReport }
  | { t: 'error'; e: LocatedError }
  | { t: 'notice'; n: Notice }
  /** A report sheet (report details, reported values, targets, narrative…), whole: they are small. */
  | { t: 'report'; file: string; sheet: string; rows: RawRow[] }
  | { t: 'end'; rows: number; errorCount: number };

export interface ScanOptions {
  county: string;
  year: number;
  ledger?: string;
  maxErrors: number;
  limits?: Partial<ImportLimits>;
  /**
   * The division codes below the county (townships, villages); a division-code field must hold one
   * of them (or the county's own code). Absent: only the form of the code is checked.
   */
  divisions?: readonly string[];
  /** The category lists in force (resolved from the store by the importing thread); shipped files when absent. */
  categories?: Categories;
}

interface SheetCtx { file: string; sheet: string }

/** Reads and validates `files`, yielding rows in chunks and every problem found. Never throws for bad content. */
export async function* scanFiles(files: readonly ImportFile[], opts: ScanOptions): AsyncGenerator<ScanEvent> {
  const { county, year } = opts;
  const categories = opts.categories ?? categoriesFor(year, county);
  let errorCount = 0;
  let rowsRead = 0;
  let pending: ScanEvent[] = [];
  const limits: ImportLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const deadline = Date.now() + limits.seconds * 1000;
  const divisions = opts.divisions?.length ? new Set(opts.divisions) : undefined;
  let divisionsNoticed = false;
  /** Set when a limit is reached: reading stops at once, the import fails. */
  let stopped = false;
  const addError = (e: LocatedError) => {
    errorCount++;
    if (errorCount <= opts.maxErrors) pending.push({ t: 'error', e: bounded(e) });
  };
  const notice = (n: Notice) => pending.push({ t: 'notice', n: bounded(n) });
  const cellError = (file: string, sheet: string, row: number, column: BoundColumn | undefined, field: string | null, value: string, zh: string, en: string) =>
    addError({ file, sheet, row, column: column?.letter ?? null, header: column?.header ?? null, field, value, zh, en });
  const schemas = new Map<string, z.ZodType>();
  const quickChecks = new Map<string, (input: Record<string, unknown>) => boolean>();
  const keys = new Map<string, FingerprintTable>();
  const contexts: SheetCtx[] = [];
  const refOf = (ctx: number, row: number) => ctx * 2 ** 32 + row;
  const locate = (ref: number) => ({ ...contexts[Math.floor(ref / 2 ** 32)]!, row: ref % 2 ** 32 });
  function* flush(): Generator<ScanEvent> {
    const p = pending;
    pending = [];
    yield* p;
  }

  files: for (const file of files) {
    if (stopped) break;
    const name = file.name ?? basename(file.path);
    const format = file.format ?? formatOf(name) ?? formatOf(file.path);
    if (!format) {
      addError({ file: name, sheet: '', row: null, column: null, header: null, field: null, value: name,
        zh: '只能导入 .xlsx 或 .csv 文件', en: 'only .xlsx and .csv files can be imported' });
      yield* flush();
      continue;
    }
    let sheetsSeen = 0;
    let ledgersSeen = 0;
    let reportSheetsSeen = 0;
    try {
      for await (const sheet of readSheets(file.path, format, { cellChars: limits.cellChars })) {
        if (stopped) break;
        sheetsSeen++;
        // Rows come in groups; the first rows, where the header is looked for, and the rest of their group.
        const batches = sheet.batches[Symbol.asyncIterator]();
        const head: RawRow[] = [];
        const after: RawRow[] = [];
        while (head.length < HEADER_SEARCH_ROWS) {
          const n = await batches.next();
          if (n.done) break;
          for (const r of n.value) (head.length < HEADER_SEARCH_ROWS ? head : after).push(r);
        }
        const drain = async () => { while (!(await batches.next()).done) { /* skip the rest of an unused sheet */ } };
        if (!sheet.hidden && isReportSheet(sheet.name)) {
          const rows = [...head, ...after];
          for (let n = await batches.next(); !n.done; n = await batches.next()) rows.push(...n.value);
          reportSheetsSeen++;
          pending.push({ t: 'report', file: name, sheet: sheet.name, rows });
          pending.push({ t: 'sheet', report: { file: name, sheet: sheet.name, ledger: null, headerRow: null, rows: rows.length } });
          yield* flush();
          continue;
        }
        const rec = sheet.hidden ? undefined : recognise(sheet.name, head, categories, year, opts.ledger);
        if (!rec) {
          pending.push({ t: 'notice', n: { file: name, sheet: sheet.name, row: null, column: null, value: '', zh: '未识别为任何台账，已跳过', en: 'not recognised as a ledger; skipped' } });
          pending.push({ t: 'sheet', report: { file: name, sheet: sheet.name, ledger: null, headerRow: null, rows: 0 } });
          yield* flush();
          await drain();
          continue;
        }
        ledgersSeen++;
        let blocked = false;
        for (const i of rec.issues) {
          if (i.blocking) {
            blocked = true;
            addError({ file: name, sheet: sheet.name, row: i.row, column: i.column, header: i.column ? i.value : null, field: null, value: i.value, zh: i.zh, en: i.en });
          } else notice({ file: name, sheet: sheet.name, row: i.row, column: i.column, value: i.value, zh: i.zh, en: i.en });
        }
        const report: SheetReport = { file: name, sheet: sheet.name, ledger: rec.decl.kind, headerRow: rec.headerRow, rows: 0 };
        if (blocked) {
          pending.push({ t: 'sheet', report });
          yield* flush();
          await drain();
          continue;
        }
        const kind = rec.decl.kind;
        if (!schemas.has(kind)) {
          schemas.set(kind, schemaFor(kind, categories));
          quickChecks.set(kind, precompiledCheck(rec.decl, categories));
          keys.set(kind, new FingerprintTable());
        }
        pending.push({ t: 'ledger', kind, source: `${name}#${sheet.name}` });
        yield* flush();
        contexts.push({ file: name, sheet: sheet.name });
        const ctx = contexts.length - 1;
        const sheetBatches = async function* () {
          const first = [...head.filter((r) => r.number > rec.headerRow), ...after];
          if (first.length) yield first;
          for (let n = await batches.next(); !n.done; n = await batches.next()) yield n.value;
        };
        const present = presentColumns(rec);
        let chunk: Array<Record<string, unknown>> = [];
        let lines: number[] = [];
        for await (const batch of sheetBatches()) for (const row of batch) {
          const cols = processRow(rec, row, ctx, name, sheet.name);
          if (cols === 'skip') continue;
          report.rows++;
          rowsRead++;
          if (rowsRead > limits.rows || Date.now() > deadline) {
            stopped = true;
            const over = rowsRead > limits.rows;
            addError({ file: name, sheet: sheet.name, row: row.number, column: null, header: null, field: null, value: '',
              zh: over ? `一次导入最多${limits.rows}行，已停止读取；请分批导入` : `导入超过${limits.seconds}秒的时间限制，已停止；请分批导入`,
              en: over ? `an import holds at most ${limits.rows} rows; reading stopped — import in parts` : `the import exceeded its time limit of ${limits.seconds} s and stopped — import in parts` });
            report.rows--;
            rowsRead--;
            pending.push({ t: 'sheet', report });
            yield* flush();
            break files;
          }
          if (cols && errorCount === 0) {
            chunk.push(cols);
            lines.push(row.number);
            if (chunk.length >= CHUNK_ROWS) {
              yield { t: 'rows', kind, rows: chunk, read: rowsRead, lines, file: name, sheet: sheet.name, present };
              chunk = [];
              lines = [];
            }
          }
          if (pending.length) yield* flush();
        }
        if (errorCount === 0 && chunk.length) yield { t: 'rows', kind, rows: chunk, read: rowsRead, lines, file: name, sheet: sheet.name, present };
        pending.push({ t: 'sheet', report });
        yield* flush();
      }
    } catch (e) {
      // A file that cannot be read at all (not a workbook, damaged zip) is a problem of that file.
      const located = e instanceof ReadLimitError ? e : undefined;
      const msg = echo((e as Error).message ?? String(e));
      addError({ file: name, sheet: located?.sheet ?? '', row: located?.row ?? null, column: located?.column ?? null, header: null, field: null, value: '',
        zh: located ? located.zh : `文件无法读取：${msg}`, en: located ? located.en : `the file cannot be read: ${msg}` });
    }
    if (sheetsSeen > 0 && ledgersSeen === 0 && reportSheetsSeen === 0)
      addError({ file: name, sheet: '', row: null, column: null, header: null, field: null, value: '',
        zh: '文件中没有可识别的台账工作表（请检查工作表名称或表头）', en: 'no sheet in the file was recognised as a ledger (check sheet names and headers)' });
    yield* flush();
  }
  yield { t: 'end', rows: rowsRead, errorCount };

  /** Reads, validates and converts one row; returns its columns, null when it has problems, 'skip' for rows that are not data. */
  function processRow(rec: Recognised, row: RawRow, ctx: number, file: string, sheet: string): Record<string, unknown> | null | 'skip' {
    for (let i = 0; i < row.cells.length; i++) {
      const c = row.cells[i];
      if (typeof c === 'string' && c.length > limits.cellChars) {
        const b = rec.columns.find((x) => x.index === i);
        cellError(file, sheet, row.number, b ?? { letter: columnLetter(i + 1), header: '' } as BoundColumn, b?.column.field?.name ?? null, echo(c),
          `单元格超过${limits.cellChars}个字符`, `the cell holds more than ${limits.cellChars} characters`);
        return null;
      }
    }
    const r = readRow(rec, row, categories);
    if (r.skip === 'example') {
      const b = rec.columns.find((x) => x.column.role === 'note');
      notice({ file, sheet, row: row.number, column: b?.letter ?? null, value: b ? cellText(row.cells[b.index] ?? null) : '',
        zh: '备注以“示例”开头，视为模板示例行，未导入；如是实际数据，请删去备注中的“示例”', en: 'the note starts with 示例 (example), so the row was taken for a template example and not imported; if it is real data, remove 示例 from the note' });
    }
    if (r.skip) return 'skip';
    const decl = rec.decl;
    const line = row.number;
    let bad = r.problems.length > 0;
    // Fields already reported for this row; a clean row never needs one.
    let reported: Set<string> | undefined;
    for (const p of r.problems) {
      cellError(file, sheet, line, p.column, p.column?.column.field?.name ?? null, p.value, p.zh, p.en);
      if (p.column?.column.field) (reported ??= new Set()).add(p.column.column.field.name);
    }
    if (r.county !== undefined && r.county !== county) {
      const c = rec.columns.find((b) => b.column.role === 'county');
      cellError(file, sheet, line, c, 'county_code', r.county, `该行属于${r.county}，与导入目标县${county}不符`, `the row belongs to ${r.county}, not to the county being imported (${county})`);
      bad = true;
    }
    const input = r.input;
    for (const f of decl.fields) {
      if (f.required && (input[f.name] === undefined || input[f.name] === null) && !reported?.has(f.name)) {
        const col = columnFor(rec, f.name);
        cellError(file, sheet, line, col, f.name, '', '必填，不能为空', 'required; the cell is empty');
        (reported ??= new Set()).add(f.name);
        bad = true;
      }
      const v = input[f.name];
      if (f.orgUnit && typeof v === 'string' && !reported?.has(f.name) && v !== county) {
        if (!divisions) {
          if (!divisionsNoticed) {
            divisionsNoticed = true;
            const col = columnFor(rec, f.name);
            notice({ file, sheet, row: row.number, column: col?.letter ?? null, value: v,
              zh: `本县（${county}）的乡镇、村区划代码尚未载入，区划代码只核对了格式`, en: `the township and village codes of this county (${county}) are not loaded; division codes were checked for their form only` });
          }
        } else if (!divisions.has(v)) {
          cellError(file, sheet, line, columnFor(rec, f.name), f.name, v, `不是本县（${county}）的乡镇或村级区划代码`, `not a township or village division code of this county (${county})`);
          (reported ??= new Set()).add(f.name);
          bad = true;
        }
      }
    }
    // Every problem of the row at once: the schema's too, for the fields not reported above. A row
    // the quick test passes is one the schema accepts as it is; any other is the schema's to judge.
    const parsed = quickChecks.get(decl.kind)!(input) ? { success: true as const, data: input } : schemas.get(decl.kind)!.safeParse(input);
    if (!parsed.success) {
      for (const p of problemsOf(parsed.error)) {
        const base = p.field.replace(/_(qual|max)$/, '');
        if (reported?.has(base)) continue;
        const col = columnFor(rec, p.field) ?? columnFor(rec, base);
        const f = decl.fields.find((x) => x.name === base);
        const raw = col ? row.cells[col.index] ?? null : null;
        cellError(file, sheet, line, col, p.field || null, f?.pii ? maskedForReport(raw) : cellText(raw), p.zh, p.en);
      }
      return null;
    }
    if (bad) return null;
    const value = parsed.data as Record<string, unknown>;
    const cols = toRow(decl, value, (_f, raw) => r.protectedId ?? protectResidentId(raw));
    // The same natural key twice in the files being imported is a mistake, not an update.
    const key = keyOf(decl, cols);
    const fp = fingerprint(key);
    const seen = keys.get(decl.kind)!;
    const first = seen.get(fp);
    if (first !== undefined) {
      const at = locate(first);
      const keyCols = decl.naturalKey.map((k) => columnFor(rec, k)).filter((c): c is BoundColumn => !!c);
      const where = at.file === file && at.sheet === sheet ? `第${at.row}行` : `${at.file}“${at.sheet}”第${at.row}行`;
      const whereEn = at.file === file && at.sheet === sheet ? `row ${at.row}` : `row ${at.row} of ${at.file} / ${at.sheet}`;
      const names = decl.naturalKey.map((k) => decl.fields.find((x) => x.name === k)!.label);
      cellError(file, sheet, line, keyCols[0], decl.naturalKey[0]!, keyCols[0] ? displayCell(rec, row, keyCols[0]) : '',
        `与${where}重复（${names.map((n) => n.zh).join('、')}相同）`, `duplicates ${whereEn} (same ${names.map((n) => n.en).join(', ')})`);
      return null;
    }
    seen.add(fp, refOf(ctx, row.number));
    return cols;
  }
}

/** The table columns a sheet supplies: those of every field it has a column for, and the note. */
function presentColumns(rec: Recognised): string[] {
  const out = new Set<string>();
  for (const b of rec.columns) {
    if (b.column.role === 'note') out.add('note');
    else if (b.column.field && b.column.role !== 'county') for (const c of columnsOf(b.column.field)) out.add(c);
  }
  return [...out];
}

function columnFor(rec: Recognised, field: string): BoundColumn | undefined {
  const m = /^(.*)_(qual|max)$/.exec(field);
  if (m && rec.decl.fields.some((f) => f.name === m[1])) return rec.columns.find((b) => b.column.field?.name === m[1] && b.column.role === m[2]);
  return rec.columns.find((b) => b.column.field?.name === field && (b.column.role === 'value' || b.column.role === 'hash'));
}

function displayCell(rec: Recognised, row: RawRow, b: BoundColumn): string {
  const v = row.cells[b.index] ?? null;
  return b.column.field?.pii ? maskedForReport(v) : cellText(v);
}
