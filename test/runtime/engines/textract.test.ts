import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../../scripts/emulator/server.ts';
import { loadConfig } from '../../../runtime/config.ts';
import { HttpError } from '../../../runtime/errors.ts';
import { createTextractClient } from '../../../runtime/engines/textract-client.ts';
import { analyzePage, prepareTextractClient, type TextractClientOptions } from '../../../runtime/engines/textract.ts';
import { parseOutput, useFastOutputParsing } from '../../../runtime/engines/textract-output.ts';
import { AnalyzeDocumentCommand, DetectDocumentTextCommand, type TextractClient } from '@aws-sdk/client-textract';
import type { Feature, PageInput } from '../../../runtime/engines/types.ts';
import { tinyPng } from '../../helpers/png.ts';

describe('Textract engine through the real SDK', () => {
  let emulator: EmulatorHandle;
  let client: TextractClient;
  const makeClientFor = (url: string, options?: TextractClientOptions) => prepareTextractClient(createTextractClient(loadConfig({ TEXTRACT_ENDPOINT: url })), options);
  const makeClient = (options?: TextractClientOptions) => makeClientFor(emulator.url, options);
  const engine = {
    recognize: (page: PageInput, options: { features: Feature[] }, on = client) => analyzePage(on, page, options),
  };

  before(async () => {
    emulator = await startEmulator();
    client = makeClient();
  });
  after(async () => {
    client?.destroy();
    await emulator?.close();
  });

  test('should deliver the document bytes intact, whatever their size', async () => {
    for (const size of [1, 2, 3, 1000, 300_001]) {
      const png = Buffer.concat([tinyPng(`size-${size}`), Buffer.alloc(size, 7)]);
      const page = await engine.recognize({ page: 2, kind: 'png', bytes: png }, { features: [] });
      const sha8 = createHash('sha256').update(png).digest('hex').slice(0, 8);
      assert.equal(page.lines[0]!.text, `DOC-${sha8}`, `${size} extra bytes`);
      assert.equal(page.page, 2);
    }
  });

  test('should send the requested features to AnalyzeDocument', async () => {
    const before = emulator.stats().apis.AnalyzeDocument.calls;
    const page = await engine.recognize({ page: 1, kind: 'png', bytes: tinyPng('features') }, { features: ['FORMS', 'TABLES'] });
    assert.equal(emulator.stats().apis.AnalyzeDocument.calls - before, 1);
    assert.ok(page.keyValues.length > 0);
    assert.equal(page.tables.length, 1);
  });

  test('should map a rejected document to 422 naming the page', async () => {
    await assert.rejects(
      engine.recognize({ page: 4, kind: 'png', bytes: tinyPng('bad', 'DTAT-EMULATOR:BAD_DOCUMENT') }, { features: [] }),
      (err: HttpError) => err.status === 422 && /page 4/.test(err.message),
    );
  });

  test('should abort the one call whose signal aborts, and only it, with the middleware chain built once', async () => {
    const slow = await startEmulator({ latencyMs: 300 });
    const c = makeClientFor(slow.url);
    try {
      assert.equal((c.config as { cacheMiddleware?: boolean }).cacheMiddleware, true);
      const controller = new AbortController();
      const aborted = analyzePage(c, { page: 1, kind: 'png', bytes: tinyPng('abort-1') }, { features: [], signal: controller.signal });
      const kept = analyzePage(c, { page: 1, kind: 'png', bytes: tinyPng('abort-2') }, { features: [], signal: new AbortController().signal });
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(aborted, (err: Error) => err.name === 'AbortError');
      assert.ok((await kept).lines.length > 0, 'the other call in flight is not aborted');
      const again = await analyzePage(c, { page: 1, kind: 'png', bytes: tinyPng('abort-3') }, { features: [] });
      assert.ok(again.lines.length > 0, 'later calls go through');
    } finally {
      c.destroy();
      await slow.close();
    }
  });

  test('should take a token before each retry the SDK makes', async () => {
    const paced: string[] = [];
    const counted = makeClient({
      paceRetry: async (operation) => {
        paced.push(operation);
      },
    });
    try {
      await assert.rejects(
        engine.recognize({ page: 1, kind: 'png', bytes: tinyPng('retry', 'DTAT-EMULATOR:INTERNAL_ERROR') }, { features: [] }, counted),
        (err: HttpError) => err.status === 502,
      );
      assert.deepEqual(paced, Array(4).fill('DetectDocumentText'), 'five attempts, four of them retries, each paced on its own operation');
      await engine.recognize({ page: 1, kind: 'png', bytes: tinyPng('no-retry') }, { features: [] }, counted);
      assert.equal(paced.length, 4, 'a first attempt is paced by the caller, not here');
    } finally {
      counted.destroy();
    }
  });

  test('should count every request sent to Textract once, by what became of it', async () => {
    const seen: string[] = [];
    const observed = makeClient({ observe: (operation, outcome) => seen.push(`${operation} ${outcome}`) });
    const sent = () => emulator.stats().total;
    try {
      const before = sent();
      await engine.recognize({ page: 1, kind: 'png', bytes: tinyPng('observe-ok') }, { features: [] }, observed);
      await engine.recognize({ page: 1, kind: 'png', bytes: tinyPng('observe-forms') }, { features: ['FORMS'] }, observed);
      await assert.rejects(engine.recognize({ page: 1, kind: 'png', bytes: tinyPng('observe-5xx', 'DTAT-EMULATOR:INTERNAL_ERROR') }, { features: [] }, observed));
      await assert.rejects(engine.recognize({ page: 1, kind: 'png', bytes: tinyPng('observe-throttle', 'DTAT-EMULATOR:THROTTLE') }, { features: [] }, observed));
      await assert.rejects(engine.recognize({ page: 1, kind: 'png', bytes: tinyPng('observe-bad', 'DTAT-EMULATOR:BAD_DOCUMENT') }, { features: [] }, observed));
      assert.deepEqual(seen, [
        'DetectDocumentText success',
        'AnalyzeDocument success',
        // Five attempts (maxAttempts 5): four the SDK retried, the last one ended the call.
        ...Array(4).fill('DetectDocumentText retried'),
        'DetectDocumentText failed',
        ...Array(5).fill('DetectDocumentText throttled'),
        'DetectDocumentText failed',
      ]);
      assert.equal(seen.length, sent() - before, 'one count per request the emulator received');
    } finally {
      observed.destroy();
    }
  });
});

describe('fast output parsing', () => {
  test("should yield what the SDK parses but the Polygons, and keep the SDK's error handling", async () => {
    const emulator = await startEmulator();
    const plain = createTextractClient(loadConfig({ TEXTRACT_ENDPOINT: emulator.url }));
    const fast = createTextractClient(loadConfig({ TEXTRACT_ENDPOINT: emulator.url }));
    useFastOutputParsing(fast);
    try {
      const input = { Document: { Bytes: tinyPng('parse') }, FeatureTypes: ['FORMS', 'TABLES'] as ('FORMS' | 'TABLES')[] };
      const a = await plain.send(new AnalyzeDocumentCommand(input));
      const b = await fast.send(new AnalyzeDocumentCommand(input));
      assert.ok((a.Blocks?.length ?? 0) > 10);
      assert.ok(a.Blocks!.every((block) => block.Geometry?.Polygon?.length));
      const withoutPolygons = a.Blocks!.map(({ Geometry, ...block }) => ({ ...block, Geometry: { BoundingBox: Geometry!.BoundingBox } }));
      assert.deepEqual(b.Blocks, withoutPolygons);
      assert.deepEqual(b.DocumentMetadata, a.DocumentMetadata);
      assert.equal(b.$metadata.httpStatusCode, 200);
      await assert.rejects(
        fast.send(new DetectDocumentTextCommand({ Document: { Bytes: tinyPng('bad', 'DTAT-EMULATOR:BAD_DOCUMENT') } })),
        (err: Error) => err.name === 'BadDocumentException',
      );
    } finally {
      plain.destroy();
      fast.destroy();
      await emulator.close();
    }
  });
});

describe('parseOutput', () => {
  const point = (x: number, y: number) => ({ X: x, Y: y });
  const box = { Width: 0.2, Height: 0.1, Left: 0.1, Top: 0.3 };
  const polygon = [point(0.1, 0.3), point(0.3, 0.3), point(0.3, 0.4), point(0.1, 0.4)];

  test('should drop every Polygon wherever it stands in its Geometry, and keep the rest', () => {
    const body = {
      Blocks: [
        { Id: 'a', BlockType: 'WORD', Text: 'last', Geometry: { BoundingBox: box, Polygon: polygon } },
        { Id: 'b', BlockType: 'WORD', Text: 'first', Geometry: { Polygon: polygon, BoundingBox: box } },
        { Id: 'c', BlockType: 'WORD', Text: 'alone', Geometry: { Polygon: polygon } },
        { Id: 'd', BlockType: 'WORD', Text: 'none', Geometry: { Polygon: [] } },
      ],
      DocumentMetadata: { Pages: 1 },
    };
    assert.deepEqual(parseOutput(JSON.stringify(body)), {
      Blocks: [
        { Id: 'a', BlockType: 'WORD', Text: 'last', Geometry: { BoundingBox: box } },
        { Id: 'b', BlockType: 'WORD', Text: 'first', Geometry: { BoundingBox: box } },
        { Id: 'c', BlockType: 'WORD', Text: 'alone', Geometry: {} },
        { Id: 'd', BlockType: 'WORD', Text: 'none', Geometry: {} },
      ],
      DocumentMetadata: { Pages: 1 },
    });
  });

  test('should leave text that spells a Polygon as it is', () => {
    const texts = ['"Polygon":[1,2]', ',"Polygon":[{"X":1}]', 'ends with a backslash \\', '\\",\"Polygon\":[', ']"Polygon":['];
    const body = { Blocks: texts.map((Text, i) => ({ Id: String(i), Text, Geometry: { BoundingBox: box, Polygon: polygon } })) };
    const parsed = parseOutput(JSON.stringify(body)) as typeof body;
    assert.deepEqual(parsed.Blocks.map((b) => b.Text), texts);
    assert.deepEqual(parsed.Blocks.map((b) => b.Geometry), texts.map(() => ({ BoundingBox: box })));
  });

  test('should parse text it cannot cut as a whole, and throw on what is not JSON', () => {
    assert.deepEqual(parseOutput('{ "Blocks": [ { "Geometry": { "Polygon": [ { "X": 1 } ] } } ] }'), { Blocks: [{ Geometry: { Polygon: [{ X: 1 }] } }] });
    assert.throws(() => parseOutput('<html>'), SyntaxError);
  });
});
