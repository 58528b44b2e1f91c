import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { errorBody, toHttpError } from '../../../runtime/errors.ts';
import type { HttpServer, Listen } from '../../../runtime/http/adapter.ts';
import { listenNode } from '../../../runtime/http/adapter-node.ts';
import { createUwsListen } from '../../../runtime/http/adapter-uws.ts';
import { probeUws } from '../../../runtime/http/choose-adapter.ts';
import type { IncomingRequest, OutgoingResponse, Pipeline } from '../../../runtime/http/pipeline.ts';
import { createLogger } from '../../../runtime/log.ts';
import { hasFinalResponse, rawExchange } from '../../helpers/raw-http.ts';
import { freePort } from '../../helpers/service.ts';

// MAX_INFLIGHT_BYTES on both adapters, over real sockets: a body that would take the process past
// its budget is refused with 503 OVERLOADED before it is read, and what an answered request held
// is given back. Issue 12 #8: memory was bounded only by the number of clients.

const BUDGET = 1024 * 1024;
const BODY = 800 * 1024;

function json(status: number, body: unknown): OutgoingResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function testPipeline(runs: string[]): Pipeline {
  return {
    prepare: (request: IncomingRequest) => ({
      requestId: 'test',
      request,
      bodyLimit: 8 * BUDGET,
      run: async (body: Buffer) => {
        runs.push(request.path);
        return json(200, { bytes: body.length });
      },
    }),
    error: (requestId: string, err: unknown) => {
      const e = toHttpError(err);
      return { ...json(e.status, errorBody(e, requestId)), headers: { 'content-type': 'application/json', ...e.headers } };
    },
  } as Pipeline;
}

const adapters: { name: string; listen?: Listen; skip?: string }[] = [
  (() => {
    const probe = probeUws('uWebSockets.js');
    return probe.loaded ? { name: 'uws', listen: createUwsListen(probe.native) } : { name: 'uws', skip: probe.reason };
  })(),
  { name: 'node', listen: listenNode as Listen },
];

/** Starts an upload that declares `declared` bytes, sends `sent` of them, and keeps the rest back. */
async function holdUpload(port: number, declared: number, sent: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  socket.on('data', (d) => (text += d.toString('latin1')));
  socket.on('error', () => {});
  socket.write(`POST /held HTTP/1.1\r\nHost: x\r\nContent-Length: ${declared}\r\n\r\n`);
  socket.write(Buffer.alloc(sent, 1));
  await new Promise((r) => setTimeout(r, 300));
  return {
    async finish(): Promise<string> {
      socket.write(Buffer.alloc(declared - sent, 1));
      for (let i = 0; i < 100 && !hasFinalResponse(text); i++) await new Promise((r) => setTimeout(r, 20));
      socket.destroy();
      return text;
    },
  };
}

function post(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', path: '/after', method: 'POST', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(Buffer.alloc(bytes, 2));
  });
}

for (const adapter of adapters) {
  describe(`the ${adapter.name} adapter's body budget`, { skip: adapter.skip }, () => {
    const runs: string[] = [];
    let server: HttpServer;

    before(async () => {
      server = await adapter.listen!({
        pipeline: testPipeline(runs),
        host: '127.0.0.1',
        port: await freePort(),
        log: createLogger().child({}, { level: 'warn' }),
        maxInflightBytes: BUDGET,
      });
    });
    after(() => server?.stopListening());

    test('should refuse a declared body that would pass the budget with 503 OVERLOADED, unread, and give the budget back after a response', async () => {
      const held = await holdUpload(server.port, BODY, BODY / 2);
      const refused = await rawExchange(server.port, [`POST /refused HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY}\r\n\r\n`], { until: hasFinalResponse });
      assert.deepEqual(refused.statuses, [503]);
      assert.match(refused.text, /"code":"OVERLOADED"/);
      assert.match(refused.text, /retry-after: 2/i);
      assert.ok(!runs.includes('/refused'), 'its handler never ran');
      assert.match(await held.finish(), /HTTP\/1\.1 200/);
      assert.equal(await post(server.port, BODY), 200, 'the first upload gave its share back');
    });

    test('should refuse a chunked body once it would pass the budget', async () => {
      const held = await holdUpload(server.port, BODY, BODY / 2);
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ port: server.port, host: '127.0.0.1', path: '/chunked', method: 'POST', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        for (let i = 0; i < 4; i++) req.write(Buffer.alloc(128 * 1024, 3));
        req.end();
      });
      assert.equal(status, 503);
      assert.ok(!runs.includes('/chunked'));
      assert.match(await held.finish(), /HTTP\/1\.1 200/);
      assert.equal(await post(server.port, BODY), 200);
    });

    test('should admit a body larger than the whole budget when nothing else is held', async () => {
      assert.equal(await post(server.port, 2 * BUDGET), 200);
    });
  });
}
