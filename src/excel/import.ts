/**
 * The import pipeline: files → sheets → recognised ledgers → rows → validated records → one
 * transaction. Every problem in every file is collected and located (file, sheet, row, column,
 * value, reason in Chinese and English); if there is any, or on a dry run, the transaction is rolled
 * back and the database is exactly as before. Files are streamed: memory stays flat however many rows.
 */
import { statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import type { Store } from '../store/db.ts';
import { invalid } from '../services/errors.ts';
import { findDuplicatePersonsIn, type DuplicatePersonFinding } from '../services/person-checks.ts';
import { type Actor, assertWrite } from '../services/scope.ts';
import { loadDivisions } from '../services/orgunits.ts';
import { planReportData, refusal, type ReportData, writeReportData } from '../services/report-data.ts';
import { type ReportPart, reportLocked } from '../services/write-rules.ts';
import { LedgerWriter } from './bulk.ts';
import type { UpsertSummary } from '../services/ledgers.ts';
import { bounded, type ImportLimits } from './limits.ts';
import { codesUnder } from '../store/import-repo.ts';
import { findOrgUnit, orgUnitExists } from '../store/orgunit-repo.ts';
import type { FileFormat } from './read.ts';
import { readReportSheets, REPORT_SHEETS, reportSheetKey, type ReportSheetRows } from './report-sheets.ts';
import { categoriesFor } from '../services/config.ts';
import { type ScanEvent, scanFiles, type ScanOptions } from './scan.ts';

/** One problem, located so a person can find and fix it. `row` and `column` are as the spreadsheet shows them. */
export interface LocatedError {
  file: string;
  sheet: string;
  row: number | null;
  column: string | null;
  header: string | null;
  field: string | null;
  /** The cell as read; resident IDs are masked. */
  value: string;
  zh: string;
  en: string;
}

export interface Notice {
  file: string;
  sheet: string;
  row: number | null;
  column: string | null;
  value: string;
  zh: string;
  en: string;
}

/**
 * A person recorded more than once in the county-year after this import, at least once by it: twice
 * in the imported files, or in them and in records already there (another department's, say).
 */
export interface PersonFinding {
  code: 'duplicate_person';
  ledger: string;
  masked: string;
  records: DuplicatePersonFinding['records'];
  /** Ids above this were added by the import. */
  newAbove: number;
  zh: string;
  en: string;
}

export interface SheetReport {
  file: string;
  sheet: string;
  ledger: string | null;
  headerRow: number | null;
  rows: number;
}

export interface ImportResult {
  /** True when the records were written (never on a dry run). */
  committed: boolean;
  dryRun: boolean;
  ok: boolean;
  errors: LocatedError[];
  /** All errors found; `errors` holds at most `maxErrors` of them. */
  errorCount: number;
  notices: Notice[];
  findings: PersonFinding[];
  summary: UpsertSummary[];
  /**
   * Per ledger, how the rows met the records already there: matched on the whole natural key or,
   * for sheets without some key columns, on the key columns they have (`matchedLoosely`, part of
   * `matched`); new; ambiguous (several records match: a problem each).
   */
  preview: Array<{ kind: string; matched: number; matchedLoosely: number; new: number; ambiguous: number }>;
  sheets: SheetReport[];
  rows: number;
}

export interface ImportFile {
  path: string;
  /** The name to report (an upload's original name); default: the path's base name. */
  name?: string;
  /** Default: from the extension. */
  format?: FileFormat;
}

export interface ImportOptions {
  county: string;
  year: number;
  dryRun?: boolean;
  /** Read every recognised sheet as this ledger (for files whose sheet names and headers are unusual). */
  ledger?: string;
  maxErrors?: number;
  /** Cell, row and time limits (defaults in limits.ts). */
  limits?: Partial<ImportLimits>;
  /** Called after each written chunk with the number of data rows read so far. */
  onProgress?: (rows: number) => void;
  /**
   * Read and validate in a worker thread while this thread writes. Reading then overlaps with
   * writing, at the price of a second JavaScript heap and the thread's start. Default: when the
   * files are large enough to repay the start and a core is free to run the thread (`readsInThread`);
   * see bench/import.bench.ts for both.
   */
  parallel?: boolean;
}

/** Bytes of input from which reading in a thread of its own pays for starting it (about 10,000 CSV rows). */
export const THREAD_FROM_BYTES = 1 << 20;

/**
 * Whether an import reads its files in a thread of its own when the caller does not say: with a
 * core free to run it on (a second core, and the last minute's load leaving one idle), and files
 * large enough. A small upload (a township's few rows) is read where it is written, without a
 * thread's start-up; on a machine whose cores are all busy the thread would only wait for one,
 * holding a second heap meanwhile (bench/import.bench.ts: 1.79× the bare insert and 355 MB threaded,
 * 1.69× and 256 MB on one thread, with both cores taken by other work).
 */
export function readsInThread(files: readonly ImportFile[], cores = availableParallelism(), load = loadavg()[0]!): boolean {
  if (cores < 2 || load > cores - 1) return false;
  let bytes = 0;
  for (const f of files) {
    try {
      bytes += statSync(f.path).size;
    } catch {
      // A file that cannot be read is reported by the reader, located; it weighs nothing here.
    }
  }
  return bytes >= THREAD_FROM_BYTES;
}

const MAX_FINDINGS = 1000;
/** Chunks the worker may read ahead of the writer; bounds memory. */
const READ_AHEAD = 4;

class Rollback extends Error {}

/** Scan events from a worker thread, with back-pressure: the worker waits for an acknowledgement per chunk. */
async function* scanInWorker(files: readonly ImportFile[], opts: ScanOptions): AsyncGenerator<ScanEvent, void, undefined> {
  // The entry registers the TypeScript loader in the thread before loading the sources.
  const worker = new Worker(new URL('./scan-worker.mjs', import.meta.url), { workerData: { files, opts, readAhead: READ_AHEAD } });
  const queue: ScanEvent[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let exited = false;
  worker.on('message', (m: ScanEvent) => { queue.push(m); wake?.(); });
  worker.on('error', (e) => { failure = e; wake?.(); });
  worker.on('exit', () => { exited = true; wake?.(); });
  try {
    for (;;) {
      while (!queue.length && !failure && !exited) await new Promise<void>((r) => { wake = r; });
      wake = undefined;
      if (failure) throw failure;
      const ev = queue.shift();
      if (!ev) throw new Error('the reading thread stopped before the end of the files');
      yield ev;
      if (ev.t === 'rows') worker.postMessage('ack');
      if (ev.t === 'end') return;
    }
  } finally {
    await worker.terminate();
  }
}

/**
 * Imports files into one county-year. Returns a result value for every outcome that is about the
 * files (problems, dry runs); throws a DomainError only when the import is refused as a whole
 * (unknown county, no permission, a locked ledger).
 */
export async function runImport(store: Store, actor: Actor, files: readonly ImportFile[], opts: ImportOptions): Promise<ImportResult> {
  const { county, year } = opts;
  const maxErrors = opts.maxErrors ?? 1000;
  const unit = await findOrgUnit(store.db, county);
  if (!unit) throw invalid(`未知的县级区划代码 ${county}`, `unknown county code ${county}`);
  if (opts.ledger && !ledgerDecl(opts.ledger)) throw invalid(`没有名为 ${opts.ledger} 的台账`, `no ledger named ${opts.ledger}`);

  const result: ImportResult = { committed: false, dryRun: !!opts.dryRun, ok: false, errors: [], errorCount: 0, notices: [], findings: [], summary: [], preview: [], sheets: [], rows: 0 };
  // Division-code fields are checked against the codes below the county (read once, a few hundred).
  const divisions = await codesUnder(store.db, county);
  const scanOpts: ScanOptions = { county, year, ledger: opts.ledger, maxErrors, limits: opts.limits, divisions, categories: categoriesFor(year, county, store) };
  let writeProblems = 0;
  const writers = new Map<string, LedgerWriter>();
  const sources = new Map<string, Set<string>>();
  const reportSheets: ReportSheetRows[] = [];

  try {
    await store.db.transaction().execute(async (tx) => {
      const events = (opts.parallel ?? readsInThread(files)) ? scanInWorker(files, scanOpts) : scanFiles(files, scanOpts);
      for await (const ev of events) {
        switch (ev.t) {
          case 'ledger': {
            if (!writers.has(ev.kind)) {
              assertWrite(actor, county, ev.kind);
              const w = new LedgerWriter(tx, actor, county, year, ledgerDecl(ev.kind)!);
              await w.begin();
              writers.set(ev.kind, w);
              sources.set(ev.kind, new Set());
            }
            sources.get(ev.kind)!.add(ev.source);
            break;
          }
          case 'rows': {
            for (const e of await writers.get(ev.kind)!.write(ev)) {
              writeProblems++;
              if (result.errors.length < maxErrors) result.errors.push(bounded(e));
            }
            if (writeProblems > 0) for (const w of writers.values()) w.stopWriting();
            opts.onProgress?.(ev.read);
            break;
          }
          case 'sheet':
            result.sheets.push(ev.report);
            break;
          case 'error':
            if (result.errors.length < maxErrors) result.errors.push(ev.e);
            break;
          case 'notice':
            result.notices.push(ev.n);
            break;
          case 'report':
            reportSheets.push({ file: ev.file, sheet: ev.sheet, rows: ev.rows });
            break;
          case 'end':
            result.rows = ev.rows;
            result.errorCount = ev.errorCount + writeProblems;
            break;
        }
      }
      opts.onProgress?.(result.rows);
      const report = reportSheets.length ? readReportSheets(reportSheets, county, year, scanOpts.categories, store) : undefined;
      if (report) {
        for (const e of [...report.errors, ...await permissionProblems(tx, actor, county, year, report.data, reportSheets)]) {
          result.errorCount++;
          if (result.errors.length < maxErrors) result.errors.push(bounded(e));
        }
      }
      if (result.errorCount === 0 && report) {
        // Report data first: it may bring the cooperation pair (and the partner's divisions) and the
        // ledgers' completeness, which the ledger rows then join.
        if (report.data.partner) await ensureDivisions(tx, [report.data.partner]);
        await writeReportData(tx, county, year, report.data, { where: files.map((f) => f.name ?? f.path).join(', '), ledgerStates: 'merge', actor, store });
      }
      if (result.errorCount === 0) {
        for (const w of writers.values()) {
          await w.finish([...sources.get(w.decl.kind)!]);
          const { kind, added, updated, unchanged } = w.summary;
          result.summary.push({ kind, added, updated, unchanged });
          // The same person twice, at least once from this import: checked in the database after
          // writing (inside the transaction, so dry runs see it too) rather than by holding every
          // person of a million-row file in memory.
          for (const f of await findDuplicatePersonsIn(tx, county, year, { newAbove: w.maxIdBefore, limit: MAX_FINDINGS })) {
            if (f.ledger !== w.decl.kind || result.findings.length >= MAX_FINDINGS) continue;
            result.findings.push({ ...f, newAbove: w.maxIdBefore });
          }
        }
      }
      for (const { summary: { kind, added, updated, unchanged, matchedLoosely, ambiguous } } of writers.values())
        result.preview.push({ kind, matched: updated + unchanged, matchedLoosely, new: added, ambiguous });
      if (result.errorCount > 0 || opts.dryRun) throw new Rollback();
    });
    result.committed = true;
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  result.ok = result.errorCount === 0;
  return result;
}

/**
 * Report data the actor may not write, by the same rules as the routes (`write-rules.ts`): targets
 * (province and prefecture users, administrators), the cooperation pair (administrators), a
 * ledger's completeness (who writes that ledger), reported values and narrative of an approved
 * county-year (nobody until reopened). Unchanged data is not a change, so a clerk may import back
 * a whole export of the county. Located at the sheet, naming the entry.
 */
async function permissionProblems(tx: Store['db'], actor: Actor, county: string, year: number, data: ReportData, sheets: readonly ReportSheetRows[]): Promise<LocatedError[]> {
  const at = (part: ReportPart) => {
    const name = part === 'target' ? REPORT_SHEETS.targets : part === 'completeness' ? REPORT_SHEETS.states : part === 'reported' ? REPORT_SHEETS.reported
      : part === 'narrative' ? REPORT_SHEETS.narratives : REPORT_SHEETS.meta;
    return sheets.find((s) => reportSheetKey(s.sheet) !== undefined && REPORT_SHEETS[reportSheetKey(s.sheet)!] === name) ?? sheets[0]!;
  };
  const changes = await planReportData(tx, county, year, data, { where: '', ledgerStates: 'merge', actor });
  const locked = await reportLocked(tx, county, year);
  const out: LocatedError[] = [];
  for (const c of changes) {
    const no = refusal(actor, county, c, locked);
    if (!no) continue;
    const s = at(c.part);
    out.push({ file: s.file, sheet: s.sheet, row: null, column: null, header: null, field: null, value: c.entityId, zh: `${c.entityId}：${no.zh}`, en: `${c.entityId}: ${no.en}` });
  }
  return out;
}

/** Loads the division codes of a province when a code of it is missing (inside the import's transaction). */
async function ensureDivisions(tx: Store['db'], codes: readonly string[]): Promise<void> {
  for (const code of codes) {
    if (!(await orgUnitExists(tx, code))) await loadDivisions({ db: tx } as Store, [code.slice(0, 2)]);
  }
}
