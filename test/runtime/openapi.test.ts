import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routes } from '../../functions.config.ts';
import { openApiDocument } from '../../runtime/openapi.ts';
import { buildRoutes } from '../../runtime/routes.ts';

const doc = openApiDocument(buildRoutes(routes), '1.2.3') as any;

test('should publish every route of the API contract with its success status', () => {
  const expected: [string, string, string][] = [
    ['/health', 'get', '200'],
    ['/ocr', 'post', '200'],
    ['/ocr/async', 'post', '202'],
    ['/expense', 'post', '200'],
    ['/expense/async', 'post', '202'],
    ['/identity', 'post', '200'],
    ['/identity/async', 'post', '202'],
    ['/ocr/jobs/{jobId}', 'get', '200'],
    ['/documents/{documentId}', 'get', '200'],
    ['/queue/stats', 'get', '200'],
    ['/invoke/{function}', 'post', '202'],
  ];
  for (const [path, method, status] of expected) {
    assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is documented`);
    assert.ok(doc.paths[path][method].responses[status], `${method.toUpperCase()} ${path} documents ${status}`);
  }
  assert.equal(doc.info.version, '1.2.3');
});

test('should describe OcrResult with the contract fields and the error codes of document routes', () => {
  const result = doc.paths['/ocr'].post.responses['200'].content['application/json'].schema;
  for (const field of ['documentId', 'sha256', 'filename', 'contentType', 'bytes', 'pageCount', 'engine', 'features', 'cached', 'durationMs', 'text', 'pages', 'keyValues', 'tables', 'createdAt']) {
    assert.ok(result.properties[field], `OcrResult.${field}`);
  }
  for (const status of ['400', '401', '413', '415', '422', '502', '503', '504']) {
    assert.ok(doc.paths['/ocr'].post.responses[status], `POST /ocr documents ${status}`);
  }
  assert.ok(doc.paths['/ocr'].post.requestBody.content['multipart/form-data']);
  assert.ok(doc.paths['/ocr'].post.requestBody.content['application/json'].schema.properties.document);
  assert.equal(doc.paths['/health'].get.security, undefined, '/health needs no key');
});

test("should list each document function's own options as query parameters, multipart parts and JSON fields", () => {
  const ocr = doc.paths['/ocr'].post;
  const query = ocr.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
  for (const name of ['features', 'queries', 'pages', 'format', 'include', 'filename']) assert.ok(query.includes(name), `?${name}`);
  assert.ok(!query.includes('callbackUrl'), 'callbacks belong to the queued form');
  assert.ok(doc.paths['/ocr/async'].post.parameters.some((p: any) => p.name === 'callbackUrl'));
  const multipart = ocr.requestBody.content['multipart/form-data'].schema.properties;
  assert.equal(multipart.queries.type, 'string', 'structured options travel as JSON text in a part');
  const json = ocr.requestBody.content['application/json'].schema.properties;
  assert.equal(json.queries.type, 'array');
  assert.equal(json.queries.maxItems, 15);
  const expense = doc.paths['/expense'].post.parameters.map((p: any) => p.name);
  assert.ok(!expense.includes('features'), "another function's options are not listed");
  assert.ok(doc.paths['/expense'].post.responses['200'].content['application/json'].schema.properties.expenses);
  assert.ok(doc.paths['/documents/{documentId}'].get.responses['200'].content['text/markdown']);
});
