import { type Command, Option } from 'commander';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import { SYSTEM } from '../services/scope.ts';
import { CliError } from './errors.ts';
import { type CliContext, requireUnit } from './main.ts';
import { yearOption } from './template.ts';

type Ctx = Pick<CliContext, 'openStore'> & Partial<Pick<CliContext, 'out' | 'err'>>;

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** `xiezuo export`: the ledgers of one or more county-years as a formatted workbook. */
export function register(program: Command, ctx: Ctx): void {
  const err = ctx.err ?? ((s: string) => process.stderr.write(s));
  program.command('export')
    .description('把一个或多个县一年度的台账导出为 .xlsx（含指标汇总表）/ export the ledgers of a county-year (or several counties) to .xlsx, with an indicator summary sheet')
    .requiredOption('--county <codes>', '县代码，多个用逗号分隔 / county code; repeat or separate with commas for several counties', list)
    .addOption(yearOption().makeOptionMandatory())
    .requiredOption('--out <file>', '要写入的 .xlsx 文件 / the .xlsx file to write')
    .addOption(new Option('--ledger <kinds>', '只导出这些台账（逗号分隔）/ only these ledgers (comma-separated)').argParser(list))
    .option('--no-summary', '不要指标汇总表 / leave out the indicator summary sheet')
    .action(async (o: { county: string[]; year: number; out: string; ledger?: string[]; summary: boolean }) => {
      for (const k of o.ledger ?? [])
        if (!LEDGERS.some((d) => d.kind === k)) throw new CliError(`没有“${k}”这种台账，可选：${LEDGERS.map((d) => d.kind).join(', ')}`, `unknown ledger '${k}'; choose from ${LEDGERS.map((d) => d.kind).join(', ')}`);
      const store = await ctx.openStore();
      try {
        for (const c of o.county) await requireUnit(store, c);
        const { exportLedgers } = await import('../services/exports.ts');
        const r = await exportLedgers(store, SYSTEM, { counties: o.county, year: o.year, ledgers: o.ledger, summary: o.summary }, o.out);
        err(`written ${o.out}: ${r.sheets.filter((s) => s.rows).map((s) => `${s.ledger} ${s.rows}`).join(', ') || 'no records'}\n`);
      } finally {
        await store.close();
      }
    });
}
