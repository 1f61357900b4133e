import type { FastifyError, FastifyInstance } from 'fastify';
import { TooManyAttempts } from '../services/accounts.ts';
import { DomainError, httpStatus } from '../services/errors.ts';
import { ResponseMismatch } from './http.ts';

/**
 * The one place errors become HTTP answers: `{ error: { code, message: { zh, en }, details? }, requestId }`.
 * Domain errors map by code, repeated wrong passwords to 429 with Retry-After, framework errors keep
 * their 4xx status, an answer outside its response schema (checked in tests) to 500 RESPONSE_SCHEMA
 * naming the problem, and anything else is logged with the request id and answered 500 without detail.
 */
export function installErrorMapper(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | DomainError | Error, req, reply) => {
    const send = (status: number, code: string, zh: string, en: string, details?: unknown) =>
      reply.code(status).type('application/json').send({ error: { code, message: { zh, en }, ...(details === undefined ? {} : { details }) }, requestId: req.id });
    if (err instanceof TooManyAttempts) {
      reply.header('retry-after', String(err.retryAfterSeconds));
      return send(429, 'TOO_MANY_ATTEMPTS', err.zh, err.en);
    }
    if (err instanceof DomainError) return send(httpStatus(err.code), err.code, err.zh, err.en, err.details);
    // Raised only while answers are checked (tests, XIEZUO_CHECK_RESPONSES=1): the problem is the point.
    if (err instanceof ResponseMismatch) {
      req.log.error({ problem: err.problem }, 'response schema mismatch');
      return send(500, 'RESPONSE_SCHEMA', `应答不符合接口约定：${err.problem}`, err.problem);
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const zh = status === 413 ? '上传内容过大' : status === 415 ? '不支持的内容类型' : '请求有误';
      return send(status, (err as FastifyError).code ?? 'BAD_REQUEST', zh, err.message);
    }
    req.log.error({ err }, 'unhandled error');
    return send(500, 'INTERNAL', '服务器内部错误，请联系管理员并提供请求编号', 'internal error; report the request id to an administrator');
  });
}
