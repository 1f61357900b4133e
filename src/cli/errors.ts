import { CommanderError } from 'commander';
import { CatalogueInvalid, DomainError } from '../services/errors.ts';
import type { ReportJob } from '../services/report-jobs.ts';

/**
 * Exit codes of the `xiezuo` command (README "Command line"):
 * 0 success; 1 usage or input error (a bad option, a missing or unreadable input file);
 * 2 refused (not found, forbidden, conflict; no database yet, database unreachable, port in use);
 * 3 validation checks failed; 4 unexpected internal error.
 */
export const EXIT = { ok: 0, usage: 1, refused: 2, checksFailed: 3, internal: 4 } as const;

/** A user mistake with a bilingual one-line message; `main` prints it and exits with `exit`. */
export class CliError extends Error {
  constructor(readonly zh: string, readonly en: string, readonly exit: number = EXIT.usage) {
    super(en);
    this.name = 'CliError';
  }
}

/** A usage mistake found while parsing options (thrown from option parsers, where commander expects a CommanderError). */
export function usageError(zh: string, en: string): CommanderError {
  return new CommanderError(EXIT.usage, 'xiezuo.usage', `${zh} / ${en}`);
}

const quoted = (s: string) => [...s.matchAll(/'([^']*)'/g)].map((m) => m[1]!);

/** The bilingual line for one of commander's own parse errors; null when the error is not one of them. */
function commanderLine(e: CommanderError): string | null {
  const q = quoted(e.message);
  switch (e.code) {
    case 'xiezuo.usage': return e.message;
    case 'commander.unknownOption': return `未知选项 ${q[0]} / unknown option ${q[0]}`;
    case 'commander.unknownCommand': return `未知命令 ${q[0]} / unknown command ${q[0]}`;
    case 'commander.missingMandatoryOptionValue': return `缺少必填选项 ${q[0]} / required option ${q[0]} not given`;
    case 'commander.missingArgument': return `缺少参数 ${q[0]} / missing argument ${q[0]}`;
    case 'commander.optionMissingArgument': return `选项 ${q[0]} 缺少取值 / option ${q[0]} needs a value`;
    case 'commander.excessArguments': return `参数过多 / too many arguments`;
    case 'commander.conflictingOption': return `选项冲突 / conflicting options: ${e.message.replace(/^error: /, '')}`;
    case 'commander.invalidArgument': {
      const choices = /Allowed choices are (.*)\.$/.exec(e.message)?.[1];
      return choices
        ? `${q[0]} 不能取 ${q[1]}，可选：${choices} / ${q[0]} cannot be ${q[1]}; choose from ${choices}`
        : `选项取值无效 / invalid value: ${e.message.replace(/^error: /, '')}`;
    }
    default: return null;
  }
}

const errno = (e: unknown): NodeJS.ErrnoException | undefined => (e && typeof e === 'object' ? (e as NodeJS.ErrnoException) : undefined);

/** The innermost error of a `cause` chain that carries a system or PostgreSQL error code. */
function codedCause(e: unknown): NodeJS.ErrnoException | undefined {
  let cur = errno(e);
  let coded: NodeJS.ErrnoException | undefined;
  for (let i = 0; cur && i < 5; i++, cur = errno(cur.cause)) if (cur.code) coded = cur;
  return coded ?? errno(e);
}

const DB_UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', '3D000', '28P01', '28000']);

/**
 * Maps any error that reaches the top of the CLI to one printed line and an exit code. This is the
 * only place that decides how a failure reads on the command line; it never prints a stack trace
 * unless XIEZUO_DEBUG is set.
 */
export function describeFailure(e: unknown, env: NodeJS.ProcessEnv = process.env): { line: string | null; exit: number } {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return { line: null, exit: EXIT.ok };
    const line = commanderLine(e);
    return { line: line ?? e.message.replace(/^error: /, ''), exit: EXIT.usage };
  }
  if (e instanceof CliError) return { line: `${e.zh} / ${e.en}`, exit: e.exit };
  if (e instanceof DomainError) return { line: `${e.zh} / ${e.en}`, exit: e.code === 'INVALID' ? EXIT.usage : EXIT.refused };
  if (e instanceof CatalogueInvalid) return { line: `指标目录有误 / the indicator catalogue is invalid:\n${e.message}`, exit: EXIT.usage };
  const err = codedCause(e);
  const code = String(err?.code ?? '');
  if (DB_UNREACHABLE.has(code)) {
    const where = env.DATABASE_URL ? ` (${redactUrl(env.DATABASE_URL)})` : '';
    return { line: `无法连接数据库${where}：${err?.message} / cannot reach the database${where}: ${err?.message}`, exit: EXIT.refused };
  }
  // A setting read from the environment is wrong: the error carries both languages.
  if (code === 'XIEZUO_SETTING') return { line: `${String((err as { zh?: unknown }).zh ?? '')} / ${err?.message ?? ''}`, exit: EXIT.usage };
  if (code === 'EADDRINUSE') {
    const port = /:(\d+)$/.exec(err?.message ?? '')?.[1] ?? '';
    return { line: `端口 ${port} 已被占用，请关闭占用它的程序或用 --port 换一个 / port ${port} is already in use; stop the other program or choose another with --port`, exit: EXIT.refused };
  }
  if (code === 'EACCES' && err?.syscall === 'listen') return { line: `无权监听该端口 / not allowed to listen on that port: ${err.message}`, exit: EXIT.refused };
  const path = err?.path ? String(err.path) : '';
  if (code === 'ENOENT') return { line: `找不到文件或目录：${path} / no such file or directory: ${path}`, exit: EXIT.usage };
  if (code === 'EACCES' || code === 'EPERM') return { line: `没有访问权限：${path} / permission denied: ${path}`, exit: EXIT.usage };
  if (code === 'EISDIR') return { line: `这是一个目录，不是文件：${path} / is a directory, not a file: ${path}`, exit: EXIT.usage };
  if (code === 'ENOTDIR') return { line: `路径中有一段不是目录：${path} / not a directory: ${path}`, exit: EXIT.usage };
  const message = e instanceof Error ? e.message : String(e);
  if (env.XIEZUO_DEBUG && e instanceof Error) return { line: e.stack ?? message, exit: EXIT.internal };
  return { line: `意外错误 / unexpected error: ${message}（设置 XIEZUO_DEBUG=1 可查看详情 / set XIEZUO_DEBUG=1 for details）`, exit: EXIT.internal };
}

/** A connection string with its password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * How `report --all` ends once its zip is written: a summary line on stderr when every county's
 * report is in it; when some could not be written, the zip is still kept (with the list of those
 * counties inside) but the command fails with exit 3, so a script that checks the exit code notices.
 */
export function zipOutcome(out: string, job: Pick<ReportJob, 'total' | 'failures'>): string | CliError {
  const written = job.total - job.failures.length;
  if (!job.failures.length) return `written ${out}: ${written} reports\n`;
  const codes = job.failures.map((f) => f.code).join(', ');
  return new CliError(
    `已写出 ${out}：${written}份报告，${job.failures.length}个县未能生成（${codes}），名单见压缩包内`,
    `written ${out}: ${written} reports, ${job.failures.length} failed (${codes}); the list is inside the zip`,
    EXIT.checksFailed,
  );
}
