import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { jsonWithBase64 } from '../../../runtime/engines/textract-body.ts';

const MARK = (i: number) => `"\\u0000dtat-bytes-${i}"`;

describe('jsonWithBase64', () => {
  test('should write the bytes as base64 in place of each marker, whatever their length', () => {
    // Lengths around the slice size (48 KiB) and its multiples of 3, and the empty document.
    for (const size of [0, 1, 2, 3, 4, 49_151, 49_152, 49_153, 98_305, 150_000]) {
      const bytes = randomBytes(size);
      const body = jsonWithBase64(`{"Document":{"Bytes":${MARK(0)}}}`, [bytes]);
      assert.equal(body.toString('utf8'), JSON.stringify({ Document: { Bytes: bytes.toString('base64') } }), `${size} bytes`);
    }
  });

  test('should fill several documents (AnalyzeID front and back) and keep the text around them, non-ASCII too', () => {
    const front = randomBytes(70_000);
    const back = randomBytes(5);
    const json = `{"DocumentPages":[{"Bytes":${MARK(0)}},{"Bytes":${MARK(1)}}],"Note":"é ü ✓"}`;
    const body = jsonWithBase64(json, [front, back]);
    assert.deepEqual(JSON.parse(body.toString('utf8')), {
      DocumentPages: [{ Bytes: front.toString('base64') }, { Bytes: back.toString('base64') }],
      Note: 'é ü ✓',
    });
  });

  test('should read a view into a larger buffer from its own offset only', () => {
    const whole = randomBytes(1000);
    const view = whole.subarray(100, 400);
    const body = jsonWithBase64(`{"Bytes":${MARK(0)}}`, [view]);
    assert.equal(JSON.parse(body.toString()).Bytes, Buffer.from(view).toString('base64'));
  });
});
