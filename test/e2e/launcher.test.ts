import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { openJobSocket } from '../helpers/jobs.ts';
import { tinyPng } from '../helpers/png.ts';
import { startService, type RunningService } from '../helpers/service.ts';
import { brokenUwsPackage, removePackage } from '../helpers/uws-packages.ts';
import { probeUws } from '../../runtime/http/choose-adapter.ts';
import { reusePortAvailable } from '../../runtime/http/adapter-node.ts';

/** Worker ids seen over fresh connections (SO_REUSEPORT spreads connections, not requests). */
async function workersAnswering(url: string, want: number, tries = 300): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries && seen.size < want; i++) {
    const res = await httpRequest(`${url}/health`);
    if (res.status === 200) seen.add(res.json.worker.id);
  }
  return seen;
}

describe('launcher: four workers on one port', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let service: RunningService;

  before(async () => {
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 1_500 });
    service = await startService({ databaseUrl: db.url, workers: 4, env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0' } });
  });
  after(async () => {
    await service?.stop('SIGKILL');
    await emulator?.close();
    await db?.drop();
  });

  test('should answer from four distinct worker processes', async () => {
    const seen = await workersAnswering(service.url, 4);
    assert.equal(seen.size, 4, `saw ${[...seen].join(', ')}`);
    assert.deepEqual(new Set([...seen].map((id) => Number(id.split('-')[1]))), new Set(service.workerPids()));
  });

  test('should share the port the way this Node allows', { skip: process.platform !== 'linux' && '/proc/net/tcp is Linux only' }, async () => {
    const listening = fs
      .readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[1]?.endsWith(`:${service.port.toString(16).toUpperCase().padStart(4, '0')}`) && f[3] === '0A');
    const adapter = (await httpRequest(`${service.url}/health`)).json.adapter;
    // One listening socket per worker (SO_REUSEPORT), or the launcher's alone, handing connections out.
    const perWorker = adapter === 'uws' || reusePortAvailable();
    assert.equal(listening.length, perWorker ? 4 : 1, `${adapter} adapter on Node ${process.versions.node}`);
  });

  test('should replace a worker that was killed', async () => {
    const victim = service.workerPids()[0]!;
    process.kill(victim, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (service.workerPids().includes(victim) || service.workerPids().length < 4)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(!service.workerPids().includes(victim), 'the launcher reported a replacement');
    const seen = await workersAnswering(service.url, 4);
    assert.equal(seen.size, 4);
    assert.ok(![...seen].some((id) => id.endsWith(`-${victim}`)), 'the dead worker no longer answers');
  });

  test('should shrug off clients that hang up mid-request', async () => {
    const pids = service.workerPids();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        new Promise<void>((resolve) => {
          const req = http.request(`${service.url}/ocr`, { method: 'POST', agent: false, headers: { 'content-type': 'image/png' } });
          req.on('error', () => resolve());
          req.end(tinyPng(`hang-up-${i}`));
          setTimeout(() => {
            req.destroy();
            resolve();
          }, 300);
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 1_500));
    assert.deepEqual(service.workerPids(), pids, 'no worker crashed');
    assert.equal((await postDocument(`${service.url}/ocr`, tinyPng('after-hang-ups'))).status, 200);
  });

  test('should finish every in-flight request on SIGTERM and exit 0', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => postDocument(`${service.url}/ocr`, tinyPng(`drain-${i}`)));
    await new Promise((r) => setTimeout(r, 500));
    const exit = service.stop('SIGTERM');
    const replies = await Promise.all(requests);
    assert.deepEqual(replies.map((r) => r.status), Array(20).fill(200));
    assert.equal(await exit, 0);
  });
});

describe('launcher: refusals and health', () => {
  test('should refuse to start with HTTP_ADAPTER=uws when uWS cannot load here, saying why', async () => {
    const broken = brokenUwsPackage();
    try {
      const child = fork(path.join(PROJECT_ROOT, 'runtime', 'launcher.ts'), [], {
        cwd: PROJECT_ROOT,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...process.env, HTTP_ADAPTER: 'uws', UWS_MODULE: broken, DATABASE_URL: 'postgres://unused/none' },
      });
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      const code = await new Promise((r) => child.on('exit', r));
      assert.equal(code, 78);
      assert.match(output, /HTTP_ADAPTER=uws but uWebSockets.js cannot run here: broken-uws@1.0.0 cannot load/);
    } finally {
      removePackage(broken);
    }
  });

  test('should serve with the node adapter when uWS cannot load, say why at start, and name it in /health', async () => {
    const broken = brokenUwsPackage();
    const db = await createTestDatabase();
    const service = await startService({
      databaseUrl: db.url,
      workers: 2,
      env: { HTTP_ADAPTER: 'auto', UWS_MODULE: broken, LOG_LEVEL: 'info', TEXTRACT_ENDPOINT: 'http://127.0.0.1:9' },
    });
    try {
      assert.match(service.logTail(), /"adapter":"node","reason":"uWebSockets.js cannot run here \(broken-uws@1.0.0 cannot load/);
      const health = await httpRequest(`${service.url}/health`);
      assert.equal(health.status, 200);
      assert.equal(health.json.adapter, 'node');
      assert.equal((await workersAnswering(service.url, 2)).size, 2, 'both workers share the port');
    } finally {
      await service.stop();
      await db.drop();
      removePackage(broken);
    }
  });

  test('should serve with uWS under auto where its native build loads', { skip: !probeUws('uWebSockets.js').loaded && 'uWS has no build for this Node' }, async () => {
    const db = await createTestDatabase();
    const service = await startService({ databaseUrl: db.url, workers: 1, env: { HTTP_ADAPTER: 'auto', TEXTRACT_ENDPOINT: 'http://127.0.0.1:9' } });
    try {
      assert.equal((await httpRequest(`${service.url}/health`)).json.adapter, 'uws');
    } finally {
      await service.stop();
      await db.drop();
    }
  });

  test('should report 503 from /health when PostgreSQL is unreachable', async () => {
    const db = await createTestDatabase();
    const service = await startService({ databaseUrl: db.url, workers: 1, env: { TEXTRACT_ENDPOINT: 'http://127.0.0.1:9' } });
    try {
      assert.equal((await httpRequest(`${service.url}/health`)).status, 200);
      await db.drop();
      const res = await httpRequest(`${service.url}/health`);
      assert.equal(res.status, 503);
      assert.equal(res.json.db, 'unreachable');
      assert.equal(res.json.status, 'degraded');
      assert.ok(res.json.worker.id);
      const stats = await httpRequest(`${service.url}/queue/stats`);
      assert.equal(stats.status, 503);
      assert.equal(stats.json.error.code, 'UNAVAILABLE');
      assert.ok(stats.headers['retry-after']);
    } finally {
      await service.stop('SIGKILL');
    }
  });

  test('should require an API key on every route but /health when API_KEYS is set', async () => {
    const db = await createTestDatabase();
    const service = await startService({ databaseUrl: db.url, workers: 1, env: { API_KEYS: 'key-one,key-two', TEXTRACT_ENDPOINT: 'http://127.0.0.1:9' } });
    try {
      assert.equal((await httpRequest(`${service.url}/health`)).status, 200);
      const denied = await postDocument(`${service.url}/ocr`, tinyPng('auth'));
      assert.equal(denied.status, 401);
      assert.equal(denied.json.error.code, 'UNAUTHORIZED');
      const wrong = await httpRequest(`${service.url}/queue/stats`, { headers: { 'x-api-key': 'key-three' } });
      assert.equal(wrong.status, 401);
      assert.equal((await httpRequest(`${service.url}/queue/stats`, { headers: { 'x-api-key': 'key-two' } })).status, 200);
      assert.equal((await httpRequest(`${service.url}/queue/stats`, { headers: { authorization: 'Bearer key-one' } })).status, 200);
      const submit = (apiKey: string) =>
        postDocument(`${service.url}/ocr/async`, tinyPng('idempotent-per-key'), { 'x-api-key': apiKey, 'idempotency-key': 'order-7' });
      const first = await submit('key-one');
      const other = await submit('key-two');
      const again = await submit('key-one');
      assert.equal(first.status, 202);
      assert.equal(other.status, 202, 'another API key has its own idempotency keys');
      assert.notEqual(other.json.jobId, first.json.jobId);
      assert.equal(again.status, 200);
      assert.equal(again.json.jobId, first.json.jobId);
      const strayBody = await httpRequest(`${service.url}/invoke/queueStats`, { method: 'POST', headers: { 'x-api-key': 'key-one' }, body: '{"ignored":true}' });
      assert.equal(strayBody.status, 200, 'a function without input ignores a small body');
      await assert.rejects(openJobSocket(service.url), /401/);
      const socket = await openJobSocket(service.url, '?apiKey=key-one');
      assert.match(socket.worker, /^w1-/);
      socket.close();
    } finally {
      await service.stop();
      await db.drop();
    }
  });
});
