import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProgress } from '../../../scripts/loadtest/progress.ts';
import { formatReport, judge } from '../../../scripts/loadtest/report.ts';
import { sampleResult } from './fake-service.ts';

describe('judge', () => {
  it('should fail on failed documents and on the p95 gate, naming both', () => {
    const result = sampleResult();
    const p95 = result.summary.latencyMs!.p95;
    const verdict = judge(result, { maxP95Ms: Math.floor(p95) - 1 });
    assert.equal(verdict.pass, false);
    assert.equal(verdict.reasons.length, 2);
    assert.match(verdict.line, /^FAIL: 6 of 200 documents failed; p95 [\d.]+ ms is above --max-p95-ms \d+$/);
  });

  it('should pass when every document is ok and p95 is under the gate', () => {
    const result = sampleResult();
    const ok = { ...result, summary: { ...result.summary, failed: 0, ok: 200 } };
    const verdict = judge(ok, { maxP95Ms: 10_000 });
    assert.equal(verdict.pass, true);
    assert.match(verdict.line, /^PASS: 200 of 200 documents ok, p95 [\d.]+ ms$/);
  });
});

describe('formatReport', () => {
  it('should show counts, latency percentiles, throttles and failures grouped by status and code', () => {
    const result = sampleResult();
    const text = formatReport(result, judge(result));
    assert.match(text, /docs\s+200\n/);
    assert.match(text, /ok\s+194\n/);
    assert.match(text, /failed\s+6\n/);
    assert.match(text, /docs\/min\s+\d+\.\d/);
    assert.match(text, /latency ms\s+p50 \d+\s+p95 \d+\s+p99 \d+\s+max \d+/);
    assert.match(text, /throttles\s+6 \(503 OVERLOADED; Retry-After 1 x6\)/);
    assert.match(text, /cache hits\s+0 of 194 results/);
    assert.match(text, /failures\n\s+status\s+code\s+count\n\s+503\s+OVERLOADED\s+6\n/);
    assert.ok(text.trimEnd().split('\n').at(-1)!.startsWith('FAIL: 6 of 200 documents failed'));
  });
});

describe('formatProgress', () => {
  it('should show done, failed, rate, p95 and in flight', () => {
    const line = formatProgress({ elapsedMs: 12_345, done: 40, ok: 39, failed: 1, inFlight: 4, queued: 2, docsPerMinute: 190.4, p95Ms: 123.4, targetDocs: 100, targetMs: null });
    assert.equal(line, '40/100 done | 1 failed | 190 docs/min | p95 123 ms | 4 in flight | 2 queued | 12.3 s');
  });
});
