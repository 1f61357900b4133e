import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zlib } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { refreshConfig } from '../services/config.ts';
import { MAX_EVIDENCE_BYTES } from '../services/evidence.ts';
import { assertIdKeyCurrent } from '../services/pii.ts';
import { installAuth } from './auth.ts';
import { BROTLI_QUALITY, COMPRESS_FROM_BYTES, GZIP_LEVEL } from './compressed.ts';
import { installErrorMapper } from './errors.ts';
import type { ServerDeps } from './http.ts';
import { openApiDocument } from './openapi.ts';
import { figureAuditRoutes } from './routes/figure-audit.ts';
import { configRoutes } from './routes/config.ts';
import { importRoutes } from './routes/imports.ts';
import { indicatorRoutes } from './routes/indicators.ts';
import { ledgerRoutes } from './routes/ledgers.ts';
import { metaRoutes } from './routes/meta.ts';
import { reportedRoutes } from './routes/reported.ts';
import { reportRoutes } from './routes/reports.ts';
import { sessionRoutes } from './routes/session.ts';
import { warningRoutes } from './routes/warnings.ts';
import { workflowRoutes } from './routes/workflow.ts';

export type { ServerDeps };

/**
 * Builds the HTTP application: the JSON API under /api (every route authenticated unless marked
 * public, every state-changing cookie request CSRF-checked), the OpenAPI document at
 * /api/openapi.json, and the built web app with client-side routes falling back to index.html.
 */
export async function buildApp(deps: ServerDeps, opts: { logger?: FastifyServerOptions['logger'] } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 2 * 1024 * 1024,
    trustProxy: process.env.XIEZUO_TRUST_PROXY === '1',
  });
  // Answers of 1 KB or more go out compressed to a client that accepts it (a dashboard's 43 KB of
  // JSON becomes about 8 KB for a phone on a slow connection): Brotli at a quality quick enough to
  // run per request, else gzip. Answers kept as JSON text are compressed once (compressed.ts); files
  // already compressed (Word, Excel, zip) are left alone; the web app's files are compressed once,
  // when it is built (served below with preCompressed).
  await app.register(fastifyCompress, {
    global: true, threshold: COMPRESS_FROM_BYTES, encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } }, zlibOptions: { level: GZIP_LEVEL },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: MAX_EVIDENCE_BYTES, files: 1, fields: 10, fieldSize: 1000 } });
  installErrorMapper(app);
  installAuth(app, deps);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    // Behind HTTPS (directly or through a trusted proxy) browsers are told to keep to HTTPS.
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    // Ant Design writes its styles at run time, hence inline styles; scripts come only from the app itself.
    else reply.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
  });

  // Configuration changed by another process (CLI, a second server) is picked up before the next request.
  app.addHook('preHandler', async (req) => { if (req.url.startsWith('/api/')) await refreshConfig(deps.store); });
  // A change of data may hash resident IDs: never with a key chain the database no longer has (a rotation made meanwhile).
  app.addHook('preHandler', async (req) => { if (req.method !== 'GET' && req.method !== 'HEAD' && req.url.startsWith('/api/')) await assertIdKeyCurrent(deps.store); });

  sessionRoutes(app, deps);
  metaRoutes(app, deps);
  ledgerRoutes(app, deps);
  workflowRoutes(app, deps);
  indicatorRoutes(app, deps);
  const reportPool = reportRoutes(app, deps);
  reportedRoutes(app, deps);
  importRoutes(app, deps);
  warningRoutes(app, deps, reportPool);
  figureAuditRoutes(app, deps);
  configRoutes(app, deps);

  let doc: unknown;
  app.get('/api/openapi.json', async () => (doc ??= openApiDocument(app)));

  const index = deps.webDir ? join(deps.webDir, 'index.html') : undefined;
  if (deps.webDir && index && existsSync(index)) {
    await app.register(fastifyStatic, {
      root: deps.webDir, wildcard: false, index: false, preCompressed: true,
      // The built app's scripts and styles carry a hash of their content in their names: a browser may
      // keep them for good, and asks again only for index.html, which names the current ones.
      setHeaders: (res, path) => { if (/[\\/]assets[\\/]/.test(path)) res.header('cache-control', 'public, max-age=31536000, immutable'); },
    });
    app.get('/', (_req, reply) => reply.sendFile('index.html'));
  }
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/') && index && existsSync(index)) return reply.sendFile('index.html');
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: { zh: '没有这个地址', en: 'no such route' } }, requestId: req.id });
  });
  return app;
}
