import type { Command } from 'commander';
import { verifyAuditLog } from '../services/audit.ts';
import { backup, restore } from '../services/backup.ts';
import { dataDirFromEnv } from './serve.ts';
import { EXIT, type CliContext } from './main.ts';

/** `xiezuo backup`, `xiezuo restore`, `xiezuo audit-log verify`. */
export function register(program: Command, ctx: CliContext): void {
  program.command('backup')
    .description('备份整个系统（所有表、佐证材料、部署信息）/ back up every table, the evidence files and the deployment facts into one file')
    .requiredOption('--out <file>', 'the backup file to write (gzip JSON lines; keep it as safe as the database)')
    .action(async (o: { out: string }) => {
      const dataDir = dataDirFromEnv();
      const store = await ctx.openStore();
      try {
        const s = await backup(store, dataDir, o.out);
        const rows = Object.values(s.tables).reduce((a, b) => a + b, 0);
        ctx.out(`backup written: ${o.out} (${Object.keys(s.tables).length} tables, ${rows} rows, ${s.files} files)\n`);
        ctx.err('the resident-ID key is not in the backup: back it up apart (XIEZUO_SECRET or XIEZUO_ID_KEY_FILE)\n');
      } finally {
        await store.close();
      }
    });

  program.command('restore <file>')
    .description('恢复备份到空数据库 / restore a backup into an empty database and data folder')
    .action(async (file: string) => {
      const dataDir = dataDirFromEnv();
      const store = await ctx.openStore();
      try {
        const s = await restore(store, dataDir, file);
        const rows = Object.values(s.tables).reduce((a, b) => a + b, 0);
        ctx.out(`restored ${file}: ${Object.keys(s.tables).length} tables, ${rows} rows, ${s.files} files\n`);
      } finally {
        await store.close();
      }
    });

  const log = program.command('audit-log').description('审计日志 / the audit log');
  log.command('verify')
    .description('检查审计日志的哈希链，指出被修改、删除或调换顺序的记录 / check the hash chain; name every edited, deleted or reordered entry (exit 3 when any)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const store = await ctx.openStore();
      try {
        const r = await verifyAuditLog(store);
        if (o.json) ctx.out(`${JSON.stringify(r, null, 2)}\n`);
        else {
          for (const p of r.problems) ctx.out(`${p.kind.toUpperCase().padEnd(10)} ${p.zh} / ${p.en}\n`);
          ctx.out(r.problems.length
            ? `审计日志被改动：${r.problems.length}处 / the audit log was tampered with: ${r.problems.length} problem(s) in ${r.entries} entries\n`
            : `审计日志完好：${r.entries}条 / the audit log is intact: ${r.entries} entries; head ${r.head ? `${r.head.seq} ${r.head.hash}` : '—'}\n`);
        }
        if (r.problems.length) process.exitCode = EXIT.checksFailed;
      } finally {
        await store.close();
      }
    });
}
