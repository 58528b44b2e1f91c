import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { docsPerMinute, groupFailures, percentile, perSecondSeries, sortedCopy, summarize, summarizeLatencies } from '../../../scripts/loadtest/stats.ts';
import type { RequestRecord } from '../../../scripts/loadtest/types.ts';

function record(over: Partial<RequestRecord>): RequestRecord {
  return {
    seq: 0, requestId: 'r', startMs: 0, queuedMs: 0, latencyMs: 10, ok: true, status: 200, errorCode: null,
    jobStatus: null, bytes: 1, jobId: null, cached: false, retryAfter: null, ...over,
  };
}

describe('percentile (nearest-rank)', () => {
  it('should pick the value at rank ceil(p/100 x n)', () => {
    const sorted = sortedCopy([15, 20, 35, 40, 50]);
    assert.equal(percentile(sorted, 5), 15);
    assert.equal(percentile(sorted, 30), 20);
    assert.equal(percentile(sorted, 40), 20);
    assert.equal(percentile(sorted, 50), 35);
    assert.equal(percentile(sorted, 100), 50);
  });

  it('should give observed values on 1..100 and the edges on p0 and p100', () => {
    const sorted = sortedCopy(Array.from({ length: 100 }, (_, i) => 100 - i));
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 95), 95);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile(sorted, 0), 1);
    assert.equal(percentile(sorted, 100), 100);
  });

  it('should return NaN for no values and the value for one', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.equal(percentile([7], 99), 7);
  });

  it('should sort numerically, not as strings', () => {
    const s = summarizeLatencies([9, 100, 10, 1000, 2]);
    assert.deepEqual([s?.min, s?.p50, s?.max], [2, 10, 1000]);
    assert.equal(s?.mean, 224.2);
  });
});

describe('summarize', () => {
  it('should compute docs/min as ok documents over wall minutes', () => {
    assert.equal(docsPerMinute(50, 30_000), 100);
    assert.equal(docsPerMinute(0, 1000), 0);
    assert.equal(docsPerMinute(5, 0), 0);
    const records = [record({ seq: 0 }), record({ seq: 1 }), record({ seq: 2, ok: false, status: 500, errorCode: 'X' })];
    const s = summarize(records, 60_000, false);
    assert.equal(s.docsPerMinute, 2);
    assert.deepEqual([s.docs, s.ok, s.failed], [3, 2, 1]);
    assert.equal(s.queuedMs, null);
  });

  it('should take headline latency over ok documents only', () => {
    const records = [record({ latencyMs: 100 }), record({ latencyMs: 200 }), record({ latencyMs: 1, ok: false, status: 503, errorCode: 'OVERLOADED' })];
    const s = summarize(records, 1000, false);
    assert.equal(s.latencyMs?.min, 100);
    assert.equal(s.allLatencyMs?.min, 1);
  });

  it('should group failures by status, code and job failure, and count throttles and cache hits', () => {
    const records = [
      record({ ok: false, status: 503, errorCode: 'OVERLOADED', retryAfter: '1' }),
      record({ ok: false, status: 503, errorCode: 'OVERLOADED', retryAfter: '1' }),
      record({ ok: false, status: 503, errorCode: 'OVERLOADED', retryAfter: '5' }),
      record({ ok: false, status: 202, errorCode: 'UPSTREAM_ERROR', jobStatus: 'failed' }),
      record({ ok: false, status: null, errorCode: 'CLIENT_TIMEOUT' }),
      record({ cached: true }),
      record({ cached: null }),
    ];
    const s = summarize(records, 1000, true);
    assert.deepEqual(s.failures[0], { status: 503, errorCode: 'OVERLOADED', jobFailed: false, count: 3 });
    assert.equal(s.failures.length, 3);
    assert.ok(s.failures.some((g) => g.jobFailed && g.errorCode === 'UPSTREAM_ERROR'));
    assert.deepEqual(s.throttles, { count: 3, retryAfter: { '1': 2, '5': 1 } });
    assert.deepEqual([s.cacheHits, s.cacheReported], [1, 6]);
    assert.ok(s.queuedMs);
    assert.deepEqual(groupFailures([record({})]), []);
  });
});

describe('perSecondSeries', () => {
  it('should bucket by completion second with per-bucket percentiles and a smoothed rate', () => {
    const records = [
      record({ startMs: 100, latencyMs: 100 }),
      record({ startMs: 300, latencyMs: 500 }),
      record({ startMs: 1200, latencyMs: 50 }),
      record({ startMs: 2100, latencyMs: 10, ok: false, status: 500, errorCode: 'E' }),
    ];
    const series = perSecondSeries(records, 3000, 3);
    assert.equal(series.length, 3);
    assert.deepEqual(series.map((b) => [b.ok, b.failed]), [[2, 0], [1, 0], [0, 1]]);
    assert.deepEqual(series.map((b) => b.docsPerMinute), [120, 60, 0]);
    assert.deepEqual([series[0].p50Ms, series[0].p95Ms], [100, 500]);
    assert.equal(series[2].p50Ms, null);
    assert.equal(series[1].docsPerMinuteSmoothed, 60);
    assert.equal(series[0].docsPerMinuteSmoothed, 90);
  });

  it('should fold a final sliver into the last full second', () => {
    const records = [record({ startMs: 500, latencyMs: 100 }), record({ startMs: 1990, latencyMs: 20 })];
    const series = perSecondSeries(records, 2010);
    assert.equal(series.length, 2);
    assert.equal(series[1].ok, 1);
    assert.ok(Math.abs(series[1].docsPerMinute - 60 / 1.01) < 1e-9);
  });
});
