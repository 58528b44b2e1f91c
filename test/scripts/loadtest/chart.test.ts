import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceTicks, renderChart } from '../../../scripts/loadtest/chart.ts';
import { sampleResult } from './fake-service.ts';

function pathPoints(svg: string, id: string): number {
  const match = new RegExp(`<path id="${id}" d="([^"]*)"`).exec(svg);
  assert.ok(match, `no path ${id}`);
  return (match[1].match(/[ML]/g) ?? []).length;
}

describe('renderChart', () => {
  it('should be a self-contained SVG with both panels, axes, title and legend', () => {
    const svg = renderChart(sampleResult());
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.doesNotMatch(svg, /<script|href=|@import|url\(/);
    assert.match(svg, /<g class="panel" id="throughput">/);
    assert.match(svg, /<g class="panel" id="latency">/);
    assert.equal((svg.match(/class="axis"/g) ?? []).length, 2);
    assert.match(svg, /DTAT-OCR load test: sync, concurrency 8, 2025-03-04 05:06:07 UTC/);
    assert.match(svg, /seconds since start/);
    assert.match(svg, /docs \/ min/);
    assert.match(svg, /latency \(ms\)/);
    assert.equal((svg.match(/class="legend"/g) ?? []).length, 2);
    assert.match(svg, />p95</);
    // Every element opened is closed: a cheap well-formedness check without an XML parser.
    const opened = (svg.match(/<(svg|g|text|title|desc)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|g|text|title|desc)>/g) ?? []).length;
    assert.equal(opened, closed);
  });

  it('should draw one point per second bucket in every series', () => {
    const result = sampleResult();
    const svg = renderChart(result);
    const buckets = result.series.length;
    assert.equal(buckets, 20);
    for (const id of ['throughput-raw', 'throughput-smoothed', 'latency-p50', 'latency-p95']) assert.equal(pathPoints(svg, id), buckets, id);
    assert.ok((svg.match(/class="failed"/g) ?? []).length > 0);
  });

  it('should escape text from the run', () => {
    const svg = renderChart(sampleResult({ url: 'http://h/<x>&"y"' }));
    assert.match(svg, /http:\/\/h\/&lt;x&gt;&amp;&quot;y&quot;/);
  });

  it('should still draw a run with no ok document', () => {
    const result = sampleResult();
    const empty = { ...result, series: result.series.map((b) => ({ ...b, ok: 0, docsPerMinute: 0, docsPerMinuteSmoothed: 0, p50Ms: null, p95Ms: null })) };
    const svg = renderChart(empty);
    assert.equal(pathPoints(svg, 'latency-p50'), 0);
    assert.doesNotMatch(svg, /NaN|Infinity/);
  });
});

describe('niceTicks', () => {
  it('should step by 1, 2 or 5 times a power of ten and cover the maximum', () => {
    assert.deepEqual(niceTicks(9, 5), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(100, 5), [0, 20, 40, 60, 80, 100]);
    assert.deepEqual(niceTicks(0.7, 5), [0, 0.2, 0.4, 0.6, 0.8]);
    assert.deepEqual(niceTicks(0), [0, 1]);
  });
});
