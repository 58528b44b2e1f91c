import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  AnalyzeDocumentCommand,
  DetectDocumentTextCommand,
  TextractClient,
  type Block,
} from '@aws-sdk/client-textract';
import { makeEncryptedPdf } from '../../scripts/emulator/encrypted-pdf.ts';
import { makePng, makeTextPdf } from '../../scripts/emulator/fixtures.ts';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';

function clientFor(emulator: EmulatorHandle, maxAttempts = 1): TextractClient {
  return new TextractClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
}

function detect(client: TextractClient, bytes: Uint8Array) {
  return client.send(new DetectDocumentTextCommand({ Document: { Bytes: bytes } }));
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected the call to fail');
}

function lineTexts(blocks: Block[] | undefined): string[] {
  return (blocks ?? []).filter((b) => b.BlockType === 'LINE').map((b) => b.Text!);
}

function byId(blocks: Block[]): Map<string, Block> {
  return new Map(blocks.map((b) => [b.Id!, b]));
}

function childIds(block: Block, type = 'CHILD'): string[] {
  return (block.Relationships ?? []).filter((r) => r.Type === type).flatMap((r) => r.Ids ?? []);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Textract emulator through the real AWS SDK', () => {
  let emulator: EmulatorHandle;
  let client: TextractClient;

  before(async () => {
    emulator = await startEmulator();
    client = clientFor(emulator);
  });
  after(async () => {
    client.destroy();
    await emulator.close();
  });

  test('should answer DetectDocumentText on a PNG with PAGE, LINE and WORD blocks led by DOC-<sha8>', async () => {
    const png = makePng({ seed: 1 });
    const result = await detect(client, png);
    const blocks = result.Blocks!;
    const sha8 = createHash('sha256').update(png).digest('hex').slice(0, 8);

    assert.equal(result.DocumentMetadata?.Pages, 1);
    assert.equal(result.DetectDocumentTextModelVersion, '1.0');
    assert.match(result.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(blocks[0].BlockType, 'PAGE');
    assert.deepEqual(new Set(blocks.map((b) => b.BlockType)), new Set(['PAGE', 'LINE', 'WORD']));
    const lines = blocks.filter((b) => b.BlockType === 'LINE');
    assert.equal(lines[0].Text, `DOC-${sha8}`);
    assert.ok(lines.length >= 4, 'DOC line plus at least three more');
    assert.deepEqual(childIds(blocks[0]), lines.map((l) => l.Id), 'PAGE lists its LINEs in reading order');

    const ids = byId(blocks);
    let previousTop = -1;
    for (const line of lines) {
      const words = childIds(line).map((id) => ids.get(id)!);
      assert.ok(words.every((w) => w.BlockType === 'WORD' && w.TextType === 'PRINTED'));
      assert.equal(words.map((w) => w.Text).join(' '), line.Text);
      assert.ok(line.Confidence! >= 90 && line.Confidence! <= 99.9);
      const box = line.Geometry!.BoundingBox!;
      assert.ok(box.Top! >= previousTop, 'lines run top to bottom');
      previousTop = box.Top!;
      assert.ok(box.Left! >= 0 && box.Left! + box.Width! <= 1 && box.Top! + box.Height! <= 1);
      assert.equal(line.Geometry!.Polygon!.length, 4);
    }
    assert.ok(blocks.every((b) => UUID.test(b.Id!) && b.Page === 1));
  });

  test('should answer byte-identically for the same bytes and differently for other bytes', async () => {
    const png = makePng({ seed: 2 });
    const raw = async (bytes: Buffer): Promise<string> => {
      const res = await fetch(emulator.url, {
        method: 'POST',
        headers: { authorization: 'test', 'x-amz-target': 'Textract.DetectDocumentText', 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ Document: { Bytes: bytes.toString('base64') } }),
      });
      assert.equal(res.status, 200);
      return res.text();
    };
    assert.equal(await raw(png), await raw(png));
    const [a, b] = await Promise.all([detect(client, png), detect(client, makePng({ seed: 3 }))]);
    assert.notDeepEqual(lineTexts(a.Blocks), lineTexts(b.Blocks));
  });

  test('should put a DTAT-LABEL text on the second line', async () => {
    const png = makePng({ seed: 4, text: { Comment: 'DTAT-LABEL[Invoice  #42 for ACME]' } });
    const lines = lineTexts((await detect(client, png)).Blocks);
    assert.match(lines[0], /^DOC-[0-9a-f]{8}$/);
    assert.equal(lines[1], 'Invoice  #42 for ACME');
  });

  test('should answer AnalyzeDocument FORMS and TABLES with key-value pairs and a table of words', async () => {
    const png = makePng({ seed: 5 });
    const result = await client.send(new AnalyzeDocumentCommand({ Document: { Bytes: png }, FeatureTypes: ['FORMS', 'TABLES'] }));
    const blocks = result.Blocks!;
    const ids = byId(blocks);
    const text = (blockIds: string[]): string => blockIds.map((id) => ids.get(id)!.Text).join(' ');
    assert.equal(result.AnalyzeDocumentModelVersion, '1.0');

    const keys = blocks.filter((b) => b.BlockType === 'KEY_VALUE_SET' && b.EntityTypes?.includes('KEY'));
    assert.ok(keys.length >= 2 && keys.length <= 4, `2..4 key-value pairs, got ${keys.length}`);
    const lines = lineTexts(blocks);
    for (const key of keys) {
      const value = ids.get(childIds(key, 'VALUE')[0])!;
      assert.deepEqual(value.EntityTypes, ['VALUE']);
      const keyText = text(childIds(key));
      assert.match(keyText, /:$/);
      assert.ok(lines.includes(`${keyText} ${text(childIds(value))}`), `"${keyText}" pairs with its line`);
    }

    const tables = blocks.filter((b) => b.BlockType === 'TABLE');
    assert.equal(tables.length, 1);
    const cells = childIds(tables[0]).map((id) => ids.get(id)!);
    assert.equal(cells.length, 9);
    assert.deepEqual(cells.map((c) => `${c.RowIndex},${c.ColumnIndex}`), ['1,1', '1,2', '1,3', '2,1', '2,2', '2,3', '3,1', '3,2', '3,3']);
    for (const cell of cells) {
      assert.equal(cell.BlockType, 'CELL');
      assert.equal(cell.RowSpan, 1);
      assert.equal(cell.ColumnSpan, 1);
      const words = childIds(cell).map((id) => ids.get(id)!);
      assert.ok(words.length > 0 && words.every((w) => w.BlockType === 'WORD'), 'cell words resolve to WORD blocks');
    }
    assert.deepEqual(cells.slice(0, 3).map((c) => text(childIds(c))), ['Item', 'Qty', 'Price']);
    const pageChildren = new Set(childIds(blocks[0]));
    assert.ok(pageChildren.has(tables[0].Id!) && keys.every((k) => pageChildren.has(k.Id!)));
  });

  test('should return the real text lines of a one-page PDF with their geometry', async () => {
    const items = [
      { text: 'Quarterly Report', x: 72, y: 720, size: 20 },
      { text: 'Page 3 of 5', x: 72, y: 650 },
      { text: 'Prepared by the finance team', x: 200, y: 400 },
    ];
    const pdf = await makeTextPdf([items]);
    const blocks = (await detect(client, pdf)).Blocks!;
    const lines = blocks.filter((b) => b.BlockType === 'LINE');
    assert.deepEqual(lines.map((l) => l.Text), items.map((i) => i.text));
    lines.forEach((line, i) => {
      const box = line.Geometry!.BoundingBox!;
      const item = items[i];
      const baseline = (792 - item.y) / 792;
      assert.ok(Math.abs(box.Left! - item.x / 612) < 0.01, `left of "${item.text}"`);
      assert.ok(box.Top! < baseline && box.Top! > baseline - 0.05, `top of "${item.text}" is just above its baseline`);
      assert.ok(box.Width! > 0.05 && box.Width! < 0.6);
    });
  });

  test('should read a PDF without a text layer as pseudo text', async () => {
    const pdf = await makeTextPdf([[]]);
    const lines = lineTexts((await detect(client, pdf)).Blocks);
    assert.equal(lines[0], `DOC-${createHash('sha256').update(pdf).digest('hex').slice(0, 8)}`);
  });

  test('should read an image marked DENSE as a full page of small print (~450 blocks, ~200 KB)', async () => {
    const png = makePng({ text: { Comment: 'DTAT-EMULATOR:DENSE page 1' } });
    const output = await detect(client, png);
    const blocks = output.Blocks!;
    const lines = blocks.filter((b) => b.BlockType === 'LINE');
    assert.equal(lines[0]!.Text, `DOC-${createHash('sha256').update(png).digest('hex').slice(0, 8)}`);
    assert.equal(lines.length, 51);
    assert.equal(blocks.filter((b) => b.BlockType === 'WORD').length, 401);
    const size = JSON.stringify(output.Blocks).length;
    assert.ok(size > 150_000 && size < 260_000, `${size} bytes of blocks`);
    // Lines stay on the page and do not overlap.
    const tops = lines.map((l) => l.Geometry!.BoundingBox!);
    tops.slice(1).forEach((box, i) => assert.ok(box.Top! >= tops[i]!.Top! + tops[i]!.Height!, `line ${i + 2} below line ${i + 1}`));
    assert.ok(tops.at(-1)!.Top! + tops.at(-1)!.Height! <= 1);
  });

  test('should refuse multi-page, encrypted and non-document input as UnsupportedDocumentException', async () => {
    const twoPages = await makeTextPdf([[{ text: 'one', x: 72, y: 700 }], [{ text: 'two', x: 72, y: 700 }]]);
    // Owner-only encryption opens without a password, yet Textract still refuses it.
    const ownerOnly = makeEncryptedPdf({ text: 'secret' });
    const userPassword = makeEncryptedPdf({ text: 'secret', userPassword: 'open sesame' });
    for (const bytes of [twoPages, ownerOnly, userPassword, Buffer.from('just some text, not a document')]) {
      const err = await errorOf(detect(client, bytes));
      assert.equal(err.name, 'UnsupportedDocumentException');
      assert.equal(err.$metadata?.httpStatusCode, 400);
    }
  });

  test('should refuse an unparseable PDF and a BAD_DOCUMENT marker as BadDocumentException', async () => {
    for (const bytes of [Buffer.from('%PDF-1.7\nthis is not a pdf body\n'), makePng({ text: { Comment: 'DTAT-EMULATOR:BAD_DOCUMENT' } })]) {
      assert.equal((await errorOf(detect(client, bytes))).name, 'BadDocumentException');
    }
  });

  test('should refuse a document over 10 MiB as DocumentTooLargeException', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1);
    makePng().copy(big);
    assert.equal((await errorOf(detect(client, big))).name, 'DocumentTooLargeException');
  });

  test('should refuse bad AnalyzeDocument parameters as InvalidParameterException', async () => {
    const png = makePng();
    const cases = [
      { FeatureTypes: [] },
      { FeatureTypes: ['TABLES', 'HANDWRITING'] },
      { FeatureTypes: ['QUERIES'] },
    ] as unknown as { FeatureTypes: ['TABLES'] }[];
    for (const params of cases) {
      const err = await errorOf(client.send(new AnalyzeDocumentCommand({ Document: { Bytes: png }, ...params })));
      assert.equal(err.name, 'InvalidParameterException', JSON.stringify(params));
    }
  });

  test('should answer QUERIES with QUERY blocks, answering those that name a key', async () => {
    const png = makePng({ seed: 9, text: { Comment: 'DTAT-LABEL[Policy Holder: Jane Roe]' } });
    const result = await client.send(new AnalyzeDocumentCommand({
      Document: { Bytes: png },
      FeatureTypes: ['QUERIES'],
      QueriesConfig: { Queries: [{ Text: 'Who is the policy holder?', Alias: 'HOLDER' }, { Text: 'What is the colour of the sky?' }] },
    }));
    const blocks = result.Blocks!;
    const queries = blocks.filter((b) => b.BlockType === 'QUERY');
    assert.deepEqual(queries.map((q) => q.Query?.Alias), ['HOLDER', undefined]);
    const answer = byId(blocks).get(childIds(queries[0], 'ANSWER')[0])!;
    assert.equal(answer.BlockType, 'QUERY_RESULT');
    assert.equal(answer.Text, 'Jane Roe');
    assert.deepEqual(childIds(queries[1], 'ANSWER'), []);
  });

  test('should force InternalServerError and ThrottlingException on every attempt from markers', async () => {
    emulator.resetStats();
    const retrying = clientFor(emulator, 2);
    try {
      const internal = await errorOf(detect(retrying, makePng({ text: { Comment: 'DTAT-EMULATOR:INTERNAL_ERROR' } })));
      assert.equal(internal.name, 'InternalServerError');
      assert.equal(internal.$metadata?.httpStatusCode, 500);
      assert.equal(internal.$metadata?.attempts, 2);
    } finally {
      retrying.destroy();
    }
    const throttled = await errorOf(detect(client, makePng({ text: { Comment: 'DTAT-EMULATOR:THROTTLE' } })));
    assert.equal(throttled.name, 'ThrottlingException');
    assert.equal(throttled.$metadata?.httpStatusCode, 400);
    assert.deepEqual(emulator.stats().apis.DetectDocumentText.injectedFaults, { InternalServerError: 2, ThrottlingException: 1 });
  });

  test('should count cache hits for repeated documents', async () => {
    emulator.resetStats();
    const png = makePng({ seed: 11 });
    await detect(client, png);
    await detect(client, png);
    assert.deepEqual(emulator.stats().cache, { hits: 1, misses: 1 });
  });
});

describe('Textract emulator protocol errors over raw HTTP', () => {
  let emulator: EmulatorHandle;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  const post = (headers: Record<string, string>, body = '{}') =>
    fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', ...headers }, body });
  const errorType = async (res: Response): Promise<string> => ((await res.json()) as { __type: string }).__type;

  test('should answer a missing Authorization header with MissingAuthenticationTokenException', async () => {
    const res = await post({ 'x-amz-target': 'Textract.DetectDocumentText' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.ok(res.headers.get('x-amzn-requestid'));
    assert.equal(await errorType(res), 'MissingAuthenticationTokenException');
  });

  test('should answer an unknown target with UnknownOperationException', async () => {
    const res = await post({ authorization: 'x', 'x-amz-target': 'Textract.StartDocumentAnalysis' });
    assert.equal(res.status, 400);
    assert.equal(await errorType(res), 'UnknownOperationException');
    assert.equal(emulator.stats().protocolErrors.UnknownOperationException, 1);
  });

  test('should answer malformed JSON with SerializationException', async () => {
    const res = await post({ authorization: 'x', 'x-amz-target': 'Textract.DetectDocumentText' }, '{"Document":');
    assert.equal(await errorType(res), 'SerializationException');
  });

  test('should refuse a body over 15 MiB with 413 before it has all arrived', async () => {
    const status = await new Promise<number>((done, fail) => {
      const req = request(emulator.url, {
        method: 'POST',
        headers: {
          authorization: 'x',
          'x-amz-target': 'Textract.DetectDocumentText',
          'content-length': String(16 * 1024 * 1024),
        },
      }, (res) => {
        res.resume();
        done(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', fail);
      req.write(Buffer.alloc(64 * 1024));
    });
    assert.equal(status, 413);
  });
});
