import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { routes as routeConfig } from '../../../functions.config.ts';
import { HttpError } from '../../../runtime/errors.ts';
import { parseDocumentRequest } from '../../../runtime/http/document-input.ts';
import { buildRoutes, matchRoute } from '../../../runtime/routes.ts';
import { compileCheck } from '../../../runtime/validate.ts';
import { brokenJson, FUZZ_MAX_DOCUMENT_BYTES, jsonBody, multipartBody, query, rawBody } from '../../helpers/fuzz-requests.ts';

// Property-based fuzzing of what reads untrusted input before any handler runs: the three body
// forms, the option values of every document function's schema, and the router. Whatever comes
// in, the answer is the document and its options or a 4xx HttpError, never another error (a 500)
// and never a hang. Fixed seed and bounded runs: the same cases on every CI run.

const SEED = 20261203;
const MAX_DOCUMENT_BYTES = FUZZ_MAX_DOCUMENT_BYTES;
const routes = buildRoutes(routeConfig);
const documentFunctions = [...new Set(routes.map((r) => r.fn))].filter((fn) => fn.input === 'document');
const checks = new Map(documentFunctions.map((fn) => [fn, compileCheck(fn.schema.body!)]));

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
