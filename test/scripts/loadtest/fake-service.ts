// A small stand-in for the DTAT-OCR HTTP contract (node:http + ws on 127.0.0.1), only for the load
// tester's tests: the routes and shapes of API.md, with knobs for delays, refusals, failed jobs and
// dropped WebSockets. Also a hand-built LoadResult (sampleResult) for the report and chart tests.
import { createHash, randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { perSecondSeries, summarize } from '../../../scripts/loadtest/stats.ts';
import type { LoadResult, RequestRecord } from '../../../scripts/loadtest/types.ts';

export interface Refusal {
  status: number;
  code: string;
  retryAfter?: string;
}

export interface FakeOptions {
  /** When set, every route but /health needs x-api-key (HTTP and the WebSocket upgrade). */
  apiKey?: string;
  /** How long POST /ocr takes. */
  syncDelayMs?: number;
  /** How long a job runs before it is final. */
  jobMs?: number;
  /** Refuse the n-th (1-based) OCR submission of either route. */
  refuse?: (n: number) => Refusal | undefined;
  /** Fail the n-th job with this error code. */
  failJob?: (n: number) => string | undefined;
  /** Kill the client's socket, unanswered, when it sends the n-th subscribe message (1-based). */
  dropOnSubscribe?: number[];
}

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  bytes: number;
  at: number;
}

interface FakeJob {
  jobId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  createdAt: string;
  finishedAt?: string;
  errorCode?: string;
  cached: boolean;
  sha256: string;
}

export interface FakeService {
  url: string;
  requests: SeenRequest[];
  counts: { submissions: number; subscribes: number; wsConnections: number; polls: number };
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function error(res: ServerResponse, status: number, code: string, requestId: string, headers: Record<string, string> = {}): void {
  send(res, status, { error: { code, message: `fake ${code}`, requestId } }, { 'x-request-id': requestId, ...headers });
}

function ocrResult(sha256: string, bytes: number, cached: boolean, filename: string): unknown {
  return {
    documentId: `doc-${sha256.slice(0, 12)}`,
    sha256,
    filename,
    contentType: 'image/png',
    bytes,
    pageCount: 1,
    engine: 'textract',
    features: [],
    cached,
    durationMs: 1,
    text: 'DTAT-OCR LOADTEST',
    pages: [{ page: 1, lines: [{ text: 'DTAT-OCR LOADTEST', confidence: 99, bbox: { left: 0, top: 0, width: 1, height: 0.1 } }] }],
    createdAt: new Date().toISOString(),
  };
}

export async function startFakeService(options: FakeOptions = {}): Promise<FakeService> {
  const requests: SeenRequest[] = [];
  const counts = { submissions: 0, subscribes: 0, wsConnections: 0, polls: 0 };
  const seen = new Set<string>();
  const jobs = new Map<string, FakeJob>();
  const subscribers = new Map<string, Set<WebSocket>>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const authorized = (req: IncomingMessage) => !options.apiKey || req.headers['x-api-key'] === options.apiKey;

  function jobView(job: FakeJob): unknown {
    return {
      jobId: job.jobId,
      function: 'ocr',
      status: job.status,
      attempts: 1,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
      documentId: job.status === 'succeeded' ? `doc-${job.sha256.slice(0, 12)}` : undefined,
      error: job.errorCode ? { code: job.errorCode, message: 'fake failure' } : undefined,
      result: job.status === 'succeeded' ? ocrResult(job.sha256, 0, job.cached, 'x') : undefined,
    };
  }

  function event(job: FakeJob): string {
    return JSON.stringify({ type: 'job', jobId: job.jobId, status: job.status, error: job.errorCode ? { code: job.errorCode, message: 'fake failure' } : undefined });
  }

  function publish(job: FakeJob): void {
    for (const ws of subscribers.get(job.jobId) ?? []) if (ws.readyState === WebSocket.OPEN) ws.send(event(job));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://fake');
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, bytes: body.length, at: performance.now() });
      const requestId = String(req.headers['x-request-id'] ?? randomUUID());
      if (url.pathname === '/health') return send(res, 200, { status: 'ok', version: 'fake', engine: 'textract', db: 'ok', queue: 'ok', worker: 'ok' });
      if (!authorized(req)) return error(res, 401, 'UNAUTHORIZED', requestId);

      const submission = req.method === 'POST' && (url.pathname === '/ocr' || url.pathname === '/ocr/async');
      if (submission) {
        const n = ++counts.submissions;
        const refusal = options.refuse?.(n);
        if (refusal) {
          return error(res, refusal.status, refusal.code, requestId, refusal.retryAfter ? { 'retry-after': refusal.retryAfter } : {});
        }
        if (body.length === 0) return error(res, 400, 'BAD_REQUEST', requestId);
        const sha256 = createHash('sha256').update(body).digest('hex');
        const cached = seen.has(sha256);
        seen.add(sha256);
        if (url.pathname === '/ocr') {
          later(options.syncDelayMs ?? 5, () =>
            send(res, 200, ocrResult(sha256, body.length, cached, url.searchParams.get('filename') ?? 'x'), { 'x-request-id': requestId }),
          );
          return;
        }
        const job: FakeJob = { jobId: randomUUID(), status: 'queued', createdAt: new Date().toISOString(), cached, sha256 };
        jobs.set(job.jobId, job);
        const errorCode = options.failJob?.(n);
        later(1, () => {
          job.status = 'running';
          publish(job);
        });
        later(options.jobMs ?? 20, () => {
          job.status = errorCode ? 'failed' : 'succeeded';
          job.errorCode = errorCode;
          job.finishedAt = new Date().toISOString();
          publish(job);
        });
        const host = req.headers.host;
        return send(
          res,
          202,
          { jobId: job.jobId, status: 'queued', statusUrl: `http://${host}/ocr/jobs/${job.jobId}`, eventsUrl: `ws://${host}/ws?jobId=${job.jobId}` },
          { 'x-request-id': requestId },
        );
      }
      const jobMatch = /^\/ocr\/jobs\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && jobMatch) {
        counts.polls++;
        const job = jobs.get(decodeURIComponent(jobMatch[1]));
        return job ? send(res, 200, jobView(job), { 'x-request-id': requestId }) : error(res, 404, 'JOB_NOT_FOUND', requestId);
      }
      error(res, 404, 'NOT_FOUND', requestId);
    });
  });

  const wss = new WebSocketServer({
    server,
    path: '/ws',
    verifyClient: (info: { req: IncomingMessage }) => authorized(info.req),
  });
  wss.on('connection', (ws) => {
    counts.wsConnections++;
    ws.on('message', (data) => {
      let message: { subscribe?: string[] };
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      for (const jobId of message.subscribe ?? []) {
        const n = ++counts.subscribes;
        if (options.dropOnSubscribe?.includes(n)) {
          ws.terminate();
          return;
        }
        let set = subscribers.get(jobId);
        if (!set) subscribers.set(jobId, (set = new Set()));
        set.add(ws);
        const job = jobs.get(jobId);
        if (job && (job.status === 'succeeded' || job.status === 'failed')) ws.send(event(job));
      }
    });
    ws.on('close', () => {
      for (const set of subscribers.values()) set.delete(ws);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    counts,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** 20 s of a sync run: 10 documents a second, latency stepping up halfway, every 37th refused. */
export function sampleResult(over: Partial<LoadResult> = {}, seconds = 20): LoadResult {
  const records: RequestRecord[] = [];
  for (let i = 0; i < seconds * 10; i++) {
    const failed = i % 37 === 5;
    records.push({
      seq: i, requestId: `lt-TEST-${i}`, startMs: i * 100, queuedMs: 0, latencyMs: 80 + (i % 10) * 12 + (i > seconds * 5 ? 60 : 0),
      ok: !failed, status: failed ? 503 : 200, errorCode: failed ? 'OVERLOADED' : null, jobStatus: null, bytes: 1000, jobId: null,
      cached: failed ? null : false, retryAfter: failed ? '1' : null,
    });
  }
  const durationMs = seconds * 1000 + 200;
  return {
    runId: 'TEST', startedAt: '2025-03-04T05:06:07.000Z', url: 'http://127.0.0.1:8080', mode: 'sync', concurrency: 8, rate: null,
    features: [], documents: 'generated png ~100 KiB, unique per document',
    settings: { docs: 200, durationMs: null, timeoutMs: 120_000, pollMs: null, boomiAsync: false, apiKey: false }, stoppedBy: 'docs', notSent: 0, wsReconnects: 0,
    health: { status: 200, body: { status: 'ok', version: '0.1.0', engine: 'textract' } },
    summary: summarize(records, durationMs, false), series: perSecondSeries(records, durationMs), records, ...over,
  };
}
