import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { errorBody, toHttpError } from '../../../runtime/errors.ts';
import type { HttpServer, Listen } from '../../../runtime/http/adapter.ts';
import { listenNode } from '../../../runtime/http/adapter-node.ts';
import { createUwsListen } from '../../../runtime/http/adapter-uws.ts';
import { probeUws } from '../../../runtime/http/choose-adapter.ts';
import type { IncomingRequest, OutgoingResponse, Pipeline } from '../../../runtime/http/pipeline.ts';
import { createLogger } from '../../../runtime/log.ts';
import { rawExchange } from '../../helpers/raw-http.ts';
import { freePort } from '../../helpers/service.ts';

// The HTTP/1.1 corners issue 12 #6 found on uWS, as each adapter answers them, over real sockets.
// The handler awaits a timer before answering, as every real handler awaits the database: uWS
// answers pipelined requests only while each answer is written before the next is parsed. The
// uWS rows pin what uWebSockets.js 20.30 does in its C++ parser, before any JavaScript runs, so a
// uWS upgrade that changes them fails here and docs/http-conformance.md gets updated.

function json(status: number, body: unknown): OutgoingResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

const pipeline = {
  prepare: (request: IncomingRequest) => ({
    requestId: 'test',
    request,
    bodyLimit: 1024 * 1024,
    run: async (body: Buffer) => {
      await new Promise((r) => setTimeout(r, 20));
      return json(200, { path: request.path, bytes: body.length });
    },
  }),
  error: (requestId: string, err: unknown) => {
    const e = toHttpError(err);
    return json(e.status, errorBody(e, requestId));
  },
} as unknown as Pipeline;

const headers = (count: number) => Array.from({ length: count }, (_, i) => `X-H${i}: v\r\n`).join('');

/** Each case: the bytes sent, and the statuses each adapter answers with ([] = none, connection closed or left to time out). */
const CASES: { name: string; send: string; uws: number[]; node: number[] }[] = [
  { name: 'HTTP/1.0 with Host', send: 'GET /a HTTP/1.0\r\nHost: x\r\n\r\n', uws: [], node: [200] },
  { name: 'HTTP/1.0 without Host', send: 'GET /a HTTP/1.0\r\n\r\n', uws: [], node: [200] },
  { name: 'two pipelined requests', send: 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n', uws: [], node: [200, 200] },
  { name: '48 header fields', send: `GET /a HTTP/1.1\r\nHost: x\r\n${headers(47)}\r\n`, uws: [200], node: [200] },
  { name: '49 header fields', send: `GET /a HTTP/1.1\r\nHost: x\r\n${headers(48)}\r\n`, uws: [], node: [200] },
  { name: '150 header fields', send: `GET /a HTTP/1.1\r\nHost: x\r\n${headers(149)}\r\n`, uws: [], node: [431] },
  { name: 'Content-Length: abc', send: 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nhello', uws: [], node: [400] },
  { name: 'Content-Length: -1', send: 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nhello', uws: [], node: [400] },
  { name: 'two Content-Length values', send: 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!', uws: [400], node: [400] },
  { name: 'Transfer-Encoding: gzip', send: 'POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nhello', uws: [], node: [400] },
  { name: 'HTTP/1.1 without Host', send: 'GET /a HTTP/1.1\r\n\r\n', uws: [], node: [400] },
];

const adapters: { name: 'uws' | 'node'; listen?: Listen; skip?: string }[] = [
  (() => {
    const probe = probeUws('uWebSockets.js');
    return probe.loaded ? { name: 'uws' as const, listen: createUwsListen(probe.native) } : { name: 'uws' as const, skip: probe.reason };
  })(),
  { name: 'node', listen: listenNode as Listen },
];

for (const adapter of adapters) {
  describe(`HTTP conformance of the ${adapter.name} adapter`, { skip: adapter.skip, concurrency: true }, () => {
    let server: HttpServer;
    before(async () => {
      server = await adapter.listen!({ pipeline, host: '127.0.0.1', port: await freePort(), log: createLogger().child({}, { level: 'fatal' }) });
    });
    after(() => server?.stopListening());

    for (const c of CASES) {
      const expected = c[adapter.name];
      test(`should answer ${c.name} with ${expected.length ? expected.join(', ') : 'nothing'}`, async () => {
        const res = await rawExchange(server.port, [c.send], { waitMs: 1_500 });
        assert.deepEqual(res.statuses, expected, res.text.slice(0, 200));
        if (expected.length && expected.every((s) => s >= 400)) assert.match(res.text, /"code":"[A-Z_]+"/, 'a JSON error body');
      });
    }
  });
}
