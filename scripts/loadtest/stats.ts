// Exact statistics over every request. Percentiles use the nearest-rank definition: the p-th
// percentile of n sorted values is the value at rank ceil(p/100 × n) (1-based), so it is always a
// latency that was really observed, never an interpolation; p0 is the minimum and p100 the maximum.
import type { FailureGroup, LatencySummary, RequestRecord, SecondBucket, Summary } from './types.ts';

/** Nearest-rank percentile of values sorted ascending; NaN for an empty array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (p <= 0) return sorted[0];
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1];
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  // A typed array sorts numerically and several times faster than Array#sort with a comparator.
  return Float64Array.from(values).sort();
}

export function summarizeLatencies(values: ArrayLike<number>): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = sortedCopy(values);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: sorted[0],
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

/** ok documents per minute of wall time. */
export function docsPerMinute(ok: number, durationMs: number): number {
  return durationMs > 0 ? (ok * 60_000) / durationMs : 0;
}

export function groupFailures(records: readonly RequestRecord[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const r of records) {
    if (r.ok) continue;
    const jobFailed = r.jobStatus === 'failed';
    const key = `${r.status}|${r.errorCode}|${jobFailed}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { status: r.status, errorCode: r.errorCode, jobFailed, count: 1 });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || String(a.status).localeCompare(String(b.status)));
}

export function summarize(records: readonly RequestRecord[], durationMs: number, openLoop: boolean): Summary {
  const okLatencies: number[] = [];
  const allLatencies: number[] = [];
  const queued: number[] = [];
  const retryAfter: Record<string, number> = {};
  let throttles = 0;
  let cacheHits = 0;
  let cacheReported = 0;
  for (const r of records) {
    allLatencies.push(r.latencyMs);
    if (r.ok) okLatencies.push(r.latencyMs);
    if (openLoop) queued.push(r.queuedMs);
    if (r.status === 503 && r.errorCode === 'OVERLOADED') {
      throttles++;
      const key = r.retryAfter ?? '(none)';
      retryAfter[key] = (retryAfter[key] ?? 0) + 1;
    }
    if (r.cached !== null) {
      cacheReported++;
      if (r.cached) cacheHits++;
    }
  }
  const ok = okLatencies.length;
  return {
    docs: records.length,
    ok,
    failed: records.length - ok,
    durationMs,
    docsPerMinute: docsPerMinute(ok, durationMs),
    latencyMs: summarizeLatencies(okLatencies),
    allLatencyMs: summarizeLatencies(allLatencies),
    queuedMs: openLoop ? summarizeLatencies(queued) : null,
    failures: groupFailures(records),
    throttles: { count: throttles, retryAfter },
    cacheHits,
    cacheReported,
  };
}

/**
 * One bucket per second of the run, by completion time. The last bucket's docsPerMinute is taken
 * over its real length, and a last sliver under half a second is folded into the bucket before it,
 * so the line neither dives nor spikes on the few documents that finish after the last full second.
 */
export function perSecondSeries(records: readonly RequestRecord[], durationMs: number, smoothSeconds = 5): SecondBucket[] {
  let seconds = Math.max(1, Math.ceil(durationMs / 1000));
  if (seconds > 1 && durationMs - (seconds - 1) * 1000 < 500) seconds--;
  const ok = new Array<number>(seconds).fill(0);
  const failed = new Array<number>(seconds).fill(0);
  const latencies: number[][] = Array.from({ length: seconds }, () => []);
  for (const r of records) {
    const s = Math.min(seconds - 1, Math.max(0, Math.floor((r.startMs + r.latencyMs) / 1000)));
    if (r.ok) {
      ok[s]++;
      latencies[s].push(r.latencyMs);
    } else {
      failed[s]++;
    }
  }
  const rate = ok.map((count, s) => {
    const length = s < seconds - 1 ? 1 : Math.max(0.5, (durationMs - s * 1000) / 1000);
    return (count * 60) / length;
  });
  const half = Math.floor(smoothSeconds / 2);
  return rate.map((perMinute, s) => {
    let sum = 0;
    let n = 0;
    for (let k = Math.max(0, s - half); k <= Math.min(seconds - 1, s + half); k++) {
      sum += rate[k];
      n++;
    }
    const sorted = sortedCopy(latencies[s]);
    return {
      second: s,
      ok: ok[s],
      failed: failed[s],
      docsPerMinute: perMinute,
      docsPerMinuteSmoothed: sum / n,
      p50Ms: sorted.length ? percentile(sorted, 50) : null,
      p95Ms: sorted.length ? percentile(sorted, 95) : null,
    };
  });
}
