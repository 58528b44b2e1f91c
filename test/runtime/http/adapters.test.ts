import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import WebSocket from 'ws';
import { errorBody, toHttpError } from '../../../runtime/errors.ts';
import { LIMITS, type HttpServer, type Listen } from '../../../runtime/http/adapter.ts';
import { listenNode } from '../../../runtime/http/adapter-node.ts';
import { createUwsListen } from '../../../runtime/http/adapter-uws.ts';
import { probeUws } from '../../../runtime/http/choose-adapter.ts';
import type { IncomingRequest, OutgoingResponse, Pipeline } from '../../../runtime/http/pipeline.ts';
import { createLogger } from '../../../runtime/log.ts';
import { freePort } from '../../helpers/service.ts';
import { hasFinalResponse, rawExchange } from '../../helpers/raw-http.ts';

// Both HTTP adapters behind the same seam, over real sockets: the limits hostile clients meet,
// the HTTP/1.1 corners, WebSocket push and the drain on shutdown. Where uWS is known to do less
// (it has no answer for some malformed requests) the test says so instead of pretending.

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const LIMIT = 1024 * 1024;
const UPLOAD_LIMIT = 64 * 1024 * 1024;
const BIG_RESPONSE = Buffer.alloc(8 * 1024 * 1024, 'x');
// Larger than what loopback's kernel buffers can hold for a reader that reads nothing.
const HUGE_RESPONSE = Buffer.alloc(64 * 1024 * 1024, 'y');

interface Recorder {
  runs: string[];
  aborted: string[];
}

function json(status: number, body: unknown): OutgoingResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** A pipeline with a few test routes, recording which handlers ran and which saw an abort. */
function testPipeline(recorder: Recorder): Pipeline {
  return {
    prepare(request: IncomingRequest) {
      if (request.path === '/missing') return json(404, { error: { code: 'NOT_FOUND' } });
      return {
        requestId: 'test',
        request,
        bodyLimit: request.path === '/upload' ? UPLOAD_LIMIT : LIMIT,
        run: async (body: Buffer, signal: AbortSignal) => {
          recorder.runs.push(request.path);
          if (request.path === '/slow') {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, Number(request.query.get('ms') ?? 1_000));
              signal.addEventListener('abort', () => {
                clearTimeout(timer);
                recorder.aborted.push(request.path);
                resolve();
              });
            });
          }
          if (request.path === '/huge') return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: HUGE_RESPONSE };
          if (request.path === '/big') return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: BIG_RESPONSE };
          return json(200, { bytes: body.length, method: request.method, path: request.path });
        },
      };
    },
    error: (requestId: string, err: unknown) => {
      const e = toHttpError(err);
      return json(e.status, errorBody(e, requestId));
    },
  } as Pipeline;
}

const available: { name: 'uws' | 'node'; listen?: Listen; skip?: string }[] = [
  (() => {
    const probe = probeUws('uWebSockets.js');
    return probe.loaded
      ? { name: 'uws' as const, listen: createUwsListen(probe.native) }
      : { name: 'uws' as const, skip: `uWebSockets.js cannot run here: ${probe.reason}` };
  })(),
  { name: 'node', listen: listenNode as Listen },
];

function post(port: number, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', path, method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (const adapter of available) {
  describe(`the ${adapter.name} adapter`, { skip: adapter.skip }, () => {
    const recorder: Recorder = { runs: [], aborted: [] };
    const published: string[] = [];
    let server: HttpServer;
    let port: number;

    before(async () => {
      server = await adapter.listen!({
        pipeline: testPipeline(recorder),
        host: '127.0.0.1',
        port: await freePort(),
        log: createLogger({ test: adapter.name }).child({}, { level: 'warn' }),
        extraHeaders: { 'x-adapter': adapter.name },
        websocket: {
          path: '/ws',
          handlers: {
            upgrade: (request) => (request.query.get('key') === 'ok' ? { data: { topics: [] as string[] } } : json(401, { error: { code: 'UNAUTHORIZED' } })),
            open: (socket) => socket.send('welcome'),
            message: (socket, data, text) => {
              data.topics.push(text);
              socket.subscribe(text);
              socket.send(`subscribed ${text}`);
            },
            close: (_socket, data) => published.push(`closed ${data.topics.join(',')}`),
          },
        },
      });
      port = server.port;
    });
    after(() => server?.stopListening());

    test('should answer 413 to headers declaring an oversized body, before any of it is sent', async () => {
      const runs = recorder.runs.length;
      const res = await rawExchange(port, [`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${50 * LIMIT}\r\n\r\n`], { until: hasFinalResponse });
      assert.deepEqual(res.statuses, [413]);
      assert.match(res.text, /PAYLOAD_TOO_LARGE/);
      assert.equal(recorder.runs.length, runs, 'the handler never ran');
    });

    test('should let a client still sending an oversized body read the 413', async () => {
      // Closing with the body unread would reset the connection under the client's write.
      for (let i = 0; i < 5; i++) {
        const res = await post(port, '/echo', Buffer.alloc(3 * LIMIT, 1));
        assert.equal(res.status, 413);
      }
    });

    test('should refuse a chunked body once it passes the limit', async () => {
      const chunk = Buffer.alloc(256 * 1024, 2);
      const res = await new Promise<number>((resolve, reject) => {
        const req = http.request({ port, host: '127.0.0.1', path: '/echo', method: 'POST', agent: false }, (r) => {
          r.resume();
          resolve(r.statusCode!);
        });
        req.on('error', reject);
        for (let i = 0; i < 6; i++) req.write(chunk);
        req.end();
      });
      assert.equal(res, 413);
    });

    test('should answer a refused route without reading its body, and keep a clean connection', async () => {
      const res = await post(port, '/missing', Buffer.alloc(2 * LIMIT, 3));
      assert.equal(res.status, 404);
    });

    test('should release the memory of uploads whose clients hang up', async () => {
      const runs = recorder.runs.length;
      gc();
      const baseline = process.memoryUsage().arrayBuffers;
      const declared = 16 * 1024 * 1024;
      const sockets = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const socket = (await import('node:net')).connect(port, '127.0.0.1');
          await new Promise((r) => socket.once('connect', r));
          socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${declared}\r\n\r\n`);
          socket.write(Buffer.alloc(4 * 1024 * 1024, 4));
          return socket;
        }),
      );
      await new Promise((r) => setTimeout(r, 500));
      const during = process.memoryUsage().arrayBuffers - baseline;
      for (const socket of sockets) socket.destroy();
      let left = Infinity;
      for (let i = 0; i < 15 && left >= 16 * 1024 * 1024; i++) {
        await new Promise((r) => setTimeout(r, 200));
        gc();
        left = process.memoryUsage().arrayBuffers - baseline;
      }
      assert.ok(during > 64 * 1024 * 1024, `the uploads were being received (${(during / 2 ** 20).toFixed(0)} MB held)`);
      assert.ok(left < 16 * 1024 * 1024, `${(left / 2 ** 20).toFixed(0)} MB still held after the hang-ups`);
      assert.equal(recorder.runs.length, runs);
    });

    test('should abort the handler when its client hangs up', async () => {
      const req = http.request({ port, host: '127.0.0.1', path: '/slow?ms=5000', agent: false });
      req.on('error', () => {});
      req.end();
      await new Promise((r) => setTimeout(r, 300));
      req.destroy();
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(recorder.aborted.includes('/slow'));
    });

    test('should send a large response whole to a client that reads slowly', async () => {
      const received = await new Promise<number>((resolve, reject) => {
        http
          .get({ port, host: '127.0.0.1', path: '/big', agent: false }, (res) => {
            let bytes = 0;
            res.on('data', (d: Buffer) => {
              bytes += d.length;
              res.pause();
              setTimeout(() => res.resume(), 1);
            });
            res.on('end', () => resolve(bytes));
          })
          .on('error', reject);
      });
      assert.equal(received, BIG_RESPONSE.length);
    });

    test('should answer pipelined requests in order', async () => {
      const res = await rawExchange(
        port,
        ['GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: x\r\n\r\n'],
        { until: (t) => (t.match(/HTTP\/1\.1 200/g) ?? []).length === 3 && t.endsWith('"/c"}') },
      );
      assert.deepEqual(res.statuses, [200, 200, 200]);
      assert.deepEqual([...res.text.matchAll(/"path":"(\/\w)"/g)].map((m) => m[1]), ['/a', '/b', '/c']);
      assert.match(res.text, /"bytes":3,"method":"POST"/);
    });

    test('should serve several requests on one kept-alive connection', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const reused: boolean[] = [];
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          const req = http.get({ port, host: '127.0.0.1', path: '/echo', agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          reused.push(req.reusedSocket);
          req.on('error', reject);
        });
      }
      agent.destroy();
      assert.deepEqual(reused, [false, true, true]);
    });

    test('should tell kept-alive clients how long an idle connection lasts, and keep it that long', async () => {
      // A client that reuses a connection as the server closes it loses a POST; clients that
      // honour Keep-Alive close first, as long as the server keeps its word.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const get = () =>
        new Promise<{ keepAlive: string; reused: boolean }>((resolve, reject) => {
          const req = http.get({ port, host: '127.0.0.1', path: '/echo', agent }, (res) => {
            res.resume();
            res.on('end', () => resolve({ keepAlive: [res.headers['keep-alive'] ?? []].flat().join(', '), reused: req.reusedSocket }));
          });
          req.on('error', reject);
        });
      const first = await get();
      const advertised = Number(/timeout=(\d+)/.exec(first.keepAlive)?.[1]);
      assert.ok(advertised > 0 && advertised * 1000 <= LIMITS.keepAliveTimeoutMs, `Keep-Alive: ${first.keepAlive}`);
      await sleep((advertised - 1) * 1000);
      const second = await get();
      agent.destroy();
      assert.equal(second.reused, true, 'the connection was still open when the client, told the timeout, would reuse it');
    });

    test('should answer an ordinary request that offers an upgrade to another protocol', async () => {
      // curl --http2 on http:// offers h2c this way; it must still get its answer over HTTP/1.1.
      const res = await rawExchange(port, ['GET /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n'], {
        until: hasFinalResponse,
      });
      assert.deepEqual(res.statuses, [200]);
      assert.match(res.text, /"path":"\/echo"/);
    });

    test('should answer HTTP/1.0', { skip: adapter.name === 'uws' && 'uWS 20.30 does not answer HTTP/1.0 requests at all' }, async () => {
      const res = await rawExchange(port, ['GET /echo HTTP/1.0\r\n\r\n'], { waitMs: 3_000 });
      assert.deepEqual(res.statuses, [200]);
      assert.ok(res.closedAfterMs !== null && res.closedAfterMs < 3_000, 'closed after the response, as HTTP/1.0 asks');
    });

    test('should refuse conflicting Content-Length headers with 400 and never run the request', async () => {
      const runs = recorder.runs.length;
      const res = await rawExchange(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'], { waitMs: 3_000 });
      assert.deepEqual(res.statuses, [400]);
      assert.notEqual(res.closedAfterMs, null, 'the connection is closed: its framing is unknowable');
      assert.doesNotMatch(res.text, /^keep-alive:/im, 'no idle timeout is promised on a connection being closed');
      assert.equal(recorder.runs.length, runs);
    });

    test('should never run a request with both Content-Length and Transfer-Encoding', async () => {
      const runs = recorder.runs.length;
      const res = await rawExchange(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'], {
        waitMs: 3_000,
      });
      // uWS drops such a connection without a word; the node adapter says why.
      assert.deepEqual(res.statuses, adapter.name === 'node' ? [400] : []);
      assert.notEqual(res.closedAfterMs, null);
      assert.equal(recorder.runs.length, runs);
    });

    test('should answer 431 to too many header fields', { skip: adapter.name === 'uws' && 'uWS closes such a connection after 10 s without an answer' }, async () => {
      const headers = Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('');
      const res = await rawExchange(port, [`GET /echo HTTP/1.1\r\nHost: x\r\n${headers}\r\n`], { waitMs: 3_000 });
      assert.deepEqual(res.statuses, [431]);
      const huge = await rawExchange(port, [`GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`], { waitMs: 3_000 });
      assert.deepEqual(huge.statuses, [431]);
    });

    test('should refuse an oversized Expect: 100-continue upload', async () => {
      const res = await rawExchange(port, [`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${5 * LIMIT}\r\nExpect: 100-continue\r\n\r\n`], { until: hasFinalResponse });
      // uWS says "100 Continue" before the handler can look; the node adapter refuses first.
      assert.deepEqual(res.statuses, adapter.name === 'node' ? [413] : [100, 413]);
    });

    test('should push to subscribed WebSockets only, and refuse an upgrade the handlers refuse', async () => {
      await assert.rejects(
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?key=wrong`);
          ws.on('open', resolve);
          ws.on('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
          ws.on('error', reject);
        }),
        /401/,
      );
      const open = () =>
        new Promise<{ ws: WebSocket; messages: string[] }>((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?key=ok`);
          const messages: string[] = [];
          ws.on('message', (d) => {
            messages.push(String(d));
            if (messages.length === 1) resolve({ ws, messages });
          });
          ws.on('error', reject);
        });
      const a = await open();
      const b = await open();
      a.ws.send('job:1');
      b.ws.send('job:2');
      const until = async (cond: () => boolean) => {
        for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
      };
      await until(() => a.messages.length === 2 && b.messages.length === 2);
      server.publish('job:1', 'done 1');
      await until(() => a.messages.length === 3);
      assert.deepEqual(a.messages, ['welcome', 'subscribed job:1', 'done 1']);
      assert.deepEqual(b.messages, ['welcome', 'subscribed job:2']);
      a.ws.close();
      b.ws.close();
      await until(() => published.length === 2);
      assert.deepEqual(published.sort(), ['closed job:1', 'closed job:2']);
    });

    describe('clients that are too slow', { concurrency: true }, () => {
      test('should close a connection whose headers trickle in (slowloris)', async () => {
        const res = await rawExchange(port, 'GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz'.split(''), {
          gapMs: 400,
          waitMs: 20_000,
        });
        assert.ok(res.closedAfterMs !== null && res.closedAfterMs < 15_000, `closed after ${res.closedAfterMs} ms`);
        assert.ok(!res.statuses.includes(200));
      });

      test('should close an upload slower than 16 KiB/s', async () => {
        const res = await rawExchange(port, ['POST /trickle HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n', ...Array(60).fill(Buffer.alloc(1000, 5))], {
          gapMs: 300,
          waitMs: 20_000,
        });
        assert.ok(res.closedAfterMs !== null && res.closedAfterMs < 15_000, `closed after ${res.closedAfterMs} ms`);
        assert.ok(!res.statuses.includes(200));
        assert.ok(!recorder.runs.includes('/trickle'), 'the handler never ran');
      });

      test('should close an idle kept-alive connection after about 10 s', async () => {
        const res = await rawExchange(port, ['GET /echo HTTP/1.1\r\nHost: x\r\n\r\n'], { waitMs: 20_000 });
        assert.deepEqual(res.statuses, [200]);
        assert.ok(res.closedAfterMs !== null && res.closedAfterMs >= 5_000 && res.closedAfterMs < 15_000, `closed after ${res.closedAfterMs} ms`);
      });

      test('should close a client that stops reading a large response', async () => {
        const socket = (await import('node:net')).connect(port, '127.0.0.1');
        await new Promise((r) => socket.once('connect', r));
        socket.write('GET /huge HTTP/1.1\r\nHost: x\r\n\r\n');
        socket.pause();
        await new Promise((r) => setTimeout(r, 14_000));
        let received = 0;
        const ended = new Promise<boolean>((resolve) => {
          socket.on('data', (d) => (received += d.length));
          socket.once('close', () => resolve(true));
          setTimeout(() => resolve(false), 10_000);
        });
        socket.on('error', () => {});
        socket.resume();
        const closed = await ended;
        socket.destroy();
        assert.ok(closed, 'the server closed the connection');
        assert.ok(received < HUGE_RESPONSE.length, `the rest of the response was not sent (${received} bytes arrived)`);
      });

      test('should close a connection that never sends a byte', async () => {
        const res = await rawExchange(port, [], { waitMs: 20_000 });
        assert.ok(res.closedAfterMs !== null && res.closedAfterMs < 15_000, `closed after ${res.closedAfterMs} ms`);
      });
    });

    test('should finish in-flight requests, refuse new connections and report drained', async () => {
      const inFlight = new Promise<number>((resolve, reject) => {
        http.get({ port, host: '127.0.0.1', path: '/slow?ms=500', agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        }).on('error', reject);
      });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(server.inFlight(), 1);
      server.stopListening();
      await assert.rejects(post(port, '/echo', Buffer.from('late')), /ECONNREFUSED|ECONNRESET/);
      assert.equal(await server.drain(5_000), true);
      assert.equal(await inFlight, 200);
    });
  });
}
