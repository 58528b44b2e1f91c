import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDocumentRequest } from '../../../runtime/http/document-input.ts';
import { HttpError } from '../../../runtime/errors.ts';

const LIMIT = 1024;
const bytes = Buffer.from('%PDF-1.7 fake');

describe('parseDocumentRequest', () => {
  test('should take a raw body and options from the query string', async () => {
    const parsed = await parseDocumentRequest('application/pdf', bytes, new URLSearchParams('features=tables,Forms&filename=a.pdf'), LIMIT);
    assert.deepEqual(parsed.document.bytes, bytes);
    assert.equal(parsed.document.filename, 'a.pdf');
    assert.deepEqual(parsed.options.features, ['TABLES', 'FORMS']);
  });

  test('should decode base64 JSON, data URLs included', async () => {
    const body = Buffer.from(JSON.stringify({ document: `data:application/pdf;base64,${bytes.toString('base64')}`, features: 'TABLES' }));
    const parsed = await parseDocumentRequest('application/json; charset=utf-8', body, new URLSearchParams(), LIMIT);
    assert.deepEqual(parsed.document.bytes, bytes);
    assert.deepEqual(parsed.options.features, ['TABLES']);
  });

  test('should read the file part of a multipart body and its text fields', async () => {
    const boundary = 'b0undary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="features"\r\n\r\nFORMS\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const parsed = await parseDocumentRequest(`multipart/form-data; boundary=${boundary}`, body, new URLSearchParams(), LIMIT);
    assert.deepEqual(parsed.document.bytes, bytes);
    assert.equal(parsed.document.filename, 'scan.pdf');
    assert.deepEqual(parsed.options.features, ['FORMS']);
  });

  test('should refuse what cannot be a document with stable codes', async () => {
    const cases: [string, Buffer, string][] = [
      ['application/json', Buffer.from('{nope'), 'BAD_REQUEST'],
      ['application/json', Buffer.from('[1]'), 'VALIDATION_FAILED'],
      ['application/json', Buffer.from('{"document": 5}'), 'VALIDATION_FAILED'],
      ['application/json', Buffer.from('{"document": "@@@@"}'), 'BAD_REQUEST'],
      ['multipart/form-data', Buffer.from('x'), 'BAD_REQUEST'],
      ['application/pdf', Buffer.alloc(0), 'BAD_REQUEST'],
      ['application/pdf', Buffer.alloc(LIMIT + 1), 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [type, body, code] of cases) {
      await assert.rejects(parseDocumentRequest(type, body, new URLSearchParams(), LIMIT), (err: HttpError) => err.code === code, `${type} ${body.subarray(0, 20)}`);
    }
  });
});
