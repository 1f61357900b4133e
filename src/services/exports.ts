/**
 * Exporting ledgers and templates: the use-cases the CLI and the download routes share.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExportResult, type IndicatorRow, writeExport } from '../excel/export.ts';
import { templateWorkbook, type TemplateOptions } from '../excel/template.ts';
import type { Store } from '../store/db.ts';
import { computeIndicators } from './indicators.ts';
import { readReportData } from './report-data.ts';
import { assertRead, type Actor } from './scope.ts';

export interface ExportRequest {
  counties: readonly string[];
  year: number;
  ledgers?: readonly string[];
  /** Add the indicator summary sheet (default true). */
  summary?: boolean;
  /** Add the report sheets — report details, completeness, reported values, targets, narrative — (default true; one county only). */
  report?: boolean;
}

/**
 * Writes the ledgers of one or more county-years to an .xlsx file. Refuses with Forbidden before
 * writing anything if the actor may not read one of the counties.
 */
export async function exportLedgers(store: Store, actor: Actor, req: ExportRequest, out: string): Promise<ExportResult> {
  for (const c of req.counties) await assertRead(store, actor, c);
  const indicators = req.summary === false ? undefined
    : async (county: string): Promise<IndicatorRow[]> => computeIndicators(store, actor, county, req.year);
  const report = req.report === false ? undefined : (county: string) => readReportData(store.db, county, req.year, store);
  return writeExport(store, actor, { counties: req.counties, year: req.year, ledgers: req.ledgers, indicators, report }, out);
}

/** The export as bytes (for a download). */
export async function exportLedgersBuffer(store: Store, actor: Actor, req: ExportRequest): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'xiezuo-export-'));
  try {
    const file = join(dir, 'export.xlsx');
    await exportLedgers(store, actor, req, file);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A template workbook for one ledger or all ledgers, as bytes. */
export async function templateBuffer(opts: TemplateOptions): Promise<Buffer> {
  const wb = await templateWorkbook(opts);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Writes a template workbook to a file. */
export async function writeTemplate(opts: TemplateOptions, out: string): Promise<void> {
  const wb = await templateWorkbook(opts);
  await wb.xlsx.writeFile(out);
}
