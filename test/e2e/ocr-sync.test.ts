import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { sha8, tinyPng } from '../helpers/png.ts';
import { hasFinalResponse, rawExchange } from '../helpers/raw-http.ts';
import { startService, type RunningService } from '../helpers/service.ts';

describe('POST /ocr against the Textract emulator', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let service: RunningService;

  before(async () => {
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 20 });
    service = await startService({
      databaseUrl: db.url,
      workers: 2,
      env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0', MAX_DOCUMENT_BYTES: String(256 * 1024) },
    });
  });
  after(async () => {
    await service?.stop();
    await emulator?.close();
    await db?.drop();
  });

  const ocr = (path = '/ocr') => `${service.url}${path}`;

  test('should OCR a raw PNG body and say which document it read', async () => {
    const png = tinyPng('raw');
    const res = await postDocument(ocr('/ocr?filename=scan.png'), png, { 'content-type': 'image/png' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.text.split('\n')[0], `DOC-${sha8(png)}`);
    assert.equal(res.json.filename, 'scan.png');
    assert.equal(res.json.contentType, 'image/png');
    assert.equal(res.json.bytes, png.length);
    assert.equal(res.json.pageCount, 1);
    assert.equal(res.json.engine, 'textract');
    assert.equal(res.json.cached, false);
    assert.deepEqual(res.json.features, []);
    assert.equal(res.json.pages[0].lines[0].text, `DOC-${sha8(png)}`);
    const { bbox, confidence } = res.json.pages[0].lines[0];
    assert.ok(confidence > 0 && confidence <= 100);
    assert.ok(bbox.left >= 0 && bbox.left + bbox.width <= 1 && bbox.top >= 0 && bbox.top + bbox.height <= 1);
    assert.ok(res.headers['x-request-id']);
  });

  test('should judge the type by content, not by the declared Content-Type', async () => {
    const png = tinyPng('declared-pdf');
    const res = await postDocument(ocr(), png, { 'content-type': 'application/pdf' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.contentType, 'image/png');
  });

  test('should OCR a multipart upload with features', async () => {
    const png = tinyPng('multipart');
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'form.png');
    form.append('features', 'FORMS,TABLES');
    const res = await fetch(ocr(), { method: 'POST', body: form });
    const json = (await res.json()) as any;
    assert.equal(res.status, 200, JSON.stringify(json));
    assert.equal(json.filename, 'form.png');
    assert.deepEqual(json.features, ['FORMS', 'TABLES']);
    assert.ok(json.keyValues.length >= 2, 'FORMS yields key-values');
    assert.ok(json.keyValues.every((kv: any) => kv.key && kv.page === 1));
    assert.equal(json.tables.length, 1);
    assert.equal(json.tables[0].rows.length, 3);
  });

  test('should OCR a base64 JSON body', async () => {
    const png = tinyPng('json');
    const res = await httpRequest(ocr(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ document: png.toString('base64'), filename: 'b64.png', features: ['TABLES'] }),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.text.split('\n')[0], `DOC-${sha8(png)}`);
    assert.deepEqual(res.json.features, ['TABLES']);
    assert.equal(res.json.keyValues, undefined);
    assert.equal(res.json.tables.length, 1);
  });

  test('should answer a repeated document from PostgreSQL without calling Textract', async () => {
    const png = tinyPng('cache');
    const first = await postDocument(ocr(), png);
    assert.equal(first.status, 200);
    const calls = emulator.stats().total;
    const second = await postDocument(ocr(), png);
    assert.equal(second.status, 200);
    assert.equal(second.json.cached, true);
    assert.equal(second.json.documentId, first.json.documentId);
    assert.equal(second.json.text, first.json.text);
    assert.equal(emulator.stats().total, calls);
    const withFeatures = await postDocument(ocr('/ocr?features=FORMS'), png);
    assert.equal(withFeatures.json.cached, false, 'another feature set is another result');
  });

  test('should serve a stored result by document id', async () => {
    const png = tinyPng('stored');
    const posted = await postDocument(ocr(), png);
    const res = await httpRequest(`${service.url}/documents/${posted.json.documentId}`);
    assert.equal(res.status, 200);
    assert.equal(res.json.documentId, posted.json.documentId);
    assert.equal(res.json.sha256, posted.json.sha256);
    assert.equal(res.json.text, posted.json.text);
    assert.equal(res.json.cached, true);

    const missing = await httpRequest(`${service.url}/documents/00000000-0000-4000-8000-000000000000`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'DOCUMENT_NOT_FOUND');
    const malformed = await httpRequest(`${service.url}/documents/not-a-uuid`);
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.code, 'VALIDATION_FAILED');
  });

  test('should refuse malformed input with 400 and a stable code', async () => {
    const badJson = await httpRequest(ocr(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"document":' });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.json.error.code, 'BAD_REQUEST');

    const badBase64 = await httpRequest(ocr(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"document":"%%%not base64%%%"}' });
    assert.equal(badBase64.status, 400);
    assert.equal(badBase64.json.error.code, 'BAD_REQUEST');

    const badFeature = await postDocument(ocr('/ocr?features=TABLES,HANDWRITING'), tinyPng('x'));
    assert.equal(badFeature.status, 400);
    assert.equal(badFeature.json.error.code, 'VALIDATION_FAILED');
    assert.ok(badFeature.json.error.issues.some((i: any) => i.path.startsWith('body.features')));

    const unknownField = await httpRequest(ocr(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ document: tinyPng('y').toString('base64'), colour: 'blue' }),
    });
    assert.equal(unknownField.status, 400);
    assert.equal(unknownField.json.error.code, 'VALIDATION_FAILED');
    assert.doesNotMatch(unknownField.text, /blue/, 'input is never echoed');

    const form = new FormData();
    form.append('features', 'TABLES');
    const noFile = await fetch(ocr(), { method: 'POST', body: form });
    assert.equal(noFile.status, 400);
    assert.equal(((await noFile.json()) as any).error.code, 'BAD_REQUEST');

    const brokenMultipart = await httpRequest(ocr(), {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nnot closed',
    });
    assert.equal(brokenMultipart.status, 400);

    const empty = await postDocument(ocr(), Buffer.alloc(0));
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.code, 'BAD_REQUEST');
  });

  test('should answer 413 before reading an oversized body', async () => {
    // Headers only: the answer must come without a byte of the body being sent.
    const refused = await rawExchange(service.port, [`POST /ocr HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`], {
      until: hasFinalResponse,
    });
    assert.deepEqual(refused.statuses, [413]);
    assert.match(refused.text, /"code":"PAYLOAD_TOO_LARGE"/);
    // A client that sends the whole body anyway still reads the answer (no reset racing it).
    const sent = await postDocument(ocr(), Buffer.alloc(2 * 1024 * 1024, 1));
    assert.equal(sent.status, 413);
    assert.equal(sent.json.error.code, 'PAYLOAD_TOO_LARGE');
    const decoded = await httpRequest(ocr(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ document: Buffer.alloc(300 * 1024, 7).toString('base64') }),
    });
    assert.equal(decoded.status, 413, 'the decoded document is held to MAX_DOCUMENT_BYTES too');
  });

  test('should answer 415 for content that is not a supported document', async () => {
    const res = await postDocument(ocr(), Buffer.from('just some text, not a scan'), { 'content-type': 'image/png' });
    assert.equal(res.status, 415);
    assert.equal(res.json.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('should answer 422 when Textract rejects the document, without retrying', async () => {
    const before = emulator.stats().total;
    const res = await postDocument(ocr(), tinyPng('bad', 'DTAT-EMULATOR:BAD_DOCUMENT'));
    assert.equal(res.status, 422);
    assert.equal(res.json.error.code, 'UNPROCESSABLE_DOCUMENT');
    assert.match(res.json.error.message, /BadDocumentException/);
    assert.equal(emulator.stats().total - before, 1);
  });

  test('should answer 502 when Textract keeps failing after retries', async () => {
    const before = emulator.stats().total;
    const res = await postDocument(ocr(), tinyPng('broken', 'DTAT-EMULATOR:INTERNAL_ERROR'));
    assert.equal(res.status, 502);
    assert.equal(res.json.error.code, 'UPSTREAM_ERROR');
    assert.equal(emulator.stats().total - before, 5, 'maxAttempts 5');
  });

  test('should echo the client x-request-id and answer unknown routes with JSON errors', async () => {
    const res = await httpRequest(`${service.url}/nope`, { headers: { 'x-request-id': 'boomi-run-42' } });
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-request-id'], 'boomi-run-42');
    assert.equal(res.json.error.requestId, 'boomi-run-42');
    const wrongMethod = await httpRequest(`${service.url}/ocr`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.json.error.code, 'METHOD_NOT_ALLOWED');
  });

  test('should report health with the answering worker', async () => {
    const res = await httpRequest(`${service.url}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.json.status, 'ok');
    assert.equal(res.json.db, 'ok');
    assert.equal(res.json.engine, 'textract');
    assert.match(res.json.worker.id, /^w\d+-\d+$/);
    assert.ok(['uws', 'node'].includes(res.json.adapter));
    // `npm test` runs these suites once per adapter and says which in HTTP_ADAPTER.
    const asked = process.env.HTTP_ADAPTER;
    if (asked === 'uws' || asked === 'node') assert.equal(res.json.adapter, asked);
    assert.equal(res.headers['x-dtat-worker'], res.json.worker.id);
  });
});
