import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LEDGERS } from '../domain/ledgers/declarations.ts';
import { configYear } from '../services/config.ts';
import { recordInputSchema } from '../services/ledgers.ts';
import { ErrorBody, routesOf } from './http.ts';

type Json = Record<string, unknown>;

const ledgerYear = () => configYear(new Date().getFullYear());

const schemaOf = (s: z.ZodType, io: 'input' | 'output'): Json => {
  try {
    const { $schema: _s, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
    return rest;
  } catch {
    return {};
  }
};

/**
 * The OpenAPI 3.1 document of every registered route, generated from the zod schemas the handlers
 * validate with, so that the contract and the checks cannot drift apart.
 */
export function openApiDocument(app: FastifyInstance): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routesOf(app)) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const parameters: Json[] = [];
    for (const [where, obj] of [['path', r.params], ['query', r.query]] as const) {
      if (!obj) continue;
      const js = schemaOf(obj, 'input') as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {}))
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema });
    }
    const op: Json = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').split('/').filter(Boolean).map((s) => s[0]!.toUpperCase() + s.slice(1)).join('')}`.replace(/[^A-Za-z0-9]/g, ''),
      parameters,
      security: r.access === 'public' ? [] : [{ session: [], csrf: [] }, { bearer: [] }],
      responses: {
        ...(r.produces
          ? { 200: { description: 'file', content: Object.fromEntries(r.produces.map((m) => [m, { schema: { type: 'string', format: 'binary' } }])) } }
          : r.response
            ? { 200: { description: 'OK', content: { 'application/json': { schema: schemaOf(r.response, 'output') } } } }
            : { 204: { description: 'done' } }),
        default: { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (r.multipart)
      op.requestBody = {
        required: true,
        content: { 'multipart/form-data': { schema: { type: 'object', properties: Object.fromEntries(Object.entries(r.multipart).map(([k, t]) => [k, t === 'binary' ? { type: 'string', format: 'binary' } : { type: 'string' }])) } } },
      };
    else if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Xiezuo API',
      version: '0.1.0',
      description: '东西部协作台账、指标、填报审核与自评报告。Money is integer fen (分) in every request and answer. ' +
        'Sign in with POST /api/session (cookie) and send the returned csrf value as the X-CSRF-Token header on every POST, PUT and DELETE; ' +
        'scripts may instead send an API token as `Authorization: Bearer xz_…`.',
    },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'xz_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas: {
        Error: schemaOf(ErrorBody, 'output'),
        // Record input per ledger, from the schema the ledger service validates with (latest configured year;
        // category lists may differ in other years and are served by GET /api/categories/{year}).
        ...Object.fromEntries(LEDGERS.map((d) => [`LedgerInput_${d.kind}`, { ...schemaOf(recordInputSchema(d.kind, ledgerYear()), 'input'), title: `${d.label.zh} / ${d.label.en}` }])),
      },
    },
    paths,
  };
}
