import { readFileSync } from 'node:fs';
import { type Command, CommanderError, Option } from 'commander';
import { createApiToken, createUser, findUser, listUserTokens, randomPassword, revokeAnyToken, ROLE_LABELS, ROLES, setPassword, unlockUser, updateUser } from '../services/accounts.ts';
import { SYSTEM } from '../services/scope.ts';
import { listUserRows } from '../store/accounts-repo.ts';
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
    .option('--units <codes>', 'comma-separated division codes the user acts for (a county, prefecture or province)', list, [])
    .option('--ledgers <kinds>', 'county clerks: comma-separated ledger kinds of their department', list)
    .option('--name <display name>', 'display name (defaults to the username)')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (username: string, o: { role: (typeof ROLES)[number]; units: string[]; ledgers?: string[]; name?: string; passwordStdin?: boolean }) => {
      const store = await ctx.openStore();
      try {
        const { password, generated } = passwordFrom(o.passwordStdin);
        const u = await createUser(store, { username, displayName: o.name ?? username, password, role: o.role, units: o.units, ...(o.ledgers ? { ledgers: o.ledgers } : {}) }, { by: SYSTEM });
        ctx.out(`created ${u.username} (${ROLE_LABELS[u.role].zh}; units ${u.units.join(',') || '—'})\n`);
        if (generated) ctx.out(`password: ${password}\n`);
      } finally {
        await store.close();
      }
    });

  user.command('passwd <username>')
    .description('set a new password (random and printed, or from stdin), end the user\'s sessions, revoke its API tokens and lift a lock')
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
        const rows = await listUserRows(accountsDb(store));
        for (const r of rows) ctx.out(`${r.username.padEnd(20)} ${r.role.padEnd(14)} ${(JSON.parse(r.units_json) as string[]).join(',')}${Number(r.disabled) ? '  (disabled)' : ''}${r.locked_at ? '  (locked)' : ''}${Number(r.demo) ? '  (demo)' : ''}\n`);
      } finally {
        await store.close();
      }
    });

  user.command('token <username>')
    .description('create an API token for scripts (Authorization: Bearer …); printed once')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--read-only', 'the token may only read')
    .option('--county <code>', 'the token reaches only this county (6 digits)')
    .option('--days <n>', 'the token stops working after this many days', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 3660) throw new CommanderError(1, 'xiezuo.days', `--days must be 1–3660, not '${v}'`);
      return n;
    })
    .action(async (username: string, o: { name: string; readOnly?: boolean; county?: string; days?: number }) => {
      const store = await ctx.openStore();
      try {
        if (!(await findUser(store, username))) throw new CommanderError(1, 'xiezuo.user', `no user ${username}`);
        const t = await createApiToken(store, username, o.name, { readOnly: Boolean(o.readOnly), county: o.county ?? null, days: o.days ?? null });
        ctx.out(`${t.token}\n`);
      } finally {
        await store.close();
      }
    });

  const simple = (name: string, description: string, run: (store: Awaited<ReturnType<CliContext['openStore']>>, username: string) => Promise<string>) =>
    user.command(`${name} <username>`).description(description).action(async (username: string) => {
      const store = await ctx.openStore();
      try {
        ctx.out(`${await run(store, username)}\n`);
      } finally {
        await store.close();
      }
    });
  simple('disable', 'disable an account: its sessions end and its API tokens are revoked (audited)', async (s, u) => {
    await updateUser(s, SYSTEM, u, { disabled: true });
    return `${u} disabled`;
  });
  simple('enable', 'enable a disabled account again (audited)', async (s, u) => {
    await updateUser(s, SYSTEM, u, { disabled: false });
    return `${u} enabled`;
  });
  simple('unlock', 'lift the lock that repeated wrong passwords put on an account (audited)', async (s, u) => {
    await unlockUser(s, SYSTEM, u);
    return `${u} unlocked`;
  });
  simple('tokens', 'list every API token of an account, valid or not', async (s, u) => (await listUserTokens(s, SYSTEM, u)).map((t) =>
    `${String(t.id).padEnd(5)} ${t.prefix}…  ${t.name}  ${t.readOnly ? 'read-only' : 'read-write'}  ${t.county ?? 'all units'}  ${t.expiresAt ? `until ${t.expiresAt}` : 'no expiry'}${t.revokedAt ? `  revoked ${t.revokedAt}` : ''}`).join('\n') || 'no tokens');

  user.command('revoke <username> <id>')
    .description('revoke one API token of an account (see `user tokens`; audited)')
    .action(async (username: string, id: string) => {
      if (!/^\d+$/.test(id)) throw new CommanderError(1, 'xiezuo.id', `the token id is a number, not '${id}'`);
      const store = await ctx.openStore();
      try {
        await revokeAnyToken(store, SYSTEM, username, Number(id));
        ctx.out(`token ${id} of ${username} revoked\n`);
      } finally {
        await store.close();
      }
    });

  user.command('set <username>')
    .description('change an account\'s role, units, ledgers or display name (audited; open sessions end when role or units change)')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]))
    .option('--units <codes>', 'comma-separated division codes', list)
    .option('--ledgers <kinds>', 'county clerks: comma-separated ledger kinds of their department', list)
    .option('--name <display name>', 'display name')
    .action(async (username: string, o: { role?: (typeof ROLES)[number]; units?: string[]; ledgers?: string[]; name?: string }) => {
      const store = await ctx.openStore();
      try {
        const u = await updateUser(store, SYSTEM, username, { ...(o.role ? { role: o.role } : {}), ...(o.units ? { units: o.units } : {}), ...(o.ledgers ? { ledgers: o.ledgers } : {}), ...(o.name ? { displayName: o.name } : {}) });
        ctx.out(`${u.username}: ${ROLE_LABELS[u.role].zh}; units ${u.units.join(',') || '—'}${u.ledgers ? `; ledgers ${u.ledgers.join(',')}` : ''}\n`);
      } finally {
        await store.close();
      }
    });
}
