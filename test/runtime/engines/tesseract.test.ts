import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DocumentError } from '../../../runtime/documents/errors.ts';
import { splitPages } from '../../../runtime/documents/pages.ts';
import { createTesseractEngine, upscaleSmallPage } from '../../../runtime/engines/tesseract.ts';
import { matchWords } from '../../../scripts/bench/word-match.ts';
import { realDocument, textractBlocks } from '../../helpers/real-documents.ts';
import type { PageResult } from '../../../runtime/engines/types.ts';
import { wordAccuracy } from '../../helpers/accuracy.ts';
import { makeTextPdf, makeTextPng, sampleSentences } from '../../helpers/make-documents.ts';

const pageText = (result: PageResult) => result.lines.map((l) => l.text).join('\n');
const SMALL: [number, number] = [300, 120];

describe('tesseract engine', () => {
  const engine = createTesseractEngine();
  after(() => engine.close());

  it('should read a 300-DPI PNG of printed English with at least 95% word accuracy', async (t) => {
    const sentences = sampleSentences(8);
    const png = await makeTextPng(sentences);
    const result = await engine.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] });
    const accuracy = wordAccuracy(sentences.join(' '), pageText(result));
    t.diagnostic(`tesseract PNG word accuracy: ${(accuracy * 100).toFixed(1)}%`);
    assert.ok(accuracy >= 0.95, `accuracy ${accuracy}`);
    assert.deepEqual([result.page, result.width, result.height], [1, 2550, 3300]);
    assert.deepEqual([result.keyValues, result.tables], [[], []]);
    for (const line of result.lines) {
      const { left, top, width, height } = line.bbox;
      assert.ok([left, top, width, height].every((v) => v >= 0 && v <= 1), JSON.stringify(line.bbox));
      assert.ok(left + width <= 1.0001 && top + height <= 1.0001);
      assert.ok(line.confidence >= 0 && line.confidence <= 100);
    }
    const tops = result.lines.map((l) => l.bbox.top);
    assert.deepEqual(tops, [...tops].sort((x, y) => x - y), 'lines in reading order');
    // The text starts one inch (1/8.5 of the width) from the left edge.
    assert.ok(Math.abs(result.lines[0].bbox.left - 1 / 8.5) < 0.02, `left ${result.lines[0].bbox.left}`);
  });

  it('should read a 3-page PDF of printed English with at least 95% word accuracy', async (t) => {
    const pages = [sampleSentences(5, 0), sampleSentences(5, 5), sampleSentences(5, 10)];
    const pdf = await makeTextPdf(pages, { fontSize: 14 });
    const inputs = await splitPages(pdf, 'pdf');
    const results = await Promise.all(inputs.map((page) => engine.recognize(page, { features: [] })));
    assert.deepEqual(results.map((r) => r.page), [1, 2, 3]);
    const accuracies = results.map((r, i) => wordAccuracy(pages[i].join(' '), pageText(r)));
    const overall = wordAccuracy(pages.flat().join(' '), results.map(pageText).join('\n'));
    t.diagnostic(`tesseract PDF word accuracy: ${(overall * 100).toFixed(1)}% (pages ${accuracies.map((a) => (a * 100).toFixed(1)).join(', ')})`);
    assert.ok(overall >= 0.95, `accuracy ${overall}`);
    for (const r of results) assert.deepEqual([r.width, r.height], [2550, 3300], '300 DPI Letter');
  });

  it('should read the title, table cells and checkbox labels of a small real page (automatic segmentation, upscaled)', async () => {
    const bytes = realDocument('single-page-1.png');
    const result = await engine.recognize({ page: 1, kind: 'png', bytes }, { features: [] });
    const expected = textractBlocks('single-page-1.png', 'WORD').map((w) => w.text).join(' ');
    const match = matchWords(expected, pageText(result));
    assert.ok(match.recall >= 0.9 && match.precision >= 0.9, JSON.stringify(match));
    assert.deepEqual([result.width, result.height], [1226, 1514], 'the page keeps its own pixel size');
    const title = result.lines.find((l) => l.text.startsWith('Textractor Test'));
    assert.ok(title, 'the title is read');
    // Boxes are fractions of the page, where Textract put the same line.
    const theirs = textractBlocks('single-page-1.png', 'LINE').find((l) => l.text === 'Textractor Test')!;
    assert.ok(Math.abs(title.bbox.left - theirs.bbox.left) < 0.02 && Math.abs(title.bbox.top - theirs.bbox.top) < 0.02, JSON.stringify([title.bbox, theirs.bbox]));
    // The upscaling step on its own: below 2,500 pixels a page grows (at most 3×); above, it is left alone.
    const raster = { width: 1226, height: 1514, data: new Uint8Array(1226 * 1514) };
    assert.deepEqual([upscaleSmallPage(raster).width, upscaleSmallPage(raster).height], [2024, 2500]);
    const large = { width: 2550, height: 3300, data: new Uint8Array(1) };
    assert.equal(upscaleSmallPage(large), large);
  });

  it('should refuse Textract-only features with 422 without starting a worker', async () => {
    const fresh = createTesseractEngine();
    try {
      await assert.rejects(
        fresh.recognize({ page: 1, kind: 'png', bytes: new Uint8Array() }, { features: ['TABLES', 'FORMS'] }),
        (error: unknown) => {
          assert.ok(error instanceof DocumentError);
          assert.equal(error.status, 422);
          assert.equal(error.code, 'UNPROCESSABLE_DOCUMENT');
          assert.match(error.message, /The features TABLES, FORMS need Amazon Textract/);
          assert.match(error.message, /TEXTRACT_ENDPOINT or AWS credentials/);
          return true;
        },
      );
      assert.equal(fresh.stats().workers, 0);
    } finally {
      await fresh.close();
    }
  });

  it('should refuse an undecodable image with 422 and keep the worker', async () => {
    const fresh = createTesseractEngine({ poolSize: 1 });
    try {
      const png = await makeTextPng(['x'], { pageSize: SMALL });
      const broken = Buffer.concat([png.subarray(0, 8), Buffer.alloc(200, 0x41)]);
      await assert.rejects(fresh.recognize({ page: 1, kind: 'png', bytes: broken }, { features: [] }), (error: unknown) => {
        assert.ok(error instanceof DocumentError && error.status === 422);
        return true;
      });
      assert.deepEqual(fresh.stats(), { workers: 1, busy: 0, queued: 0 });
    } finally {
      await fresh.close();
    }
  });

  it('should create workers lazily and terminate them when idle', async () => {
    const logged: unknown[][] = [];
    const pool = createTesseractEngine({ poolSize: 2, idleMs: 300, log: { info: (...args) => logged.push(args) } });
    try {
      assert.deepEqual(pool.stats(), { workers: 0, busy: 0, queued: 0 });
      const png = await makeTextPng(['Lazy pool'], { pageSize: SMALL });
      const pending = pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] });
      assert.equal(pool.stats().workers, 1, 'one job starts one worker, not the whole pool');
      assert.equal(pageText(await pending), 'Lazy pool');
      assert.deepEqual(pool.stats(), { workers: 1, busy: 0, queued: 0 });
      await sleep(600);
      assert.equal(pool.stats().workers, 0);
      assert.ok(logged.some(([, message]) => message === 'tesseract worker terminated'));
      // And the pool comes back on demand.
      assert.equal(pageText(await pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] })), 'Lazy pool');
    } finally {
      await pool.close();
    }
    assert.equal(pool.stats().workers, 0);
  });

  it('should reject with an AbortError when aborted while queued, and still serve the others', async () => {
    const pool = createTesseractEngine({ poolSize: 1 });
    try {
      const png = await makeTextPng(['First in line'], { pageSize: SMALL });
      const first = pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] });
      const controller = new AbortController();
      const second = pool.recognize({ page: 2, kind: 'png', bytes: png }, { features: [], signal: controller.signal });
      assert.equal(pool.stats().queued, 2);
      controller.abort();
      await assert.rejects(second, { name: 'AbortError' });
      assert.equal(pool.stats().queued, 1);
      assert.equal(pageText(await first), 'First in line');
      await assert.rejects(pool.recognize({ page: 3, kind: 'png', bytes: png }, { features: [], signal: AbortSignal.abort() }), { name: 'AbortError' });
    } finally {
      await pool.close();
    }
  });

  it('should stop the worker when a running recognition is aborted', async () => {
    const pool = createTesseractEngine({ poolSize: 1 });
    try {
      const png = await makeTextPng(sampleSentences(4));
      const controller = new AbortController();
      const running = pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [], signal: controller.signal });
      while (pool.stats().busy === 0) await sleep(20);
      controller.abort();
      await assert.rejects(running, { name: 'AbortError' });
      assert.equal(pool.stats().workers, 0);
    } finally {
      await pool.close();
    }
  });

  it('should reject queued work and refuse new work after close()', async () => {
    const pool = createTesseractEngine({ poolSize: 1 });
    const png = await makeTextPng(['Closing'], { pageSize: SMALL });
    const pending = assert.rejects(pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] }), /closed/);
    await pool.close();
    await pending;
    await assert.rejects(pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] }), /closed/);
    assert.equal(pool.stats().workers, 0);
  });
});
