import fc from 'fast-check';
import { tinyPng } from './png.ts';

// fast-check generators of what clients send: bodies in the three forms (and broken ones), option
// values of every kind, and queries. Shared by the parser fuzz suite and the one over HTTP.

/** The MAX_DOCUMENT_BYTES the fuzz suites run with: one generated raw body is a byte over it. */
export const FUZZ_MAX_DOCUMENT_BYTES = 64 * 1024;

const png = tinyPng('fuzz').toString('base64');
// Option names the functions know, and words that look like their values, so that generated
// requests reach the per-option code instead of stopping at "unknown field".
export const optionName = fc.constantFrom('features', 'queries', 'pages', 'format', 'table', 'include', 'filename', 'callbackUrl', 'document', 'file', 'x');
export const word = fc.oneof(
  fc.constantFrom('TABLES', 'forms', 'QUERIES', 'SIGNATURES', 'LAYOUT', '1-3,7', '0', '-1', '*', 'json', 'csv', 'words', 'http://h/x', '[', '[]', '{}', 'null', ''),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
export const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, word, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 8 }), fc.dictionary(optionName, tie('value'), { maxKeys: 4 })),
})).value;
// Long lists: the #3 shape (a list far past maxItems) in every form.
export const longList = fc.integer({ min: 6, max: 20_000 }).map((n) => Array(n).fill('TABLES'));

export const jsonBody = fc
  .record({
    document: fc.oneof(fc.constant(png), fc.constant(`data:image/png;base64,${png}`), word, fc.base64String({ maxLength: 40 }), jsonValue),
    options: fc.dictionary(optionName, fc.oneof(jsonValue, longList), { maxKeys: 5 }),
  })
  .map(({ document, options }) => ({ type: 'application/json', body: Buffer.from(JSON.stringify({ ...options, document })) }));
export const brokenJson = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('{', '{"document":', '[1,2', '"x"', 'null', '1e999')).map((text) => ({
  type: 'application/json; charset=utf-8',
  body: Buffer.from(text),
}));

export const boundary = fc.oneof(fc.constant('b0undary'), fc.stringMatching(/^[A-Za-z0-9'()+_,\-./:=?]{1,70}$/));
const part = fc.record({
  name: fc.oneof(optionName, fc.string({ maxLength: 8 })),
  filename: fc.option(fc.oneof(fc.constant('a.png'), fc.string({ maxLength: 10 })), { nil: undefined }),
  value: fc.oneof(word.map((w) => Buffer.from(w)), longList.map((l) => Buffer.from(l.join(','))), fc.uint8Array({ maxLength: 64 }).map(Buffer.from), fc.constant(tinyPng('fuzz'))),
});
export const multipartBody = fc.record({ boundary, parts: fc.array(part, { maxLength: 6 }), truncate: fc.nat({ max: 200 }), declared: fc.option(boundary, { nil: undefined }) }).map(({ boundary, parts, truncate, declared }) => {
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
export const rawBody = fc.record({
  type: fc.constantFrom('application/pdf', 'image/png', 'application/octet-stream', '', 'text/plain', 'multipart/form-data', 'application/json; boundary=x'),
  body: fc.oneof(fc.uint8Array({ maxLength: 256 }).map(Buffer.from), fc.constant(tinyPng('fuzz')), fc.constant(Buffer.alloc(FUZZ_MAX_DOCUMENT_BYTES + 1, 1))),
});
export const query = fc.array(fc.tuple(optionName, fc.oneof(word, longList.map((l) => l.join(',')))), { maxLength: 4 }).map((entries) => new URLSearchParams(entries));

