import { type Command, CommanderError, Option } from 'commander';
import type { CliContext } from './main.ts';
import { yearOption } from './template.ts';

const whole = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CommanderError(1, `xiezuo.${name}`, `--${name} must be a whole number of at least ${min}, not '${v}'`);
  return n;
};

/** `xiezuo synth`: a deterministic synthetic national dataset over real western county codes, marked synthetic. */
export function register(program: Command, ctx: CliContext): void {
  program.command('synth')
    .description('fill an empty database with a synthetic national dataset (real western county codes, paired with eastern districts; marked synthetic)')
    .addOption(new Option('--counties <n>', 'how many western counties').argParser(whole('counties', 1)).default(900))
    .addOption(yearOption().makeOptionMandatory())
    .addOption(new Option('--seed <n>', 'seed of the generator; the same seed gives the same data').argParser(whole('seed', 0)).default(1))
    .action(async (o: { counties: number; year: number; seed: number }) => {
      const { synthesize } = await import('../services/synth.ts');
      const store = await ctx.openStore();
      try {
        ctx.err(`generating ${o.counties} synthetic counties for ${o.year} (seed ${o.seed})…\n`);
        const r = await synthesize(store, o, ctx.err);
        ctx.out(`synthetic dataset: ${r.counties} counties in provinces ${r.provinces.join(',')}, ${r.rows.toLocaleString('en')} rows, ${r.seconds.toFixed(1)} s\n`);
      } finally {
        await store.close();
      }
    });
}
