import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UserView } from '../services/accounts.ts';
import { DomainError } from '../services/errors.ts';
import { sendJsonText } from './compressed.ts';
import { installBilingualMessages } from './messages.ts';
import type { Actor } from '../services/scope.ts';
import type { Store } from '../store/db.ts';

/** What the auth hook attaches to a request that carries a valid session or API token. */
export interface Auth {
  actor: Actor;
  user: UserView;
  via: 'session' | 'token';
  csrf?: string;
  sessionToken?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: Auth;
  }
}

export interface ServerDeps {
  store: Store;
  /** Folder for evidence files (next to the SQLite file, or XIEZUO_DATA). */
  dataDir: string;
  /** Built web app to serve, when present. */
  webDir?: string;
  /** Send the session cookie with `Secure`; on by default behind HTTPS. */
  secureCookies?: boolean;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The caller; routes marked `public` may see it undefined. */
  actor: Actor;
  auth: Auth;
  req: FastifyRequest;
  reply: FastifyReply;
  deps: ServerDeps;
}

/** A value of T, or of T with any of its arrays and objects read-only: what a service may hand back as an answer. */
export type Answer<T> = T extends ReadonlyArray<infer E> ? ReadonlyArray<Answer<E>>
  : T extends object ? { readonly [K in keyof T]: Answer<T[K]> } : T;

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends z.ZodType = z.ZodType> {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  /** `public` routes need no session; all others answer 401 without one. */
  access?: 'public' | 'user';
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Schema of the JSON answer: the OpenAPI document is generated from it, and under test (or with
   * XIEZUO_CHECK_RESPONSES=1) every answer is checked against it. A route without one answers 204.
   */
  response?: R;
  /** Non-JSON answers (files) and multipart bodies, described for the OpenAPI document. */
  produces?: string[];
  multipart?: Record<string, 'string' | 'binary'>;
  /** Returns the answer, typed by `response` (a route without one answers 204), or the reply it sent itself. */
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Answer<z.input<R>> | JsonText | FastifyReply>;
}

interface Registered {
  spec: RouteSpec<AnyObject, AnyObject, z.ZodType>;
}

installBilingualMessages();

const registry = new WeakMap<FastifyInstance, Registered[]>();

/** Every route's spec registered on an app, in registration order. */
export function routesOf(app: FastifyInstance): ReadonlyArray<RouteSpec<AnyObject, AnyObject, z.ZodType>> {
  return (registry.get(app) ?? []).map((r) => r.spec);
}

/** Where in a request the input was wrong, in both languages. */
export interface InputPart {
  zh: string;
  en: string;
}
const PARAMS: InputPart = { zh: '路径参数', en: 'path parameters' };
const QUERY: InputPart = { zh: '查询参数', en: 'query' };
const BODY: InputPart = { zh: '内容', en: 'body' };

/**
 * Validation failure of request input: mapped to 400 with per-field problems. Messages are "中文 / English"
 * (written so in the schemas, or the bilingual defaults of messages.ts); each language gets its half.
 */
export function invalidInput(where: InputPart, error: z.ZodError): DomainError {
  const problems = error.issues.map((i) => {
    const [zh, en] = i.message.includes(' / ') ? i.message.split(' / ', 2) : [i.message, i.message];
    return { field: i.path.join('.'), zh: zh!, en: en! };
  });
  const at = (p: { field: string }, s: string) => (p.field ? `${p.field}：${s}` : s);
  return new DomainError('INVALID', `请求${where.zh}有误：${problems.map((p) => at(p, p.zh)).join('；')}`,
    `invalid request ${where.en}: ${problems.map((p) => (p.field ? `${p.field}: ${p.en}` : p.en)).join('; ')}`, problems);
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: InputPart): z.output<T> {
  if (!schema) return undefined as z.output<T>;
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw invalidInput(where, r.error);
  return r.data;
}

/**
 * Whether answers are checked against their route's response schema: always under vitest, elsewhere
 * only with XIEZUO_CHECK_RESPONSES=1. Production never pays for it unless asked.
 */
export function checkingResponses(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.VITEST) || env.XIEZUO_CHECK_RESPONSES === '1';
}

/**
 * An answer already serialised as JSON text (a cached part of it reused across requests): sent as
 * it is, and checked against the route's response schema like any other answer when checking is on.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** A handler answered outside its response schema: a fault of the server, answered 500 by the error mapper. */
export class ResponseMismatch extends Error {
  constructor(readonly problem: string) {
    super(problem);
  }
}

/** How many mismatching paths a failed response check names. */
const SHOWN_PROBLEMS = 5;

/**
 * The problems of a JSON answer against its route's declared response: null when it conforms. The
 * answer is checked as the client receives it (after JSON serialisation), so dates count as strings.
 * A route that declares no response must answer nothing.
 */
export function responseProblems(spec: Pick<RouteSpec<AnyObject, AnyObject, z.ZodType>, 'method' | 'url' | 'response'>, out: unknown): string | null {
  const name = `${spec.method} ${spec.url}`;
  if (!spec.response)
    return out === undefined ? null : `${name} answered JSON but declares no response schema`;
  const sent: unknown = out === undefined ? undefined : JSON.parse(JSON.stringify(out));
  const r = spec.response.safeParse(sent);
  if (r.success) return null;
  // Schema messages are "中文 / English" (messages.ts); the English half is enough to find the mismatch.
  const en = (m: string) => (m.includes(' / ') ? m.split(' / ', 2)[1]! : m);
  const paths = r.error.issues.slice(0, SHOWN_PROBLEMS).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${en(i.message)}`);
  const more = r.error.issues.length > SHOWN_PROBLEMS ? ` (+${r.error.issues.length - SHOWN_PROBLEMS} more)` : '';
  return `${name} answered outside its response schema: ${paths.join('; ')}${more}`;
}

/**
 * Registers a route whose params, query and body are parsed with zod schemas, the same schemas the
 * OpenAPI document is generated from. The handler's return value is sent as JSON unless the handler
 * has already sent the reply.
 */
export function route<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends z.ZodType = z.ZodType>(
  app: FastifyInstance, deps: ServerDeps, spec: RouteSpec<P, Q, B, R>,
): void {
  const list = registry.get(app) ?? [];
  list.push({ spec: spec as unknown as RouteSpec<AnyObject, AnyObject, z.ZodType> });
  registry.set(app, list);
  const check = checkingResponses();
  app.route({
    method: spec.method,
    url: spec.url,
    config: { access: spec.access ?? 'user' },
    handler: async (req, reply) => {
      const auth = req.auth;
      if (spec.access !== 'public' && !auth) throw new DomainError('UNAUTHENTICATED', '请先登录', 'sign in first');
      const params = parse(spec.params, req.params, PARAMS);
      const query = parse(spec.query, req.query, QUERY);
      const body = spec.multipart ? undefined : parse(spec.body, req.body, BODY);
      const out = await spec.handler({
        params, query, body: body as z.output<B>, actor: auth?.actor as Actor, auth: auth as Auth, req, reply, deps,
      });
      if (reply.sent) return reply;
      if (out instanceof JsonText) {
        if (check) {
          const problem = responseProblems(spec, JSON.parse(out.text));
          if (problem) throw new ResponseMismatch(problem);
        }
        return sendJsonText(req, reply, out.text);
      }
      if (check && !spec.produces) {
        const problem = responseProblems(spec, out);
        if (problem) throw new ResponseMismatch(problem);
      }
      return out === undefined ? reply.code(204).send() : out;
    },
  });
}

// ------------------------------------------------------------------ shared schemas

export const countyParam = z.string().regex(/^\d{6}$/, '县级区划代码应为6位数字 / county code must be 6 digits');
/** A county (6 digits), prefecture (4) or province (2): indicators and reports work at every level. */
export const unitParam = z.string().regex(/^(\d{2}|\d{4}|\d{6})$/, '区划代码应为县（6位）、市州（4位）或省（2位） / give a county (6-digit), prefecture (4-digit) or province (2-digit) code');
export const yearParam = z.coerce.number().int().min(2000).max(2100);
export const idParam = z.coerce.number().int().positive();

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.object({ zh: z.string(), en: z.string() }),
    details: z.unknown().optional(),
  }),
  requestId: z.string(),
});
