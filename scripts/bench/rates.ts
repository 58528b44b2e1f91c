// The arithmetic behind the table: bounds, and rates over the part of a run that is not its ramp-up
// or drain. Pure functions, so the test can pin them down without running anything.

/**
 * Little's law: N clients that each keep one request in flight, and each request takes at least
 * `latencyMs`, complete at most N / latency requests per unit of time.
 */
export function littleBoundPerMinute(concurrency: number, latencyMs: number): number {
  if (!(latencyMs > 0)) return Number.POSITIVE_INFINITY;
  return (concurrency * 60_000) / latencyMs;
}

export function perMinute(count: number, ms: number): number {
  return ms > 0 ? (count * 60_000) / ms : 0;
}

/** measured / bound; null when either is missing or the bound is not a positive finite number. */
export function ratioTo(value: number | null, bound: number | null): number | null {
  if (value === null || bound === null || !Number.isFinite(value) || !Number.isFinite(bound) || bound <= 0) return null;
  return value / bound;
}

/** What the window needs of a load-tester record: offsets from the run's start, in ms. */
export interface TimedRecord {
  startMs: number;
  latencyMs: number;
  ok: boolean;
}

export interface RateWindow {
  fromMs: number;
  toMs: number;
  /** ok completions inside (fromMs, toMs]. */
  ok: number;
  perMinute: number;
}

export interface SteadyWindow extends RateWindow {
  /** ok requests counted pro rata: the share of each one's send-to-answer time inside the window. */
  completions: number;
  /** ok completions inside the window per minute: the plain count, which a wave can tilt. */
  countedPerMinute: number;
}

/**
 * The steady part of a closed-loop run: from `skipMs` (one service latency, during which no
 * client can have finished anything) to the moment the first client stopped. After that moment
 * fewer clients are busy, so counting the drain would understate the rate.
 *
 * The first client to stop is the first completion after the last start: every earlier completion
 * was followed by its client's next start (start ≥ that end), so a completion later than every
 * start belongs to a client that found no more work.
 *
 * Clients that all start together finish together, one wave per latency, and a window edge
 * falling just before or after a wave moves the plain count by a whole wave (50 of ~300
 * documents in a 15 s run). So each ok request counts for the fraction of its time spent inside
 * the window: with every client busy throughout, that is Little's law (clients / latency)
 * measured, and it can never exceed the bound.
 */
export function steadyWindow(records: readonly TimedRecord[], skipMs: number): SteadyWindow | null {
  if (records.length === 0) return null;
  let lastStart = Number.NEGATIVE_INFINITY;
  for (const r of records) lastStart = Math.max(lastStart, r.startMs);
  let firstStop = Number.POSITIVE_INFINITY;
  for (const r of records) {
    const end = r.startMs + r.latencyMs;
    if (end > lastStart) firstStop = Math.min(firstStop, end);
  }
  if (!Number.isFinite(firstStop) || firstStop <= skipMs) return null;
  let ok = 0;
  let completions = 0;
  for (const r of records) {
    if (!r.ok) continue;
    const end = r.startMs + r.latencyMs;
    if (end > skipMs && end <= firstStop) ok++;
    const inside = Math.min(end, firstStop) - Math.max(r.startMs, skipMs);
    if (inside > 0 && r.latencyMs > 0) completions += inside / r.latencyMs;
  }
  const span = firstStop - skipMs;
  return { fromMs: skipMs, toMs: firstStop, ok, completions, perMinute: perMinute(completions, span), countedPerMinute: perMinute(ok, span) };
}

/**
 * The rate over the middle of a drain: from the completion at fraction `lo` to the one at `hi` of
 * the sorted completion times. Cuts the first burst (a full token bucket) and the last stragglers.
 */
export function middleRate(times: readonly number[], lo = 0.1, hi = 0.9): RateWindow | null {
  if (times.length < 3) return null;
  const sorted = [...times].sort((a, b) => a - b);
  const n = sorted.length;
  const i = Math.floor(lo * (n - 1));
  const j = Math.ceil(hi * (n - 1));
  if (j <= i || sorted[j] <= sorted[i]) return null;
  const ok = j - i;
  return { fromMs: sorted[i], toMs: sorted[j], ok, perMinute: perMinute(ok, sorted[j] - sorted[i]) };
}

/**
 * Items through a pipeline whose every item waits `latencyMs` once: the span from first submit to
 * last completion is (items / rate) + latency, so removing one latency gives the rate itself.
 */
export function pipelinePerMinute(items: number, spanMs: number, latencyMs: number): number | null {
  const busy = spanMs - latencyMs;
  return busy > 0 ? perMinute(items, busy) : null;
}
