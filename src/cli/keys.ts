import type { Command } from 'commander';
import { rotateIdKey } from '../services/pii.ts';
import { SYSTEM } from '../services/scope.ts';
import { CliError } from './errors.ts';
import type { CliContext } from './main.ts';

/** `xiezuo keys rotate`: a new resident-ID key, every stored hash re-keyed with it. */
export function register(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('身份证号密钥 / the resident-ID key');
  keys.command('rotate')
    .description('轮换身份证号密钥：生成新密钥并在一个事务中重算所有哈希（请先停止服务）/ rotate the resident-ID key: a new key, every stored hash re-keyed in one transaction (stop the server first)')
    .option('--out <file>', '密钥来自 XIEZUO_SECRET 时，新密钥链写入此文件 / with XIEZUO_SECRET: the file to write the new key chain to')
    .action(async (o: { out?: string }, cmd: Command) => {
      if (cmd.args.length) throw new CliError(`多余的参数：${cmd.args.join(' ')}`, `unexpected argument: ${cmd.args.join(' ')}`);
      const store = await ctx.openStore();
      try {
        const r = await rotateIdKey(store, SYSTEM.id, process.env, o.out);
        const rows = Object.values(r.tables).reduce((a, b) => a + b, 0);
        ctx.out(`resident-ID key rotated: ${rows} hashes re-keyed in ${Object.keys(r.tables).length} tables; ${r.keys} keys in the chain, written to ${r.file}; fingerprint ${r.fingerprint}\n`);
        if (process.env.XIEZUO_SECRET)
          ctx.err(`put the content of ${r.file} (one key per line) in XIEZUO_SECRET, or point XIEZUO_ID_KEY_FILE at it, before the next command; back it up apart from the data\n`);
        else ctx.err('back up the key file again, apart from the data: backups made from now on need the new chain\n');
      } finally {
        await store.close();
      }
    });
}
