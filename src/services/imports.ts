/**
 * Importing ledger workbooks and CSV files: the use-case the CLI and the upload route share. All or
 * nothing — either every row of every file lands in one transaction or nothing does — with every
 * problem located and returned as a value, and on request an annotated copy of each file with the
 * problem cells marked.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { writeAnnotated } from '../excel/annotate.ts';
import { type ImportFile, type ImportOptions, type ImportResult, runImport } from '../excel/import.ts';
import { formatOf } from '../excel/read.ts';
import type { Store } from '../store/db.ts';
import type { Actor } from './scope.ts';

export type { ImportFile, ImportOptions, ImportResult, LocatedError, Notice, PersonFinding } from '../excel/import.ts';

export interface ImportRequest extends ImportOptions {
  /** Where to write annotated copies of files with problems (`<name>.问题标注.xlsx`); none when absent. */
  annotateDir?: string;
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
  const result = await runImport(store, actor, files, req);
  const annotated: ImportOutcome['annotated'] = [];
  if (req.annotateDir && result.errorCount > 0) {
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
