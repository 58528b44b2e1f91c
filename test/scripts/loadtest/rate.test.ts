import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runLoad } from '../../../scripts/loadtest/run.ts';
import type { RequestRecord } from '../../../scripts/loadtest/types.ts';
import { type FakeService, startFakeService } from './fake-service.ts';

const small = { type: 'png', kb: 4 } as const;
const arrival = (r: RequestRecord) => r.startMs - r.queuedMs;

describe('open-loop arrivals (--rate)', () => {
  let fake: FakeService;
  before(async () => {
    fake = await startFakeService({ syncDelayMs: 100 });
  });
  after(() => fake.close());

  it('should space fixed arrivals evenly, independent of completions', async () => {
    const result = await runLoad({ url: fake.url, mode: 'sync', concurrency: 20, docs: 15, rate: { perSecond: 50, arrivals: 'fixed' }, documents: small, skipHealth: true });
    assert.equal(result.summary.ok, 15);
    const arrivals = result.records.map(arrival);
    for (let i = 1; i < arrivals.length; i++) assert.ok(Math.abs(arrivals[i] - arrivals[i - 1] - 20) < 0.05, `gap ${arrivals[i] - arrivals[i - 1]}`);
    // Sends follow the schedule although each answer takes 100 ms: the loop is open.
    const starts = result.records.map((r) => r.startMs);
    assert.ok(starts[14] - starts[0] < 14 * 20 + 150, `sends took ${starts[14] - starts[0]} ms`);
    assert.ok(result.summary.queuedMs!.max < 100);
  });

  it('should queue arrivals client-side when the in-flight cap is reached, and report the wait', async () => {
    const result = await runLoad({ url: fake.url, mode: 'sync', concurrency: 1, docs: 5, rate: { perSecond: 50, arrivals: 'fixed' }, documents: small, skipHealth: true });
    assert.equal(result.summary.ok, 5);
    const queued = result.records.map((r) => r.queuedMs);
    // One slot, 100 ms answers, an arrival every 20 ms: each waits ~80 ms longer than the one before.
    assert.ok(queued[4] > 250, `queued ${queued.join(', ')}`);
    assert.ok(result.summary.queuedMs!.p95 >= queued[3]);
    for (let i = 1; i < 5; i++) assert.ok(result.records[i].startMs >= result.records[i - 1].startMs + 95);
  });

  it('should draw Poisson gaps with the requested mean rate', async () => {
    const quick = await startFakeService({ syncDelayMs: 1 });
    try {
      const result = await runLoad({ url: quick.url, mode: 'sync', concurrency: 50, docs: 200, rate: { perSecond: 400, arrivals: 'poisson' }, documents: small, skipHealth: true });
      const arrivals = result.records.map(arrival);
      const gaps = arrivals.slice(1).map((a, i) => a - arrivals[i]);
      const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
      assert.ok(mean > 2.5 * 0.7 && mean < 2.5 * 1.3, `mean gap ${mean} ms`);
      // Exponential gaps vary a lot; fixed ones would not.
      assert.ok(Math.max(...gaps) > 3 * Math.min(...gaps) + 1);
    } finally {
      await quick.close();
    }
  });

  it('should drop arrivals still queued when the duration ends, and count them', async () => {
    const result = await runLoad({ url: fake.url, mode: 'sync', concurrency: 1, durationMs: 250, rate: { perSecond: 100, arrivals: 'fixed' }, documents: small, skipHealth: true });
    assert.equal(result.stoppedBy, 'duration');
    assert.ok(result.notSent > 10, `notSent ${result.notSent}`);
    assert.ok(result.summary.docs <= 4);
  });
});

describe('a slow rate', () => {
  it('should end at the duration, not at the next arrival', async () => {
    const fake = await startFakeService({ syncDelayMs: 1 });
    try {
      const start = performance.now();
      const result = await runLoad({ url: fake.url, mode: 'sync', concurrency: 1, durationMs: 200, rate: { perSecond: 1 / 60, arrivals: 'fixed' }, documents: small, skipHealth: true });
      assert.equal(result.summary.docs, 1);
      assert.equal(result.stoppedBy, 'duration');
      assert.ok(performance.now() - start < 1500);
    } finally {
      await fake.close();
    }
  });
});
