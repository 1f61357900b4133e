import { type Command, Option } from 'commander';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import { CliError } from './errors.ts';
import { type CliContext, parseYear } from './main.ts';

type Ctx = Pick<CliContext, 'openStore'> & Partial<Pick<CliContext, 'out' | 'err'>>;

export const yearOption = () => new Option('--year <year>', '考核年度 / assessment year, e.g. 2022').argParser(parseYear);

/** `xiezuo template`: a blank ledger workbook with headers, notes, drop-downs and an example row (with --all, the report sheets too). */
export function register(program: Command, ctx: Ctx): void {
  const err = ctx.err ?? ((s: string) => process.stderr.write(s));
  program.command('template')
    .description('生成台账 Excel 模板 / write an Excel template for one ledger (--ledger) or for all ledgers (--all)')
    .addOption(new Option('--ledger <kind>', '台账种类 / ledger kind').choices(LEDGERS.map((d) => d.kind)))
    .option('--all', '所有台账各一张表，另附上报数据、目标、报告信息等报告表 / one workbook with a sheet for every ledger and the report sheets (reported values, targets, report details)')
    .requiredOption('--out <file>', '要写入的 .xlsx 文件 / the .xlsx file to write')
    .addOption(yearOption().default(new Date().getFullYear(), '今年 / this year'))
    .option('--county <code>', '封面上显示的县代码 / county code shown on the cover sheet')
    .action(async (o: { ledger?: string; all?: boolean; out: string; year: number; county?: string }) => {
      if (!o.ledger && !o.all) throw new CliError('请用 --ledger <种类> 指定台账，或用 --all', 'name a ledger with --ledger <kind>, or use --all');
      const { writeTemplate } = await import('../services/exports.ts');
      const store = await ctx.openStore();
      try {
        await writeTemplate({ ledger: o.all ? undefined : o.ledger, year: o.year, county: o.county, store }, o.out);
      } finally {
        await store.close();
      }
      err(`written ${o.out}\n`);
    });
}
