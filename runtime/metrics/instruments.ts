import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// This process's metrics. Each worker keeps its own registry; GET /metrics adds up every
// worker's (see gather.ts), so names and labels here are those of the whole service. Label
// values MUST stay bounded: route paths from the route table (never the raw URL), status codes,
// Textract operation names, function names from functions.config.ts, the worker's slot (w1..wN).

export const registry = new Registry();

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
// Textract takes 1-3 s per page; a queued job of many pages takes minutes.
const JOB_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600];

const httpRequests = new Counter({
  name: 'dtat_http_requests_total',
  help: 'HTTP requests answered, by method, route (the configured path) and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

const httpDuration = new Histogram({
  name: 'dtat_http_request_duration_seconds',
  help: 'Time from a request reaching the pipeline to its response being ready.',
  labelNames: ['method', 'route'] as const,
  buckets: SECONDS_BUCKETS,
  registers: [registry],
});

export type TextractOutcome = 'success' | 'throttled' | 'retried' | 'failed';

const textractRequests = new Counter({
  name: 'dtat_textract_requests_total',
  help: 'Requests sent to Textract (each SDK attempt), by operation and outcome: success; throttled (refused for quota); retried (another error the SDK retried); failed (the error that ended the call).',
  labelNames: ['operation', 'outcome'] as const,
  registers: [registry],
});

const quotaWait = new Histogram({
  name: 'dtat_textract_quota_wait_seconds',
  help: "Time each wait for a token of an operation's cluster-wide Textract quota took; the count is tokens taken (a queued job's token is taken before the job is fetched, and given back when none was waiting).",
  labelNames: ['operation', 'priority'] as const,
  buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

/** Same value in every worker: aggregated as the max, not summed. */
export const quotaTps = new Gauge({
  name: 'dtat_textract_quota_tps',
  help: "The account's Textract quota per operation this service paces to (TEXTRACT_TPS, TEXTRACT_TPS_<OPERATION>).",
  labelNames: ['operation'] as const,
  aggregator: 'max',
  registers: [registry],
});

export type JobOutcome = 'succeeded' | 'failed' | 'retried';

const jobsFinished = new Counter({
  name: 'dtat_jobs_total',
  help: 'Queued job runs, by function and outcome: succeeded, failed (for good), retried (back to the queue).',
  labelNames: ['function', 'outcome'] as const,
  registers: [registry],
});

const jobWait = new Histogram({
  name: 'dtat_job_wait_seconds',
  help: 'Time from a job being accepted (202) to its first run starting.',
  labelNames: ['function'] as const,
  buckets: JOB_BUCKETS,
  registers: [registry],
});

const jobProcessing = new Histogram({
  name: 'dtat_job_processing_seconds',
  help: 'Time one run of a queued job took, by function and outcome.',
  labelNames: ['function', 'outcome'] as const,
  buckets: JOB_BUCKETS,
  registers: [registry],
});

const jobClaims = new Counter({
  name: 'dtat_job_claims_total',
  help: "Job claims by where the document's bytes came from: process (the accepting process's memory), spool (this machine's spool folder), database (read back from PostgreSQL), none (no document, or its bytes are past retention).",
  labelNames: ['bytes'] as const,
  registers: [registry],
});

export type ClaimBytes = 'process' | 'spool' | 'database' | 'none';
const claims = Object.fromEntries((['process', 'spool', 'database', 'none'] as const).map((b) => [b, jobClaims.labels(b)])) as Record<ClaimBytes, ReturnType<typeof jobClaims.labels>>;

export function countJobClaim(bytes: ClaimBytes): void {
  claims[bytes].inc();
}

const cacheLookups = new Counter({
  name: 'dtat_cache_lookups_total',
  help: 'Result cache lookups by kind (result: a whole document; call: one Textract call of a multi-call document) and result (hit, miss).',
  labelNames: ['kind', 'result'] as const,
  registers: [registry],
});

// prom-client hashes a label object on every inc(); children bound once cost nothing per call.
const cache = {
  result: { hit: cacheLookups.labels('result', 'hit'), miss: cacheLookups.labels('result', 'miss') },
  call: { hit: cacheLookups.labels('call', 'hit'), miss: cacheLookups.labels('call', 'miss') },
};

/** Counts `hits` and `misses` of one kind of cache lookup. */
export function countCache(kind: 'result' | 'call', hits: number, misses: number): void {
  if (hits) cache[kind].hit.inc(hits);
  if (misses) cache[kind].miss.inc(misses);
}

const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);

/** A client may send any method name; the label keeps the standard ones and calls the rest OTHER. */
export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'OTHER';
}

export interface RequestRecorder {
  record(status: number, seconds: number): void;
}

// Requests answered and job runs finished by this process: idle-memory.ts reads it to tell a
// quiet worker from a busy one without a hook of its own on every request.
let activity = 0;

export function activityCount(): number {
  return activity;
}

/**
 * The counter and histogram children of one route, bound once at boot; a status code's child is
 * bound the first time that code is answered, so recording allocates nothing per request.
 */
export function requestRecorder(method: string, route: string): RequestRecorder {
  const m = methodLabel(method);
  const duration = httpDuration.labels(m, route);
  const byStatus = new Map<number, Counter.Internal>();
  return {
    record(status, seconds) {
      let counter = byStatus.get(status);
      if (!counter) {
        counter = httpRequests.labels(m, route, String(status));
        byStatus.set(status, counter);
      }
      counter.inc();
      duration.observe(seconds);
      activity++;
    },
  };
}

/** One Textract request's outcome; called from the SDK middleware (engines/textract.ts). */
export function countTextractRequest(operation: string, outcome: TextractOutcome): void {
  textractRequests.labels(operation, outcome).inc();
}

export function observeQuotaWait(operation: string, priority: string, seconds: number): void {
  quotaWait.labels(operation, priority).observe(seconds);
}

export function observeJobStart(fn: string, waitedSeconds: number): void {
  jobWait.labels(fn).observe(waitedSeconds);
}

export function observeJobRun(fn: string, outcome: JobOutcome, seconds: number): void {
  jobsFinished.labels(fn, outcome).inc();
  jobProcessing.labels(fn, outcome).observe(seconds);
  activity++;
}

/** What a worker's gauges read at scrape time. */
export interface ProcessReadings {
  workerSlot: string;
  httpInFlight: () => number;
  engineInFlight: () => number;
  engineWaiting: () => number;
  quotaWaiting: () => number;
}

let readingsInstalled = false;

/**
 * Gauges read when scraped (nothing on the hot path) and Node's own metrics (event-loop lag,
 * heap, CPU, GC), labelled with the worker's slot so each process stays visible in the sum.
 */
export function installProcessMetrics(readings: ProcessReadings): void {
  if (readingsInstalled) return;
  readingsInstalled = true;
  collectDefaultMetrics({ register: registry, labels: { worker: readings.workerSlot } });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('dtat_http_requests_in_flight', 'HTTP requests being handled now.', readings.httpInFlight);
  gauge('dtat_engine_calls_in_flight', 'Engine (Textract or local OCR) calls in flight now.', readings.engineInFlight);
  gauge('dtat_engine_calls_waiting', 'Engine calls waiting for a slot (ENGINE_CONCURRENCY per process).', readings.engineWaiting);
  gauge('dtat_textract_quota_waiting', 'Textract calls waiting for a quota token now.', readings.quotaWaiting);
}
