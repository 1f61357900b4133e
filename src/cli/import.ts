import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Command, CommanderError, Option } from 'commander';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { ImportOutcome } from '../services/imports.ts';
import { SYSTEM } from '../services/scope.ts';
import type { CliContext } from './main.ts';
import { yearOption } from './template.ts';

type Ctx = Pick<CliContext, 'openStore'> & Partial<Pick<CliContext, 'out' | 'err'>>;

/** Exit code when the files have problems and nothing was written. */
export const EXIT_PROBLEMS = 1;

/** The console form of an import result: every problem on one line, then what changed. */
export function formatOutcome(r: ImportOutcome): string {
  const lines: string[] = [];
  for (const e of r.errors) {
    const where = [e.file, e.sheet && `「${e.sheet}」`, e.row !== null && `第${e.row}行`, e.column && `${e.column}列`].filter(Boolean).join(' ');
    const head = e.header ? `［${e.header}］` : '';
    const val = e.value !== '' ? ` 值“${e.value}”` : '';
    lines.push(`✗ ${where}${head}${val}：${e.zh} / ${e.en}`);
  }
  if (r.errorCount > r.errors.length) lines.push(`… 另有 ${r.errorCount - r.errors.length} 个问题未列出 / ${r.errorCount - r.errors.length} more not listed`);
  for (const n of r.notices) lines.push(`ℹ ${[n.file, n.sheet && `「${n.sheet}」`, n.row !== null && `第${n.row}行`, n.column && `${n.column}列`].filter(Boolean).join(' ')}${n.value ? ` “${n.value}”` : ''}：${n.zh} / ${n.en}`);
  for (const f of r.findings) lines.push(`⚠ ${f.zh} / ${f.en}`);
  for (const a of r.annotated) lines.push(`已生成问题标注文件 / annotated copy: ${a.path}（标出 ${a.marked} 个单元格 / ${a.marked} cells marked）`);
  if (r.errorCount > 0) lines.push(`共 ${r.errorCount} 个问题，未导入任何数据 / ${r.errorCount} problems; nothing was imported`);
  else {
    const verb = r.dryRun ? '试运行（未写入）/ dry run, nothing written' : '已导入 / imported';
    lines.push(`${verb}: ${r.rows} 行 / rows`);
    for (const s of r.summary) {
      const loose = r.preview.find((p) => p.kind === s.kind)?.matchedLoosely ?? 0;
      lines.push(`  ${s.kind.padEnd(20)} 新增 added ${s.added}  更新 updated ${s.updated}  未变 unchanged ${s.unchanged}`
        + (loose ? `  （其中${loose}条按表中已有的关键列对应已有记录 / ${loose} matched on the key columns the sheet has）` : ''));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `xiezuo import`: imports workbooks and CSV files into a county-year, all or nothing. */
export function register(program: Command, ctx: Ctx): void {
  const out = ctx.out ?? ((s: string) => process.stdout.write(s));
  const err = ctx.err ?? ((s: string) => process.stderr.write(s));
  program.command('import')
    .description('import .xlsx/.csv ledgers into a county-year: all rows or none; problems are listed with file, sheet, row and column')
    .argument('<files...>', '.xlsx or .csv files (several files are imported together, in one transaction)')
    .requiredOption('--county <code>', 'county division code (6 digits)')
    .addOption(yearOption().makeOptionMandatory())
    .option('--dry-run', 'check and show what would change (added / updated / unchanged) without writing')
    .addOption(new Option('--ledger <kind>', 'read the sheets as this ledger (when names and headers do not say)').choices(LEDGERS.map((d) => d.kind)))
    .option('--json', 'print the result as JSON')
    .option('--annotate <dir>', 'folder for annotated copies of files with problems (default: the folder of the first file)')
    .option('--no-annotate', 'do not write annotated copies')
    .option('--progress', 'report progress on stderr')
    .action(async (files: string[], o: { county: string; year: number; dryRun?: boolean; ledger?: string; json?: boolean; annotate: string | boolean; progress?: boolean }) => {
      for (const f of files) if (!existsSync(f)) throw new CommanderError(1, 'xiezuo.file', `no such file: ${f}`);
      const store = await ctx.openStore();
      let r: ImportOutcome;
      try {
        const { importFiles } = await import('../services/imports.ts');
        r = await importFiles(store, SYSTEM, files.map((path) => ({ path })), {
          county: o.county, year: o.year, dryRun: o.dryRun, ledger: o.ledger,
          annotateDir: o.annotate === false ? undefined : typeof o.annotate === 'string' ? o.annotate : dirname(files[0]!),
          onProgress: o.progress ? (n) => err(`progress ${n}\n`) : undefined,
        });
      } finally {
        await store.close();
      }
      out(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatOutcome(r));
      if (r.errorCount > 0) process.exitCode = EXIT_PROBLEMS;
    });
}
