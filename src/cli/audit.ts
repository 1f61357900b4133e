import { readFileSync } from 'node:fs';
import { type Command, CommanderError } from 'commander';
import { type Location, rollupRelations } from '../domain/figures-audit/index.ts';
import { acrossDocuments, auditDocuments, documentText, type DocumentAudit } from '../services/figure-audit.ts';
import { SYSTEM } from '../services/scope.ts';
import { EXIT, type CliContext } from './main.ts';
import { yearOption } from './template.ts';

const VERDICT: Record<string, string> = { holds: '成立 holds', holds_other_rounding: '按另一取舍规则成立 holds (other rounding)', fails: '不成立 FAILS' };
const KIND: Record<string, string> = {
  sum: '合计与分项', subset: '其中（部分≤整体）', rate: '比率', rate_base: '比率的基数', pp_change: '百分点变化', growth: '增长率', per_unit: '人均×人数＝合计',
  table_total: '表格合计', repeat: '同一数字两处', rollup: '上下级合计',
};
const at = (l: Location) => `${l.line}:${l.column}`;

function printText(d: DocumentAudit, out: (s: string) => void): void {
  out(`${d.name}: ${d.figures.length} figures, ${d.relations.length} relations, ${d.failures} failing\n`);
  for (const r of d.relations) {
    out(`  ${d.name}:${at(r.location)}  ${VERDICT[r.verdict]}  ${KIND[r.kind] ?? r.kind}: ${r.detail.zh}\n`);
    if (r.verdict !== 'holds') out(`      ${r.detail.en}\n`);
    if (r.correction) out(`      → ${r.correction.zh} / ${r.correction.en}\n`);
  }
  if (d.data) {
    out(`  against the data of ${d.data.county} ${d.data.year}: ${d.data.supported} supported, ${d.data.contradicted} contradicted, ${d.data.unchecked} cannot be checked\n`);
    for (const c of d.data.checks.filter((x) => x.verdict !== 'unchecked')) {
      const f = d.figures[c.figure]!;
      out(`  ${d.name}:${at(f.location)}  ${c.verdict === 'supported' ? '有据 supported' : '与数据不符 CONTRADICTED'}  ${c.text}: ${c.detail.zh}\n`);
      for (const t of c.trace ?? []) out(`      ${t}\n`);
    }
  }
}

/** `xiezuo audit FILE…`: checks the figures of reports (.txt, .md, .docx) against each other and, optionally, the data. */
export function register(program: Command, ctx: Pick<CliContext, 'openStore' | 'out' | 'err'>): void {
  program.command('audit <files...>')
    .description('check the figures of reports (.txt, .md, .docx): totals and parts, rates, point changes, per-head amounts; --county/--year also hold them against the data. Exit 3 when a relation fails')
    .option('--county <code>', 'hold the figures against this county\'s data (needs --year)')
    .addOption(yearOption())
    .option('--same-unit', 'the files report on the same unit and period (versions of one report, a report and its attachment): a figure named by the same words must agree across them')
    .option('--parent <file>', 'this file reports a unit (a prefecture, a province) whose totals the other files\' units add up to')
    .option('--complete', 'with --parent: the other files cover every sub-unit, so their figures must add up to the parent\'s exactly')
    .option('--json', 'print {"relations": [...], "figures": [...]} (one object per file when several)')
    .action(async (files: string[], o: { county?: string; year?: number; json?: boolean; parent?: string; complete?: boolean; sameUnit?: boolean }) => {
      if (o.sameUnit && o.parent) throw new CommanderError(1, 'xiezuo.audit', '--same-unit and --parent exclude each other: a parent reports another unit than its sub-units');
      if (o.complete && !o.parent) throw new CommanderError(1, 'xiezuo.audit', '--complete needs --parent FILE');
      if (o.parent && !files.includes(o.parent)) files = [o.parent, ...files];
      if ((o.county === undefined) !== (o.year === undefined)) throw new CommanderError(1, 'xiezuo.audit', '--county and --year go together');
      if (o.county !== undefined && !/^\d{6}$/.test(o.county)) throw new CommanderError(1, 'xiezuo.county', `--county takes a 6-digit county code, not '${o.county}'`);
      const docs: Array<{ name: string; text: string }> = [];
      for (const f of files) docs.push({ name: f, text: await documentText(f, readFileSync(f)) });
      let audits: DocumentAudit[];
      if (o.county !== undefined) {
        const store = await ctx.openStore();
        try {
          audits = await auditDocuments(docs, { store, actor: SYSTEM, county: o.county, year: o.year! });
        } finally {
          await store.close();
        }
      } else audits = await auditDocuments(docs);
      const across = o.sameUnit ? acrossDocuments(docs) : [];
      const parentDoc = o.parent ? docs.find((d) => d.name === o.parent) : undefined;
      if (parentDoc && docs.length < 3) throw new CommanderError(1, 'xiezuo.audit', '--parent needs the reports of at least two sub-units besides it');
      const rollup = parentDoc ? rollupRelations(parentDoc, docs.filter((d) => d !== parentDoc), o.complete) : [];
      if (o.json) {
        const shape = (a: DocumentAudit) => ({ file: a.name, relations: a.relations, figures: a.figures, ...(a.data ? { data: a.data } : {}) });
        ctx.out(`${JSON.stringify(audits.length === 1 ? shape(audits[0]!) : { files: audits.map(shape), across, ...(parentDoc ? { rollup } : {}) }, null, 2)}\n`);
      } else {
        for (const a of audits) printText(a, ctx.out);
        if (across.length) ctx.out(`across the files: ${across.length} figures stated in more than one, ${across.filter((r) => r.verdict === 'fails').length} differing\n`);
        for (const r of across) ctx.out(`  ${r.figures.map((f) => `${f.document}:${at(f.location)}`).join(' ↔ ')}  ${VERDICT[r.verdict]}  ${r.detail.zh}\n`);
        if (parentDoc) ctx.out(`${parentDoc.name} against its sub-units: ${rollup.length} totals, ${rollup.filter((r) => r.verdict === 'fails').length} not matching\n`);
        for (const r of rollup) ctx.out(`  ${r.parent.document}:${at(r.parent.location)}  ${VERDICT[r.verdict]}  ${KIND.rollup}: ${r.detail.zh}\n`);
      }
      const contradicted = audits.some((a) => (a.data?.contradicted ?? 0) > 0);
      if (audits.some((a) => a.failures > 0) || contradicted || across.some((r) => r.verdict === 'fails') || rollup.some((r) => r.verdict === 'fails')) process.exitCode = EXIT.checksFailed;
    });
}
