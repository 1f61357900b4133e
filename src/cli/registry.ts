import type { Command } from 'commander';
import type { CliContext } from './main.ts';

type Register = (program: Command, ctx: CliContext) => void;

/**
 * A subcommand whose module loads only when that command runs; `xiezuo --help` lists it from the
 * name and summary given here, without importing it.
 */
export interface LazyCommand {
  name: string;
  summary: string;
  load: () => Promise<{ register: Register }>;
}

/** Subcommands contributed by other interface modules (server, Excel, accounts), registered in order. */
export const extraCommands: Array<Register | LazyCommand> = [
  { name: 'template', summary: 'write an Excel template for one ledger (--ledger) or for all ledgers (--all)', load: () => import('./template.ts') },
  { name: 'import', summary: 'import .xlsx/.csv ledgers into a county-year: all rows or none', load: () => import('./import.ts') },
  { name: 'export', summary: 'export the ledgers of a county-year (or several counties) to .xlsx', load: () => import('./export.ts') },
  { name: 'serve', summary: 'serve the web app and the JSON API (/api, OpenAPI at /api/openapi.json)', load: () => import('./serve.ts') },
  { name: 'start', summary: 'first-run friendly serve: migrate, load the demo if the database is empty, serve, print the demo accounts', load: () => import('./serve.ts') },
  { name: 'user', summary: 'manage accounts (add, passwd, list, token)', load: () => import('./user.ts') },
  { name: 'warnings', summary: 'early warnings as of a day: the pace of every target and the configured rules, counties ranked by how far behind', load: () => import('./warnings.ts') },
  { name: 'audit', summary: 'check the figures of report texts (.txt, .md, .docx) against each other and, with --county/--year, against the data', load: () => import('./audit.ts') },
  { name: 'config', summary: 'show or change category lists and rounding policy per year and unit', load: () => import('./config.ts') },
  { name: 'year', summary: 'open a new assessment year for a county, carrying over what continues', load: () => import('./config.ts') },
  { name: 'backup', summary: 'write every table, the evidence files and the deployment facts to one file', load: () => import('./security.ts') },
  { name: 'restore', summary: 'restore a backup into an empty database', load: () => import('./security.ts') },
  { name: 'keys', summary: 'rotate the resident-ID key, re-keying every stored hash', load: () => import('./keys.ts') },
  { name: 'audit-log', summary: 'verify the hash chain of the audit log', load: () => import('./security.ts') },
  { name: 'synth', summary: 'fill an empty database with a synthetic national dataset (marked synthetic)', load: () => import('./synth.ts') },
];
