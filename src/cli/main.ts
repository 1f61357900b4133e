import { writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { DomainError } from '../services/errors.ts';
import { CatalogueInvalid } from '../services/catalogue.ts';
import { configFromEnv, migrate, openStore, type Store } from '../store/db.ts';
import { demoLoaded, loadDataset, loadDemo } from '../services/demo.ts';
import { addCooperationPair, addCustomUnit, loadDivisions } from '../services/orgunits.ts';
import { dumpDataset } from '../services/dataset-dump.ts';
import { checkRules, computeIndicators } from '../services/indicators.ts';
import { buildReport } from '../services/reports.ts';
import { ensureIdKey } from '../services/pii.ts';
import { SYSTEM } from '../services/scope.ts';
import { extraCommands } from './registry.ts';

/** Exit codes: 0 success, 1 usage or input error, 2 refused (not found, forbidden, conflict), 3 checks failed. */
export const EXIT = { ok: 0, usage: 1, refused: 2, checksFailed: 3 } as const;

export interface CliContext {
  /** Opens the configured database and brings its schema up to date. */
  openStore: () => Promise<Store>;
  out: (s: string) => void;
  err: (s: string) => void;
}

async function withStore<T>(ctx: CliContext, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await ctx.openStore();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const countyOpt = () => new Option('--county <code>', 'county division code (GB/T 2260), e.g. 623023').makeOptionMandatory();
/** For commands that work at any level: a county, a prefecture (4 digits) or a province (2 digits). */
const unitOpt = () => new Option('--county <code>', 'county (623023), prefecture (6230) or province (62) code').makeOptionMandatory();
const yearOpt = () => new Option('--year <year>', 'assessment year, e.g. 2022').argParser((v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2000 || n > 2100) throw new CommanderError(1, 'xiezuo.year', `--year must be a year such as 2022, not '${v}'`);
  return n;
}).makeOptionMandatory();

/** Builds the command tree; every command and option has help text. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('xiezuo')
    .description('东西部协作台账、指标与自评报告 / East–West cooperation ledgers, indicators and self-assessment reports')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err });

  program.command('init')
    .description('create or migrate the database (XIEZUO_DB or DATABASE_URL); --demo loads the 舟曲县 2022 dataset')
    .option('--demo', 'load the demo dataset (舟曲县 623023, 2022) unless it is already there')
    .option('--provinces <codes>', 'load the division codes (province down to village) of these provinces, e.g. 62,12')
    .option('--pair <east:west>', 'record a cooperation pair of an eastern and a western unit, e.g. 120101:623023')
    .action(async (o: { demo?: boolean; provinces?: string; pair?: string }) => withStore(ctx, async (s) => {
      if (o.provinces) {
        const codes = o.provinces.split(',').map((c) => c.trim());
        if (!codes.every((c) => /^\d{2}$/.test(c))) throw new CommanderError(1, 'xiezuo.provinces', '--provinces takes 2-digit province codes such as 62,12');
        ctx.out(`division codes loaded: ${await loadDivisions(s, codes)} new\n`);
      }
      if (o.pair) {
        const m = /^(\d{2}|\d{4}|\d{6}|\d{2,12}\.[a-z0-9_-]{1,20}):(\d{2}|\d{4}|\d{6})$/.exec(o.pair);
        if (!m) throw new CommanderError(1, 'xiezuo.pair', '--pair takes EAST:WEST unit codes such as 120101:623023, 3301:510824 or 44:45');
        await addCooperationPair(s, m[1]!, m[2]!);
        ctx.out(`cooperation pair ${m[1]} → ${m[2]} recorded\n`);
      }
      if (o.demo) {
        if (await demoLoaded(s)) ctx.out('demo dataset already loaded\n');
        else {
          const r = await loadDemo(s);
          ctx.out(`demo dataset loaded: county ${r.county}, year ${r.year}, ${r.records} records\n`);
        }
      }
      ctx.out(`database ready (${s.engine})\n`);
    }));

  program.command('unit')
    .description('add a unit without a division code (开发区, 经开区) under a loaded parent')
    .argument('<action>', 'add')
    .requiredOption('--code <code>', "the parent's code, a dot and a short name, e.g. 320585.sip")
    .requiredOption('--name <name>', 'the unit name, e.g. 苏州工业园区')
    .requiredOption('--parent <code>', 'the parent division code, e.g. 320585')
    .action(async (action: string, o: { code: string; name: string; parent: string }) => withStore(ctx, async (s) => {
      if (action !== 'add') throw new CommanderError(1, 'xiezuo.unit', `unknown action '${action}': use 'unit add'`);
      await addCustomUnit(s, o.code, o.name, o.parent);
      ctx.out(`unit ${o.code} ${o.name} recorded under ${o.parent}\n`);
    }));

  program.command('load <file>')
    .description('load a dataset file in the demo format (YAML: ledgers, reported values, targets, narrative) for one county-year')
    .action(async (file: string) => withStore(ctx, async (s) => {
      const r = await loadDataset(s, file);
      ctx.out(`loaded ${file}: county ${r.county}, year ${r.year}, ${r.records} records\n`);
    }));

  program.command('dump')
    .description('write a county-year as a dataset file (YAML) that load reads back; personal IDs are never written')
    .addOption(countyOpt()).addOption(yearOpt())
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (o: { county: string; year: number; out?: string }) => withStore(ctx, async (s) => {
      const { yaml, omitted } = await dumpDataset(s, SYSTEM, o.county, o.year);
      if (omitted.length) ctx.err(`left out (they hold personal ID numbers): ${omitted.join(', ')}\n`);
      if (o.out) { writeFileSync(o.out, yaml); ctx.err(`written ${o.out}\n`); } else ctx.out(yaml);
    }));

  program.command('report')
    .description('generate the self-assessment report of a county-year (Markdown to stdout by default)')
    .addOption(unitOpt()).addOption(yearOpt())
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'docx', 'html']).default('md'))
    .option('--out <file>', 'write to this file instead of stdout (required for docx)')
    .action(async (o: { county: string; year: number; format: 'md' | 'docx' | 'html'; out?: string }) => withStore(ctx, async (s) => {
      if (o.format === 'docx' && !o.out) throw new CommanderError(1, 'xiezuo.out', '--format docx needs --out FILE');
      const model = await buildReport(s, SYSTEM, o.county, o.year);
      // Renderers load on demand: the Word writer is large and most commands never need it.
      if (o.format === 'docx') {
        const { renderDocx } = await import('../reports/render-docx.ts');
        writeFileSync(o.out!, await renderDocx(model));
        ctx.err(`written ${o.out}\n`);
        return;
      }
      const text = o.format === 'html'
        ? (await import('../reports/render-html.ts')).renderHtml(model, { standalone: true })
        : (await import('../reports/render-markdown.ts')).renderMarkdown(model);
      if (o.out) { writeFileSync(o.out, text); ctx.err(`written ${o.out}\n`); } else ctx.out(text);
    }));

  program.command('indicators')
    .description('indicator values with units, targets and status for a county-year; a prefecture or province code (e.g. 6230, 62) adds up its counties')
    .addOption(unitOpt()).addOption(yearOpt())
    .option('--json', 'print JSON')
    .action(async (o: { county: string; year: number; json?: boolean }) => withStore(ctx, async (s) => {
      const rows = await computeIndicators(s, SYSTEM, o.county, o.year);
      if (o.json) {
        ctx.out(`${JSON.stringify(rows.map(({ trace: _t, exact: _e, exactBreakdown: _b, ...r }) => r), null, 2)}\n`);
        return;
      }
      const status = { met: '达标', missed: '未达标', no_target: '—', no_data: '无数据' } as const;
      for (const r of rows)
        ctx.out(`${r.id.padEnd(34)} ${r.label.zh}\t${r.display ?? '—'}\t${r.target ? `目标 ${r.target.display}` : ''}\t${status[r.status]}${r.source === 'reported' ? '\t(上报值)' : ''}\n`);
    }));

  program.command('check')
    .description('run the validation rules for a county-year; exit 0 when all hold, 3 when any fails')
    .addOption(unitOpt()).addOption(yearOpt())
    .option('--json', 'print JSON')
    .action(async (o: { county: string; year: number; json?: boolean }) => withStore(ctx, async (s) => {
      const rules = await checkRules(s, SYSTEM, o.county, o.year);
      if (o.json) ctx.out(`${JSON.stringify(rules, null, 2)}\n`);
      else for (const r of rules) ctx.out(`${r.ok === null ? 'SKIP' : r.ok ? 'PASS' : 'FAIL'}  ${r.id.padEnd(36)} ${r.label.zh}：${r.detail.zh}\n`);
      const failed = rules.filter((r) => r.ok === false).length;
      const skipped = rules.filter((r) => r.ok === null).length;
      if (!o.json) ctx.out(`${rules.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped\n`);
      if (!o.json && skipped === rules.length) ctx.err('xiezuo: 没有可检查的规则：已录入的数据不足以检查任何一条 / no rule could be checked with the data entered\n');
      if (failed) process.exitCode = EXIT.checksFailed;
    }));

  for (const register of extraCommands) register(program, ctx);
  return program;
}

/** Runs the CLI; returns the exit code. User mistakes print one line on stderr, never a stack trace. */
export async function main(argv: string[], ctx?: Partial<CliContext>): Promise<number> {
  const full: CliContext = {
    openStore: async () => {
      const s = openStore(configFromEnv());
      try {
        await migrate(s);
        // Before anything can hash a resident ID: the key must be the one the database's hashes were made with.
        const k = await ensureIdKey(s);
        if (k.warning) process.stderr.write(`xiezuo: warning: ${k.warning}\n`);
      } catch (e) {
        await s.close();
        throw e;
      }
      return s;
    },
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    ...ctx,
  };
  process.exitCode = undefined;
  try {
    await buildProgram(full).parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : (e.code.startsWith('xiezuo.') && full.err(`xiezuo: ${e.message}\n`), EXIT.usage);
    if (e instanceof DomainError) {
      full.err(`xiezuo: ${e.zh} / ${e.en}\n`);
      return e.code === 'INVALID' ? EXIT.usage : EXIT.refused;
    }
    if (e instanceof CatalogueInvalid) {
      full.err(`xiezuo: indicator catalogue is invalid:\n${e.message}\n`);
      return EXIT.usage;
    }
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND' || err?.code === '3D000') {
      full.err(`xiezuo: cannot reach the database: ${err.message}\n`);
      return EXIT.refused;
    }
    if (err?.code === 'ENOENT' || err?.code === 'EACCES') {
      full.err(`xiezuo: ${err.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
