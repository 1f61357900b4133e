import { type Command, CommanderError, Option } from 'commander';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import { writeTemplate } from '../services/exports.ts';
import type { CliContext } from './main.ts';

type Ctx = Pick<CliContext, 'openStore'> & Partial<Pick<CliContext, 'out' | 'err'>>;

export const yearOption = () => new Option('--year <year>', 'assessment year, e.g. 2022').argParser((v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2000 || n > 2100) throw new CommanderError(1, 'xiezuo.year', `--year must be a year such as 2022, not '${v}'`);
  return n;
});

/** `xiezuo template`: a blank ledger workbook with headers, notes, drop-downs and an example row. */
export function register(program: Command, ctx: Ctx): void {
  const err = ctx.err ?? ((s: string) => process.stderr.write(s));
  program.command('template')
    .description('write an Excel template for one ledger (--ledger) or for all ledgers (--all)')
    .addOption(new Option('--ledger <kind>', 'ledger kind').choices(LEDGERS.map((d) => d.kind)))
    .option('--all', 'one workbook with a sheet for every ledger')
    .requiredOption('--out <file>', 'the .xlsx file to write')
    .addOption(yearOption().default(new Date().getFullYear(), 'this year'))
    .option('--county <code>', 'county code shown on the cover sheet')
    .action(async (o: { ledger?: string; all?: boolean; out: string; year: number; county?: string }) => {
      if (!o.ledger && !o.all) throw new CommanderError(1, 'xiezuo.ledger', 'name a ledger with --ledger <kind>, or use --all');
      const store = await ctx.openStore();
      try {
        await writeTemplate({ ledger: o.all ? undefined : o.ledger, year: o.year, county: o.county, store }, o.out);
      } finally {
        await store.close();
      }
      err(`written ${o.out}\n`);
    });
}
