import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { ROOT } from '../services/root.ts';
import { DomainError, notFound } from '../services/errors.ts';
import { SYSTEM } from '../services/scope.ts';
import { configFromEnv } from '../store/config.ts';
import type { Store, StoreConfig } from '../store/db.ts';
import { CliError, describeFailure, EXIT, redactUrl, usageError, zipOutcome } from './errors.ts';
import { extraCommands, type LazyCommand } from './registry.ts';

// Start-up loads only commander and the command tree; each command imports what it needs when it
// runs, so `xiezuo --help` never loads the database drivers, the web server or the Excel library.

export { EXIT } from './errors.ts';

export interface CliContext {
  /**
   * Opens the configured database and brings its schema up to date. Only `create` (init, load, start)
   * makes a new SQLite file; otherwise a missing file is refused, so a mistyped XIEZUO_DB never
   * silently starts an empty database.
   */
  openStore: (opts?: { create?: boolean }) => Promise<Store>;
  out: (s: string) => void;
  err: (s: string) => void;
}

async function withStore<T>(ctx: CliContext, fn: (s: Store) => Promise<T>, opts?: { create?: boolean }): Promise<T> {
  const store = await ctx.openStore(opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const countyOpt = () => new Option('--county <code>', '县的行政区划代码（6位）/ county division code (GB/T 2260, 6 digits)').makeOptionMandatory();
/** For commands that work at any level: a county, a prefecture (4 digits) or a province (2 digits). */
const unitOpt = () => new Option('--county <code>', '县（6位）、市州（4位）或省（2位）代码 / county (6 digits), prefecture (4) or province (2) code').makeOptionMandatory();
/** Parses an assessment year, refusing anything that is not a plausible year. */
export const parseYear = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2000 || n > 2100) throw usageError(`--year 应为年份，如 2022，而不是“${v}”`, `--year must be a year such as 2022, not '${v}'`);
  return n;
};
const yearOpt = () => new Option('--year <year>', '考核年度 / assessment year, e.g. 2022').argParser(parseYear).makeOptionMandatory();

/** Refuses a division code the database does not know, instead of answering with empty output. */
export async function requireUnit(s: Store, code: string): Promise<void> {
  const { orgUnit } = await import('../services/orgunits.ts');
  if (!/^(\d{2}(\d{2}(\d{2})?)?|\d{2,12}\.[a-z0-9_-]{1,20})$/.test(code))
    throw new CliError(`行政区划代码应为 2、4 或 6 位数字，而不是“${code}”`, `a division code has 2, 4 or 6 digits, not '${code}'`);
  if (!(await orgUnit(s, code))) throw notFound(`数据库中没有代码为 ${code} 的行政区划`, `no division with code ${code} in this database`);
}

/** The annex file next to a report: report.docx → report-数据来源.docx. */
export const annexPath = (out: string) => out.replace(/(\.docx)?$/i, '-数据来源.docx');

/** The package version, for --version. */
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Help headings in both languages. */
const TITLES: Record<string, string> = { 'Usage:': '用法 Usage:', 'Options:': '选项 Options:', 'Commands:': '命令 Commands:', 'Arguments:': '参数 Arguments:', 'Global Options:': '全局选项 Global Options:' };

/** Bilingual help and version options on a command and, through `commandHelp`, on each subcommand. */
export function bilingual(c: Command): Command {
  return c.helpOption('-h, --help', '显示帮助 / show help')
    .configureHelp({ styleTitle: (t) => TITLES[t] ?? t });
}

type Register = (program: Command, ctx: CliContext) => void;

/**
 * Builds the command tree; every command and option has help text. Lazy commands (see registry.ts)
 * are fully registered only when their module is passed in `loaded`; the others appear by name and
 * summary, enough for `xiezuo --help`.
 */
export function buildProgram(ctx: CliContext, loaded: Register[] = []): Command {
  const program = bilingual(new Command('xiezuo'))
    .description('东西部协作台账、指标与自评报告 / East–West cooperation ledgers, indicators and self-assessment reports')
    .version(VERSION, '-V, --version', '显示版本 / print the version')
    .helpCommand('help [command]', '显示某个命令的帮助 / help for a command')
    .exitOverride()
    // Parse errors are printed by main() as one bilingual line; commander's own wording is not shown.
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err, outputError: () => undefined });

  program.command('init')
    .description('创建或升级数据库 / create or migrate the database (XIEZUO_DB or DATABASE_URL); --demo loads the demo dataset')
    .option('--demo', '载入演示数据 / load the demo dataset (data/demo) unless it is already there')
    .option('--provinces <codes>', '载入这些省的行政区划（省至村）/ load the division codes (province down to village) of these provinces, e.g. 62,12')
    .option('--pair <east:west>', '登记一对协作关系（东部代码:西部代码）/ record a cooperation pair: EAST:WEST division codes')
    .action(async (o: { demo?: boolean; provinces?: string; pair?: string }) => withStore(ctx, async (s) => {
      const { addCooperationPair, loadDivisions } = await import('../services/orgunits.ts');
      const { demoLoaded, loadDemo } = await import('../services/demo.ts');
      if (o.provinces) {
        const codes = o.provinces.split(',').map((c) => c.trim());
        if (!codes.every((c) => /^\d{2}$/.test(c))) throw new CliError('--provinces 应为两位省级代码，如 62,12', '--provinces takes 2-digit province codes such as 62,12');
        ctx.out(`division codes loaded: ${await loadDivisions(s, codes)} new\n`);
      }
      if (o.pair) {
        const m = /^(\d{2}|\d{4}|\d{6}|\d{2,12}\.[a-z0-9_-]{1,20}):(\d{2}|\d{4}|\d{6})$/.exec(o.pair);
        if (!m) throw new CliError('--pair 应为“东部代码:西部代码”（2、4 或 6 位区划代码，或自定义单位代码）', '--pair takes EAST:WEST codes (2, 4 or 6 digits, or a custom unit code)');
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
    }, { create: true }));

  program.command('unit')
    .description('登记没有区划代码的单位（开发区、经开区）/ add a unit without a division code under a loaded parent')
    .argument('<action>', 'add')
    .requiredOption('--code <code>', '上级代码加点和简称 / the parent\'s code, a dot and a short name, e.g. 320585.sip')
    .requiredOption('--name <name>', '单位名称 / the unit name, e.g. 苏州工业园区')
    .requiredOption('--parent <code>', '上级区划代码 / the parent division code, e.g. 320585')
    .action(async (action: string, o: { code: string; name: string; parent: string }) => withStore(ctx, async (s) => {
      if (action !== 'add') throw new CliError(`未知操作“${action}”，请用 unit add`, `unknown action '${action}': use 'unit add'`);
      const { addCustomUnit } = await import('../services/orgunits.ts');
      await addCustomUnit(s, o.code, o.name, o.parent);
      ctx.out(`unit ${o.code} ${o.name} recorded under ${o.parent}\n`);
    }));

  program.command('load <file>')
    .description('载入一个县一年度的数据文件（YAML）/ load a dataset file in the demo format (ledgers, reported values, targets, narrative) for one county-year')
    .action(async (file: string) => withStore(ctx, async (s) => {
      const { loadDataset } = await import('../services/demo.ts');
      const r = await loadDataset(s, file);
      ctx.out(`loaded ${file}: county ${r.county}, year ${r.year}, ${r.records} records\n`);
    }, { create: true }));

  program.command('dump')
    .description('把一个县一年度的数据写成 YAML 文件 / write a county-year as a dataset file that load reads back; personal IDs are never written')
    .addOption(countyOpt()).addOption(yearOpt())
    .option('--out <file>', '写入文件而不是标准输出 / write to this file instead of stdout')
    .action(async (o: { county: string; year: number; out?: string }) => withStore(ctx, async (s) => {
      const { dumpDataset } = await import('../services/dataset-dump.ts');
      await requireUnit(s, o.county);
      const { yaml, omitted } = await dumpDataset(s, SYSTEM, o.county, o.year);
      if (omitted.length) ctx.err(`left out (they hold personal ID numbers): ${omitted.join(', ')}\n`);
      if (o.out) { writeFileSync(o.out, yaml); ctx.err(`written ${o.out}\n`); } else ctx.out(yaml);
    }));

  program.command('report')
    .description('生成一个县（或市州、省）一年度的自评报告 / generate the self-assessment report of a county-year (Markdown to stdout by default)')
    .addOption(unitOpt()).addOption(yearOpt())
    .addOption(new Option('--format <format>', '输出格式 / output format').choices(['md', 'docx', 'html']).default('md'))
    .option('--out <file>', '写入文件（docx 必填）/ write to this file instead of stdout (required for docx)')
    .addOption(new Option('--appendix <mode>', 'Word 报告的数据来源附录：annex 另存为附件文件（默认），inline 附在正文后，none 不要 / the figure-sources appendix of a docx: annex (a separate file, default), inline, none')
      .choices(['annex', 'inline', 'none']).default('annex'))
    .option('--all', '市州或省代码：把所辖每个有数据的县的报告写入一个 zip 文件（--out 必填），逐个显示进度 / for a prefecture or province: every county with data, one report each, into one zip file (--out required), with progress')
    .action(async (o: { county: string; year: number; format: 'md' | 'docx' | 'html'; out?: string; appendix: 'annex' | 'inline' | 'none'; all?: boolean }) => withStore(ctx, async (s) => {
      if (o.all) return reportAll(s, ctx, o);
      if (o.format === 'docx' && !o.out) throw new CliError('--format docx 需要 --out 文件名', '--format docx needs --out FILE');
      await requireUnit(s, o.county);
      const { buildReport } = await import('../services/reports.ts');
      const model = await buildReport(s, SYSTEM, o.county, o.year);
      // Renderers load on demand: the Word writer is large and most commands never need it.
      if (o.format === 'docx') {
        const { renderDocx, renderDocxAnnex } = await import('../reports/render-docx.ts');
        writeFileSync(o.out!, await renderDocx(model, { appendix: o.appendix }));
        ctx.err(`written ${o.out}\n`);
        const annex = o.appendix === 'annex' ? await renderDocxAnnex(model) : null;
        if (annex) {
          const file = annexPath(o.out!);
          writeFileSync(file, annex);
          ctx.err(`written ${file}\n`);
        }
        return;
      }
      const text = o.format === 'html'
        ? (await import('../reports/render-html.ts')).renderHtml(model, { standalone: true })
        : (await import('../reports/render-markdown.ts')).renderMarkdown(model);
      if (o.out) { writeFileSync(o.out, text); ctx.err(`written ${o.out}\n`); } else ctx.out(text);
    }));

  /**
   * The reports of every county with data under a prefecture or province, one zip file, progress on
   * stderr. Written by the same zip job as the server's, so with a database file the reports are
   * rendered in report threads, several at a time.
   */
  async function reportAll(s: Store, c: CliContext, o: { county: string; year: number; format: 'md' | 'docx' | 'html'; out?: string; appendix: 'annex' | 'inline' | 'none' }): Promise<void> {
    if (o.county.length === 6) throw new CliError('--all 需要市州（4位）或省（2位）代码', '--all takes a prefecture (4-digit) or province (2-digit) code');
    if (!o.out || !o.out.endsWith('.zip')) throw new CliError('--all 需要 --out 文件名.zip', '--all needs --out FILE.zip');
    await requireUnit(s, o.county);
    const { ReportJobs } = await import('../services/report-jobs.ts');
    const { ReportPool } = await import('../services/report-threads.ts');
    const pool = new ReportPool(s.config);
    const jobs = new ReportJobs(s, pool, { perServer: 1, perUser: 1, keepMs: Infinity });
    try {
      const started = await jobs.start(SYSTEM, { unit: o.county, year: o.year, format: o.format, appendix: o.appendix }, (job, county) => {
        const note = county.failure ? `：未能生成 / failed: ${county.failure.zh} / ${county.failure.en}` : '';
        c.err(`[${job.done}/${job.total}] ${county.code} ${county.name}${note}（约还需${job.etaSeconds}秒 / about ${job.etaSeconds} s left）\n`);
      });
      const job = await jobs.wait(SYSTEM, started.id);
      if (job.state !== 'done') {
        const e = job.error;
        if (e && e.code !== 'INTERNAL') throw new DomainError(e.code as DomainError['code'], e.zh, e.en);
        throw new Error(e?.en ?? `the zip job ended ${job.state}`);
      }
      copyFileSync(jobs.zip(SYSTEM, job.id).path, o.out);
      const outcome = zipOutcome(o.out, job);
      if (outcome instanceof CliError) throw outcome;
      c.err(outcome);
    } finally {
      await jobs.close();
      await pool.close();
    }
  }

  program.command('indicators')
    .description('指标值、目标与达标情况；市州代码（如 6230）汇总所辖各县，省代码（如 62）汇总所辖各市州，--national 汇总全国，--east 汇总某东部单位的协作县 / indicator values with units, targets and status; a prefecture code (6230) adds up its counties, a province code (62) its prefectures, --national the nation, --east the counties paired with an eastern unit')
    .addOption(new Option('--county <code>', '县（6位）、市州（4位）或省（2位）代码 / county (6 digits), prefecture (4) or province (2) code'))
    .option('--national', '全国汇总（各县合计） / the nation: every county added up')
    .option('--east <code>', '东部单位代码：汇总其当年的协作县 / an eastern unit: its paired counties of the year added up')
    .addOption(yearOpt())
    .option('--period <period>', '期间：year（全年，默认）、Q1–Q4（季度末）、M01–M12（1月至该月末） / the period: year (default), Q1–Q4 (to the end of a quarter), M01–M12 (January to the end of that month)')
    .option('--to <day>', '截至某日（YYYY-MM-DD，本年度内） / to a day of the year (YYYY-MM-DD)')
    .option('--json', '输出 JSON / print JSON')
    .action(async (o: { county?: string; national?: boolean; east?: string; year: number; period?: string; to?: string; json?: boolean }) => withStore(ctx, async (s) => {
      const given = [o.county !== undefined, Boolean(o.national), o.east !== undefined].filter(Boolean).length;
      if (given !== 1) throw new CliError('请给出 --county、--national 或 --east 之一', 'give one of --county, --national or --east');
      if (o.east !== undefined && !/^\d{2,6}$/.test(o.east)) throw new CliError(`--east 应为2–6位东部单位代码，而不是“${o.east}”`, `--east must be an eastern unit code of 2–6 digits, not '${o.east}'`);
      const { computeIndicators } = await import('../services/indicators.ts');
      const { periodOf, periodView, rollUpIndicatorsAndRules } = await import('../services/indicator-sets.ts');
      const period = periodOf(o.period, o.to, o.year);
      if (o.county !== undefined) await requireUnit(s, o.county);
      const rows = o.county !== undefined ? await computeIndicators(s, SYSTEM, o.county, o.year, period)
        : (await rollUpIndicatorsAndRules(s, SYSTEM, o.east !== undefined ? { east: o.east } : { unit: '' }, o.year, period)).indicators;
      const view = periodView(period, o.year);
      if (o.json) {
        const list = rows.map(({ trace: _t, exact: _e, exactBreakdown: _b, ...r }) => r);
        ctx.out(`${JSON.stringify(view ? { period: view, indicators: list } : list, null, 2)}\n`);
        return;
      }
      if (view) ctx.out(`# ${o.year}年${view.label.zh}（截至${view.end}，目标为全年目标） / ${view.label.en} of ${o.year} (to ${view.end}; targets are the year's)\n`);
      const status = { met: '达标', missed: '未达标', no_target: '—', no_data: '无数据', to_date: '截至期末' } as const;
      for (const r of rows) {
        const share = r.toDate?.ofTarget ? `（已完成全年目标${r.toDate.ofTarget}%）` : '';
        const note = r.toDate?.note ? `\t[${r.toDate.note.zh}]` : '';
        ctx.out(`${r.id.padEnd(34)} ${r.label.zh}\t${r.display ?? '—'}\t${r.target ? `目标 ${r.target.display}` : ''}\t${status[r.status]}${share}${r.source === 'reported' ? '\t(上报值)' : ''}${note}\n`);
      }
    }));

  program.command('rank')
    .description('各县按某一指标排名：全国、省或市州内，或某东部单位的协作县 / counties ranked by one indicator: nationwide, within a province or prefecture, or the counties paired with an eastern unit')
    .requiredOption('--indicator <id>', '指标编号，如 labour.transferred（见 xiezuo indicators） / an indicator id such as labour.transferred (see xiezuo indicators)')
    .addOption(yearOpt())
    .option('--unit <code>', '省（2位）或市州（4位）代码；不填为全国 / a province (2 digits) or prefecture (4); none for the nation')
    .option('--east <code>', '东部单位代码：只排其协作县 / an eastern unit: only its paired counties')
    .option('--asc', '从低到高（默认从高到低） / lowest first (default highest first)')
    .option('--period <period>', '期间：year（全年，默认）、Q1–Q4、M01–M12 / the period: year (default), Q1–Q4, M01–M12')
    .option('--to <day>', '截至某日（YYYY-MM-DD，本年度内） / to a day of the year (YYYY-MM-DD)')
    .addOption(new Option('--format <format>', '输出格式 / output format').choices(['md', 'csv', 'json']).default('md'))
    .action(async (o: { indicator: string; year: number; unit?: string; east?: string; asc?: boolean; period?: string; to?: string; format: 'md' | 'csv' | 'json' }) => withStore(ctx, async (s) => {
      if (o.unit !== undefined && o.east !== undefined) throw new CliError('--unit 与 --east 只能选一个', '--unit and --east cannot be used together');
      if (o.unit !== undefined && !/^(\d{2}|\d{4})$/.test(o.unit)) throw new CliError(`--unit 应为省（2位）或市州（4位）代码，而不是“${o.unit}”`, `--unit must be a province (2 digits) or prefecture (4) code, not '${o.unit}'`);
      const { catalogueFor } = await import('../services/catalogue.ts');
      const { periodOf, periodView, rankCounties } = await import('../services/indicator-sets.ts');
      const def = catalogueFor(o.year).byId.get(o.indicator);
      if (!def) throw new CliError(`没有编号为 ${o.indicator} 的指标（xiezuo indicators 列出全部）`, `no indicator ${o.indicator} (xiezuo indicators lists them)`);
      const period = periodOf(o.period, o.to, o.year);
      if (o.unit) await requireUnit(s, o.unit);
      const rows = await rankCounties(s, SYSTEM, o.east !== undefined ? { east: o.east } : { unit: o.unit ?? '' }, o.year, o.indicator, { ascending: Boolean(o.asc), period });
      const view = periodView(period, o.year);
      if (o.format === 'json') {
        ctx.out(`${JSON.stringify({ indicator: { id: def.id, label: def.label, unit: def.unit }, order: o.asc ? 'asc' : 'desc', ...(view && { period: view }), rows }, null, 2)}\n`);
        return;
      }
      const status = { met: '达标', missed: '未达标', no_target: '无目标', no_data: '无数据', to_date: '期中数' } as const;
      if (o.format === 'csv') {
        const cell = (v: string | number | null) => (v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
        ctx.out(`名次,县区,代码,${cell(def.label.zh)},数值,状态\n`);
        for (const r of rows) ctx.out(`${[r.rank, r.name, r.code, r.display, r.raw, status[r.status]].map(cell).join(',')}\n`);
        return;
      }
      const { orgUnit } = await import('../services/orgunits.ts');
      const named = async (code: string) => `${(await orgUnit(s, code))?.name ?? code}（${code}）`;
      const scope = o.east !== undefined ? `${await named(o.east)}的协作县` : o.unit ? `${await named(o.unit)}所辖各县` : '各县';
      ctx.out(`# ${o.year}年${view ? view.label.zh : ''}${scope}：${def.label.zh}（${o.asc ? '从低到高' : '从高到低'}）\n\n`);
      if (!rows.length) { ctx.out('没有持有该年度数据的县。\n'); return; }
      ctx.out(`| 名次 | 县区 | ${def.label.zh} | 状态 |\n| ---: | --- | ---: | --- |\n`);
      for (const r of rows) ctx.out(`| ${r.rank ?? '—'} | ${r.name}（${r.code}） | ${r.display ?? '—'} | ${status[r.status]} |\n`);
      if (rows.some((r) => r.rank === null)) ctx.out('\n无数值的县列在最后。\n');
    }));

  program.command('check')
    .description('运行校验规则；全部通过退出码 0，有不通过为 3 / run the validation rules for a county-year; exit 0 when all hold, 3 when any fails')
    .addOption(unitOpt()).addOption(yearOpt())
    .option('--json', '输出 JSON / print JSON')
    .action(async (o: { county: string; year: number; json?: boolean }) => withStore(ctx, async (s) => {
      const { checkRules } = await import('../services/indicators.ts');
      await requireUnit(s, o.county);
      const rules = await checkRules(s, SYSTEM, o.county, o.year);
      if (o.json) ctx.out(`${JSON.stringify(rules, null, 2)}\n`);
      else for (const r of rules) ctx.out(`${r.ok === null ? 'SKIP' : r.ok ? 'PASS' : 'FAIL'}  ${r.id.padEnd(36)} ${r.label.zh}：${r.detail.zh}\n`);
      const failed = rules.filter((r) => r.ok === false).length;
      const skipped = rules.filter((r) => r.ok === null).length;
      if (!o.json) ctx.out(`${rules.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped\n`);
      if (!o.json && skipped === rules.length) ctx.err('xiezuo: 没有可检查的规则：已录入的数据不足以检查任何一条 / no rule could be checked with the data entered\n');
      if (failed) process.exitCode = EXIT.checksFailed;
    }));

  for (const c of extraCommands) if (typeof c === 'function') c(program, ctx);
  for (const register of new Set(loaded)) register(program, ctx);
  const have = new Set(program.commands.map((c) => c.name()));
  for (const c of extraCommands) {
    if (typeof c === 'function' || have.has(c.name)) continue;
    program.command(c.name).description(c.summary).allowUnknownOption().allowExcessArguments().helpOption(false)
      .action(() => { throw new Error(`command ${c.name} was not loaded`); });
  }
  return program;
}

/** Opens the store the environment names; see CliContext.openStore. */
export async function openConfiguredStore(config: StoreConfig, opts: { create?: boolean } = {}): Promise<Store> {
  if (config.engine === 'sqlite' && config.file !== ':memory:' && !opts.create && !existsSync(config.file))
    throw new CliError(`数据库文件 ${config.file} 不存在，请先运行 xiezuo init（或 npm start），或用 XIEZUO_DB 指定已有的数据库`,
      `database file ${config.file} does not exist; run xiezuo init (or npm start) first, or point XIEZUO_DB at an existing one`, EXIT.refused);
  if (config.engine === 'postgres' && !/^postgres(ql)?:\/\/[^/]/.test(config.url))
    throw new CliError(`DATABASE_URL 应形如 postgres://用户@主机:端口/数据库，而不是 ${redactUrl(config.url)}`,
      `DATABASE_URL must look like postgres://user@host:port/database, not ${redactUrl(config.url)}`);
  const { migrate, openStore } = await import('../store/db.ts');
  // The configuration module refreshes the stored configuration after every migration (onMigrated);
  // it is loaded here, not at start-up, so that `--help` does not load it.
  await import('../services/config.ts');
  const s = openStore(config);
  try {
    await migrate(s);
  } catch (e) {
    await s.close().catch(() => undefined);
    throw e;
  }
  return s;
}

/** Runs the CLI; returns the exit code. User mistakes print one line on stderr, never a stack trace. */
export async function main(argv: string[], ctx?: Partial<CliContext>): Promise<number> {
  const full: CliContext = {
    openStore: async (opts) => {
      const s = await openConfiguredStore(configFromEnv(), opts);
      try {
        // Before anything can hash a resident ID: the key must be the one the database's hashes were made with.
        const { ensureIdKey } = await import('../services/pii.ts');
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
    const args = argv.slice(2);
    const first = args.findIndex((a) => !a.startsWith('-'));
    const name = args[first] === 'help' ? args[first + 1] : args[first];
    const wanted = extraCommands.filter((c): c is LazyCommand => typeof c !== 'function' && c.name === name);
    const loaded = await Promise.all(wanted.map(async (c) => (await c.load()).register));
    await buildProgram(full, loaded).parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    const { line, exit } = describeFailure(e);
    if (line) full.err(`xiezuo: ${line}\n`);
    return exit;
  }
}
