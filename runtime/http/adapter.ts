import { STATUS_CODES } from 'node:http';
import uWS from 'uWebSockets.js';
import { httpError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { IncomingRequest, OutgoingResponse, Pipeline } from './pipeline.ts';

// The only module that touches uWS. Rules it MUST keep (uWS aborts the process otherwise):
// onAborted before any await; copy request data synchronously (req is stack-allocated);
// copy onData chunks (their memory is reused); every write after an await inside cork and
// skipped once aborted.

const STREAM_THRESHOLD = 64 * 1024;

/** uWS quietly falls back to a slow `ws` emulation when the native build fails to load. */
export function nativeUwsLoaded(): boolean {
  return typeof (uWS as unknown as { getParts?: unknown }).getParts === 'function';
}

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

export function listen<T>(opts: {
  pipeline: Pipeline;
  host: string;
  port: number;
  log: Logger;
  extraHeaders?: Record<string, string>;
  websocket?: { path: string; handlers: WebSocketHandlers<T> };
}): Promise<HttpServer> {
  const { pipeline, log } = opts;
  const extraHeaders = Object.entries(opts.extraHeaders ?? {});
  const app = uWS.App();
  let inFlight = 0;
  let draining = false;
  let listenSocket: uWS.us_listen_socket | null = null;
  const idleWaiters = new Set<() => void>();

  const finished = () => {
    inFlight--;
    if (inFlight === 0) for (const wake of idleWaiters) wake();
  };

  function write(res: uWS.HttpResponse, state: { aborted: boolean }, response: OutgoingResponse): void {
    if (state.aborted) return;
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    res.cork(() => {
      res.writeStatus(`${response.status} ${STATUS_CODES[response.status] ?? ''}`);
      for (const [name, value] of Object.entries(response.headers)) res.writeHeader(name, value);
      for (const [name, value] of extraHeaders) res.writeHeader(name, value);
      if (draining || body.length < STREAM_THRESHOLD) {
        res.end(body, draining);
        return;
      }
      // Large bodies go out as the socket drains instead of being buffered twice.
      const start = res.getWriteOffset();
      const [ok, done] = res.tryEnd(body, body.length);
      if (ok || done) return;
      res.onWritable((offset) => {
        const [more, complete] = res.tryEnd(body.subarray(offset - start), body.length);
        return more || complete;
      });
    });
  }

  /** A small response written at once; `close` when the connection cannot be reused (unread body). */
  function writeNow(res: uWS.HttpResponse, response: OutgoingResponse, close: boolean): void {
    res.cork(() => {
      res.writeStatus(`${response.status} ${STATUS_CODES[response.status] ?? ''}`);
      for (const [name, value] of Object.entries(response.headers)) res.writeHeader(name, value);
      for (const [name, value] of extraHeaders) res.writeHeader(name, value);
      res.end(response.body, close);
    });
  }

  function copyRequest(req: uWS.HttpRequest): IncomingRequest {
    const headers: Record<string, string> = {};
    req.forEach((key, value) => {
      headers[key] = value;
    });
    return {
      method: req.getCaseSensitiveMethod().toUpperCase(),
      path: req.getUrl(),
      query: new URLSearchParams(req.getQuery() ?? ''),
      headers,
    };
  }

  app.any('/*', (res, req) => {
    const state = { aborted: false };
    const controller = new AbortController();
    let complete = () => {};
    res.onAborted(() => {
      state.aborted = true;
      controller.abort();
      complete();
    });
    const request = copyRequest(req);
    const prepared = pipeline.prepare(request);
    if ('status' in prepared) {
      // Answered before reading the body (404, 401...): close so an unread body is not parsed as a request.
      if (!state.aborted) writeNow(res, prepared, hasBody(request) || draining);
      return;
    }
    inFlight++;
    let done = false;
    complete = () => {
      if (!done) {
        done = true;
        finished();
      }
    };
    const tooLarge = () =>
      pipeline.error(prepared.requestId, httpError('PAYLOAD_TOO_LARGE', `The body exceeds the limit of ${prepared.bodyLimit} bytes.`), request);

    const declared = request.headers['content-length'] !== undefined ? Number(request.headers['content-length']) : undefined;
    if (declared !== undefined && declared > prepared.bodyLimit && prepared.bodyLimit > 0) {
      // MUST answer before buffering: a 1 GB upload costs nothing but this response.
      if (!state.aborted) writeNow(res, tooLarge(), true);
      complete();
      return;
    }

    const run = (body: Buffer) => {
      prepared
        .run(body, controller.signal)
        .then((response) => write(res, state, response))
        .catch((err) => write(res, state, pipeline.error(prepared.requestId, err, request)))
        .finally(complete);
    };

    if (!hasBody(request)) {
      run(Buffer.alloc(0));
      return;
    }
    const limit = prepared.bodyLimit;
    let buffer = declared !== undefined ? Buffer.allocUnsafe(declared) : null;
    const chunks: Buffer[] = [];
    let received = 0;
    let rejected = false;
    res.onData((chunk, isLast) => {
      if (rejected) return;
      received += chunk.byteLength;
      if (received > limit || (buffer && received > buffer.length)) {
        rejected = true;
        const response = received > limit ? tooLarge() : pipeline.error(prepared.requestId, httpError('BAD_REQUEST', 'The body is longer than its Content-Length.'), request);
        if (!state.aborted) writeNow(res, response, true);
        complete();
        return;
      }
      if (buffer) Buffer.from(chunk).copy(buffer, received - chunk.byteLength);
      else chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) run(buffer ?? Buffer.concat(chunks));
    });
  });

  if (opts.websocket) {
    const { handlers, path } = opts.websocket;
    type Data = { data: T; handle?: SocketHandle; closed: boolean };
    app.ws<Data>(path, {
      maxPayloadLength: 64 * 1024,
      idleTimeout: 120,
      maxBackpressure: 1024 * 1024,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        const request = copyRequest(req);
        const key = req.getHeader('sec-websocket-key');
        const protocol = req.getHeader('sec-websocket-protocol');
        const extensions = req.getHeader('sec-websocket-extensions');
        const decision = handlers.upgrade(request);
        if ('status' in decision) {
          writeNow(res, decision, true);
          return;
        }
        res.upgrade<Data>({ data: decision.data, closed: false }, key, protocol, extensions, context);
      },
      open: (ws) => {
        const user = ws.getUserData();
        // MUST: a closed uWS socket throws on use; handlers may hold the handle past close.
        user.handle = {
          send: (message) => {
            // Sends after an await MUST be corked, like HTTP writes.
            if (!user.closed) ws.cork(() => ws.send(message, false));
          },
          subscribe: (topic) => {
            if (!user.closed) ws.subscribe(topic);
          },
          unsubscribe: (topic) => {
            if (!user.closed) ws.unsubscribe(topic);
          },
          close: () => {
            if (!user.closed) ws.end(1000);
          },
        };
        handlers.open(user.handle, user.data);
      },
      message: (ws, message) => {
        const user = ws.getUserData();
        handlers.message(user.handle!, user.data, Buffer.from(message).toString('utf8'));
      },
      close: (ws) => {
        const user = ws.getUserData();
        user.closed = true;
        handlers.close(user.handle!, user.data);
      },
    });
  }

  return new Promise((resolve, reject) => {
    app.listen(opts.host, opts.port, (socket) => {
      if (!socket) {
        reject(new Error(`cannot listen on ${opts.host}:${opts.port}`));
        return;
      }
      listenSocket = socket;
      log.debug({ port: uWS.us_socket_local_port(socket) }, 'listening');
      resolve({
        port: uWS.us_socket_local_port(socket),
        inFlight: () => inFlight,
        publish: (topic, message) => {
          app.publish(topic, message, false);
        },
        stopListening: () => {
          draining = true;
          if (listenSocket) uWS.us_listen_socket_close(listenSocket);
          listenSocket = null;
        },
        drain: (timeoutMs) =>
          new Promise<boolean>((done) => {
            if (inFlight === 0) return done(true);
            const timer = setTimeout(() => {
              idleWaiters.delete(wake);
              done(false);
            }, timeoutMs);
            const wake = () => {
              clearTimeout(timer);
              idleWaiters.delete(wake);
              done(true);
            };
            idleWaiters.add(wake);
          }),
      });
    });
  });
}

function hasBody(request: IncomingRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return request.headers['transfer-encoding'] !== undefined;
}
