import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Type from 'typebox';
import ocr from '../../../functions/ocr.ts';
import { parseDocumentRequest } from '../../../runtime/http/document-input.ts';
import { HttpError } from '../../../runtime/errors.ts';

const LIMIT = 1024;
const bytes = Buffer.from('%PDF-1.7 fake');
const OCR = ocr.schema.body!;

describe('parseDocumentRequest', () => {
  test('should take a raw body and options from the query string', async () => {
    const parsed = await parseDocumentRequest('application/pdf', bytes, new URLSearchParams('features=tables,Forms&filename=a.pdf'), LIMIT, OCR);
    assert.deepEqual(parsed.document.bytes, bytes);
    assert.equal(parsed.document.filename, 'a.pdf');
    assert.deepEqual(parsed.options.features, ['TABLES', 'FORMS']);
  });

  test('should decode base64 JSON, data URLs included', async () => {
    const body = Buffer.from(JSON.stringify({ document: `data:application/pdf;base64,${bytes.toString('base64')}`, features: 'TABLES' }));
    const parsed = await parseDocumentRequest('application/json; charset=utf-8', body, new URLSearchParams(), LIMIT, OCR);
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
    const parsed = await parseDocumentRequest(`multipart/form-data; boundary=${boundary}`, body, new URLSearchParams(), LIMIT, OCR);
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
      await assert.rejects(parseDocumentRequest(type, body, new URLSearchParams(), LIMIT, OCR), (err: HttpError) => err.code === code, `${type} ${body.subarray(0, 20)}`);
    }
  });
});

describe('options read from the function schema', () => {
  // A function the runtime has never heard of: its options work in all three forms.
  const schema = Type.Object(
    {
      colours: Type.Optional(Type.Array(Type.Union([Type.Literal('RED'), Type.Literal('GREEN')]), { maxItems: 2 })),
      count: Type.Optional(Type.Integer()),
      strict: Type.Optional(Type.Boolean()),
      questions: Type.Optional(Type.Array(Type.Object({ text: Type.String() }), { maxItems: 3 })),
      label: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  );
  const multipart = (fields: [string, string][]) => {
    const boundary = 'opt1ons';
    const parts = fields.map(([n, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`));
    return {
      type: `multipart/form-data; boundary=${boundary}`,
      body: Buffer.concat([
        ...parts,
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\n\r\n`),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    };
  };

  test('should type query values by the schema: lists, enum case, numbers, booleans, JSON arrays', async () => {
    const query = new URLSearchParams({ colours: 'red, Green', count: '7', strict: 'true', questions: '[{"text":"Total?"}]', label: '[draft]', other: 'kept out' });
    const { options } = await parseDocumentRequest('application/pdf', bytes, query, LIMIT, schema);
    assert.deepEqual(options, { colours: ['RED', 'GREEN'], count: 7, strict: true, questions: [{ text: 'Total?' }], label: '[draft]' });
  });

  test('should read repeated multipart parts as one list and report unknown parts to the schema', async () => {
    const { type, body } = multipart([['colours', 'red'], ['colours', 'green'], ['questions', '[{"text":"a"}]'], ['mystery', 'x']]);
    const { options } = await parseDocumentRequest(type, body, new URLSearchParams(), LIMIT, schema);
    assert.deepEqual(options.colours, ['RED', 'GREEN']);
    assert.deepEqual(options.questions, [{ text: 'a' }]);
    assert.equal(options.mystery, 'x', 'left for the schema check to refuse');
  });

  test('should canonicalise enum case and comma lists in JSON bodies', async () => {
    const body = Buffer.from(JSON.stringify({ document: bytes.toString('base64'), colours: 'green,red', count: 2 }));
    const { options } = await parseDocumentRequest('application/json', body, new URLSearchParams(), LIMIT, schema);
    assert.deepEqual(options, { colours: ['GREEN', 'RED'], count: 2 });
  });

  test('should refuse an over-long list before looking at its items', async () => {
    const huge = new URLSearchParams({ colours: Array(100_000).fill('RED').join(',') });
    await assert.rejects(parseDocumentRequest('application/pdf', bytes, huge, LIMIT, schema), (err: HttpError) => {
      assert.equal(err.code, 'VALIDATION_FAILED');
      assert.deepEqual(err.issues, [{ path: 'query.colours', message: 'must have at most 2 items' }]);
      return true;
    });
    const jsonBody = Buffer.from(JSON.stringify({ document: bytes.toString('base64'), colours: Array(100_000).fill('RED') }));
    await assert.rejects(parseDocumentRequest('application/json', jsonBody, new URLSearchParams(), LIMIT, schema), (err: HttpError) => {
      assert.deepEqual(err.issues, [{ path: 'body.colours', message: 'must have at most 2 items' }]);
      return true;
    });
  });

  test('should refuse list text that is not JSON where the items are objects', async () => {
    await assert.rejects(
      parseDocumentRequest('application/pdf', bytes, new URLSearchParams({ questions: 'Total?' }), LIMIT, schema),
      (err: HttpError) => err.code === 'VALIDATION_FAILED' && err.issues?.[0]?.path === 'query.questions',
    );
    await assert.rejects(
      parseDocumentRequest('application/pdf', bytes, new URLSearchParams({ questions: '[{"text":' }), LIMIT, schema),
      (err: HttpError) => err.code === 'VALIDATION_FAILED',
    );
  });
});
