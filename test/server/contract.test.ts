import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as contract from '../../src/api/contract.ts';
import { buildApp } from '../../src/server/app.ts';
import { installErrorMapper } from '../../src/server/errors.ts';
import { checkingResponses, responseProblems, routesOf } from '../../src/server/http.ts';
import { NARRATIVE_SECTIONS } from '../../src/services/reported.ts';
import { freshStore, type TestStore } from '../support/engines.ts';

/** Routes that answer 204 with no body, and so declare no response schema. */
const NO_CONTENT = [
  'DELETE /api/session', 'PUT /api/session/password', 'DELETE /api/tokens/:id', 'DELETE /api/users/:username/tokens/:id',
  'DELETE /api/records/:kind/:id', 'PUT /api/targets/:org/:year/:indicator', 'PUT /api/claims/:county/:year/:indicator',
  'DELETE /api/evidence-files/:id', 'DELETE /api/reported/dated/:id', 'DELETE /api/reported/:id', 'DELETE /api/narrative/:id',
];

/** Routes the web app calls, with the contract schema each answers. */
const SHARED: Array<[string, z.ZodType]> = [
  ['GET /api/session', contract.SessionView], ['POST /api/session', contract.SessionView], ['GET /api/meta', contract.Meta],
  ['GET /api/counties', contract.Counties], ['GET /api/categories/:year', contract.Categories],
  ['GET /api/dashboard/:county/:year', contract.Dashboard], ['GET /api/indicators/:county/:year', contract.IndicatorsAndRules],
  ['GET /api/overview/:year', contract.Overview], ['GET /api/rankings/:year/:indicator', contract.IndicatorRanking], ['GET /api/reported/:county/:year', contract.ReportedList],
  ['GET /api/narrative/:county/:year', contract.Narrative], ['GET /api/ledgers/:kind/:county/:year', contract.LedgerRecords],
  ['GET /api/records/:kind/:id', contract.LedgerRecord], ['GET /api/config/:year/:unit', contract.ConfigView],
  ['GET /api/config/:year/:unit/report', contract.ReportTemplateView], ['POST /api/years/:county/:year/open', contract.OpenedYear],
  ['GET /api/warnings/:unit', contract.WarningsReport], ['GET /api/users/:username/tokens', z.array(contract.TokenView)],
  ['POST /api/tokens', contract.NewToken], ['POST /api/users/:username/password', contract.NewPassword],
  ['GET /api/audit', contract.AuditList], ['GET /api/workflow/:county/:year', z.array(contract.LedgerState)],
  ['POST /api/figure-audit', contract.DocumentAudit], ['POST /api/figure-audit/:county/:year', contract.DocumentAudit],
  ['GET /api/imports/jobs/:id', contract.ImportJob], ['POST /api/imports/:county/:year/jobs', contract.ImportJob],
  ['POST /api/report-jobs', contract.ReportJob], ['GET /api/report-jobs/:id', contract.ReportJob], ['DELETE /api/report-jobs/:id', contract.ReportJob],
  ['GET /api/evidence/:county/:year', z.array(contract.Evidence)], ['GET /api/users', z.array(contract.UserListEntry)],
];

const jsonSchema = (s: z.ZodType) => {
  const { $schema: _s, ...rest } = z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

describe('API contract', () => {
  let t: TestStore;
  let app: FastifyInstance;
  let dir: string;
  beforeAll(async () => {
    t = await freshStore('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-contract-'));
    app = await buildApp({ store: t.store, dataDir: dir });
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every JSON route a response schema; only file downloads and 204 answers go without', () => {
    const without = routesOf(app).filter((r) => !r.response && !r.produces).map((r) => `${r.method} ${r.url}`);
    expect(without.sort()).toEqual([...NO_CONTENT].sort());
  });

  it('checks answers under test and with XIEZUO_CHECK_RESPONSES=1, never in production by default', () => {
    expect(checkingResponses()).toBe(true);
    expect(checkingResponses({ XIEZUO_CHECK_RESPONSES: '1' })).toBe(true);
    expect(checkingResponses({ NODE_ENV: 'production' })).toBe(false);
  });

  it('names the route and the first mismatching paths', () => {
    const spec = { method: 'GET' as const, url: '/api/things/:id', response: z.object({ id: z.number(), tags: z.array(z.string()) }) };
    expect(responseProblems(spec, { id: 1, tags: ['a'] })).toBeNull();
    expect(responseProblems(spec, { id: 1, tags: ['a'], extra: true })).toBeNull();
    const p = responseProblems(spec, { id: '1', tags: ['a', 2] });
    expect(p).toMatch(/^GET \/api\/things\/:id /);
    expect(p).toContain('id:');
    expect(p).toContain('tags.1:');
    // Checked as the client receives it: a Date is a string once serialised.
    expect(responseProblems({ ...spec, response: z.object({ at: z.string() }) }, { at: new Date(0) })).toBeNull();
    expect(responseProblems({ method: 'DELETE', url: '/api/x' }, undefined)).toBeNull();
    expect(responseProblems({ method: 'DELETE', url: '/api/x' }, { ok: true })).toMatch(/declares no response schema/);
  });

  it('answers 500 with the problem when a handler strays from its schema', async () => {
    const { route } = await import('../../src/server/http.ts');
    const Fastify = (await import('fastify')).default;
    const a = Fastify();
    installErrorMapper(a);
    route(a, { store: t.store, dataDir: dir }, {
      method: 'GET', url: '/api/stray', tag: 't', summary: 't', access: 'public', response: z.object({ n: z.number() }),
      // Past the compiler on purpose: the check is for what types cannot see (a service typed more loosely, a cast).
      handler: async () => ({ n: 'one' }) as unknown as { n: number },
    });
    const r = await a.inject({ method: 'GET', url: '/api/stray' });
    expect(r.statusCode).toBe(500);
    const body = r.json() as { error: { code: string; message: { en: string } } };
    expect(body.error.code).toBe('RESPONSE_SCHEMA');
    expect(body.error.message.en).toContain('GET /api/stray');
    expect(body.error.message.en).toContain('n:');
    await a.close();
  });

  it('publishes in the OpenAPI document the very schemas the web app takes its types from', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
    };
    for (const [key, schema] of SHARED) {
      const [method, url] = key.split(' ') as [string, string];
      const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(op, key).toBeDefined();
      expect(op!.responses['200']!.content!['application/json']!.schema, key).toEqual(jsonSchema(schema));
    }
  });

  it('declares the contract object itself as the response of the routes the web app calls', () => {
    const byKey = new Map(routesOf(app).map((r) => [`${r.method} ${r.url}`, r.response]));
    for (const [key, schema] of SHARED) {
      if (schema instanceof z.ZodArray) expect((byKey.get(key) as z.ZodArray<z.ZodType>).element, key).toBe(schema.element);
      else expect(byKey.get(key), key).toBe(schema);
    }
  });

  it('keeps the narrative sections of the contract those of the service', () => {
    expect([...contract.NARRATIVE_SECTIONS]).toEqual([...NARRATIVE_SECTIONS]);
  });
});
