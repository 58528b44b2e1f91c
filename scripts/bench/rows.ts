// Rows for closed-loop runs, shared by the scenarios that drive N clients through the load tester.
import type { LoadResult } from '../loadtest/index.ts';
import { failureNote } from './context.ts';
import { steadyWindow } from './rates.ts';
import type { BenchRow, Target } from './table.ts';

// The issues' bar: within 5 % of the bound.
export const THROUGHPUT_TARGET: Target = { ratio: 0.95, direction: 'at least' };

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/**
 * Two rows: the steady state (headline; the fair comparison with Little's law) and the whole run
 * (ramp-up and drain included). `skipMs` is one service latency.
 */
export function closedLoopRows(
  scenario: string,
  setup: string,
  result: LoadResult,
  opts: { skipMs: number; bound: number; boundNote: string; extraNotes?: string[] },
): BenchRow[] {
  const s = result.summary;
  const window = steadyWindow(result.records, opts.skipMs);
  const failures = failureNote(result);
  const common = { setup, unit: 'docs/min', bound: opts.bound, p50Ms: s.latencyMs?.p50 ?? null, p95Ms: s.latencyMs?.p95 ?? null, failures: s.failed };
  return [
    {
      scenario: `${scenario} (steady state, headline)`,
      ...common,
      value: window?.perMinute ?? null,
      boundNote: opts.boundNote,
      target: THROUGHPUT_TARGET,
      notes: [
        window
          ? `window ${seconds(window.fromMs)}–${seconds(window.toMs)} s (one latency in, to the first client's stop): ${window.completions.toFixed(1)} docs pro rata; plain count ${window.ok} = ${window.countedPerMinute.toFixed(0)}/min`
          : 'no steady window (run too short)',
        ...(failures ? [failures] : []),
        ...(opts.extraNotes ?? []),
      ],
    },
    {
      scenario: `${scenario} (whole run)`,
      ...common,
      value: s.docsPerMinute,
      notes: [`${s.ok} docs in ${seconds(s.durationMs)} s, ramp-up and drain included`],
    },
  ];
}

/** A row that could not be measured. */
export function errorRow(scenario: string, setup: string, error: string, unit = 'docs/min'): BenchRow {
  return { scenario, setup, value: null, unit, bound: null, p50Ms: null, p95Ms: null, failures: 0, notes: [], error };
}
