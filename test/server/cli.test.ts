import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredStore, type CliContext } from '../../src/cli/main.ts';
import { register as registerServe } from '../../src/cli/serve.ts';
import { register as registerUser } from '../../src/cli/user.ts';
import { signIn } from '../../src/services/accounts.ts';
import { openStore } from '../../src/store/db.ts';

describe('xiezuo user …', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-cli-'));
    file = join(dir, 'x.sqlite');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...args: string[]): Promise<{ out: string; err: string }> {
    let out = '';
    let err = '';
    const ctx: CliContext = {
      openStore: () => openConfiguredStore({ engine: 'sqlite', file }, { create: true }),
      out: (s) => { out += s; },
      err: (s) => { err += s; },
    };
    const program = new Command('xiezuo').exitOverride().configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
    registerUser(program, ctx);
    registerServe(program, ctx);
    await program.parseAsync(['node', 'xiezuo', ...args]);
    return { out, err };
  }

  it('creates an account with a random password printed once, which then signs in', async () => {
    const { out } = await run('user', 'add', 'li.ming', '--role', 'county_admin', '--units', '623023', '--name', '李明');
    const password = /password: (\S+)/.exec(out)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
    const s = openStore({ engine: 'sqlite', file });
    try {
      expect((await signIn(s, 'li.ming', password!)).user).toMatchObject({ role: 'county_admin', units: ['623023'], displayName: '李明' });
    } finally {
      await s.close();
    }
    expect((await run('user', 'list')).out).toMatch(/li\.ming\s+county_admin\s+623023/);
  });

  it('refuses a county role without a county and a taken username', async () => {
    await expect(run('user', 'add', 'x.y', '--role', 'county_clerk')).rejects.toThrow(/6-digit county codes/);
    await expect(run('user', 'add', 'li.ming', '--role', 'auditor', '--units', '62')).rejects.toThrow(/taken/);
  });

  it('prints an API token for scripts', async () => {
    expect((await run('user', 'token', 'li.ming', '--name', 'nightly')).out).toMatch(/^xz_[A-Za-z0-9_-]{40}\n$/);
  });

  it('registers serve and start with port and host options', () => {
    const program = new Command('xiezuo');
    registerServe(program, { openStore: async () => { throw new Error('unused'); }, out: () => undefined, err: () => undefined });
    const serve = program.commands.find((c) => c.name() === 'serve')!;
    expect(serve.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--port', '--host']));
    expect(program.commands.map((c) => c.name())).toContain('start');
  });
});
