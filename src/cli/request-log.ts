import type { Writable } from 'node:stream';

type LogLine = {
  level?: number; time?: number; msg?: string; reqId?: string;
  req?: { method?: string; url?: string }; res?: { statusCode?: number }; responseTime?: number;
  err?: { message?: string; type?: string };
};

const LEVEL: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

const clock = (t: number | undefined) => new Date(t ?? Date.now()).toTimeString().slice(0, 8);

/**
 * A log destination for the server's JSON log lines that prints one readable line per request
 * ("10:42:07 GET /api/session → 200 3 ms") and one per warning or error. Lines that are not JSON pass
 * through unchanged. Used when stderr is a terminal; piped output keeps the JSON lines.
 */
export function prettyRequestLog(out: Pick<Writable, 'write'>): { write: (line: string) => void } {
  const pending = new Map<string, { method: string; url: string }>();
  return {
    write(line: string) {
      let j: LogLine;
      try {
        j = JSON.parse(line) as LogLine;
      } catch {
        out.write(line);
        return;
      }
      if (j.msg === 'incoming request' && j.reqId) {
        pending.set(j.reqId, { method: j.req?.method ?? '?', url: j.req?.url ?? '?' });
        return;
      }
      if (j.msg === 'request completed' && j.reqId) {
        const r = pending.get(j.reqId);
        pending.delete(j.reqId);
        const ms = j.responseTime === undefined ? '' : ` ${Math.round(j.responseTime)} ms`;
        out.write(`${clock(j.time)} ${r?.method ?? ''} ${r?.url ?? ''} → ${j.res?.statusCode ?? '?'}${ms}\n`);
        return;
      }
      const level = LEVEL[j.level ?? 30] ?? 'info';
      const detail = j.err?.message && j.err.message !== j.msg ? `: ${j.err.message}` : '';
      out.write(`${clock(j.time)} ${level === 'info' ? '' : `${level} `}${j.msg ?? ''}${detail}\n`);
    },
  };
}
