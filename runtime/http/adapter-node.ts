import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import http, { STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { errorBody, httpError, type ErrorCode } from '../errors.ts';
import {
  BodyBudget,
  admit,
  BodyCollector,
  bodyRefused,
  contentLength,
  Discarder,
  InFlight,
  LIMITS,
  ThroughputTimer,
  type HttpServer,
  type ListenOptions,
  type SocketHandle,
} from './adapter.ts';
import type { IncomingRequest, OutgoingResponse } from './pipeline.ts';

// The portable adapter: node:http and ws, for Node versions and platforms that uWS has no build
// for. It keeps uWS's behaviour towards clients (see LIMITS) and goes beyond it where uWS is
// silent: HTTP/1.0 is answered, malformed requests get a JSON 400/408/431 instead of a dropped
// connection, and `Expect: 100-continue` uploads are refused before the client sends the body.

const CHUNK = 64 * 1024;
const WS_MAX_BACKPRESSURE = 1024 * 1024;
const WS_PING_INTERVAL_MS = 60_000;

export async function listenNode<T>(opts: ListenOptions<T>): Promise<HttpServer> {
  const { pipeline, log } = opts;
  const extraHeaders = Object.entries(opts.extraHeaders ?? {});
  const inFlight = new InFlight();
  const budget = new BodyBudget(opts.maxInflightBytes ?? Infinity);
  let draining = false;

  const server = http.createServer({
    maxHeaderSize: LIMITS.maxHeaderBytes,
    headersTimeout: LIMITS.headersTimeoutMs,
    // Bodies are held to a minimum throughput instead (ThroughputTimer), as uWS does: a total
    // deadline would cut off a large upload on a slow but honest link.
    requestTimeout: 0,
    keepAliveTimeout: LIMITS.keepAliveTimeoutMs,
    // How often headersTimeout is checked; the 30 s default would let slowloris live 40 s.
    connectionsCheckingInterval: 1_000,
    // Node answers a missing Host with an empty 400 of its own; handle() answers it in JSON.
    requireHostHeader: false,
  });
  // One more than allowed, so that "more than allowed" is visible (Node drops the rest silently).
  server.maxHeadersCount = LIMITS.maxHeaderCount + 1;
  // A connection that never sends a byte; requests switch this off and run their own timers.
  server.timeout = LIMITS.headersTimeoutMs;

  function setHeaders(res: http.ServerResponse, response: OutgoingResponse, length: number, close: boolean): void {
    res.statusCode = response.status;
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    for (const [name, value] of extraHeaders) res.setHeader(name, value);
    res.setHeader('content-length', length);
    if (close || draining) res.setHeader('connection', 'close');
  }

  function send(res: http.ServerResponse, response: OutgoingResponse, close = false): void {
    if (res.destroyed || res.writableEnded) return;
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    setHeaders(res, response, body.length, close);
    if (body.length < LIMITS.streamThreshold) {
      res.end(body);
      return;
    }
    // Large bodies go out as the client reads them; one that stops reading is closed.
    const stall = setTimeout(() => res.destroy(), LIMITS.writeStallMs);
    const stop = () => clearTimeout(stall);
    res.once('finish', stop);
    res.once('close', stop);
    let offset = 0;
    const pump = () => {
      while (offset < body.length) {
        const chunk = body.subarray(offset, offset + CHUNK);
        offset += chunk.length;
        if (!res.write(chunk)) {
          stall.refresh();
          res.once('drain', pump);
          return;
        }
      }
      stall.refresh();
      res.end();
    };
    pump();
  }

  function toRequest(req: http.IncomingMessage): IncomingRequest {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return {
      method: (req.method ?? 'GET').toUpperCase(),
      path: q === -1 ? url : url.slice(0, q),
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      headers,
    };
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean): void {
    // From here the request's own timers apply: a handler may rightly take a minute.
    req.socket.setTimeout(0);
    const request = toRequest(req);
    const controller = new AbortController();
    const finished = inFlight.start();
    const share = budget.share();
    let cleanup = () => {};
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
      cleanup();
      share.release();
      finished();
    });

    if (req.rawHeaders.length / 2 > LIMITS.maxHeaderCount) {
      send(res, pipeline.error(randomUUID(), httpError('HEADERS_TOO_LARGE', `At most ${LIMITS.maxHeaderCount} header fields are accepted.`), request), true);
      return;
    }
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host.
      send(res, pipeline.error(randomUUID(), httpError('BAD_REQUEST', 'HTTP/1.1 requests need a Host header.'), request), true);
      return;
    }
    const length = contentLength(req.headers['content-length'] === undefined ? [] : [req.headers['content-length']], req.headers['transfer-encoding'] !== undefined);
    if (length.kind === 'invalid') {
      send(res, pipeline.error(randomUUID(), httpError('BAD_REQUEST', 'Content-Length must be one number, without Transfer-Encoding.'), request), true);
      return;
    }
    const hasBody = length.kind === 'length' ? length.value > 0 : req.headers['transfer-encoding'] !== undefined;

    /** Answers without reading the body, which is thrown away first (see LIMITS.discardBytes). */
    const refuse = (response: OutgoingResponse) => {
      if (!hasBody || expectsContinue) {
        // Without a "100 Continue" the client sends no body: nothing to throw away.
        send(res, response, hasBody);
        return;
      }
      const discarder = new Discarder((close) => send(res, response, close));
      const slow = new ThroughputTimer(() => req.socket.destroy());
      cleanup = () => {
        discarder.cancel();
        slow.stop();
      };
      req.on('data', (chunk: Buffer) => {
        slow.received(chunk.length);
        discarder.chunk(chunk.length, false);
      });
      req.on('end', () => {
        slow.stop();
        discarder.chunk(0, true);
      });
    };

    const admitted = admit(pipeline, request, length, share);
    if ('refusal' in admitted) {
      refuse(admitted.refusal);
      return;
    }
    const { prepared, declared } = admitted;

    const run = (body: Buffer) => {
      prepared
        .run(body, controller.signal)
        .then((response) => !controller.signal.aborted && send(res, response))
        .catch((err) => !controller.signal.aborted && send(res, pipeline.error(prepared.requestId, err, request)));
    };
    if (expectsContinue) res.writeContinue();
    if (!hasBody) {
      run(Buffer.alloc(0));
      return;
    }
    const collector = new BodyCollector(prepared.bodyLimit, declared);
    const slow = new ThroughputTimer(() => req.socket.destroy());
    let discarder: Discarder | null = null;
    cleanup = () => {
      slow.stop();
      discarder?.cancel();
      collector.release();
    };
    req.on('data', (chunk: Buffer) => {
      slow.received(chunk.length);
      if (discarder) {
        discarder.chunk(chunk.length, false);
        return;
      }
      // A chunked body takes its share as it arrives; a declared one took all of it already.
      const verdict = declared === undefined && !share.add(chunk.length) ? 'overloaded' : collector.push(chunk);
      if (verdict !== 'ok') {
        collector.release();
        share.release();
        const response = bodyRefused(pipeline, prepared, request, verdict);
        discarder = new Discarder((close) => send(res, response, close));
      }
    });
    req.on('end', () => {
      slow.stop();
      if (discarder) discarder.chunk(0, true);
      else run(collector.take());
    });
  }

  server.on('request', (req, res) => handle(req, res, false));
  server.on('checkContinue', (req, res) => handle(req, res, true));

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A client that hung up (reset, or EOF mid-request) has nobody left to answer.
    if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [code, message]: [ErrorCode, string] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? ['HEADERS_TOO_LARGE', `The request headers exceed ${LIMITS.maxHeaderBytes} bytes.`]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['REQUEST_TIMEOUT', `The request headers did not arrive within ${LIMITS.headersTimeoutMs / 1000} s.`]
          : ['BAD_REQUEST', 'The request is not valid HTTP/1.1.'];
    const requestId = randomUUID();
    const error = httpError(code, message);
    log.info({ requestId, status: error.status, code, reason: err.code }, message);
    rawAnswer(socket, { status: error.status, headers: jsonHeaders(requestId), body: JSON.stringify(errorBody(error, requestId)) });
  });

  /** For sockets that have no ServerResponse (parse errors, refused upgrades): always closes. */
  function rawAnswer(socket: Duplex, response: OutgoingResponse): void {
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    const headers = [...Object.entries(response.headers), ...extraHeaders, ['content-length', String(body.length)], ['connection', 'close']];
    const head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    // A client that keeps the connection open after the answer is not waited for.
    setTimeout(() => socket.destroy(), 1_000).unref();
  }

  const topics = new Map<string, Set<SocketHandle>>();
  if (opts.websocket) attachWebSockets(opts.websocket);

  function attachWebSockets(websocket: NonNullable<ListenOptions<T>['websocket']>): void {
    const { handlers, path } = websocket;
    const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false, clientTracking: false });
    const live = new Map<WebSocket, { alive: boolean }>();
    // Dead peers are found by pings, as uWS's sendPingsAutomatically/idleTimeout do.
    const pinger = setInterval(() => {
      for (const [ws, state] of live) {
        if (!state.alive) ws.terminate();
        else {
          state.alive = false;
          ws.ping();
        }
      }
    }, WS_PING_INTERVAL_MS);
    pinger.unref();

    server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
      const request = toRequest(req);
      if (request.path !== path) {
        // Not ours (e.g. an h2c upgrade offer): an ordinary request on an ordinary response.
        const res = new http.ServerResponse(req);
        res.assignSocket(socket);
        res.shouldKeepAlive = false;
        res.once('finish', () => socket.destroySoon());
        handle(req, res, false);
        return;
      }
      const decision = handlers.upgrade(request);
      if ('status' in decision) {
        rawAnswer(socket, decision);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const state = { alive: true };
        const subscribed = new Set<string>();
        let closed = false;
        const handle: SocketHandle = {
          send: (message) => {
            // uWS drops messages past maxBackpressure too: a reader that stalls cannot hold memory.
            if (!closed && ws.bufferedAmount <= WS_MAX_BACKPRESSURE) ws.send(message);
          },
          subscribe: (topic) => {
            if (closed) return;
            subscribed.add(topic);
            let set = topics.get(topic);
            if (!set) topics.set(topic, (set = new Set()));
            set.add(handle);
          },
          unsubscribe: (topic) => {
            subscribed.delete(topic);
            const set = topics.get(topic);
            set?.delete(handle);
            if (set?.size === 0) topics.delete(topic);
          },
          close: () => {
            if (!closed) ws.close(1000);
          },
        };
        live.set(ws, state);
        ws.on('pong', () => (state.alive = true));
        ws.on('message', (data: Buffer, isBinary) => {
          state.alive = true;
          handlers.message(handle, decision.data, isBinary ? data.toString('utf8') : String(data));
        });
        // Oversized frames and protocol errors: ws closes the socket itself.
        ws.on('error', () => {});
        ws.on('close', () => {
          closed = true;
          live.delete(ws);
          for (const topic of [...subscribed]) handle.unsubscribe(topic);
          handlers.close(handle, decision.data);
        });
        handlers.open(handle, decision.data);
      });
    });
  }

  const port = await listenShared(server, opts.host, opts.port, log);
  log.debug({ port, adapter: 'node' }, 'listening');
  return {
    port,
    inFlight: () => inFlight.value,
    publish: (topic, message) => {
      for (const handle of topics.get(topic) ?? []) handle.send(message);
    },
    stopListening: () => {
      draining = true;
      server.close();
      server.closeIdleConnections();
    },
    drain: (timeoutMs) => inFlight.drain(timeoutMs),
  };
}

function jsonHeaders(requestId: string): Record<string, string> {
  return { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId };
}

/** `server.listen({ reusePort })` exists from Node 22.12 / 23.1, and does something on these platforms. */
export function reusePortAvailable(version = process.versions.node, platform = process.platform): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const supported = major >= 24 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return supported && ['linux', 'freebsd'].includes(platform);
}

/**
 * Workers share one port. Where the kernel can balance it (SO_REUSEPORT) each worker binds its
 * own socket; otherwise the launcher (the cluster primary) owns the listening socket and hands
 * connections to the workers in turn.
 */
async function listenShared(server: http.Server, host: string, port: number, log: ListenOptions<unknown>['log']): Promise<number> {
  const attempt = (options: { port: number; host: string; reusePort?: boolean; exclusive?: boolean }) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options, () => {
        server.off('error', reject);
        resolve();
      });
    });
  if (cluster.isWorker && reusePortAvailable()) {
    try {
      await attempt({ port, host, reusePort: true, exclusive: true });
      log.debug({ port, sharing: 'SO_REUSEPORT' }, 'port shared');
      return (server.address() as AddressInfo).port;
    } catch (err) {
      log.warn({ err }, 'SO_REUSEPORT refused; the launcher shares the port instead');
    }
  }
  await attempt({ port, host });
  log.debug({ port, sharing: cluster.isWorker ? 'launcher' : 'none' }, 'port shared');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
