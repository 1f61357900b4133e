import { readFileSync } from 'node:fs';
import { type Command, CommanderError, Option } from 'commander';
import { createApiToken, createUser, findUser, randomPassword, ROLE_LABELS, ROLES, setPassword } from '../services/accounts.ts';
import { accountsDb } from '../store/schema-accounts.ts';
import type { CliContext } from './main.ts';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

/** A password from stdin (first line) or a fresh random one, which is then printed once. */
function passwordFrom(stdin: boolean | undefined): { password: string; generated: boolean } {
  if (!stdin) return { password: randomPassword(), generated: true };
  const line = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  if (!line) throw new CommanderError(1, 'xiezuo.password', 'no password on stdin');
  return { password: line, generated: false };
}

/** `xiezuo user add|passwd|list|token`: accounts without the web app. No account gets a default password. */
export function register(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('manage accounts (roles: ' + ROLES.join(', ') + ')');

  user.command('add <username>')
    .description('create an account; prints a random password unless --password-stdin is given')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .option('--units <codes>', 'comma-separated division codes the user acts for, e.g. 623023 or 62', list, [])
    .option('--ledgers <kinds>', 'county clerks: comma-separated ledger kinds of their department', list)
    .option('--name <display name>', 'display name (defaults to the username)')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (username: string, o: { role: (typeof ROLES)[number]; units: string[]; ledgers?: string[]; name?: string; passwordStdin?: boolean }) => {
      const store = await ctx.openStore();
      try {
        const { password, generated } = passwordFrom(o.passwordStdin);
        const u = await createUser(store, { username, displayName: o.name ?? username, password, role: o.role, units: o.units, ...(o.ledgers ? { ledgers: o.ledgers } : {}) });
        ctx.out(`created ${u.username} (${ROLE_LABELS[u.role].zh}; units ${u.units.join(',') || '—'})\n`);
        if (generated) ctx.out(`password: ${password}\n`);
      } finally {
        await store.close();
      }
    });

  user.command('passwd <username>')
    .description('set a new password (random and printed, or from stdin) and end the user\'s sessions')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (username: string, o: { passwordStdin?: boolean }) => {
      const store = await ctx.openStore();
      try {
        const { password, generated } = passwordFrom(o.passwordStdin);
        await setPassword(store, username, password);
        ctx.out(generated ? `new password for ${username}: ${password}\n` : `password of ${username} changed\n`);
      } finally {
        await store.close();
      }
    });

  user.command('list')
    .description('list accounts')
    .action(async () => {
      const store = await ctx.openStore();
      try {
        const rows = await accountsDb(store).selectFrom('app_user').select(['username', 'role', 'units_json', 'disabled']).orderBy('username').execute();
        for (const r of rows) ctx.out(`${r.username.padEnd(20)} ${r.role.padEnd(14)} ${(JSON.parse(r.units_json) as string[]).join(',')}${Number(r.disabled) ? '  (disabled)' : ''}\n`);
      } finally {
        await store.close();
      }
    });

  user.command('token <username>')
    .description('create an API token for scripts (Authorization: Bearer …); printed once')
    .requiredOption('--name <name>', 'what the token is for')
    .action(async (username: string, o: { name: string }) => {
      const store = await ctx.openStore();
      try {
        if (!(await findUser(store, username))) throw new CommanderError(1, 'xiezuo.user', `no user ${username}`);
        const t = await createApiToken(store, username, o.name);
        ctx.out(`${t.token}\n`);
      } finally {
        await store.close();
      }
    });
}
