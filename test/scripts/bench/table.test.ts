import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgError, parseBenchArgs, SCENARIOS } from '../../../scripts/bench/args.ts';
import { littleBoundPerMinute, middleRate, pipelinePerMinute, ratioTo, steadyWindow, type TimedRecord } from '../../../scripts/bench/rates.ts';
import { selectScenarios } from '../../../scripts/bench/scenarios.ts';
import { type BenchRow, formatNumber, formatPercent, formatTable, rowCells, verdict } from '../../../scripts/bench/table.ts';

function row(over: Partial<BenchRow>): BenchRow {
  return {
    scenario: 'sync-50',
    setup: 'WORKERS=4',
    value: 1200,
    unit: 'docs/min',
    bound: 1250,
    p50Ms: 2410,
    p95Ms: 2600,
    failures: 0,
    notes: [],
    ...over,
  };
}

/** N closed-loop clients with a fixed latency, run for durationMs: a client starts again only before the end. */
function closedLoop(clients: number, latencyMs: number, durationMs: number, offsetMs = 0): TimedRecord[] {
  const records: TimedRecord[] = [];
  for (let c = 0; c < clients; c++) {
    let t = c * offsetMs;
    do {
      records.push({ startMs: t, latencyMs, ok: true });
      t += latencyMs;
    } while (t < durationMs);
  }
  return records;
}

describe('bounds and ratios', () => {
  it("should give Little's law bounds of the scenarios", () => {
    assert.equal(littleBoundPerMinute(1, 2400), 25);
    assert.equal(littleBoundPerMinute(8, 2400), 200);
    assert.equal(littleBoundPerMinute(50, 2400), 1250);
    assert.equal(littleBoundPerMinute(200, 2400), 5000);
  });

  it('should treat a zero latency as no bound', () => {
    assert.equal(littleBoundPerMinute(200, 0), Number.POSITIVE_INFINITY);
  });

  it('should divide by the bound and refuse missing or non-positive bounds', () => {
    assert.equal(ratioTo(600, 1200), 0.5);
    assert.equal(ratioTo(null, 1200), null);
    assert.equal(ratioTo(600, null), null);
    assert.equal(ratioTo(600, 0), null);
    assert.equal(ratioTo(600, Number.POSITIVE_INFINITY), null);
  });

  it('should take one latency off a pipeline span', () => {
    assert.equal(pipelinePerMinute(120, 14_400, 2400), 600);
    assert.equal(pipelinePerMinute(10, 2000, 2400), null);
  });
});

describe('steadyWindow', () => {
  it("should measure Little's law exactly when clients finish in waves", () => {
    const window = steadyWindow(closedLoop(50, 2450, 15_000, 1), 2400)!;
    assert.ok(Math.abs(window.perMinute - (50 * 60_000) / 2450) < 1e-6, `got ${window.perMinute}`);
  });

  it('should not jump by a wave when the window edge moves across one, as a plain count does', () => {
    const records = closedLoop(50, 2400, 15_000);
    const before = steadyWindow(records, 2399)!;
    const after = steadyWindow(records, 2401)!;
    assert.ok(Math.abs(before.perMinute - 1250) < 1e-6 && Math.abs(after.perMinute - 1250) < 1e-6);
    assert.equal(before.ok - after.ok, 50);
  });

  it('should end the window at the first completion after the last start', () => {
    const records = closedLoop(2, 1000, 2500, 100);
    // Client 0: 0-1000, 1000-2000, 2000-3000; client 1: 100-1100, 1100-2100, 2100-3100.
    const window = steadyWindow(records, 1000)!;
    assert.equal(window.fromMs, 1000);
    assert.equal(window.toMs, 3000);
    assert.equal(window.ok, 4);
  });

  it('should count failed requests for nothing', () => {
    const records = closedLoop(4, 1000, 5000).map((r, i) => ({ ...r, ok: i % 2 === 0 }));
    const all = steadyWindow(closedLoop(4, 1000, 5000), 1000)!;
    const half = steadyWindow(records, 1000)!;
    assert.ok(half.perMinute < all.perMinute);
    assert.ok(half.ok < all.ok);
  });

  it('should give no window when the run is shorter than the skipped latency', () => {
    assert.equal(steadyWindow(closedLoop(3, 2400, 1000), 2400), null);
    assert.equal(steadyWindow([], 2400), null);
  });
});

describe('middleRate', () => {
  it('should measure the rate between the 10th and 90th percentile completions', () => {
    const times = Array.from({ length: 101 }, (_, i) => i * 100); // one per 100 ms
    const rate = middleRate(times)!;
    assert.equal(rate.fromMs, 1000);
    assert.equal(rate.toMs, 9000);
    assert.equal(rate.ok, 80);
    assert.equal(rate.perMinute, 600);
  });

  it('should give nothing for too few or simultaneous completions', () => {
    assert.equal(middleRate([1, 2]), null);
    assert.equal(middleRate([5, 5, 5, 5]), null);
  });
});

describe('table formatting', () => {
  it('should format numbers by size and ratios as percentages', () => {
    assert.equal(formatNumber(1234.5), '1,235');
    assert.equal(formatNumber(24.66), '24.7');
    assert.equal(formatNumber(3.14159), '3.14');
    assert.equal(formatNumber(null), '-');
    assert.equal(formatPercent(0.974), '97 %');
    assert.equal(formatPercent(null), '-');
  });

  it('should say ok when the ratio meets an at-least target', () => {
    assert.equal(verdict(row({ target: { ratio: 0.9, direction: 'at least' } })), 'ok (at least 90 %)');
  });

  it('should say below target, not fail, when the ratio misses', () => {
    const text = verdict(row({ value: 600, target: { ratio: 0.9, direction: 'at least' } }));
    assert.match(text, /^below target \(ratio 48 %, target at least 90 %\)$/);
  });

  it('should hold an at-most target (memory, lag) the other way round', () => {
    assert.equal(verdict(row({ value: 200, bound: 240, unit: 'MB RSS', target: { ratio: 1, direction: 'at most' } })), 'ok (at most 100 %)');
    assert.match(verdict(row({ value: 300, bound: 240, target: { ratio: 1, direction: 'at most' } })), /^below target/);
  });

  it('should list failed checks and failures among the misses', () => {
    const text = verdict(row({ checks: [{ label: '3 throttles after the first second', ok: false }], failures: 2 }));
    assert.equal(text, 'below target (3 throttles after the first second; 2 failed)');
  });

  it('should put an error before anything else and show a dash when there is nothing to meet', () => {
    assert.equal(verdict(row({ error: 'service did not start' })), 'error: service did not start');
    assert.equal(verdict(row({})), '-');
  });

  it('should render one row per line with every column, escaping pipes', () => {
    const rows = [row({ notes: ['a | b'], boundNote: "Little's law" }), row({ scenario: 'memory idle', value: 210, unit: 'MB RSS', bound: 240 })];
    const text = formatTable({ date: '2025-01-01T00:00:00.000Z', commit: 'abc1234', cores: 2, node: 'v20.0.0', quick: true }, rows, ['footnote']);
    const lines = text.trimEnd().split('\n');
    assert.ok(lines.includes('- git commit: abc1234'));
    assert.ok(lines.includes('- cores: 2 (nproc)'));
    assert.ok(lines.some((l) => l.startsWith('## DTAT-OCR benchmark (quick run)')));
    const tableLines = lines.filter((l) => l.startsWith('|'));
    assert.equal(tableLines.length, 4);
    for (const line of tableLines) assert.equal(line.split(/(?<!\\)\|/).length - 2, 10);
    assert.match(tableLines[2], /a \\\| b/);
    assert.match(tableLines[2], /\| 1,200 docs\/min \| 1,250 docs\/min \| 96 % \|/);
    assert.equal(lines.at(-1), '- footnote');
  });

  it('should show a dash for a missing measurement of a row that errored', () => {
    const cells = rowCells(row({ value: null, bound: null, error: 'boom' }));
    assert.equal(cells[2], '-');
    assert.equal(cells[4], '-');
  });
});

describe('command line', () => {
  it('should parse --quick and --only', () => {
    assert.deepEqual(parseBenchArgs(['--quick', '--only', 'sync-50,boomi']), { help: false, quick: true, only: ['sync-50', 'boomi'] });
    assert.deepEqual(parseBenchArgs(['--only=pdf-20']), { help: false, quick: false, only: ['pdf-20'] });
    assert.equal(parseBenchArgs(['--help']).help, true);
  });

  it('should refuse unknown scenarios and arguments', () => {
    assert.throws(() => parseBenchArgs(['--only', 'nope']), ArgError);
    assert.throws(() => parseBenchArgs(['--only']), ArgError);
    assert.throws(() => parseBenchArgs(['--fast']), ArgError);
  });

  it('should run sync-200 when memory is asked for, and every scenario by default', () => {
    assert.deepEqual(selectScenarios(['memory']).map((s) => s.name), ['sync-200']);
    assert.deepEqual(
      selectScenarios(null).map((s) => s.name),
      SCENARIOS.filter((name) => name !== 'memory'),
      'every scenario, in the order of the list (memory is measured within sync-200)',
    );
    assert.deepEqual(selectScenarios(['local-accuracy']).map((s) => s.name), ['local-accuracy']);
  });

  it('should leave the long versus comparison out of a quick run of everything, and run it when named', () => {
    const quick = selectScenarios(null, true).map((s) => s.name);
    assert.ok(!quick.includes('versus'));
    assert.deepEqual(quick, SCENARIOS.filter((name) => name !== 'memory' && name !== 'versus'));
    assert.deepEqual(selectScenarios(['versus'], true).map((s) => s.name), ['versus']);
  });
});
