import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NARRATIVE_SECTIONS as CONTRACT_SECTIONS } from '../../src/api/contract.ts';
import { buildApp } from '../../src/server/app.ts';
import { checkingResponses, responseProblems, routesOf } from '../../src/server/http.ts';
import { NARRATIVE_SECTIONS } from '../../src/services/reported.ts';
import { freshStore, type TestStore } from '../support/engines.ts';

/** Routes that answer 204 with no body, and so declare no response schema. */
const NO_CONTENT = [
  'DELETE /api/session', 'PUT /api/session/password', 'DELETE /api/tokens/:id', 'DELETE /api/users/:username/tokens/:id',
  'DELETE /api/records/:kind/:id', 'PUT /api/targets/:org/:year/:indicator', 'PUT /api/claims/:county/:year/:indicator',
  'DELETE /api/evidence-files/:id', 'DELETE /api/reported/dated/:id', 'DELETE /api/reported/:id', 'DELETE /api/narrative/:id',
];

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
    route(a, { store: t.store, dataDir: dir }, {
      method: 'GET', url: '/api/stray', tag: 't', summary: 't', access: 'public', response: z.object({ n: z.number() }),
      handler: async () => ({ n: 'one' }),
    });
    const r = await a.inject({ method: 'GET', url: '/api/stray' });
    expect(r.statusCode).toBe(500);
    const body = r.json() as { error: { code: string; message: { en: string } } };
    expect(body.error.code).toBe('RESPONSE_SCHEMA');
    expect(body.error.message.en).toContain('GET /api/stray');
    expect(body.error.message.en).toContain('n:');
    await a.close();
  });

  it('keeps the narrative sections of the contract those of the service', () => {
    expect([...CONTRACT_SECTIONS]).toEqual([...NARRATIVE_SECTIONS]);
  });
});
