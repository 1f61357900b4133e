import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompress } from '../../web/precompress.ts';
import { buildApp } from '../../src/server/app.ts';
import { keptCompressed } from '../../src/server/compressed.ts';
import { createApiToken, createUser } from '../../src/services/accounts.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { migrate, openStore, type Store } from '../../src/store/db.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

describe('compressed answers for slow connections', () => {
  let dir: string;
  let web: string;
  let store: Store;
  let app: FastifyInstance;
  let auth: { authorization: string };
  // A built app in miniature: a hashed script (large enough to be worth compressing), a small style, an image.
  const script = `console.log(${JSON.stringify('协作台账'.repeat(2000))});\n`;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-compress-'));
    web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>');
    writeFileSync(join(web, 'assets', 'index-abc123.js'), script);
    writeFileSync(join(web, 'assets', 'index-abc123.css'), 'body{margin:0}');
    writeFileSync(join(web, 'assets', 'logo-abc123.png'), Buffer.alloc(4096, 7));
    (precompress(web).closeBundle as () => void)();
    store = openStore({ engine: 'sqlite', file: join(dir, 'x.sqlite') });
    await migrate(store);
    await loadDemo(store);
    await createUser(store, { username: 'nation', displayName: 'nation', password: 'correct horse battery', role: 'admin', units: [] });
    auth = { authorization: `Bearer ${(await createApiToken(store, 'nation', 'compress')).token}` };
    app = await buildApp({ store, dataDir: dir, webDir: web });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes Brotli and gzip copies of the built text files at build time, and none of small or binary files', () => {
    const js = readFileSync(join(web, 'assets', 'index-abc123.js'));
    expect(brotliDecompressSync(readFileSync(join(web, 'assets', 'index-abc123.js.br')))).toEqual(js);
    expect(gunzipSync(readFileSync(join(web, 'assets', 'index-abc123.js.gz')))).toEqual(js);
    expect(readFileSync(join(web, 'assets', 'index-abc123.js.br')).length).toBeLessThan(js.length / 4);
    expect(() => readFileSync(join(web, 'assets', 'index-abc123.css.br'))).toThrow();
    expect(() => readFileSync(join(web, 'assets', 'logo-abc123.png.gz'))).toThrow();
  });

  it('answers the dashboard compressed to a client that accepts it, with the same JSON, and plain to one that does not', async () => {
    const plain = await app.inject({ method: 'GET', url: '/api/dashboard/623023/2022', headers: auth });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await app.inject({ method: 'GET', url: '/api/dashboard/623023/2022', headers: { ...auth, 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString())).toEqual(plain.json());
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    // The answer's text is kept, and its compressed bytes with it: a repeated request sends those.
    expect(keptCompressed(plain.body, 'br')).toEqual(br.rawPayload);
    expect(keptCompressed(plain.body, 'gzip')).toBeUndefined();
    const gz = await app.inject({ method: 'GET', url: '/api/dashboard/623023/2022', headers: { ...auth, 'accept-encoding': 'gzip' } });
    expect(keptCompressed(plain.body, 'gzip')).toEqual(gz.rawPayload);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString())).toEqual(plain.json());
  });

  it('leaves small answers and files that are compressed already as they are', async () => {
    const health = await app.inject({ method: 'GET', url: '/api/health', headers: { 'accept-encoding': 'br, gzip' } });
    expect(health.statusCode).toBe(200);
    expect(health.headers['content-encoding']).toBeUndefined();
    const xlsx = await app.inject({ method: 'GET', url: '/api/exports/623023/2022', headers: { ...auth, 'accept-encoding': 'br, gzip' } });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    expect(xlsx.headers['content-encoding']).toBeUndefined();
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('serves the built copies of the app\'s files, kept for good by the browser, and index.html as it is', async () => {
    const br = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.rawPayload).toEqual(readFileSync(join(web, 'assets', 'index-abc123.js.br')));
    const gz = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
    const index = await app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br, gzip' } });
    expect(index.statusCode).toBe(200);
    // Sent as a stream (a file), so compressed whatever its size when the client accepts it.
    const html = index.headers['content-encoding'] === 'br' ? brotliDecompressSync(index.rawPayload).toString() : index.body;
    expect(html).toContain('/assets/index-abc123.js');
    expect(index.headers['cache-control']).not.toMatch(/immutable/);
  });
});
