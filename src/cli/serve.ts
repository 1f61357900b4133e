import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { FastifyInstance } from 'fastify';
import { ROOT } from '../services/config.ts';
import { invalid } from '../services/errors.ts';
import { configFromEnv } from '../store/config.ts';
import type { Store } from '../store/db.ts';
import { usageError } from './errors.ts';
import type { CliContext } from './main.ts';
import { prettyRequestLog } from './request-log.ts';

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
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(newest(join(web, 'src')), newest(join(web, 'public')), statSync(join(web, 'index.html')).mtimeMs)) return;
  log('building the web app…\n');
  const vite = await import('vite');
  await vite.build({ configFile: join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
}

const portOpt = () => new Option('--port <port>', '端口 / TCP port').default(process.env.PORT ?? '8080').argParser((v) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw usageError(`--port 应为 0–65535 的整数，而不是“${v}”`, `--port must be 0–65535, not '${v}'`);
  return String(n);
});
const hostOpt = () => new Option('--host <host>', '监听地址（0.0.0.0 为所有网卡）/ address to listen on (0.0.0.0 for every interface)').default(process.env.HOST ?? '127.0.0.1');
const quietOpt = () => new Option('--quiet', '不记录请求 / no request log');

/**
 * The request log: one readable line per request in a terminal, JSON lines (for log collectors)
 * when stderr is piped or XIEZUO_LOG=json.
 */
function requestLogger(quiet: boolean | undefined) {
  if (quiet) return false;
  const json = process.env.XIEZUO_LOG === 'json' || (!process.stderr.isTTY && process.env.XIEZUO_LOG !== 'pretty');
  return { level: 'info', stream: json ? process.stderr : prettyRequestLog(process.stderr) };
}

/** Listens until SIGINT or SIGTERM, then closes the server and the store. */
async function runUntilStopped(app: FastifyInstance, store: Store, host: string, port: number, ctx: CliContext, banner: (url: string) => string): Promise<void> {
  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (e) {
    await app.close().catch(() => undefined);
    await store.close();
    throw e;
  }
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
    .description('提供网页应用和 JSON 接口 / serve the web app and the JSON API (/api, OpenAPI at /api/openapi.json)')
    .addOption(portOpt()).addOption(hostOpt()).addOption(quietOpt())
    .action(async (o: { port: string; host: string; quiet?: boolean }) => {
      const { buildApp } = await import('../server/app.ts');
      const store = await ctx.openStore();
      const app = await buildApp({ store, dataDir: dataDirFromEnv(), webDir: WEB_DIST }, { logger: requestLogger(o.quiet) });
      if (!existsSync(join(WEB_DIST, 'index.html'))) ctx.err('note: the web app is not built (npm run build:web); serving the API only\n');
      await runUntilStopped(app, store, o.host, Number(o.port), ctx, (url) => `xiezuo serving ${url}\n`);
    });

  program.command('start')
    .description('首次使用：建库；空库时载入演示数据并创建演示账号（只显示一次）；构建网页并启动 / first-run friendly serve: migrate; into an empty database load the demo and create its accounts (printed once); build the web app; serve')
    .addOption(portOpt()).addOption(hostOpt())
    .option('--no-demo', '不载入演示数据 / do not load the demo dataset')
    .addOption(quietOpt())
    .action(async (o: { port: string; host: string; demo: boolean; quiet?: boolean }) => {
      await ensureWebBuilt(ctx.err);
      const { buildApp } = await import('../server/app.ts');
      const { ROLE_LABELS } = await import('../services/accounts.ts');
      const { demoLoaded, demoOnFirstStart } = await import('../services/demo.ts');
      const dataDir = dataDirFromEnv();
      const store = await ctx.openStore({ create: true });
      // The demo goes only into an empty database, and its accounts are created then and only then:
      // a database holding anything — real data, real accounts — is never given demo data or
      // demo accounts, and no account is ever reset or printed here.
      const { loaded, accounts } = await demoOnFirstStart(store, o.demo);
      if (loaded) ctx.err(`demo dataset loaded into the empty database: county ${loaded.county}, year ${loaded.year}, ${loaded.records} records\n`);
      const demo = accounts.length === 0 && (await demoLoaded(store));
      const app = await buildApp({ store, dataDir, webDir: WEB_DIST }, { logger: requestLogger(o.quiet) });
      await runUntilStopped(app, store, o.host, Number(o.port), ctx, (url) => {
        const lines = [`\n  协作 Xiezuo is running: ${url}\n`];
        if (accounts.length) {
          lines.push('\n  演示账号 Demo accounts (the demo dataset) — shown this once; keep them:\n');
          for (const a of accounts) lines.push(`    ${a.username.padEnd(16)} ${a.password}   ${ROLE_LABELS[a.role].zh} / ${ROLE_LABELS[a.role].en}\n`);
        } else if (demo) lines.push('  演示数据库：演示账号的密码只在首次启动时显示；忘记时用 `xiezuo user passwd <用户名>` 重设。\n  Demo database: the demo passwords were shown at the first start; reset one with `xiezuo user passwd <name>`.\n');
        else lines.push('  用 `xiezuo user add` 创建账号 / create accounts with `xiezuo user add`.\n');
        return `${lines.join('')}\n`;
      });
    });
}
