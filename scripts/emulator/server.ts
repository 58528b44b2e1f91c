// A local stand-in for Amazon Textract's sync APIs (DetectDocumentText, AnalyzeDocument,
// AnalyzeExpense, AnalyzeID), driven through the real AWS SDK by the service's tests and
// benchmarks. It speaks JSON 1.1 over HTTP, enforces a per-API TPS quota, injects faults, and
// answers with deterministic results derived from the document bytes.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_NAMES, type ApiName } from './apis.ts';
import { buildResponse } from './blocks.ts';
import { MAX_BODY_BYTES, readBody, refuseTooLarge } from './body.ts';
import { mergeOptions, resolve, validateOptions, type EmulatorOptions, type ResolvedConfig } from './config.ts';
import { analyzeDocument, MAX_DOCUMENT_BYTES, sha256Hex, type DocumentInfo } from './document.ts';
import { buildExpenseResponse } from './expense.ts';
import { drawFault, type FaultType } from './faults.ts';
import { buildIdentityResponse } from './identity.ts';
import { sampleLatency } from './latency.ts';
import { Lru } from './lru.ts';
import { ERROR_MESSAGES, OPERATIONS, parseParameters, sendError, sendJson, TextractError, type ParsedRequest } from './protocol.ts';
import { TokenBucket } from './quota.ts';
import { seededRandom, type Random } from './random.ts';
import { StatsCollector, type EmulatorStats } from './stats.ts';

export type { EmulatorOptions } from './config.ts';
export type { LatencyModel, LatencyDist } from './latency.ts';
export type { ApiStats, EmulatorStats } from './stats.ts';
export { MARKERS } from './faults.ts';
export { MAX_BODY_BYTES } from './body.ts';

export interface EmulatorHandle {
  url: string;
  port: number;
  stats(): EmulatorStats;
  resetStats(): void;
  /** Changes latency, quotas, fault rate or seed while running; port and host are ignored. */
  configure(patch: Partial<EmulatorOptions>): void;
  close(): Promise<void>;
}

const MAX_ADMIN_BODY_BYTES = 64 * 1024;

class Runtime {
  options: EmulatorOptions;
  config: ResolvedConfig;
  buckets!: Record<ApiName, TokenBucket>;
  latencyRandom!: Random;
  faultRandom!: Random;

  constructor(options: EmulatorOptions) {
    this.options = options;
    this.config = resolve(options);
    this.rebuild(null);
  }

  configure(patch: Partial<EmulatorOptions>): void {
    const { port: _port, host: _host, ...rest } = patch;
    const error = validateOptions(rest);
    if (error) throw new TypeError(error);
    const previous = this.config;
    this.options = mergeOptions(this.options, rest);
    this.config = resolve(this.options);
    this.rebuild(previous);
  }

  /** Only what changed is rebuilt, so a latency tweak does not refill a drained quota bucket. */
  private rebuild(previous: ResolvedConfig | null): void {
    const c = this.config;
    this.buckets = Object.fromEntries(API_NAMES.map((api) => [
      api,
      previous && previous.tps[api] === c.tps[api] ? this.buckets[api] : new TokenBucket(c.tps[api]),
    ])) as Record<ApiName, TokenBucket>;
    if (!previous || previous.seed !== c.seed) {
      this.latencyRandom = seededRandom(c.seed);
      this.faultRandom = seededRandom(c.seed ^ 0x9e3779b9);
    }
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const invalid = validateOptions(options);
  if (invalid) throw new TypeError(invalid);
  const { port = 0, host = '127.0.0.1', ...behaviour } = options;
  const runtime = new Runtime(behaviour);
  const stats = new StatsCollector();
  // Document analysis is cached as a promise so concurrent first calls for one document share it.
  const documents = new Lru<string, Promise<DocumentInfo>>(512);
  const responses = new Lru<string, Buffer>(1024, 128 * 1024 * 1024);
  const timers = new Set<NodeJS.Timeout>();

  function documentInfo(bytes: Buffer, sha256: string): Promise<DocumentInfo> {
    let info = documents.get(sha256);
    if (!info) {
      info = analyzeDocument(bytes, sha256);
      documents.set(sha256, info);
    }
    return info;
  }

  function build(pages: readonly DocumentInfo[], api: ApiName, params: ParsedRequest): Record<string, unknown> {
    const [first] = pages;
    switch (api) {
      case 'AnalyzeExpense':
        return buildExpenseResponse(first.sha256, first.layout!);
      case 'AnalyzeID':
        return buildIdentityResponse(pages.map((p) => ({ sha256: p.sha256, layout: p.layout! })));
      default:
        return buildResponse(first.sha256, first.layout!, api, params.features, params.queries);
    }
  }

  /** Responses are cached by everything they depend on: the pages' bytes, the API and its options. */
  function responseBody(pages: readonly DocumentInfo[], api: ApiName, params: ParsedRequest): Buffer {
    const features = [...params.features].sort().join(',');
    const key = `${pages.map((p) => p.sha256).join('+')}|${api}|${features}|${params.queries.length ? JSON.stringify(params.queries) : ''}`;
    let body = responses.get(key);
    stats.cacheLookup(body !== undefined);
    if (!body) {
      body = Buffer.from(JSON.stringify(build(pages, api, params)));
      responses.set(key, body, body.length);
    }
    return body;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    stats.request();
    if (!req.headers.authorization) {
      stats.protocolError('MissingAuthenticationTokenException');
      sendError(res, new TextractError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token'), requestId);
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const api = OPERATIONS[target];
    if (!api) {
      stats.protocolError('UnknownOperationException');
      sendError(res, new TextractError(400, 'UnknownOperationException', `Unknown operation ${target || '(no x-amz-target)'}`), requestId);
      return;
    }
    stats.call(api);

    const read = await readBody(req, MAX_BODY_BYTES);
    if (read.kind === 'aborted') {
      stats.abortedEarly(api);
      return;
    }
    if (read.kind === 'too-large') {
      stats.rejectedEarly(api, 'DocumentTooLargeException');
      refuseTooLarge(req, res, requestId);
      return;
    }

    let params: ParsedRequest;
    try {
      let body: unknown;
      try {
        body = JSON.parse(read.body.toString('utf8'));
      } catch {
        throw new TextractError(400, 'SerializationException', 'Request body is not valid JSON');
      }
      params = parseParameters(api, body);
    } catch (err) {
      const error = err as TextractError;
      stats.rejectedEarly(api, error.type);
      sendError(res, error, requestId);
      return;
    }

    const config = runtime.config;
    if (!runtime.buckets[api].tryTake()) {
      stats.throttled(api);
      sendError(res, new TextractError(400, 'ProvisionedThroughputExceededException', ERROR_MESSAGES.ProvisionedThroughputExceededException), requestId);
      return;
    }

    // From here the call is in flight until it is answered or the client hangs up.
    stats.started(api);
    let settled = false;
    let timer: NodeJS.Timeout | null = null;
    const settle = (outcome: Parameters<StatsCollector['finished']>[1]): boolean => {
      if (settled) return false;
      settled = true;
      if (timer) {
        clearTimeout(timer);
        timers.delete(timer);
      }
      stats.finished(api, outcome);
      return true;
    };
    res.on('close', () => {
      if (!res.writableFinished) settle({ kind: 'aborted' });
    });
    const afterLatency = (send: () => void): void => {
      const ms = sampleLatency(config.latency, runtime.latencyRandom);
      if (ms <= 0) {
        send();
        return;
      }
      timer = setTimeout(() => {
        timers.delete(timer!);
        timer = null;
        send();
      }, ms);
      timers.add(timer);
    };
    const fail = (type: FaultType): void => {
      afterLatency(() => {
        if (settle({ kind: 'fault', type })) {
          sendError(res, new TextractError(type === 'InternalServerError' ? 500 : 400, type, ERROR_MESSAGES[type]), requestId);
        }
      });
    };
    const reject = (error: TextractError): void => {
      if (settle({ kind: 'rejected', type: error.type })) sendError(res, error, requestId);
    };

    const randomFault = drawFault(config.failRate, runtime.faultRandom);
    if (randomFault) {
      fail(randomFault);
      return;
    }
    // AnalyzeID judges each page (front, back) as the other APIs judge their one document.
    const pages = params.documents.map((b64) => Buffer.from(b64, 'base64'));
    if (pages.some((bytes) => bytes.length === 0)) {
      reject(new TextractError(400, 'InvalidParameterException', 'Document.Bytes is not valid base64'));
      return;
    }
    const tooLarge = pages.find((bytes) => bytes.length > MAX_DOCUMENT_BYTES);
    if (tooLarge) {
      reject(new TextractError(400, 'DocumentTooLargeException', `Document size ${tooLarge.length} exceeds the limit of ${MAX_DOCUMENT_BYTES} bytes`));
      return;
    }
    let infos: DocumentInfo[];
    try {
      infos = await Promise.all(pages.map((bytes) => documentInfo(bytes, sha256Hex(bytes))));
    } catch (err) {
      reject(new TextractError(400, 'BadDocumentException', `Unable to process the document: ${String(err)}`));
      return;
    }
    if (settled) return;
    const forced = infos.find((info) => info.markers.fault)?.markers.fault;
    if (forced) {
      fail(forced);
      return;
    }
    const rejected = infos.find((info) => info.rejection)?.rejection;
    if (rejected) {
      reject(new TextractError(400, rejected.type, rejected.message));
      return;
    }
    const body = responseBody(infos, api, params);
    afterLatency(() => {
      if (settle({ kind: 'ok' })) sendJson(res, 200, body, requestId);
    });
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const reply = (status: number, value: unknown): void => {
      const body = Buffer.from(JSON.stringify(value));
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
    };
    if (req.method === 'GET' && path === '/__stats') return reply(200, stats.snapshot());
    if (req.method === 'POST' && path === '/__reset') {
      stats.reset();
      return reply(200, stats.snapshot());
    }
    if (path === '/__config' && req.method === 'GET') return reply(200, runtime.options);
    if (path === '/__config' && req.method === 'POST') {
      const read = await readBody(req, MAX_ADMIN_BODY_BYTES);
      if (read.kind !== 'ok') return reply(413, { message: 'config patch too large' });
      try {
        runtime.configure(JSON.parse(read.body.toString('utf8') || '{}'));
      } catch (err) {
        return reply(400, { message: (err as Error).message });
      }
      return reply(200, runtime.options);
    }
    reply(404, { message: `no route for ${req.method} ${path}` });
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-amzn-requestid', requestId);
    const path = (req.url ?? '/').split('?')[0];
    const work = path.startsWith('/__') ? handleAdmin(req, res, path) : req.method === 'POST'
      ? handleApi(req, res, requestId)
      : Promise.resolve(void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"POST / with x-amz-target"}'));
    work.catch((err: unknown) => {
      // A bug here MUST NOT take down the benchmark that is using the emulator.
      if (!res.headersSent) sendError(res, new TextractError(500, 'InternalServerError', String(err)), requestId);
      else res.destroy();
    });
  });
  // Longer than the SDK's idle sockets live, so a reused connection is not closed under a request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    port: actualPort,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    configure: (patch) => runtime.configure(patch),
    close: () => new Promise<void>((done) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close(() => done());
      server.closeAllConnections();
    }),
  };
}
