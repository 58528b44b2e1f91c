import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { routes as routeConfig } from '../../../functions.config.ts';
import { HttpError } from '../../../runtime/errors.ts';
import { parseDocumentRequest } from '../../../runtime/http/document-input.ts';
import { buildRoutes, matchRoute } from '../../../runtime/routes.ts';
import { compileCheck } from '../../../runtime/validate.ts';
import { tinyPng } from '../../helpers/png.ts';

// Property-based fuzzing of what reads untrusted input before any handler runs: the three body
// forms, the option values of every document function's schema, and the router. Whatever comes
// in, the answer is the document and its options or a 4xx HttpError, never another error (a 500)
// and never a hang. Fixed seed and bounded runs: the same cases on every CI run.

const SEED = 20261203;
const MAX_DOCUMENT_BYTES = 64 * 1024;
const routes = buildRoutes(routeConfig);
const documentFunctions = [...new Set(routes.map((r) => r.fn))].filter((fn) => fn.input === 'document');
const checks = new Map(documentFunctions.map((fn) => [fn, compileCheck(fn.schema.body!)]));

const png = tinyPng('fuzz').toString('base64');
// Option names the functions know, and words that look like their values, so that generated
// requests reach the per-option code instead of stopping at "unknown field".
const optionName = fc.constantFrom('features', 'queries', 'pages', 'format', 'table', 'include', 'filename', 'callbackUrl', 'document', 'file', 'x');
const word = fc.oneof(
  fc.constantFrom('TABLES', 'forms', 'QUERIES', 'SIGNATURES', 'LAYOUT', '1-3,7', '0', '-1', '*', 'json', 'csv', 'words', 'http://h/x', '[', '[]', '{}', 'null', ''),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, word, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 8 }), fc.dictionary(optionName, tie('value'), { maxKeys: 4 })),
})).value;
// Long lists: the #3 shape (a list far past maxItems) in every form.
const longList = fc.integer({ min: 6, max: 20_000 }).map((n) => Array(n).fill('TABLES'));

const jsonBody = fc
  .record({
    document: fc.oneof(fc.constant(png), fc.constant(`data:image/png;base64,${png}`), word, fc.base64String({ maxLength: 40 }), jsonValue),
    options: fc.dictionary(optionName, fc.oneof(jsonValue, longList), { maxKeys: 5 }),
  })
  .map(({ document, options }) => ({ type: 'application/json', body: Buffer.from(JSON.stringify({ ...options, document })) }));
const brokenJson = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('{', '{"document":', '[1,2', '"x"', 'null', '1e999')).map((text) => ({
  type: 'application/json; charset=utf-8',
  body: Buffer.from(text),
}));

const boundary = fc.oneof(fc.constant('b0undary'), fc.stringMatching(/^[A-Za-z0-9'()+_,\-./:=?]{1,70}$/));
const part = fc.record({
  name: fc.oneof(optionName, fc.string({ maxLength: 8 })),
  filename: fc.option(fc.oneof(fc.constant('a.png'), fc.string({ maxLength: 10 })), { nil: undefined }),
  value: fc.oneof(word.map((w) => Buffer.from(w)), longList.map((l) => Buffer.from(l.join(','))), fc.uint8Array({ maxLength: 64 }).map(Buffer.from), fc.constant(tinyPng('fuzz'))),
});
const multipartBody = fc.record({ boundary, parts: fc.array(part, { maxLength: 6 }), truncate: fc.nat({ max: 200 }), declared: fc.option(boundary, { nil: undefined }) }).map(({ boundary, parts, truncate, declared }) => {
  const bytes = Buffer.concat([
    ...parts.map((p) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}\r\n\r\n`),
        p.value,
        Buffer.from('\r\n'),
      ]),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  // Sometimes cut short, sometimes declared with another boundary than the one used.
  return { type: `multipart/form-data; boundary=${declared ?? boundary}`, body: truncate > 150 ? bytes.subarray(0, bytes.length - truncate) : bytes };
});
const rawBody = fc.record({
  type: fc.constantFrom('application/pdf', 'image/png', 'application/octet-stream', '', 'text/plain', 'multipart/form-data', 'application/json; boundary=x'),
  body: fc.oneof(fc.uint8Array({ maxLength: 256 }).map(Buffer.from), fc.constant(tinyPng('fuzz')), fc.constant(Buffer.alloc(MAX_DOCUMENT_BYTES + 1, 1))),
});
const query = fc.array(fc.tuple(optionName, fc.oneof(word, longList.map((l) => l.join(',')))), { maxLength: 4 }).map((entries) => new URLSearchParams(entries));

test('should turn any body, content type and query into a document with valid options or a 4xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...documentFunctions), fc.oneof(jsonBody, brokenJson, multipartBody, rawBody), query, async (fn, { type, body }, params) => {
      try {
        const parsed = await parseDocumentRequest(type, body, params, MAX_DOCUMENT_BYTES, fn.schema.body!);
        checks.get(fn)!(parsed.options, 'body');
        assert.ok(parsed.document.bytes.length > 0 && parsed.document.bytes.length <= MAX_DOCUMENT_BYTES);
      } catch (err) {
        assert.ok(err instanceof HttpError, `not an HttpError: ${(err as Error)?.stack ?? err}`);
        assert.ok(err.status >= 400 && err.status < 500, `${err.status} ${err.code}: ${err.message}`);
      }
    }),
    { seed: SEED, numRuns: 1_500 },
  );
});

test('should route any method and path to a route, a 405 list or nothing, without throwing', () => {
  const segment = fc.oneof(
    fc.constantFrom('ocr', 'async', 'jobs', 'documents', 'pdf', 'invoke', 'health', 'queue', 'stats', 'docs', '..', '.', '%', '%ZZ', '%E0%A4%A', '%00', ''),
    fc.string({ maxLength: 10 }),
    fc.webSegment(),
  );
  fc.assert(
    fc.property(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'get', 'X'), fc.array(segment, { maxLength: 5 }), (method, segments) => {
      const found = matchRoute(routes, method, `/${segments.join('/')}`);
      if (found && 'route' in found) assert.equal(found.route.method, method);
      if (found && 'allowed' in found) assert.ok(found.allowed.length > 0 && !found.allowed.includes(method as never));
    }),
    { seed: SEED, numRuns: 3_000 },
  );
});
