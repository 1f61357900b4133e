import { type Command, CommanderError, Option } from 'commander';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import { SYSTEM } from '../services/scope.ts';
import type { CliContext } from './main.ts';
import { yearOption } from './template.ts';

type Ctx = Pick<CliContext, 'openStore'> & Partial<Pick<CliContext, 'out' | 'err'>>;

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** `xiezuo export`: the ledgers of one or more county-years as a formatted workbook. */
export function register(program: Command, ctx: Ctx): void {
  const err = ctx.err ?? ((s: string) => process.stderr.write(s));
  program.command('export')
    .description('export the ledgers of a county-year (or several counties) to .xlsx, with an indicator summary sheet')
    .requiredOption('--county <codes>', 'county code; repeat or separate with commas for several counties', list)
    .addOption(yearOption().makeOptionMandatory())
    .requiredOption('--out <file>', 'the .xlsx file to write')
    .addOption(new Option('--ledger <kinds>', 'only these ledgers (comma-separated)').argParser(list))
    .option('--no-summary', 'leave out the indicator summary sheet')
    .action(async (o: { county: string[]; year: number; out: string; ledger?: string[]; summary: boolean }) => {
      for (const k of o.ledger ?? [])
        if (!LEDGERS.some((d) => d.kind === k)) throw new CommanderError(1, 'xiezuo.ledger', `unknown ledger '${k}'; choose from ${LEDGERS.map((d) => d.kind).join(', ')}`);
      const store = await ctx.openStore();
      try {
        const { exportLedgers } = await import('../services/exports.ts');
        const r = await exportLedgers(store, SYSTEM, { counties: o.county, year: o.year, ledgers: o.ledger, summary: o.summary }, o.out);
        err(`written ${o.out}: ${r.sheets.filter((s) => s.rows).map((s) => `${s.ledger} ${s.rows}`).join(', ') || 'no records'}\n`);
      } finally {
        await store.close();
      }
    });
}
