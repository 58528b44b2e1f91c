// The load engine: sends documents in a closed loop (N clients, each sending its next document when
// the last one finished) or an open loop (arrivals at a rate, whatever the completions, with at most
// N in flight and the rest queued client-side), records every document and summarises the run.
import { randomBytes } from 'node:crypto';
import { Agent } from 'undici';
import { directoryProvider, generatedProvider } from './documents.ts';
import { type HttpContext, type Outcome, LOADTEST_USER_AGENT, call, clientErrorCode, failure, parseBaseUrl } from './http.ts';
import { asyncPollClient } from './modes/async-poll.ts';
import { asyncWsClient } from './modes/async-ws.ts';
import { BOOMI_READ_TIMEOUT_MS, boomiClient } from './modes/boomi.ts';
import type { ModeClient } from './modes/client.ts';
import { syncClient } from './modes/sync.ts';
import { percentile, perSecondSeries, sortedCopy, summarize } from './stats.ts';
import {
  type DocumentProvider,
  FEATURES,
  type HealthInfo,
  type LoadOptions,
  type LoadResult,
  MAX_DOCS,
  MAX_DURATION_MS,
  MODES,
  type ProgressSnapshot,
  type RequestRecord,
} from './types.ts';

export const DEFAULT_DOCS = 100;
export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_POLL_MS = 250;
export const DEFAULT_DOC_KB = 100;
const HEALTH_TIMEOUT_MS = 5000;

export class LoadOptionsError extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LoadOptionsError(message);
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

/** Rejects what the CLI's parser would also reject, for callers that build options themselves. */
export function validateOptions(o: LoadOptions): void {
  check(MODES.includes(o.mode), `mode must be one of ${MODES.join(', ')}`);
  check(isPositiveInt(o.concurrency) && o.concurrency <= 10_000, 'concurrency must be an integer from 1 to 10000');
  if (o.docs !== undefined) check(isPositiveInt(o.docs) && o.docs <= MAX_DOCS, `docs must be an integer from 1 to ${MAX_DOCS}`);
  if (o.durationMs !== undefined) {
    check(o.durationMs > 0 && o.durationMs <= MAX_DURATION_MS, 'durationMs must be above 0 and at most 24 h');
  }
  if (o.rate) {
    check(o.rate.perSecond > 0 && o.rate.perSecond <= 100_000, 'rate must be above 0 and at most 100000/s');
    check(o.rate.arrivals === 'poisson' || o.rate.arrivals === 'fixed', 'rate arrivals must be poisson or fixed');
  }
  if (o.timeoutMs !== undefined) check(isPositiveInt(o.timeoutMs) && o.timeoutMs <= 3_600_000, 'timeoutMs must be 1..3600000');
  if (o.pollMs !== undefined) check(isPositiveInt(o.pollMs) && o.pollMs >= 10 && o.pollMs <= 60_000, 'pollMs must be 10..60000');
  for (const f of o.features ?? []) check(FEATURES.includes(f), `unknown feature ${f}`);
}

function makeClient(options: LoadOptions, ctx: HttpContext): ModeClient {
  switch (options.mode) {
    case 'sync':
      return syncClient(ctx);
    case 'async-poll':
      return asyncPollClient(ctx, options.pollMs ?? DEFAULT_POLL_MS);
    case 'async-ws':
      return asyncWsClient(ctx);
    case 'boomi':
      return boomiClient(ctx, options.boomiAsync ?? false);
  }
}

async function resolveDocuments(options: LoadOptions, salt: string): Promise<{ provider: DocumentProvider; description: string }> {
  const spec = options.documents ?? { type: 'png', kb: DEFAULT_DOC_KB };
  if (typeof spec === 'function') return { provider: spec, description: 'caller-provided' };
  if ('dir' in spec) {
    const { provider, files } = await directoryProvider(spec.dir, spec.repeat);
    return { provider, description: `${files} file(s) from ${spec.dir}${spec.repeat ? ', repeated' : ', cycled'}` };
  }
  const pages = spec.type === 'pdf-multi' ? `, ${spec.pages ?? 3} pages` : '';
  return {
    provider: generatedProvider(spec, salt),
    description: `generated ${spec.type} ~${spec.kb} KiB${pages}${spec.repeat ? ', the same document every time' : ', unique per document'}`,
  };
}

async function checkHealth(ctx: HttpContext): Promise<HealthInfo> {
  const signal = AbortSignal.timeout(HEALTH_TIMEOUT_MS);
  try {
    const answer = await call(ctx, 'GET', '/health', `lt-health-${randomBytes(3).toString('hex')}`, signal);
    return { status: answer.status, body: answer.json };
  } catch (err) {
    return { status: null, body: null, error: clientErrorCode(err, signal) };
  }
}

/** Seconds to the next arrival. */
function arrivalGap(rate: NonNullable<LoadOptions['rate']>): number {
  if (rate.arrivals === 'fixed') return 1 / rate.perSecond;
  // Exponential gaps make a Poisson process; 1 - random() is in (0, 1], so the log is finite.
  return -Math.log(1 - Math.random()) / rate.perSecond;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  validateOptions(options);
  const base = parseBaseUrl(options.url);
  const runId = randomBytes(4).toString('hex').toUpperCase();
  const { provider, description } = await resolveDocuments(options, runId);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const readTimeoutMs = options.mode === 'boomi' ? BOOMI_READ_TIMEOUT_MS : timeoutMs;
  const agent = new Agent({
    connections: options.concurrency + 1,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: readTimeoutMs,
    bodyTimeout: readTimeoutMs,
    connect: { timeout: 10_000 },
  });
  const ctx: HttpContext = {
    base,
    route: options.route ?? '/ocr',
    agent,
    apiKey: options.apiKey,
    features: options.features ?? [],
    headers: { 'user-agent': LOADTEST_USER_AGENT },
  };

  const clients: ModeClient[] = Array.from({ length: options.concurrency }, () => makeClient(options, ctx));
  try {
    const health = options.skipHealth ? null : await checkHealth(ctx);
    await Promise.all(clients.map((c) => c.warm()));
    const docsTarget = options.docs ?? (options.durationMs === undefined ? DEFAULT_DOCS : null);
    const limitDocs = Math.min(docsTarget ?? MAX_DOCS, MAX_DOCS);
    const limitMs = Math.min(options.durationMs ?? MAX_DURATION_MS, MAX_DURATION_MS);
    const openLoop = options.rate !== undefined;

    const records: RequestRecord[] = [];
    const okLatencies: number[] = [];
    let ok = 0;
    let inFlight = 0;
    let nextSeq = 0;
    let stoppedBy: LoadResult['stoppedBy'] | null = null;
    const pending: { seq: number; arrivedAt: number }[] = [];
    let pendingHead = 0;

    const startedAt = new Date();
    const t0 = performance.now();
    // The hard bound holds for requests in flight too: none outlives 24 h plus its own timeout.
    const hardStop = t0 + MAX_DURATION_MS + timeoutMs;
    const endOfArrivals = t0 + limitMs;

    /** Decides, before each new document, whether the run goes on; remembers the first reason to stop. */
    function mayStart(): boolean {
      if (stoppedBy) return false;
      if (options.signal?.aborted) stoppedBy = 'signal';
      else if (nextSeq >= limitDocs) stoppedBy = docsTarget !== null ? 'docs' : 'bound';
      else if (performance.now() - t0 >= limitMs) stoppedBy = options.durationMs !== undefined ? 'duration' : 'bound';
      return stoppedBy === null;
    }

    async function runOne(seq: number, client: ModeClient, arrivedAt: number | null): Promise<void> {
      const requestId = `lt-${runId}-${seq}`;
      let document;
      let outcome: Outcome;
      let start = performance.now();
      try {
        document = await provider(seq);
      } catch {
        outcome = failure(null, 'DOCUMENT_ERROR');
      }
      if (document) {
        start = performance.now();
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), Math.max(1, Math.min(timeoutMs, hardStop - start)));
        try {
          outcome = await client.send(document, requestId, controller.signal);
        } catch (err) {
          outcome = failure(null, clientErrorCode(err, controller.signal));
        } finally {
          clearTimeout(timer);
        }
      }
      const end = performance.now();
      const record: RequestRecord = {
        seq,
        requestId,
        startMs: round(start - t0),
        queuedMs: arrivedAt === null ? 0 : round(Math.max(0, start - arrivedAt)),
        latencyMs: round(end - start),
        ok: outcome!.ok,
        status: outcome!.status,
        errorCode: outcome!.errorCode,
        jobStatus: outcome!.jobStatus,
        bytes: document?.bytes.length ?? 0,
        jobId: outcome!.jobId,
        cached: outcome!.cached,
        retryAfter: outcome!.retryAfter,
      };
      records.push(record);
      if (record.ok) {
        ok++;
        okLatencies.push(record.latencyMs);
      }
    }

    let p95Cache: number | null = null;
    let p95At = -Infinity;
    let p95Cost = 0;
    function snapshot(): ProgressSnapshot {
      const now = performance.now();
      // An exact p95 means sorting every latency; on long runs do it less often so the client stays cheap.
      if (okLatencies.length > 0 && now - p95At >= Math.max(200, p95Cost * 20)) {
        const sorted = sortedCopy(okLatencies);
        p95Cache = percentile(sorted, 95);
        p95At = performance.now();
        p95Cost = p95At - now;
      }
      const elapsedMs = now - t0;
      return {
        elapsedMs,
        done: records.length,
        ok,
        failed: records.length - ok,
        inFlight,
        queued: pending.length - pendingHead,
        docsPerMinute: elapsedMs > 0 ? (ok * 60_000) / elapsedMs : 0,
        p95Ms: p95Cache,
        targetDocs: docsTarget,
        targetMs: options.durationMs ?? null,
      };
    }
    const progressTimer = options.onProgress
      ? setInterval(() => options.onProgress!(snapshot()), Math.max(50, options.progressIntervalMs ?? 250))
      : null;

    try {
      if (!openLoop) {
        await Promise.all(
          clients.map(async (client) => {
            while (mayStart()) {
              const seq = nextSeq++;
              inFlight++;
              await runOne(seq, client, null);
              inFlight--;
            }
          }),
        );
      } else {
        const free = [...clients];
        let idle: () => void = () => {};
        const drained = new Promise<void>((resolve) => (idle = resolve));
        let arrivalsDone = false;
        const launch = (seq: number, client: ModeClient, arrivedAt: number) => {
          inFlight++;
          void runOne(seq, client, arrivedAt).then(() => {
            inFlight--;
            const next = pendingHead < pending.length && !options.signal?.aborted ? pending[pendingHead++] : undefined;
            if (next) launch(next.seq, client, next.arrivedAt);
            else free.push(client);
            if (arrivalsDone && inFlight === 0) idle();
          });
        };
        let due = t0;
        let sinceYield = 0;
        while (true) {
          // A slow rate must not sleep past the end of the run.
          const wake = Math.min(due, endOfArrivals);
          if (wake > performance.now()) {
            // Timers may fire a fraction of a millisecond early by this clock: sleep until the
            // arrival time has truly come, so no document starts before it arrives.
            while (wake > performance.now() && !options.signal?.aborted) await sleepUntil(wake - performance.now(), options.signal);
            sinceYield = 0;
          } else if (++sinceYield >= 32) {
            // Behind schedule the loop would never await; let completions and timers run.
            await new Promise((resolve) => setImmediate(resolve));
            sinceYield = 0;
          }
          if (!mayStart()) break;
          const seq = nextSeq++;
          // The scheduled time, not when the timer fired, is the arrival: a late timer is queueing too.
          const client = free.pop();
          if (client) launch(seq, client, due);
          else pending.push({ seq, arrivedAt: due });
          due += arrivalGap(options.rate!) * 1000;
        }
        // Arrivals that never got a slot: with a document count they are still owed; after the
        // duration or a stop they are dropped, and counted, rather than stretching the run.
        if (stoppedBy !== 'docs') pendingHead = pending.length;
        arrivalsDone = true;
        if (inFlight > 0) await drained;
      }
    } finally {
      if (progressTimer) clearInterval(progressTimer);
    }
    const durationMs = round(performance.now() - t0);
    if (options.onProgress) options.onProgress(snapshot());

    records.sort((a, b) => a.seq - b.seq);
    // Every seq handed out either ran (and has a record) or was an arrival left in the queue.
    const notSent = nextSeq - records.length;
    const rate = options.rate ?? null;
    return {
      runId,
      startedAt: startedAt.toISOString(),
      url: base.href.replace(/\/$/, ''),
      mode: options.mode,
      concurrency: options.concurrency,
      rate,
      features: options.features ?? [],
      documents: description,
      settings: {
        docs: docsTarget,
        durationMs: options.durationMs ?? null,
        timeoutMs,
        pollMs: options.mode === 'async-poll' ? (options.pollMs ?? DEFAULT_POLL_MS) : null,
        boomiAsync: options.mode === 'boomi' && (options.boomiAsync ?? false),
        apiKey: options.apiKey !== undefined,
      },
      stoppedBy: stoppedBy ?? 'docs',
      notSent,
      wsReconnects: clients.reduce((sum, c) => sum + c.reconnects(), 0),
      health,
      summary: summarize(records, durationMs, openLoop),
      series: perSecondSeries(records, durationMs),
      records,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await agent.close();
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleepUntil(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
