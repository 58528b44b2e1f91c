// Types shared by the load engine, its modes, the report and the benchmark suite that imports them.

export const MODES = ['sync', 'async-poll', 'async-ws', 'boomi'] as const;
export type Mode = (typeof MODES)[number];

export const DOC_TYPES = ['png', 'jpeg', 'pdf', 'pdf-multi'] as const;
export type DocType = (typeof DOC_TYPES)[number];

export const FEATURES = ['TABLES', 'FORMS', 'SIGNATURES', 'LAYOUT'] as const;
export type Feature = (typeof FEATURES)[number];

/** Hard safety bounds: a run never sends more documents or lasts longer than these, whatever it is asked. */
export const MAX_DOCS = 1_000_000;
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

export interface LoadDocument {
  bytes: Buffer;
  contentType: string;
  filename: string;
}

/** Gives the document for one sequence number; may be async (reading a file). */
export type DocumentProvider = (seq: number) => LoadDocument | Promise<LoadDocument>;

export interface GeneratedDocuments {
  type: DocType;
  /** Approximate size target in KiB. */
  kb: number;
  /** Pages for pdf-multi. */
  pages?: number;
  /** Send the same document every time (to measure the service's cache). */
  repeat?: boolean;
}

export interface DirectoryDocuments {
  dir: string;
  repeat?: boolean;
}

export interface RateOptions {
  perSecond: number;
  /** poisson: exponential gaps (independent arrivals, like many users); fixed: evenly spaced. */
  arrivals: 'poisson' | 'fixed';
}

export interface LoadOptions {
  /** Base URL of the service; every request goes to this origin (and path prefix), nowhere else. */
  url: string;
  mode: Mode;
  /** The document function to post to (default /ocr); the async modes use <route>/async. */
  route?: string;
  /** Closed loop: number of clients. Open loop (rate): the most requests in flight at once. */
  concurrency: number;
  /** Stop after this many documents (default 100 when neither docs nor durationMs is given). */
  docs?: number;
  /** Stop starting documents after this long. */
  durationMs?: number;
  /** Open-loop arrivals; without it the load is closed-loop. */
  rate?: RateOptions;
  apiKey?: string;
  /** Per document, submit to final state (default 120000). */
  timeoutMs?: number;
  features?: Feature[];
  /** async-poll: interval between polls of one job (default 250). */
  pollMs?: number;
  /** boomi: POST /ocr/async and wait on a WebSocket instead of POST /ocr. */
  boomiAsync?: boolean;
  /** Documents: generated (default png, 100 KiB), a directory, or the caller's own provider. */
  documents?: GeneratedDocuments | DirectoryDocuments | DocumentProvider;
  /** Graceful stop: no new documents start, those in flight finish. */
  signal?: AbortSignal;
  /** Called at most every progressIntervalMs with a snapshot (for a progress line). */
  onProgress?: (p: ProgressSnapshot) => void;
  progressIntervalMs?: number;
  /** Skip the GET /health look before the run. */
  skipHealth?: boolean;
}

export interface ProgressSnapshot {
  elapsedMs: number;
  done: number;
  ok: number;
  failed: number;
  inFlight: number;
  queued: number;
  docsPerMinute: number;
  /** Over every latency so far (nearest-rank), null before the first completion. */
  p95Ms: number | null;
  targetDocs: number | null;
  targetMs: number | null;
}

/** One document's journey. Times are milliseconds; startMs is the offset from the run's start. */
export interface RequestRecord {
  seq: number;
  requestId: string;
  startMs: number;
  /** Open loop only: how long the arrival waited client-side for a free slot (0 otherwise). */
  queuedMs: number;
  /** Send to answer (sync) or submit to final job state (async modes). */
  latencyMs: number;
  ok: boolean;
  /** HTTP status of the response that decided the outcome; null when no response came (network, timeout, WebSocket). */
  status: number | null;
  /** Error code from the JSON error body or the failed job, or a client-side code (CLIENT_TIMEOUT, ECONNREFUSED, BAD_RESPONSE). */
  errorCode: string | null;
  /** Final job state in async modes. */
  jobStatus: 'succeeded' | 'failed' | null;
  bytes: number;
  jobId: string | null;
  /** `cached` from the OcrResult when the answer carried one. */
  cached: boolean | null;
  /** Retry-After of a 503 OVERLOADED answer. */
  retryAfter: string | null;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface FailureGroup {
  status: number | null;
  errorCode: string | null;
  /** True when the submission was accepted and the job itself ended failed. */
  jobFailed: boolean;
  count: number;
}

export interface Summary {
  docs: number;
  ok: number;
  failed: number;
  durationMs: number;
  docsPerMinute: number;
  /**
   * Over ok requests only (the headline, and what --max-p95-ms gates): fast rejections would
   * otherwise flatter it. Null when nothing succeeded.
   */
  latencyMs: LatencySummary | null;
  /** Over every request, ok or not. */
  allLatencyMs: LatencySummary | null;
  /** Open loop: client-side queueing; null in closed loop. */
  queuedMs: LatencySummary | null;
  failures: FailureGroup[];
  throttles: { count: number; retryAfter: Record<string, number> };
  cacheHits: number;
  /** Results that said whether they were cached (async modes without a result body say nothing). */
  cacheReported: number;
}

/** One second of the run, by completion time. */
export interface SecondBucket {
  second: number;
  ok: number;
  failed: number;
  /** ok × 60: the rate this second would give over a minute. */
  docsPerMinute: number;
  /** Centered moving average of docsPerMinute over a few seconds. */
  docsPerMinuteSmoothed: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface HealthInfo {
  status: number | null;
  body: unknown;
  error?: string;
}

export interface LoadResult {
  runId: string;
  startedAt: string;
  url: string;
  mode: Mode;
  concurrency: number;
  rate: RateOptions | null;
  features: Feature[];
  documents: string;
  /** The limits the run was given (never the API key). */
  settings: {
    docs: number | null;
    durationMs: number | null;
    timeoutMs: number;
    pollMs: number | null;
    boomiAsync: boolean;
    apiKey: boolean;
  };
  stoppedBy: 'docs' | 'duration' | 'signal' | 'bound';
  /** Open loop: arrivals still waiting for a slot when the run stopped; never sent. */
  notSent: number;
  wsReconnects: number;
  health: HealthInfo | null;
  summary: Summary;
  series: SecondBucket[];
  records: RequestRecord[];
}
