import type { Logger } from '../log.ts';
import { httpError } from '../errors.ts';
import type { IncomingRequest, OutgoingResponse, Pipeline, Prepared } from './pipeline.ts';

// The seam between the runtime and an HTTP/WebSocket server. Two adapters implement it with the
// same behaviour: adapter-uws.ts (uWebSockets.js, the only module that touches uWS) and
// adapter-node.ts (node:http + ws); choose-adapter.ts picks one at start.

export type AdapterName = 'uws' | 'node';

export interface SocketHandle {
  send(message: string): void;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  close(): void;
}

export interface WebSocketHandlers<T> {
  /** Decides at upgrade time; returns per-socket data or an error response. */
  upgrade(request: IncomingRequest): { data: T } | OutgoingResponse;
  open(socket: SocketHandle, data: T): void;
  message(socket: SocketHandle, data: T, text: string): void;
  close(socket: SocketHandle, data: T): void;
}

export interface HttpServer {
  port: number;
  inFlight(): number;
  publish(topic: string, message: string): void;
  /** Stops accepting connections and answers the rest with Connection: close. */
  stopListening(): void;
  /** Resolves true once no request is in flight, false when the timeout came first. */
  drain(timeoutMs: number): Promise<boolean>;
}

export interface ListenOptions<T> {
  pipeline: Pipeline;
  host: string;
  port: number;
  log: Logger;
  /** Request body bytes this process may hold at once (MAX_INFLIGHT_BYTES); unlimited when absent. */
  maxInflightBytes?: number;
  extraHeaders?: Record<string, string>;
  websocket?: { path: string; handlers: WebSocketHandlers<T> };
}

export type Listen = <T>(opts: ListenOptions<T>) => Promise<HttpServer>;

// Limits both adapters hold a client to. The timeouts are uWS's own (compiled into it, 10 s), so
// the node adapter copies them rather than the other way round.
export const LIMITS = {
  /** A connection that sends no complete request headers for this long is closed (slowloris). */
  headersTimeoutMs: 10_000,
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: 10_000,
  /**
   * What uWS tells clients of that (`Keep-Alive: timeout=5`). A client that reuses a connection
   * the moment the server closes it loses its request (a POST is not retried), so clients must
   * close first; uWS checks timeouts every 4 s and may close from 8 s on. Node's server says
   * `timeout=10` of its own exact 10 s, which clients already take with a margin.
   */
  keepAliveAdvertisedS: 5,
  /**
   * A body must arrive at 16 KiB/s or more: the timer is re-armed only once another
   * 160 KiB came in, so a trickle is closed after 10 s (uWS's HTTP_RECEIVE_THROUGHPUT_BYTES).
   */
  bodyIdleMs: 10_000,
  bodyMinBytesPerTimeout: 16 * 1024 * 10,
  /** A client that reads none of a large response for this long is closed. */
  writeStallMs: 10_000,
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 100,
  /** Responses this large go out as the socket drains. */
  streamThreshold: 64 * 1024,
  /**
   * A refused body (413, 401, 404 before reading) is read and thrown away up to this many bytes
   * before the answer, so the client reads the answer instead of a reset that races it (closing
   * a socket with unread input sends RST). Past it the connection is closed at once.
   */
  discardBytes: 16 * 1024 * 1024,
  /** ... and answered once no byte came for this long (a client waiting for the answer). */
  discardQuietMs: 150,
} as const;

export type ContentLength = { kind: 'none' } | { kind: 'length'; value: number } | { kind: 'invalid' };

/**
 * Content-Length as RFC 9112 §6.3 wants it: digits only, every copy equal, never beside
 * Transfer-Encoding. Anything else is a framing error (request smuggling behind a proxy).
 */
export function contentLength(values: string[], transferEncoding: boolean): ContentLength {
  if (values.length === 0) return { kind: 'none' };
  if (transferEncoding) return { kind: 'invalid' };
  const parts = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (!parts.every((p) => /^\d{1,15}$/.test(p)) || new Set(parts.map(Number)).size !== 1) return { kind: 'invalid' };
  return { kind: 'length', value: Number(parts[0]) };
}

/**
 * Collects a request body under a limit. With a declared length it allocates once and copies
 * each chunk in; chunks MUST be copied because uWS reuses their memory after the callback.
 */
export class BodyCollector {
  private buffer: Buffer | null;
  private chunks: Buffer[] = [];
  received = 0;

  constructor(
    private readonly limit: number,
    declared: number | undefined,
  ) {
    this.buffer = declared !== undefined ? Buffer.allocUnsafe(declared) : null;
  }

  /** 'ok', or why the body is refused: over the limit, or longer than its Content-Length. */
  push(chunk: Uint8Array): 'ok' | 'too-large' | 'too-long' {
    this.received += chunk.byteLength;
    if (this.received > this.limit) return 'too-large';
    if (this.buffer && this.received > this.buffer.length) return 'too-long';
    if (this.buffer) this.buffer.set(chunk, this.received - chunk.byteLength);
    else this.chunks.push(Buffer.from(chunk));
    return 'ok';
  }

  take(): Buffer {
    const body = this.buffer ? this.buffer.subarray(0, this.received) : Buffer.concat(this.chunks);
    this.release();
    return body;
  }

  /** Drops what was buffered: an aborted or refused upload MUST NOT hold its memory. */
  release(): void {
    this.buffer = null;
    this.chunks = [];
  }
}

/**
 * The request body bytes one process holds at once. A request takes its share before its body is
 * read (all of a declared Content-Length; a chunked body as it arrives) and gives it back once
 * its response is sent, so memory is bounded by this budget rather than by how many clients
 * upload at the same time.
 */
export class BodyBudget {
  private held = 0;

  constructor(private readonly limit: number) {}

  get bytes(): number {
    return this.held;
  }

  share(): BudgetShare {
    let mine = 0;
    return {
      add: (bytes) => {
        // Admitted whenever nothing else is held, so a budget below one body still serves one at a time.
        if (this.held + bytes > this.limit && this.held > mine) return false;
        mine += bytes;
        this.held += bytes;
        return true;
      },
      release: () => {
        this.held -= mine;
        mine = 0;
      },
    };
  }
}

export interface BudgetShare {
  /** Takes `bytes` more; false (and nothing taken) when the budget cannot hold them. */
  add(bytes: number): boolean;
  /** Gives everything back; safe to call more than once. */
  release(): void;
}

/** Seconds a client refused for memory is told to wait: uploads in flight take about that long. */
export const OVERLOADED_RETRY_AFTER_S = 2;

/** Why a body was refused before or while it was read: over its route's limit, over the process's upload budget, longer than declared. */
export type BodyRefusal = 'too-large' | 'overloaded' | 'too-long';

/** The answer to a refused body, the same on every adapter. */
export function bodyRefused(pipeline: Pipeline, prepared: Prepared, request: IncomingRequest, why: BodyRefusal): OutgoingResponse {
  const error =
    why === 'too-large'
      ? httpError('PAYLOAD_TOO_LARGE', `The body exceeds the limit of ${prepared.bodyLimit} bytes.`)
      : why === 'overloaded'
        ? httpError('OVERLOADED', 'The service holds as many uploads as it can; retry shortly.', { headers: { 'retry-after': String(OVERLOADED_RETRY_AFTER_S) } })
        : httpError('BAD_REQUEST', 'The body is longer than its Content-Length.');
  return pipeline.error(prepared.requestId, error, request);
}

/**
 * A request whose route is known and whose declared body this process has room for (`share`
 * took it), or the answer that refuses it before a byte of the body is read: the pipeline's own
 * (404, 401...), 413 over the route's limit, 503 over the upload budget (before "100 Continue",
 * so the client sends nothing).
 */
export function admit(
  pipeline: Pipeline,
  request: IncomingRequest,
  length: ContentLength,
  share: BudgetShare,
): { prepared: Prepared; declared: number | undefined } | { refusal: OutgoingResponse } {
  const prepared = pipeline.prepare(request);
  if ('status' in prepared) return { refusal: prepared };
  const declared = length.kind === 'length' ? length.value : undefined;
  // MUST answer before buffering: a 1 GB upload costs nothing but this response.
  if (declared !== undefined && declared > prepared.bodyLimit) return { refusal: bodyRefused(pipeline, prepared, request, 'too-large') };
  if (declared !== undefined && !share.add(declared)) return { refusal: bodyRefused(pipeline, prepared, request, 'overloaded') };
  return { prepared, declared };
}

/**
 * Reads and throws away the rest of a refused body, then answers: `close` is false when the body
 * ended (the connection is still in step), true when the client went quiet or sent too much.
 */
export class Discarder {
  private discarded = 0;
  private timer: NodeJS.Timeout;
  private answered = false;

  constructor(private readonly answer: (close: boolean) => void) {
    this.timer = setTimeout(() => this.finish(true), LIMITS.discardQuietMs);
  }

  chunk(bytes: number, last: boolean): void {
    if (this.answered) return;
    this.discarded += bytes;
    if (last) this.finish(false);
    else if (this.discarded > LIMITS.discardBytes) this.finish(true);
    else this.timer.refresh();
  }

  /** The connection went away: nothing to answer. */
  cancel(): void {
    this.answered = true;
    clearTimeout(this.timer);
  }

  private finish(close: boolean): void {
    if (this.answered) return;
    this.cancel();
    this.answer(close);
  }
}

/**
 * uWS's rule for slow uploads: armed when a body starts, re-armed only after another
 * `bodyMinBytesPerTimeout` bytes, so a body slower than 16 KiB/s fires it within 10 s.
 */
export class ThroughputTimer {
  private sinceReset = 0;
  private timer: NodeJS.Timeout;

  constructor(onSlow: () => void) {
    this.timer = setTimeout(onSlow, LIMITS.bodyIdleMs);
  }

  received(bytes: number): void {
    this.sinceReset += bytes;
    if (this.sinceReset >= LIMITS.bodyMinBytesPerTimeout) {
      this.sinceReset = 0;
      this.timer.refresh();
    }
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** Counts requests in flight and wakes drain() waiters when it reaches zero. */
export class InFlight {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  get value(): number {
    return this.count;
  }

  start(): () => void {
    this.count++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.count--;
      if (this.count === 0) for (const wake of this.waiters) wake();
    };
  }

  drain(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.count === 0) return resolve(true);
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(true);
      };
      this.waiters.add(wake);
    });
  }
}
