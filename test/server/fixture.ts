import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { createDemoAccounts, createUser } from '../../src/services/accounts.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import type { Store } from '../../src/store/db.ts';
import { freshStore } from '../support/engines.ts';

export const COUNTY = '623023';
export const OTHER_COUNTY = '623024';
export const YEAR = 2022;
export const PASSWORD = 'correct horse battery';

/** Accounts whose units do not cover 舟曲县 623023, one per role that has a scope. */
export const OUTSIDERS = [
  { username: 'diebu.clerk', displayName: '迭部县填报员', role: 'county_clerk', units: [OTHER_COUNTY] },
  { username: 'diebu.admin', displayName: '迭部县审核员', role: 'county_admin', units: [OTHER_COUNTY] },
  { username: 'pudong.user', displayName: '浦东新区用户', role: 'east_user', units: ['310115'] },
  { username: 'qinghai.province', displayName: '青海省用户', role: 'province_user', units: ['63'] },
  { username: 'diebu.auditor', displayName: '迭部县审计', role: 'auditor', units: [OTHER_COUNTY] },
] as const;

export interface Client {
  username: string;
  cookie: string;
  csrf: string;
  /** A request with this user's cookie and CSRF header. */
  req(opts: InjectOptions): Promise<LightMyRequestResponse>;
}

export interface Fixture {
  app: FastifyInstance;
  store: Store;
  dataDir: string;
  /** Demo users by username → password. */
  passwords: Map<string, string>;
  signIn(username: string): Promise<Client>;
  dispose(): Promise<void>;
}

/**
 * A server over a fresh database holding the 舟曲县 2022 demo, its demo accounts, one record in a
 * neighbouring county (迭部县) and accounts scoped outside 舟曲县.
 */
export async function demoServer(engine: 'sqlite' | 'postgres'): Promise<Fixture> {
  const t = await freshStore(engine);
  const store = t.store;
  await loadDemo(store);
  const passwords = new Map((await createDemoAccounts(store)).map((a) => [a.username, a.password]));
  for (const u of OUTSIDERS) {
    await createUser(store, { ...u, units: [...u.units], password: PASSWORD });
    passwords.set(u.username, PASSWORD);
  }
  await createRecord(store, SYSTEM, 'fund_allocation', OTHER_COUNTY, YEAR, { category: 'industry', amount: 1_000_000, source: '迭部测试' });
  const dataDir = mkdtempSync(join(tmpdir(), 'xiezuo-test-'));
  const app = await buildApp({ store, dataDir });
  const signIn = async (username: string): Promise<Client> => {
    const r = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password: passwords.get(username) } });
    if (r.statusCode !== 200) throw new Error(`sign-in of ${username} failed: ${r.statusCode} ${r.body}`);
    const cookie = r.cookies.find((c) => c.name === 'xz_session')!.value;
    const csrf = (r.json() as { csrf: string }).csrf;
    return {
      username, cookie, csrf,
      req: (opts) => app.inject({ ...opts, cookies: { xz_session: cookie, ...(opts.cookies ?? {}) }, headers: { 'x-csrf-token': csrf, ...(opts.headers ?? {}) } }),
    };
  };
  return {
    app, store, dataDir, passwords, signIn,
    dispose: async () => {
      await app.close();
      await t.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
