import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { routes } from '../../functions.config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest } from '../helpers/http.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// The document as a client gets it, over HTTP from the running service. The routes expected are
// read from functions.config.ts, so the test follows the route table as it grows.

const API_KEY = 'docs-test-key';

describe('GET /openapi.json', () => {
  let db: TestDatabase;
  let service: RunningService;
  let doc: any;

  before(async () => {
    db = await createTestDatabase();
    service = await startService({ databaseUrl: db.url, workers: 1, env: { API_KEYS: API_KEY, OCR_ENGINE: 'tesseract' } });
    const res = await httpRequest(`${service.url}/openapi.json`, { headers: { 'x-api-key': API_KEY } });
    assert.equal(res.status, 200, res.text);
    doc = res.json;
  });
  after(async () => {
    await service?.stop();
    await db?.drop();
  });

  test('should validate as OpenAPI 3.1 (schema and path rules) with @readme/openapi-parser', async () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    // validate() resolves $refs in place: give it a copy.
    const result = await validate(structuredClone(doc));
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
    assert.equal(result.specification, 'OpenAPI');
    assert.deepEqual(result.warnings, []);
  });

  test('should list every route of functions.config.ts, and every function under POST /invoke/{function}', () => {
    for (const route of routes) {
      const method = (route.method ?? route.function.method).toLowerCase();
      const path = (route.path ?? route.function.path).replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = doc.paths[path]?.[method];
      assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
      const success = route.invocation === 'event' ? '202' : String(route.function.options?.status ?? 200);
      assert.ok(operation.responses[success], `${method.toUpperCase()} ${path} documents ${success}`);
    }
    const invokable = doc.paths['/invoke/{function}'].post.parameters.find((p: any) => p.name === 'function').schema.enum;
    assert.deepEqual(new Set(invokable), new Set(routes.map((r) => r.function.name)));
  });

  test('should mark every route as needing the API key except /health and the docs and dashboard pages (API.md: only /health is open)', () => {
    const open: string[] = [];
    for (const route of routes) {
      const method = (route.method ?? route.function.method).toLowerCase();
      const path = route.path ?? route.function.path;
      const operation = doc.paths[path.replace(/:([A-Za-z]+)/g, '{$1}')][method];
      if (route.function.options?.auth === false) {
        open.push(`${method.toUpperCase()} ${path}`);
        assert.equal(operation.security, undefined, `${path} is documented as open`);
      } else {
        assert.ok(operation.security?.length > 0, `${path} is documented as needing a key`);
      }
    }
    // The docs and dashboard pages and their files are the same static bytes for every
    // deployment; the document and figures they show need the key.
    assert.deepEqual(open.sort(), ['GET /', 'GET /dashboard', 'GET /dashboard/:file', 'GET /docs', 'GET /docs/:file', 'GET /health']);
  });

  test('should answer 401 without the API key when API_KEYS is set', async () => {
    const res = await httpRequest(`${service.url}/openapi.json`);
    assert.equal(res.status, 401);
    assert.equal(res.json.error.code, 'UNAUTHORIZED');
    const bearer = await httpRequest(`${service.url}/openapi.json`, { headers: { authorization: `Bearer ${API_KEY}` } });
    assert.equal(bearer.status, 200);
  });
});
