import { writeFileSync } from 'node:fs';
import { type Command, CommanderError, Option } from 'commander';
import { isIsoDate } from '../domain/pace.ts';
import { SYSTEM } from '../services/scope.ts';
import { renderWarningsMarkdown } from '../services/warnings-digest.ts';
import { computeWarnings, draftProblems } from '../services/warnings.ts';
import type { CliContext } from './main.ts';

type Ctx = Pick<CliContext, 'openStore'> & Partial<Pick<CliContext, 'out' | 'err'>>;

/** `xiezuo warnings`: the early-warning digest of a county, prefecture or province as of a day. */
export function register(program: Command, ctx: Ctx): void {
  const out = ctx.out ?? ((s: string) => process.stdout.write(s));
  const err = ctx.err ?? ((s: string) => process.stderr.write(s));
  program.command('warnings')
    .description('early warnings as of a day: the pace of every target and the configured rules, counties ranked by how far behind (Markdown, Excel or JSON)')
    .requiredOption('--unit <code>', 'county (6 digits), prefecture (4) or province (2) code')
    .requiredOption('--as-of <date>', 'the day to look from, YYYY-MM-DD; its year is the assessment year')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'xlsx', 'json']).default('md'))
    .option('--out <file>', 'write to this file instead of stdout (required for xlsx)')
    .option('--draft-problems', "write the year's missed targets and late projects as draft 存在的问题 paragraphs of the county's narrative")
    .option('--replace', 'with --draft-problems: rewrite drafts written before')
    .action(async (o: { unit: string; asOf: string; format: 'md' | 'xlsx' | 'json'; out?: string; draftProblems?: boolean; replace?: boolean }) => {
      if (!isIsoDate(o.asOf)) throw new CommanderError(1, 'xiezuo.as-of', `--as-of must be a date such as 2022-06-30, not '${o.asOf}'`);
      if (!/^\d{2}(\d{2}(\d{2})?)?$/.test(o.unit)) throw new CommanderError(1, 'xiezuo.unit', `--unit must be a 2-, 4- or 6-digit division code, not '${o.unit}'`);
      if (o.format === 'xlsx' && !o.out) throw new CommanderError(1, 'xiezuo.out', '--format xlsx needs --out FILE');
      if (o.draftProblems && o.unit.length !== 6) throw new CommanderError(1, 'xiezuo.unit', '--draft-problems needs a county code (6 digits)');
      const store = await ctx.openStore();
      try {
        if (o.draftProblems) {
          const d = await draftProblems(store, SYSTEM, o.unit, Number(o.asOf.slice(0, 4)), { replace: o.replace });
          err(d.length ? `drafts written to the narrative (存在的问题): ${d.map((x) => `#${x.seq} ${x.title}`).join('; ')}\n` : 'nothing to draft: no missed target and no late project\n');
          return;
        }
        const r = await computeWarnings(store, SYSTEM, o.unit, o.asOf);
        if (o.format === 'xlsx') {
          const { warningsWorkbook } = await import('../excel/warnings.ts');
          writeFileSync(o.out!, await warningsWorkbook(r));
          err(`written ${o.out}: ${r.counties.length} counties, ${r.counties.reduce((a, c) => a + c.warnings.length, 0)} warnings\n`);
          return;
        }
        const text = o.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : renderWarningsMarkdown(r);
        if (o.out) { writeFileSync(o.out, text); err(`written ${o.out}\n`); } else out(text);
      } finally {
        await store.close();
      }
    });
}
