import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest } from '../helpers/http.ts';
import { startService, type RunningService } from '../helpers/service.ts';

const API_KEY = 'docs-test-key';
const SWAGGER_UI = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Where each file the page links to must come from: the installed package or static/docs. */
function sourceOf(name: string): string {
  const own = path.join(PROJECT_ROOT, 'static', 'docs', name);
  return fs.existsSync(own) ? own : path.join(SWAGGER_UI, name);
}

/** Raw bytes, so a gzip body can be compared (the helper decodes text). */
async function getBytes(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('GET /docs', () => {
  let db: TestDatabase;
  let service: RunningService;
  let page: Awaited<ReturnType<typeof httpRequest>>;
  let links: string[];

  before(async () => {
    db = await createTestDatabase();
    service = await startService({ databaseUrl: db.url, workers: 1, env: { API_KEYS: API_KEY, OCR_ENGINE: 'tesseract' } });
    page = await httpRequest(`${service.url}/docs`);
    links = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  });
  after(async () => {
    await service?.stop();
    await db?.drop();
  });

  test('should serve the page without an API key, under a policy that runs no inline script or style', () => {
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe|https?:/);
    // The policy would block inline code, so the page must have none to work.
    assert.doesNotMatch(page.text, /<script(?![^>]*\ssrc=)[^>]*>/, 'every script is a file');
    assert.doesNotMatch(page.text, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
    assert.ok(links.some((l) => l.startsWith('/docs/swagger-ui-bundle.js?v=')), 'loads Swagger UI');
    assert.ok(links.some((l) => l.startsWith('/docs/docs.js?v=')), 'loads its own script');
  });

  test('should serve every file the page links to, byte for byte from swagger-ui-dist or static/docs, cached for a year under its hash', async () => {
    assert.ok(links.length >= 4, `links: ${links.join(' ')}`);
    for (const link of links) {
      const url = new URL(link, service.url);
      assert.equal(url.origin, service.url, `${link} is on this service (no CDN)`);
      const name = url.pathname.replace('/docs/', '');
      const expected = fs.readFileSync(sourceOf(name));
      const res = await getBytes(url.href, { 'accept-encoding': 'identity' });
      assert.equal(res.status, 200, link);
      assert.ok(res.bytes.equals(expected), `${name} is the file itself`);
      assert.equal(url.searchParams.get('v'), createHash('sha256').update(expected).digest('hex').slice(0, 16), `${name}'s URL names its content`);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', name);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
      const type = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png' }[path.extname(name)];
      assert.equal(res.headers.get('content-type'), type, name);
    }
  });

  test('should send the files gzipped to clients that accept it', async () => {
    const link = links.find((l) => l.startsWith('/docs/swagger-ui-bundle.js'))!;
    const res = await getBytes(new URL(link, service.url).href, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    // fetch decodes gzip itself; the bytes and their length say what went over the wire.
    const expected = fs.readFileSync(sourceOf('swagger-ui-bundle.js'));
    assert.ok(res.bytes.equals(expected));
    const raw = await httpRequest(new URL(link, service.url).href, { headers: { 'accept-encoding': 'gzip' } });
    assert.ok(Number(raw.headers['content-length']) < expected.length / 2, `sent ${raw.headers['content-length']} of ${expected.length} bytes`);
    assert.equal(raw.headers.vary, 'accept-encoding');
  });

  test('should not let a stale hash be cached for a year (a machine on older files during a rolling upgrade)', async () => {
    const res = await getBytes(`${service.url}/docs/docs.js?v=0000000000000000`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
  });

  test('should answer 404 for any other name, so no request reaches another file', async () => {
    for (const name of ['package.json', '..%2Fpackage.json', '..%2F..%2Fpackage.json', 'swagger-ui-bundle.js.map', 'index.html', 'swagger-initializer.js', 'constructor', '__proto__']) {
      const res = await httpRequest(`${service.url}/docs/${name}`);
      assert.equal(res.status, 404, name);
      assert.equal(res.json.error.code, 'NOT_FOUND', name);
    }
  });

  test('should keep the document it shows behind the API key', async () => {
    assert.equal((await httpRequest(`${service.url}/openapi.json`)).status, 401);
    assert.equal((await httpRequest(`${service.url}/openapi.json`, { headers: { 'x-api-key': API_KEY } })).status, 200);
  });
});
