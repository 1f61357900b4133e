/**
 * Importing ledger workbooks and CSV files: the use-case the CLI and the upload route share. All or
 * nothing — either every row of every file lands in one transaction or nothing does — with every
 * problem located and returned as a value, and on request an annotated copy of each file with the
 * problem cells marked.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { type ImportFile, type ImportOptions, type ImportResult, runImport } from '../excel/import.ts';
import { formatOf } from '../excel/read.ts';
import { runImportInThread } from '../excel/import-thread.ts';
import type { Store } from '../store/db.ts';
import { invalid } from './errors.ts';
import { echo } from '../excel/limits.ts';
import { type Actor, assertWrite } from './scope.ts';

export type { ImportFile, ImportOptions, ImportResult, LocatedError, Notice, PersonFinding } from '../excel/import.ts';

export interface ImportRequest extends ImportOptions {
  /** Where to write annotated copies of files with problems (`<name>.问题标注.xlsx`); none when absent. */
  annotateDir?: string;
  /**
   * On a SQLite file, run the import in a worker thread with its own connection, so that this
   * thread and its connection keep serving other requests (the server does; default: no).
   */
  thread?: boolean;
}

export interface ImportOutcome extends ImportResult {
  /** Annotated copies written, one per file that had problems. */
  annotated: Array<{ file: string; path: string; marked: number }>;
}

/** The annotated copy's file name for an imported file. */
export function annotatedName(name: string): string {
  return `${basename(name, extname(name))}.问题标注.xlsx`;
}

/**
 * Imports files into a county-year. Throws a DomainError only when refused as a whole (unknown
 * county, no permission, a locked ledger); problems in the files are in the result.
 */
export async function importFiles(store: Store, actor: Actor, files: readonly ImportFile[], req: ImportRequest): Promise<ImportOutcome> {
  // Refused as a whole before any file is read: only users who may change the county's ledgers import.
  // Each recognised ledger is checked again as it is met (a clerk writes only its department's ledgers).
  assertWrite(actor, req.county);
  const { annotateDir: _a, thread, ...opts } = req;
  const result = thread && store.engine === 'sqlite' && store.file
    ? await runImportInThread(store.file, actor, files, opts)
    : await runImport(store, actor, files, opts);
  const annotated: ImportOutcome['annotated'] = [];
  if (req.annotateDir && result.errorCount > 0) {
    // The spreadsheet writer is loaded only for files with problems: a clean import never carries it.
    const { writeAnnotated } = await import('../excel/annotate.ts');
    for (const f of files) {
      const name = f.name ?? basename(f.path);
      const format = f.format ?? formatOf(name) ?? formatOf(f.path);
      if (!format || !result.errors.some((e) => e.file === name)) continue;
      const path = join(req.annotateDir, annotatedName(name));
      try {
        const { marked } = await writeAnnotated(f.path, name, format, result.errors, path);
        annotated.push({ file: name, path, marked });
      } catch {
        // A file too damaged to read back gets no annotated copy; its problems are still in the result.
      }
    }
  }
  return { ...result, annotated };
}

/** Imports uploaded bytes (an HTTP upload): written to a private temporary folder, removed afterwards. */
export async function importUpload(store: Store, actor: Actor, upload: { name: string; data: Buffer }, req: ImportRequest): Promise<ImportOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'xiezuo-upload-'));
  try {
    const path = join(dir, `upload${extname(upload.name).toLowerCase()}`);
    await writeFile(path, upload.data, { mode: 0o600 });
    return await importFiles(store, actor, [{ path, name: upload.name }], req);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Largest uploaded file the import accepts, and most files in one upload. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
export const MAX_IMPORT_FILES = 10;
/** Longest file name an upload may have (it is repeated in every problem of the file). */
const MAX_NAME_CHARS = 255;

/**
 * Refuses an uploaded file that is not what its name says: .xlsx must be a zip (PK\x03\x04), .csv
 * must be text (no NUL bytes at its start). Checked before anything is written to disk.
 */
export function checkImportUpload(upload: { name: string; data: Buffer }): void {
  if (upload.name.length > MAX_NAME_CHARS)
    throw invalid(`文件名过长（超过${MAX_NAME_CHARS}个字符）：${echo(upload.name, 60)}`, `the file name is longer than ${MAX_NAME_CHARS} characters: ${echo(upload.name, 60)}`);
  const ext = extname(upload.name).toLowerCase();
  if (ext !== '.xlsx' && ext !== '.csv')
    throw invalid(`只能导入 .xlsx 或 .csv 文件：${upload.name}`, `only .xlsx and .csv files can be imported: ${upload.name}`);
  if (upload.data.length === 0) throw invalid(`文件是空的：${upload.name}`, `the file is empty: ${upload.name}`);
  if (upload.data.length > MAX_IMPORT_BYTES)
    throw invalid(`文件不能超过${MAX_IMPORT_BYTES / 1024 / 1024}MB：${upload.name}`, `the file is too large: ${upload.name}`);
  const ok = ext === '.xlsx'
    ? upload.data.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))
    : !upload.data.subarray(0, 4096).includes(0);
  if (!ok) {
    const what = sniffType(upload.data);
    throw invalid(`文件内容与扩展名不符：${upload.name}${what ? `，实际是${what.zh}` : ''}，请上传 Excel 工作簿（.xlsx）或 CSV 文件`,
      `the content does not match the extension: ${upload.name}${what ? ` is really ${what.en}` : ''}; upload an Excel workbook (.xlsx) or a CSV file`);
  }
}

/** Refuses an upload as a whole before anything is read: permission, count, names and each file's type. */
export function checkUploads(actor: Actor, uploads: ReadonlyArray<{ name: string; data: Buffer }>, county: string): void {
  assertWrite(actor, county);
  if (uploads.length === 0) throw invalid('缺少文件', 'no file in the upload');
  if (uploads.length > MAX_IMPORT_FILES) throw invalid(`一次最多导入${MAX_IMPORT_FILES}个文件`, `at most ${MAX_IMPORT_FILES} files per import`);
  const names = new Set<string>();
  for (const u of uploads) {
    checkImportUpload(u);
    if (names.has(u.name)) throw invalid(`文件名重复：${u.name}`, `the same file name twice: ${u.name}`);
    names.add(u.name);
  }
}

/** What a file that is not a workbook really is, by its first bytes, when it is a common kind. */
function sniffType(data: Buffer): { zh: string; en: string } | undefined {
  const head = data.subarray(0, 8);
  const starts = (...b: number[]) => b.every((x, i) => head[i] === x);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return { zh: 'PNG 图片', en: 'a PNG image' };
  if (starts(0xff, 0xd8, 0xff)) return { zh: 'JPEG 图片', en: 'a JPEG image' };
  if (starts(0x25, 0x50, 0x44, 0x46)) return { zh: 'PDF 文档', en: 'a PDF document' };
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return { zh: '旧版 Office 文件（.xls/.doc），请在 Excel 中另存为 .xlsx', en: 'an old Office file (.xls/.doc) — save it as .xlsx in Excel' };
  if (starts(0x47, 0x49, 0x46, 0x38)) return { zh: 'GIF 图片', en: 'a GIF image' };
  return undefined;
}

export interface UploadOutcome extends Omit<ImportOutcome, 'annotated'> {
  /** Annotated copies, in memory, one per file that had problems. */
  annotated: Array<{ file: string; name: string; marked: number; data: Buffer }>;
}

/**
 * Imports several uploaded files at once (all or nothing across them), each type-checked first; files
 * with problems come back annotated. Everything is written to a private temporary folder, removed afterwards.
 */
export async function importUploads(store: Store, actor: Actor, uploads: ReadonlyArray<{ name: string; data: Buffer }>, req: Omit<ImportRequest, 'annotateDir'>): Promise<UploadOutcome> {
  checkUploads(actor, uploads, req.county);
  const dir = await mkdtemp(join(tmpdir(), 'xiezuo-upload-'));
  try {
    const files: ImportFile[] = [];
    for (const [i, u] of uploads.entries()) {
      const path = join(dir, `upload-${i}${extname(u.name).toLowerCase()}`);
      await writeFile(path, u.data, { mode: 0o600 });
      files.push({ path, name: u.name });
    }
    const annotateDir = join(dir, 'annotated');
    await mkdir(annotateDir, { mode: 0o700 });
    const r = await importFiles(store, actor, files, { ...req, annotateDir });
    const annotated: UploadOutcome['annotated'] = [];
    for (const a of r.annotated) annotated.push({ file: a.file, name: basename(a.path), marked: a.marked, data: await readFile(a.path) });
    return { ...r, annotated };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
