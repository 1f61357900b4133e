import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, actorOfToken, sessionFor, SESSION_HOURS, userForApiToken } from '../services/accounts.ts';
import { DomainError } from '../services/errors.ts';
import type { ServerDeps } from './http.ts';

export const SESSION_COOKIE = 'xz_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Resolves the caller of every /api request from a bearer API token or the session cookie, and
 * refuses state-changing requests made with a session cookie unless they carry the session's CSRF
 * token in the X-CSRF-Token header. Bearer tokens are never sent by browsers on their own, so they
 * need no CSRF token.
 */
export function installAuth(app: FastifyInstance, deps: ServerDeps): void {
  app.addHook('preHandler', async (req: FastifyRequest) => {
    if (!req.url.startsWith('/api/')) return;
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const user = await userForApiToken(deps.store, header.slice(7).trim());
      if (!user) throw new DomainError('UNAUTHENTICATED', 'API令牌无效、已过期或已撤销', 'the API token is invalid, expired or revoked');
      req.auth = { actor: actorOfToken(user), user, via: 'token' };
      // A read-only token changes nothing, whatever the route.
      if (user.scope.readOnly && !SAFE.has(req.method)) throw new DomainError('FORBIDDEN', '该令牌只读，不能修改数据', 'this token is read-only');
      return;
    }
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await sessionFor(deps.store, token) : undefined;
    if (session) req.auth = { actor: actorOf(session.user), user: session.user, via: 'session', csrf: session.csrf, sessionToken: token };
    if (SAFE.has(req.method) || !session) return;
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !same(sent, session.csrf))
      throw new DomainError('FORBIDDEN', '缺少或错误的CSRF令牌，请刷新页面后重试', 'missing or wrong CSRF token; reload the page and try again');
  });
}

export function setSessionCookie(reply: FastifyReply, deps: ServerDeps, req: FastifyRequest, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/', httpOnly: true, sameSite: 'strict', secure: deps.secureCookies ?? req.protocol === 'https', maxAge: SESSION_HOURS * 3600,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
