import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Command, CommanderError, Option } from 'commander';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.ts';
import { ROLE_LABELS } from '../services/accounts.ts';
import { ROOT } from '../services/config.ts';
import { demoLoaded, demoOnFirstStart } from '../services/demo.ts';
import { invalid } from '../services/errors.ts';
import { configFromEnv, type Store } from '../store/db.ts';
import type { CliContext } from './main.ts';

/** Where the built web app lives. */
export const WEB_DIST = join(ROOT, 'web', 'dist');

/**
 * The data folder (evidence files): XIEZUO_DATA on every engine; with SQLite it defaults to the
 * database file's folder. PostgreSQL has no file to stand beside, so there it must be set: a folder
 * that followed the working directory would lose the evidence when started from elsewhere.
 */
export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XIEZUO_DATA) return resolve(env.XIEZUO_DATA);
  const c = configFromEnv(env);
  if (c.engine === 'sqlite' && c.file !== ':memory:') return resolve(dirname(c.file));
  throw invalid('使用 PostgreSQL 时须设置数据文件夹 XIEZUO_DATA（存放佐证材料）', 'with PostgreSQL, set the data folder XIEZUO_DATA (where evidence files are kept)');
}

/** The newest modification time of the files under a folder (0 when it does not exist). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the web app with Vite when it is not built yet or its sources changed since the last build. */
export async function ensureWebBuilt(log: (s: string) => void): Promise<void> {
  const index = join(WEB_DIST, 'index.html');
  const web = join(ROOT, 'web');
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(newest(join(web, 'src')), statSync(join(web, 'index.html')).mtimeMs)) return;
  log('building the web app…\n');
  const vite = await import('vite');
  await vite.build({ configFile: join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
}

const portOpt = () => new Option('--port <port>', 'TCP port').default(process.env.PORT ?? '8080').argParser((v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CommanderError(1, 'xiezuo.port', `--port must be 0–65535, not '${v}'`);
  return String(n);
});
const hostOpt = () => new Option('--host <host>', 'address to listen on (0.0.0.0 for every interface)').default(process.env.HOST ?? '127.0.0.1');

/** Listens until SIGINT or SIGTERM, then closes the server and the store. */
async function runUntilStopped(app: FastifyInstance, store: Store, host: string, port: number, ctx: CliContext, banner: (url: string) => string): Promise<void> {
  const address = await app.listen({ host, port });
  const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '[::1]');
  ctx.err(banner(url));
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void app.close().then(() => store.close()).then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `xiezuo serve` and `xiezuo start` (what `npm start` runs). */
export function register(program: Command, ctx: CliContext): void {
  program.command('serve')
    .description('serve the web app and the JSON API (/api, OpenAPI at /api/openapi.json)')
    .addOption(portOpt()).addOption(hostOpt())
    .option('--quiet', 'no request log')
    .action(async (o: { port: string; host: string; quiet?: boolean }) => {
      const store = await ctx.openStore();
      const app = await buildApp({ store, dataDir: dataDirFromEnv(), webDir: WEB_DIST }, { logger: o.quiet ? false : { level: 'info' } });
      if (!existsSync(join(WEB_DIST, 'index.html'))) ctx.err('note: the web app is not built (npm run build:web); serving the API only\n');
      await runUntilStopped(app, store, o.host, Number(o.port), ctx, (url) => `xiezuo serving ${url}\n`);
    });

  program.command('start')
    .description('first-run friendly serve: migrate; into an empty database load the 舟曲县 2022 demo and create its accounts (printed once); build the web app; serve')
    .addOption(portOpt()).addOption(hostOpt())
    .option('--no-demo', 'do not load the demo dataset')
    .option('--quiet', 'no request log')
    .action(async (o: { port: string; host: string; demo: boolean; quiet?: boolean }) => {
      await ensureWebBuilt(ctx.err);
      const dataDir = dataDirFromEnv();
      const store = await ctx.openStore();
      // The demo goes only into an empty database, and its accounts are created then and only then:
      // a database holding anything — real data, real accounts — is never given demo data or
      // demo accounts, and no account is ever reset or printed here.
      const { loaded, accounts } = await demoOnFirstStart(store, o.demo);
      if (loaded) ctx.err(`demo dataset loaded into the empty database: county ${loaded.county}, year ${loaded.year}, ${loaded.records} records\n`);
      const demo = accounts.length === 0 && (await demoLoaded(store));
      const app = await buildApp({ store, dataDir, webDir: WEB_DIST }, { logger: o.quiet ? false : { level: 'info' } });
      await runUntilStopped(app, store, o.host, Number(o.port), ctx, (url) => {
        const lines = [`\n  协作 Xiezuo is running: ${url}\n`];
        if (accounts.length) {
          lines.push('\n  演示账号 Demo accounts (舟曲县 623023, 2022) — shown this once; keep them:\n');
          for (const a of accounts) lines.push(`    ${a.username.padEnd(16)} ${a.password}   ${ROLE_LABELS[a.role].zh} / ${ROLE_LABELS[a.role].en}\n`);
        } else if (demo) lines.push('  演示数据库：演示账号的密码只在首次启动时显示；忘记时用 `xiezuo user passwd <用户名>` 重设。\n  Demo database: the demo passwords were shown at the first start; reset one with `xiezuo user passwd <name>`.\n');
        else lines.push('  用 `xiezuo user add` 创建账号 / create accounts with `xiezuo user add`.\n');
        return `${lines.join('')}\n`;
      });
    });
}
