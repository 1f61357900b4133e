import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type Command, CommanderError, Option } from 'commander';
import { parse } from 'yaml';
import type { CategoryItem } from '../domain/ledgers/schema.ts';
import { type ConfigView, setCategories, setOwnElements, setReportTemplate, setRounding, showConfig, showReportTemplate } from '../services/config-admin.ts';
import type { OwnElement, RoundingRule } from '../services/config.ts';
import { openYear } from '../services/years.ts';
import { SYSTEM } from '../services/scope.ts';
import type { Store } from '../store/db.ts';
import { yearOption } from './template.ts';
import type { CliContext } from './main.ts';

const usage = (code: string, message: string) => new CommanderError(1, `xiezuo.${code}`, message);
const collect = (v: string, prev: string[]) => [...prev, v];

const unitOption = () => new Option('--unit <code>', "the unit whose layer to read or change: a province (2 digits), prefecture (4) or county (6); 'national' for the defaults")
  .argParser((v) => {
    if (v === 'national') return '';
    if (!/^\d{2}(\d{2}){0,2}$/.test(v)) throw usage('unit', `--unit takes a 2-, 4- or 6-digit division code or 'national', not '${v}'`);
    return v;
  }).makeOptionMandatory();

/** "half_up:2", "truncate:1" or "whole" (whole percent) → a rule. */
function rule(text: string, what: string): RoundingRule {
  if (text === 'whole') return { mode: 'half_up', decimals: 0 };
  const m = /^(half_up|truncate):(\d)$/.exec(text);
  if (!m) throw usage('rounding', `${what} takes half_up:N, truncate:N (N = 0–6 decimals) or whole, not '${text}'`);
  return { mode: m[1] as RoundingRule['mode'], decimals: Number(m[2]) };
}

/** "value:中文:English" → an item. */
function item(text: string, opt: string): CategoryItem {
  const [value, zh, ...en] = text.split(':');
  if (!value || !zh || !en.length) throw usage('item', `${opt} takes value:中文名称:English label, not '${text}'`);
  return { value, zh, en: en.join(':') };
}

function readText(file: string): string {
  if (!existsSync(file)) throw usage('file', `${file}: no such file`);
  return readFileSync(file, 'utf8');
}

async function withStore<T>(ctx: CliContext, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await ctx.openStore();
  try { return await fn(store); } finally { await store.close(); }
}

const ruleText = (r: RoundingRule) => `${r.mode === 'truncate' ? '截尾' : '四舍五入'} ${r.decimals}位 (${r.mode}:${r.decimals})`;

function printView(ctx: CliContext, v: ConfigView, only?: string): void {
  ctx.out(`# ${v.year}年 ${v.unit || '全国默认 / national'}\n`);
  for (const c of v.categories) {
    if (only && c.name !== only) continue;
    const src = c.source.stored ? `stored ${c.source.unit || 'national'} ${c.source.year} v${c.source.version}` : 'shipped';
    ctx.out(`${c.name}\t(${src})\n`);
    for (const i of c.items) ctx.out(`  ${i.value}\t${i.zh}\t${i.en}${i.retired ? '\t[停用 retired]' : ''}\n`);
  }
  if (only) return;
  ctx.out(`rounding: rates ${ruleText(v.rounding.rates)}\n`);
  for (const [id, r] of Object.entries(v.rounding.indicators)) ctx.out(`  ${id}\t${ruleText(r)}\n`);
  if (v.elements.length) ctx.out('own elements:\n');
  for (const e of v.elements) ctx.out(`  ${e.id}\t${e.zh}\t${e.en}\t${e.unitWord ? e.unitWord.zh : e.unit}\t${e.section}\t(${e.definedBy || 'national'})${e.retired ? '\t[停用 retired]' : ''}\n`);
}

/** `xiezuo config show|set-categories|set-rounding|report|set-report` and `xiezuo year open`. The CLI acts as administrator. */
export function register(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('configuration per assessment year and unit: category lists, rounding policy and report template');

  config.command('show')
    .description('the category lists and rounding policy in force for a unit and year, with where each list comes from')
    .addOption(yearOption().makeOptionMandatory()).addOption(unitOption())
    .option('--list <name>', 'only this category list')
    .option('--json', 'print JSON')
    .action(async (o: { year: number; unit: string; list?: string; json?: boolean }) => withStore(ctx, async (s) => {
      const v = await showConfig(s, o.year, o.unit);
      if (o.list && !v.categories.some((c) => c.name === o.list)) throw usage('list', `no category list named ${o.list}`);
      if (o.json) ctx.out(`${JSON.stringify(o.list ? v.categories.find((c) => c.name === o.list) : v, null, 2)}\n`);
      else printView(ctx, v, o.list);
    }));

  config.command('set-categories')
    .description('change a category list for a unit from a year on (later years inherit it): add, rename or retire values, or replace the list from a file')
    .addOption(yearOption().makeOptionMandatory()).addOption(unitOption())
    .requiredOption('--list <name>', 'the list, e.g. labour_destination')
    .option('--from <file>', 'the whole list from a YAML or JSON file: [{value, zh, en, retired?}]')
    .option('--add <value:zh:en>', 'add a value (repeatable)', collect, [])
    .option('--rename <value:zh:en>', 'new labels for a value (repeatable)', collect, [])
    .option('--retire <value>', 'stop offering a value for new records; existing records keep it (repeatable)', collect, [])
    .option('--restore <value>', 'offer a retired value again (repeatable)', collect, [])
    .option('--remove <value>', 'delete a value; refused while records use it (repeatable)', collect, [])
    .option('--inherit', "drop this unit's own list so the list of the unit above applies again")
    .action(async (o: { year: number; unit: string; list: string; from?: string; add: string[]; rename: string[]; retire: string[]; restore: string[]; remove: string[]; inherit?: boolean }) => withStore(ctx, async (s) => {
      if (o.inherit) {
        if (o.from || o.add.length || o.rename.length || o.retire.length || o.restore.length || o.remove.length)
          throw usage('list', '--inherit cannot be combined with --from, --add, --rename, --retire, --restore or --remove');
        const v = await setCategories(s, SYSTEM, { year: o.year, unit: o.unit, list: o.list, items: [], inherit: true });
        ctx.out(`${o.list} for ${o.unit || 'national'} follows the unit above from ${o.year}\n`);
        printView(ctx, v, o.list);
        return;
      }
      let items: CategoryItem[];
      if (o.from) {
        const data = parse(readFileSync(o.from, 'utf8')) as unknown;
        if (!Array.isArray(data)) throw usage('from', `${o.from}: expected a list of {value, zh, en}`);
        items = data as CategoryItem[];
      } else {
        const current = (await showConfig(s, o.year, o.unit)).categories.find((c) => c.name === o.list);
        if (!current) throw usage('list', `no category list named ${o.list}`);
        items = current.items.map((i) => ({ ...i }));
      }
      const find = (value: string, opt: string) => {
        const it = items.find((i) => i.value === value);
        if (!it) throw usage('item', `${opt}: ${o.list} has no value '${value}'`);
        return it;
      };
      for (const a of o.add) {
        const it = item(a, '--add');
        if (items.some((i) => i.value === it.value)) throw usage('item', `--add: ${o.list} already has '${it.value}' (use --rename)`);
        items.push(it);
      }
      for (const r of o.rename) { const it = item(r, '--rename'); Object.assign(find(it.value, '--rename'), { zh: it.zh, en: it.en }); }
      for (const v of o.retire) find(v, '--retire').retired = true;
      for (const v of o.restore) delete find(v, '--restore').retired;
      for (const v of o.remove) { find(v, '--remove'); items = items.filter((i) => i.value !== v); }
      if (!o.from && !o.add.length && !o.rename.length && !o.retire.length && !o.restore.length && !o.remove.length)
        throw usage('list', 'nothing to change: give --from, --add, --rename, --retire, --restore or --remove');
      const v = await setCategories(s, SYSTEM, { year: o.year, unit: o.unit, list: o.list, items });
      ctx.out(`stored ${o.list} for ${o.unit || 'national'} from ${o.year}\n`);
      printView(ctx, v, o.list);
    }));

  config.command('set-rounding')
    .description('set how rates print for a unit from a year on: half_up:N, truncate:N or whole (whole percent), with per-indicator exceptions')
    .addOption(yearOption().makeOptionMandatory()).addOption(unitOption())
    .option('--rates <rule>', 'the rule for rates, e.g. truncate:2, half_up:1, whole')
    .option('--indicator <id=rule>', 'an exception for one indicator, e.g. funds.disbursement_rate=whole (repeatable)', collect, [])
    .option('--inherit', "drop this unit's own policy so it follows the unit above")
    .action(async (o: { year: number; unit: string; rates?: string; indicator: string[]; inherit?: boolean }) => withStore(ctx, async (s) => {
      if (o.inherit && (o.rates || o.indicator.length)) throw usage('rounding', '--inherit cannot be combined with --rates or --indicator');
      if (!o.inherit && !o.rates && !o.indicator.length) throw usage('rounding', 'give --rates, --indicator or --inherit');
      const indicators: Record<string, RoundingRule> = {};
      for (const x of o.indicator) {
        const m = /^([A-Za-z_][\w.]*)=(.+)$/.exec(x);
        if (!m) throw usage('rounding', `--indicator takes id=rule, e.g. funds.disbursement_rate=truncate:2, not '${x}'`);
        indicators[m[1]!] = rule(m[2]!, '--indicator');
      }
      const v = await setRounding(s, SYSTEM, {
        year: o.year, unit: o.unit, ...(o.inherit ? { inherit: true } : {}),
        ...(o.rates ? { rates: rule(o.rates, '--rates') } : {}), ...(o.indicator.length ? { indicators } : {}),
      });
      ctx.out(`stored rounding for ${o.unit || 'national'} from ${o.year}: rates ${ruleText(v.rounding.rates)}\n`);
      for (const [id, r] of Object.entries(v.rounding.indicators)) ctx.out(`  ${id}\t${ruleText(r)}\n`);
    }));

  config.command('set-elements')
    .description("define a unit's own elements from a year on: figures its reports state that the catalogue has none for; each prints in the report section it names")
    .addOption(yearOption().makeOptionMandatory()).addOption(unitOption())
    .option('--add <zh:en:unit:section>', 'add an element; unit is a catalogue unit (people, money, items …) or a word of its own as 中文/English, e.g. 公里/km (repeatable)', collect, [])
    .option('--retire <id>', 'stop taking values for an element; its values stay (repeatable)', collect, [])
    .option('--remove <id>', 'delete an element; refused while it holds values (repeatable)', collect, [])
    .action(async (o: { year: number; unit: string; add: string[]; retire: string[]; remove: string[] }) => withStore(ctx, async (s) => {
      if (!o.add.length && !o.retire.length && !o.remove.length) throw usage('elements', 'nothing to change: give --add, --retire or --remove');
      const view = await showConfig(s, o.year, o.unit);
      let mine: Array<Omit<OwnElement, 'id' | 'definedBy'> & { id?: string }> = view.elements.filter((e) => e.definedBy === o.unit).map(({ definedBy: _d, ...e }) => e);
      const find = (id: string, opt: string) => {
        const e = mine.find((x) => x.id === id);
        if (!e) throw usage('elements', `${opt}: ${o.unit || 'national'} has no own element ${id}`);
        return e;
      };
      for (const v of o.retire) find(v, '--retire').retired = true;
      for (const v of o.remove) { find(v, '--remove'); mine = mine.filter((x) => x.id !== v); }
      for (const a of o.add) {
        const [zh, en, unit, section, ...rest] = a.split(':');
        if (!zh || !en || !unit || !section || rest.length) throw usage('elements', `--add takes 中文名称:English name:unit:section, not '${a}'`);
        const known = view.units.some((u) => u.key === unit);
        const [wzh, wen] = unit.split('/');
        if (!known && (!wzh || !wen)) throw usage('elements', `--add: unit '${unit}' is neither a catalogue unit (${view.units.map((u) => u.key).join(', ')}) nor a word written 中文/English`);
        mine.push({ zh, en, unit: known ? unit : 'items', ...(known ? {} : { unitWord: { zh: wzh!, en: wen! } }), section });
      }
      const v = await setOwnElements(s, SYSTEM, { year: o.year, unit: o.unit, elements: mine });
      ctx.out(`stored the own elements of ${o.unit || 'national'} from ${o.year}\n`);
      for (const e of v.elements) ctx.out(`  ${e.id}\t${e.zh}\t${e.unitWord ? e.unitWord.zh : e.unit}\t${e.section}${e.retired ? '\t[停用 retired]' : ''}\n`);
    }));

  config.command('report')
    .description('print the report template in force for a unit and year (YAML), with where it comes from; edit it and store it with set-report')
    .addOption(yearOption().makeOptionMandatory()).addOption(unitOption())
    .option('--out <file>', 'write the template to a file instead of printing it')
    .action(async (o: { year: number; unit: string; out?: string }) => withStore(ctx, async (s) => {
      const v = await showReportTemplate(s, o.year, o.unit);
      const src = v.source.from === 'stored' ? `stored for ${v.source.unit || 'national'} from ${v.source.year}, version ${v.source.version}, by ${v.source.updatedBy}` : `shipped file ${v.source.path}`;
      if (o.out) {
        writeFileSync(o.out, v.yaml);
        ctx.out(`wrote the template in force for ${o.unit || 'national'} ${o.year} (${src}) to ${o.out}\n`);
      } else ctx.out(`# ${src}\n${v.yaml}`);
    }));

  config.command('set-report')
    .description("store a report template (YAML, the shape of config/<year>/report.yaml) for a unit from a year on, or --inherit to use the unit above's again")
    .addOption(yearOption().makeOptionMandatory()).addOption(unitOption())
    .option('--file <file>', 'the template to store')
    .option('--inherit', "drop this unit's own template so the unit above's applies")
    .action(async (o: { year: number; unit: string; file?: string; inherit?: boolean }) => withStore(ctx, async (s) => {
      if (!!o.file === !!o.inherit) throw usage('report', 'give either --file or --inherit');
      const v = await setReportTemplate(s, SYSTEM, { year: o.year, unit: o.unit, ...(o.inherit ? { inherit: true } : { yaml: readText(o.file!) }) });
      ctx.out(o.inherit ? `the report template of ${o.unit || 'national'} follows the unit above from ${o.year}\n` : `stored the report template for ${o.unit || 'national'} from ${o.year} (version ${v.source.from === 'stored' ? v.source.version : '?'})\n`);
    }));

  const year = program.command('year').description('the assessment years of a county');
  year.command('open')
    .description('open an assessment year for a county, carrying over pairings, demonstration villages, unfinished projects, cumulative figures and the report details as drafts')
    .requiredOption('--county <code>', 'county division code (6 digits)')
    .addOption(yearOption().makeOptionMandatory())
    .action(async (o: { county: string; year: number }) => withStore(ctx, async (s) => {
      const r = await openYear(s, SYSTEM, o.county, o.year);
      const c = r.carried;
      ctx.out(`opened ${r.year} for ${r.county}${r.from === null ? ' (no earlier year to carry over from)' : ` from ${r.from}: ${c.pairings} pairings, ${c.demoVillages} demonstration villages, ${c.projects} unfinished projects, ${c.cumulative} cumulative figures${c.reportInfo ? ', report details' : ''}`}\n`);
    }));
}
