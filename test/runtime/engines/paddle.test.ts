import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DocumentError } from '../../../runtime/documents/errors.ts';
import { splitPages } from '../../../runtime/documents/pages.ts';
import { createPaddleEngine, engineProcessEnv } from '../../../runtime/engines/paddle.ts';
import type { PageResult } from '../../../runtime/engines/types.ts';
import { wordAccuracy } from '../../helpers/accuracy.ts';
import { makeTextPdf, makeTextPng, sampleSentences } from '../../helpers/make-documents.ts';

const pageText = (result: PageResult) => result.lines.map((l) => l.text).join('\n');
const SMALL: [number, number] = [300, 120];

describe('paddle engine', () => {
  const engine = createPaddleEngine({ threadsPerPage: 1 });
  after(() => engine.close());

  it('should read a 3-page PDF page by page, with lines and words boxed on the page', async (t) => {
    const pages = [sampleSentences(5, 0), sampleSentences(5, 5), sampleSentences(5, 10)];
    const inputs = await splitPages(await makeTextPdf(pages, { fontSize: 14 }), 'pdf');
    const results = await Promise.all(inputs.map((page) => engine.recognize(page, { features: [] })));
    assert.deepEqual(results.map((r) => r.page), [1, 2, 3]);
    const overall = wordAccuracy(pages.flat().join(' '), results.map(pageText).join('\n'));
    t.diagnostic(`paddle PDF word accuracy: ${(overall * 100).toFixed(1)}%`);
    assert.ok(overall >= 0.95, `accuracy ${overall}`);
    for (const r of results) {
      assert.deepEqual([r.width, r.height], [2550, 3300], '300 DPI Letter');
      assert.equal(r.words.map((w) => w.text).join(' '), r.lines.map((l) => l.text).join(' '), 'the words are the lines split at spaces');
      for (const { bbox, confidence } of [...r.lines, ...r.words]) {
        assert.ok([bbox.left, bbox.top, bbox.width, bbox.height].every((v) => v >= 0 && v <= 1), JSON.stringify(bbox));
        assert.ok(bbox.left + bbox.width <= 1.0001 && bbox.top + bbox.height <= 1.0001);
        assert.ok(confidence >= 0 && confidence <= 100);
      }
      const tops = r.lines.map((l) => l.bbox.top);
      assert.deepEqual(tops, [...tops].sort((x, y) => x - y), 'lines in reading order');
      // Words sit inside their line, left to right.
      const first = r.lines[0];
      const words = r.words.slice(0, first.text.split(' ').length);
      for (const w of words) assert.ok(w.bbox.left >= first.bbox.left - 0.001 && w.bbox.left + w.bbox.width <= first.bbox.left + first.bbox.width + 0.001);
      assert.deepEqual(words.map((w) => w.bbox.left), [...words.map((w) => w.bbox.left)].sort((x, y) => x - y));
    }
  });

  it('should refuse Textract-only features with 422 without starting a process', async () => {
    const fresh = createPaddleEngine();
    try {
      await assert.rejects(fresh.recognize({ page: 1, kind: 'png', bytes: new Uint8Array() }, { features: ['TABLES'] }), (error: unknown) => {
        assert.ok(error instanceof DocumentError && error.status === 422);
        assert.match(error.message, /The feature TABLES needs Amazon Textract; the local paddle engine reads plain text only/);
        return true;
      });
      assert.equal(fresh.stats().workers, 0);
    } finally {
      await fresh.close();
    }
  });

  it('should refuse an undecodable image with 422 and keep the process', async () => {
    const fresh = createPaddleEngine({ threadsPerPage: 1 });
    try {
      const png = await makeTextPng(['x'], { pageSize: SMALL });
      const broken = Buffer.concat([png.subarray(0, 8), Buffer.alloc(200, 0x41)]);
      await assert.rejects(fresh.recognize({ page: 1, kind: 'png', bytes: broken }, { features: [] }), (error: unknown) => {
        assert.ok(error instanceof DocumentError && error.status === 422, String(error));
        return true;
      });
      assert.deepEqual(fresh.stats(), { workers: 1, busy: 0, queued: 0 });
    } finally {
      await fresh.close();
    }
  });

  it('should start its process on demand and end it when idle', async () => {
    const logged: unknown[][] = [];
    const pool = createPaddleEngine({ threadsPerPage: 1, idleMs: 300, log: { info: (...args) => logged.push(args) } });
    try {
      assert.deepEqual(pool.stats(), { workers: 0, busy: 0, queued: 0 });
      const png = await makeTextPng(['Lazy pool'], { pageSize: SMALL });
      const pending = pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] });
      assert.equal(pool.stats().workers, 1);
      assert.equal(pageText(await pending), 'Lazy pool');
      await sleep(600);
      assert.equal(pool.stats().workers, 0);
      assert.ok(logged.some(([, message]) => message === 'paddle process ended'));
      assert.equal(pageText(await pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] })), 'Lazy pool', 'and comes back on demand');
    } finally {
      await pool.close();
    }
  });

  it('should drop a queued page on abort, and end the process when a running page is aborted', async () => {
    const pool = createPaddleEngine({ threadsPerPage: 1 });
    try {
      const png = await makeTextPng(sampleSentences(4));
      const queuedAbort = new AbortController();
      const running = new AbortController();
      const first = pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [], signal: running.signal });
      const second = pool.recognize({ page: 2, kind: 'png', bytes: png }, { features: [], signal: queuedAbort.signal });
      queuedAbort.abort();
      await assert.rejects(second, { name: 'AbortError' });
      while (pool.stats().busy === 0) await sleep(20);
      running.abort();
      await assert.rejects(first, { name: 'AbortError' });
      assert.equal(pool.stats().workers, 0);
    } finally {
      await pool.close();
    }
  });

  it('should reject queued work and refuse new work after close()', async () => {
    const pool = createPaddleEngine({ threadsPerPage: 1 });
    const png = await makeTextPng(['Closing'], { pageSize: SMALL });
    const pending = assert.rejects(pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] }), /closed/);
    await pool.close();
    await pending;
    await assert.rejects(pool.recognize({ page: 1, kind: 'png', bytes: png }, { features: [] }), /closed/);
    assert.equal(pool.stats().workers, 0);
  });
});

describe('the PaddleOCR process environment', () => {
  it("should leave out the worker's fixed malloc mmap threshold and keep the rest", () => {
    const env = engineProcessEnv({ MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: '2', PATH: '/usr/bin' });
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, undefined);
    assert.deepEqual(env, { MALLOC_ARENA_MAX: '2', PATH: '/usr/bin' });
  });
});
