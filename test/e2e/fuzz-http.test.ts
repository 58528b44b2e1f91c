import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { routes as routeConfig } from '../../functions.config.ts';
import { buildRoutes } from '../../runtime/routes.ts';
import { emulatedService } from '../helpers/emulated-service.ts';
import { brokenJson, FUZZ_MAX_DOCUMENT_BYTES, jsonBody, multipartBody, optionName, rawBody, word } from '../helpers/fuzz-requests.ts';
import { httpRequest } from '../helpers/http.ts';
import { hasFinalResponse, rawExchange } from '../helpers/raw-http.ts';

// Property-based fuzzing of the whole HTTP surface of a running service (both adapters, real
// PostgreSQL, the Textract emulator): generated requests to every route and to none, with odd
// methods, paths, queries, headers, keys and bodies, then raw bytes that are barely HTTP. No
// answer may be a 5xx and no worker may die. Fixed seed, bounded runs (about 30 s).

const SEED = 20261203;
const KEY = 'fuzz-key';

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
const segment = fc.oneof(
  fc.constantFrom('ocr', 'async', 'jobs', 'documents', 'pdf', 'invoke', 'expense', 'identity', 'health', 'docs', 'index.html', '..', '%ZZ', '%E0%A4%A', '%00', '%2F'),
  fc.uuid().map(String),
  fc.webSegment(),
  printable(12).map(encodeURIComponent),
);
const routes = buildRoutes(routeConfig);
// Mostly a route of the table with its parameters filled in (a real-looking id, or junk), so the
// requests reach handlers; the rest anywhere.
const routed = fc.constantFrom(...routes).chain((route) =>
  fc
    .array(fc.oneof(fc.uuid().map(String), segment), { minLength: 4, maxLength: 4 })
    .map((values) => ({ method: route.method as string, path: route.path.replace(/:\w+/g, () => values.pop()!) })),
);
const anywhere = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
  path: fc.oneof(
    fc.constantFrom('/ocr', '/ocr/async', '/expense', '/identity', '/queue/stats', '/health', '/openapi.json', '/docs', '/ws'),
    segment.map((s) => `/invoke/${s}`),
    fc.constantFrom('ocr', 'expense', 'identity', 'health', 'get-job').map((name) => `/invoke/${name}`),
    fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
  ),
});
const target = fc.oneof({ weight: 3, arbitrary: routed }, { weight: 1, arbitrary: anywhere });

const queryString = fc
  .array(fc.tuple(fc.oneof(optionName, fc.constantFrom('function', 'apiKey', 'jobId')), fc.oneof(word, fc.constantFrom('markdown', 'html', 'text', '2', 'ocr', 'expense'))), { maxLength: 4 })
  .map((entries) => (entries.length ? `?${new URLSearchParams(entries)}` : ''));
const headers = fc.record(
  {
    'x-api-key': fc.oneof({ weight: 6, arbitrary: fc.constant(KEY) }, printable(20)),
    authorization: fc.oneof(fc.constant(`Bearer ${KEY}`), printable(30)),
    'x-invocation-type': fc.oneof(fc.constantFrom('Event', 'RequestResponse', 'event'), printable(10)),
    'idempotency-key': fc.oneof(printable(20), fc.constant('k'.repeat(300))),
    accept: fc.oneof(fc.constantFrom('text/markdown', 'text/csv', 'text/html', 'text/plain', '*/*', 'application/json, text/csv'), printable(20)),
    'x-request-id': printable(140),
  },
  { requiredKeys: ['x-api-key'] },
);
// A counterexample names its body by type, size and first bytes, not as a 64 KB array.
const body = fc
  .oneof(jsonBody, brokenJson, multipartBody, rawBody, fc.constant({ type: '', body: Buffer.alloc(0) }))
  .map((b) => ({ ...b, [fc.toStringMethod]: () => `${b.type || 'no type'}, ${b.body.length} bytes: ${JSON.stringify(b.body.subarray(0, 80).toString('latin1'))}` }));
const request = fc.record({ target, query: queryString, headers, body }).map(({ target, ...rest }) => ({ ...target, ...rest }));

type GeneratedRequest = { method: string; path: string; query: string; headers: Record<string, string>; body: { type: string; body: Buffer } };

function send(base: string, r: GeneratedRequest) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.body.type) headers['content-type'] = r.body.type;
    // Node's client sends a GET body with no framing at all (the bytes read as a next request).
    if (r.body.body.length > 0) headers['content-length'] = String(r.body.body.length);
    const req = http.request(`${base}${r.path}${r.query}`, { method: r.method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(r.body.body.length === 0 ? undefined : r.body.body);
  });
}

// Request heads and bodies a client library would never send.
const rawRequest = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map(Buffer.from),
  fc
    .record({
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'G@T', '', 'CONNECT', 'PRI'), printable(8)),
      target: fc.oneof(target.map((t) => t.path), printable(30), fc.constantFrom('*', 'http://x/ocr', '//', '/ocr?%')),
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', ''),
      lines: fc.array(fc.oneof(fc.constantFrom('Host: x', 'Content-Length: 5', 'Content-Length: abc', 'Transfer-Encoding: chunked', 'Expect: 100-continue', ': x', 'X'), printable(30)), { maxLength: 8 }),
      tail: fc.oneof(fc.constantFrom('', 'hello', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\n'), printable(20)),
      eol: fc.constantFrom('\r\n', '\n'),
    })
    .map(({ method, target, version, lines, tail, eol }) => Buffer.from(`${method} ${target} ${version}${eol}${lines.join(eol)}${eol}${eol}${tail}`, 'latin1')),
);

describe('fuzzing the HTTP surface', () => {
  const ctx = emulatedService({ workers: 2, env: { API_KEYS: KEY, MAX_DOCUMENT_BYTES: String(FUZZ_MAX_DOCUMENT_BYTES) } });

  test('should answer every generated request without a 5xx, and keep every worker', async (t) => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const res = await send(ctx.service.url, r as GeneratedRequest).catch((err: Error) => {
          throw new Error(`${r.method} ${r.path}${r.query}: ${err.message}\n${ctx.service.logTail().slice(-3000)}`);
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500, `${r.method} ${r.path}${r.query} → ${res.status} ${res.text.slice(0, 300)}`);
      }),
      { seed: SEED, numRuns: 1_500 },
    );
    t.diagnostic(`1,500 requests: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    assert.ok((statuses.get(200) ?? 0) + (statuses.get(202) ?? 0) > 0, 'some generated requests succeeded');
    assert.equal(ctx.service.restarts(), 0);
  });

  test('should answer a malformed escape in a function name with a 4xx', async () => {
    for (const name of ['%E0%A4%A', '%ZZ', '%']) {
      const res = await httpRequest(ctx.url(`/invoke/${name}`), { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: '{}' });
      assert.ok(res.status >= 400 && res.status < 500, `/invoke/${name} → ${res.status}`);
    }
  });

  test('should answer malformed bytes with a 4xx or nothing, and keep every worker', async (t) => {
    // Sampled with the seed, sent 25 at a time: most get no answer at all, only a timeout.
    const samples = fc.sample(rawRequest, { seed: SEED, numRuns: 200 });
    const seen = new Map<string, number>();
    for (let i = 0; i < samples.length; i += 25) {
      const answers = await Promise.all(samples.slice(i, i + 25).map((bytes) => rawExchange(ctx.service.port, [bytes], { waitMs: 500, until: hasFinalResponse })));
      answers.forEach((res, j) => {
        const key = res.statuses.join(',') || 'none';
        seen.set(key, (seen.get(key) ?? 0) + 1);
        assert.ok(res.statuses.every((s) => s < 500), `${JSON.stringify(samples[i + j]!.toString('latin1'))} → ${res.text.slice(0, 300)}`);
      });
    }
    t.diagnostic(`200 raw requests: ${JSON.stringify(Object.fromEntries(seen))}`);
    assert.equal((await httpRequest(`${ctx.service.url}/health`)).status, 200);
    assert.equal(ctx.service.restarts(), 0);
    assert.doesNotMatch(ctx.service.logTail(), /"level":60/);
  });
});
