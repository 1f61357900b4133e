import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  changePassword, createApiToken, createUser, listApiTokens, listUsers, listUserTokens, newUserSchema, resetPassword, revokeAnyToken,
  revokeApiToken, ROLE_LABELS, signIn, signOut, tokenScopeSchema, unlockUser, updateUser, userChangeSchema, usernameSchema,
} from '../../services/accounts.ts';
import { forbidden } from '../../services/errors.ts';
import { clearSessionCookie, setSessionCookie } from '../auth.ts';
import { NewPassword, NewToken, SessionView, TokenView, UserListEntry, UserView } from '../../api/contract.ts';
import { idParam, route, type ServerDeps } from '../http.ts';

const usernameParam = z.object({ username: usernameSchema });

export function sessionRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'POST', url: '/api/session', tag: 'session', access: 'public',
    summary: 'Sign in with username and password; sets an HttpOnly session cookie and returns the CSRF token',
    body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) }),
    response: SessionView,
    handler: async ({ body, reply, req }) => {
      const s = await signIn(deps.store, body.username, body.password, { address: req.ip }).catch((e: unknown) => {
        req.log.warn({ user: body.username, reason: (e as Error).message }, 'sign-in refused');
        throw e;
      });
      setSessionCookie(reply, deps, req, s.token);
      req.log.info({ user: s.user.username }, 'signed in');
      return { user: s.user, csrf: s.csrf, roleLabel: ROLE_LABELS[s.user.role] };
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/session', tag: 'session', summary: 'The signed-in user and the CSRF token of the session',
    response: SessionView,
    handler: async ({ auth }) => ({ user: auth.user, csrf: auth.csrf ?? null, roleLabel: ROLE_LABELS[auth.user.role] }),
  });

  route(app, deps, {
    method: 'DELETE', url: '/api/session', tag: 'session', summary: 'Sign out',
    handler: async ({ auth, reply }) => {
      if (auth.sessionToken) await signOut(deps.store, auth.sessionToken);
      clearSessionCookie(reply);
    },
  });

  route(app, deps, {
    method: 'PUT', url: '/api/session/password', tag: 'session',
    summary: 'Change the caller\'s own password; the current one is required, other sessions of the user end and API tokens are revoked',
    body: z.object({ current: z.string().min(1).max(200), next: z.string().max(200) }),
    handler: async ({ auth, body, req }) => { await changePassword(deps.store, auth.user.username, body.current, body.next, auth.sessionToken, req.ip); },
  });

  route(app, deps, {
    method: 'GET', url: '/api/tokens', tag: 'session', summary: 'The caller\'s API tokens (without secrets)',
    response: z.array(TokenView),
    handler: async ({ auth }) => listApiTokens(deps.store, auth.user.username),
  });

  route(app, deps, {
    method: 'POST', url: '/api/tokens', tag: 'session', summary: 'Create an API token for scripts; the secret is shown once',
    body: z.object({ name: z.string().min(1).max(100) }).extend(tokenScopeSchema.partial().shape),
    response: NewToken,
    handler: async ({ auth, body }) => {
      if (auth.via !== 'session') throw forbidden('API令牌只能在登录后创建', 'API tokens are created from a signed-in session');
      const { name, ...scope } = body;
      return createApiToken(deps.store, auth.user.username, name, scope);
    },
  });

  route(app, deps, {
    method: 'DELETE', url: '/api/tokens/:id', tag: 'session', summary: 'Revoke one of the caller\'s API tokens',
    params: z.object({ id: idParam }),
    handler: async ({ auth, params }) => revokeApiToken(deps.store, auth.user.username, params.id),
  });

  route(app, deps, {
    method: 'GET', url: '/api/users', tag: 'accounts', summary: 'All accounts (administrators only)',
    response: z.array(UserListEntry),
    handler: async ({ actor }) => listUsers(deps.store, actor),
  });

  route(app, deps, {
    method: 'POST', url: '/api/users', tag: 'accounts', summary: 'Create an account (administrators only)',
    body: newUserSchema, response: UserView,
    handler: async ({ actor, body }) => {
      if (actor.role !== 'admin') throw forbidden('只有系统管理员可以管理账号', 'only administrators manage accounts');
      return createUser(deps.store, body, { by: actor });
    },
  });

  route(app, deps, {
    method: 'PUT', url: '/api/users/:username', tag: 'accounts',
    summary: 'Change an account: display name, role, units, ledgers, disabled (administrators only; audited; disabling ends sessions and revokes tokens)',
    params: usernameParam, body: userChangeSchema, response: UserView,
    handler: async ({ actor, params, body }) => updateUser(deps.store, actor, params.username, body),
  });

  route(app, deps, {
    method: 'POST', url: '/api/users/:username/unlock', tag: 'accounts', summary: 'Lift the lock put on an account by repeated wrong passwords (administrators only)',
    params: usernameParam, response: UserView,
    handler: async ({ actor, params }) => {
      if (actor.role !== 'admin') throw forbidden('只有系统管理员可以管理账号', 'only administrators manage accounts');
      return unlockUser(deps.store, actor, params.username);
    },
  });

  route(app, deps, {
    method: 'POST', url: '/api/users/:username/password', tag: 'accounts',
    summary: 'Reset a password to a new random one, shown once; the user\'s sessions end and tokens are revoked (administrators only)',
    params: usernameParam, response: NewPassword,
    handler: async ({ actor, params }) => ({ password: await resetPassword(deps.store, actor, params.username) }),
  });

  route(app, deps, {
    method: 'GET', url: '/api/users/:username/tokens', tag: 'accounts', summary: 'Every API token of an account, valid or not (administrators only)',
    params: usernameParam, response: z.array(TokenView),
    handler: async ({ actor, params }) => listUserTokens(deps.store, actor, params.username),
  });

  route(app, deps, {
    method: 'DELETE', url: '/api/users/:username/tokens/:id', tag: 'accounts', summary: 'Revoke any user\'s API token (administrators only)',
    params: usernameParam.extend({ id: idParam }),
    handler: async ({ actor, params }) => revokeAnyToken(deps.store, actor, params.username, params.id),
  });
}
