import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type uWS from 'uWebSockets.js';
import { httpError } from '../errors.ts';
import {
  BodyBudget,
  admit,
  BodyCollector,
  bodyRefused,
  contentLength,
  Discarder,
  InFlight,
  LIMITS,
  type HttpServer,
  type Listen,
  type ListenOptions,
  type SocketHandle,
} from './adapter.ts';
import type { IncomingRequest, OutgoingResponse } from './pipeline.ts';

// The only module that touches uWS; it is handed the native module that choose-adapter.ts loaded
// (never the package's slow JavaScript fallback). Rules it MUST keep (uWS aborts the process
// otherwise): onAborted before any await; copy request data synchronously (req is
// stack-allocated); copy onData chunks (their memory is reused); every write after an await
// inside cork and skipped once aborted.

export type UwsModule = typeof uWS;

export function createUwsListen(native: UwsModule): Listen {
  return (opts) => listenUws(native, opts);
}

function listenUws<T>(native: UwsModule, opts: ListenOptions<T>) {
  const { pipeline, log } = opts;
  const extraHeaders = Object.entries(opts.extraHeaders ?? {});
  const keepAlive = `timeout=${LIMITS.keepAliveAdvertisedS}`;
  const app = native.App();
  const inFlight = new InFlight();
  const budget = new BodyBudget(opts.maxInflightBytes ?? Infinity);
  let draining = false;
  let listenSocket: uWS.us_listen_socket | null = null;

  /** Status and headers; the idle timeout only on a connection that stays open after this response. */
  function writeHead(res: uWS.HttpResponse, response: OutgoingResponse, closing: boolean): void {
    res.writeStatus(`${response.status} ${STATUS_CODES[response.status] ?? ''}`);
    for (const [name, value] of Object.entries(response.headers)) res.writeHeader(name, value);
    for (const [name, value] of extraHeaders) res.writeHeader(name, value);
    if (!closing) res.writeHeader('keep-alive', keepAlive);
  }

  function write(res: uWS.HttpResponse, state: { aborted: boolean }, response: OutgoingResponse): void {
    if (state.aborted) return;
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    res.cork(() => {
      writeHead(res, response, draining);
      if (draining || body.length < LIMITS.streamThreshold) {
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

  /** A small response written at once; `close` when the connection cannot be reused. */
  function writeNow(res: uWS.HttpResponse, response: OutgoingResponse, close: boolean): void {
    res.cork(() => {
      writeHead(res, response, close || draining);
      res.end(response.body, close || draining);
    });
  }

  function copyRequest(req: uWS.HttpRequest): { request: IncomingRequest; lengths: string[] } {
    const headers: Record<string, string> = {};
    // uWS keeps every copy of a repeated header; Content-Length copies are checked, not overwritten.
    const lengths: string[] = [];
    req.forEach((key, value) => {
      headers[key] = value;
      if (key === 'content-length') lengths.push(value);
    });
    const request = {
      method: req.getCaseSensitiveMethod().toUpperCase(),
      path: req.getUrl(),
      query: new URLSearchParams(req.getQuery() ?? ''),
      headers,
    };
    return { request, lengths };
  }

  app.any('/*', (res, req) => {
    const state = { aborted: false };
    const controller = new AbortController();
    let onAbort = () => {};
    res.onAborted(() => {
      state.aborted = true;
      controller.abort();
      onAbort();
    });
    const { request, lengths } = copyRequest(req);
    const share = budget.share();
    const done = inFlight.start();
    const finished = () => {
      share.release();
      done();
    };
    const length = contentLength(lengths, request.headers['transfer-encoding'] !== undefined);
    if (length.kind === 'invalid') {
      // The body's end is unknowable, so the connection cannot be reused.
      writeNow(res, pipeline.error(randomUUID(), httpError('BAD_REQUEST', 'Content-Length must be one number, without Transfer-Encoding.'), request), true);
      finished();
      return;
    }
    const hasBody = length.kind === 'length' ? length.value > 0 : request.headers['transfer-encoding'] !== undefined;

    /** Answers `response` without reading the body: thrown away first (see LIMITS.discardBytes). */
    const refuse = (response: OutgoingResponse) => {
      if (!hasBody) {
        writeNow(res, response, false);
        finished();
        return;
      }
      const discarder = new Discarder((close) => {
        if (!state.aborted) writeNow(res, response, close);
        finished();
      });
      onAbort = () => {
        discarder.cancel();
        finished();
      };
      res.onData((chunk, isLast) => discarder.chunk(chunk.byteLength, isLast));
    };

    const admitted = admit(pipeline, request, length, share);
    if ('refusal' in admitted) {
      refuse(admitted.refusal);
      return;
    }
    const { prepared, declared } = admitted;

    const run = (body: Buffer) => {
      onAbort = finished;
      prepared
        .run(body, controller.signal)
        .then((response) => write(res, state, response))
        .catch((err) => write(res, state, pipeline.error(prepared.requestId, err, request)))
        .finally(finished);
    };

    if (!hasBody) {
      run(Buffer.alloc(0));
      return;
    }
    const collector = new BodyCollector(prepared.bodyLimit, declared);
    let discarder: Discarder | null = null;
    onAbort = () => {
      collector.release();
      finished();
    };
    res.onData((chunk, isLast) => {
      if (discarder) {
        discarder.chunk(chunk.byteLength, isLast);
        return;
      }
      // A chunked body takes its share as it arrives; a declared one took all of it already.
      const verdict = declared === undefined && !share.add(chunk.byteLength) ? 'overloaded' : collector.push(new Uint8Array(chunk));
      if (verdict !== 'ok') {
        collector.release();
        share.release();
        const response = bodyRefused(pipeline, prepared, request, verdict);
        const refusing = new Discarder((close) => {
          if (!state.aborted) writeNow(res, response, close);
          finished();
        });
        discarder = refusing;
        onAbort = () => {
          refusing.cancel();
          finished();
        };
        refusing.chunk(0, isLast);
        return;
      }
      if (isLast) run(collector.take());
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
        const { request } = copyRequest(req);
        const key = req.getHeader('sec-websocket-key');
        const protocol = req.getHeader('sec-websocket-protocol');
        const extensions = req.getHeader('sec-websocket-extensions');
        const decision = opts.websocket!.handlers.upgrade(request);
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

  return new Promise<HttpServer>((resolve, reject) => {
    // uSockets binds with SO_REUSEPORT: every worker listens on the same port itself.
    app.listen(opts.host, opts.port, (socket) => {
      if (!socket) {
        reject(new Error(`cannot listen on ${opts.host}:${opts.port}`));
        return;
      }
      listenSocket = socket;
      const port = native.us_socket_local_port(socket);
      log.debug({ port, adapter: 'uws' }, 'listening');
      resolve({
        port,
        inFlight: () => inFlight.value,
        publish: (topic, message) => {
          app.publish(topic, message, false);
        },
        stopListening: () => {
          draining = true;
          if (listenSocket) native.us_listen_socket_close(listenSocket);
          listenSocket = null;
        },
        drain: (timeoutMs) => inFlight.drain(timeoutMs),
      });
    });
  });
}
