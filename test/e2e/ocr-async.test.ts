import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { scrape } from '../helpers/metrics.ts';
import { openJobSocket, waitForJob, type JobSocket } from '../helpers/jobs.ts';
import { sha8, tinyPng } from '../helpers/png.ts';
import { startService, type RunningService } from '../helpers/service.ts';

describe('async OCR jobs', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let service: RunningService;
  let hook: http.Server;
  let hookPort: number;
  const callbacks: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const SECRET = 'test-callback-secret';

  before(async () => {
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        callbacks.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookPort = (hook.address() as any).port;
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 150 });
    service = await startService({
      databaseUrl: db.url,
      workers: 2,
      env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0', CALLBACK_SECRET: SECRET, CALLBACK_ALLOWED_HOSTS: '127.0.0.1' },
    });
  });
  after(async () => {
    await service?.stop();
    await emulator?.close();
    await db?.drop();
    hook?.close();
  });

  const submit = (bytes: Buffer, query = '', headers: Record<string, string> = {}) =>
    postDocument(`${service.url}/ocr/async${query}`, bytes, { 'content-type': 'image/png', ...headers });

  test('should accept a document with 202 and deliver the result to a poller', async () => {
    const png = tinyPng('async-poll');
    const accepted = await submit(png, '?filename=poll.png&features=FORMS');
    assert.equal(accepted.status, 202, accepted.text);
    assert.equal(accepted.json.status, 'queued');
    assert.match(accepted.json.jobId, /^[0-9a-f-]{36}$/);
    assert.equal(accepted.json.statusUrl, `${service.url}/ocr/jobs/${accepted.json.jobId}`);
    assert.match(accepted.json.eventsUrl, /^ws:\/\/.+\/ws\?jobId=/);
    assert.equal(accepted.headers.location, accepted.json.statusUrl);

    const job = await waitForJob(service.url, accepted.json.jobId);
    assert.equal(job.status, 'succeeded');
    assert.equal(job.function, 'ocr');
    assert.equal(job.attempts, 1);
    assert.ok(job.startedAt && job.finishedAt);
    assert.equal(job.result.text.split('\n')[0], `DOC-${sha8(png)}`);
    assert.equal(job.result.filename, 'poll.png');
    assert.deepEqual(job.result.features, ['FORMS']);
    assert.ok(job.result.keyValues.length > 0);
    assert.equal(job.documentId, job.result.documentId);
  });

  test('should push state changes to sockets on every worker, whichever ran the job', async () => {
    const sockets: JobSocket[] = [];
    const workers = new Set<string>();
    for (let i = 0; i < 40 && workers.size < 2; i++) {
      const s = await openJobSocket(service.url);
      sockets.push(s);
      workers.add(s.worker);
    }
    try {
      assert.equal(workers.size, 2, 'sockets reached both workers');
      const accepted = await submit(tinyPng('async-ws'));
      for (const s of sockets) s.socket.send(JSON.stringify({ subscribe: [accepted.json.jobId] }));
      const finals = await Promise.all(sockets.map((s) => s.next((m) => m.type === 'job' && m.status === 'succeeded')));
      for (const f of finals) {
        assert.equal(f.jobId, accepted.json.jobId);
        assert.match(f.documentId, /^[0-9a-f-]{36}$/);
      }
    } finally {
      for (const s of sockets) s.close();
    }
  });

  test('should answer a subscription to a finished job at once', async () => {
    const accepted = await submit(tinyPng('finished-first'));
    await waitForJob(service.url, accepted.json.jobId);
    const s = await openJobSocket(service.url, `?jobId=${accepted.json.jobId}`);
    try {
      const message = await s.next((m) => m.type === 'job', 5_000);
      assert.equal(message.status, 'succeeded');
      s.socket.send(JSON.stringify({ subscribe: ['not-a-uuid'] }));
      const error = await s.next((m) => m.type === 'error');
      assert.equal(error.code, 'VALIDATION_FAILED');
    } finally {
      s.close();
    }
  });

  test('should return the first job for a repeated Idempotency-Key, with one Textract call', async () => {
    const png = tinyPng('idempotent');
    const before = emulator.stats().total;
    const first = await submit(png, '', { 'idempotency-key': 'boomi-order-1001' });
    const second = await submit(png, '', { 'idempotency-key': 'boomi-order-1001' });
    assert.equal(first.status, 202);
    assert.equal(second.status, 200);
    assert.equal(second.json.jobId, first.json.jobId);
    await waitForJob(service.url, first.json.jobId);
    const third = await submit(png, '', { 'idempotency-key': 'boomi-order-1001' });
    assert.equal(third.json.status, 'succeeded');
    assert.equal(third.json.result.documentId, (await waitForJob(service.url, first.json.jobId)).documentId);
    assert.equal(emulator.stats().total - before, 1);
  });

  test('should POST a signed callback with the final job', async () => {
    const accepted = await submit(tinyPng('callback'), `?callbackUrl=${encodeURIComponent(`http://127.0.0.1:${hookPort}/boomi/hook`)}`);
    assert.equal(accepted.status, 202, accepted.text);
    const deadline = Date.now() + 20_000;
    let delivery: (typeof callbacks)[number] | undefined;
    while (!delivery && Date.now() < deadline) {
      delivery = callbacks.find((c) => c.headers['x-dtat-job-id'] === accepted.json.jobId);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(delivery, 'callback arrived');
    const expected = `sha256=${createHmac('sha256', SECRET).update(delivery.body).digest('hex')}`;
    assert.equal(delivery.headers['x-dtat-signature'], expected);
    const job = JSON.parse(delivery.body);
    assert.equal(job.jobId, accepted.json.jobId);
    assert.equal(job.status, 'succeeded');
    assert.ok(job.result.text.length > 0);
  });

  test('should refuse a callback to a host that is not allowed', async () => {
    const res = await submit(tinyPng('bad-callback'), `?callbackUrl=${encodeURIComponent('http://169.254.169.254/latest/meta-data')}`);
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'VALIDATION_FAILED');
    assert.match(res.json.error.message, /CALLBACK_ALLOWED_HOSTS/);
  });

  test('should fail a job at once when Textract rejects the document', async () => {
    const before = emulator.stats().total;
    const accepted = await submit(tinyPng('async-bad', 'DTAT-EMULATOR:BAD_DOCUMENT'));
    const job = await waitForJob(service.url, accepted.json.jobId);
    assert.equal(job.status, 'failed');
    assert.equal(job.error.code, 'UNPROCESSABLE_DOCUMENT');
    assert.equal(job.attempts, 1);
    assert.equal(emulator.stats().total - before, 1);
  });

  test('should refuse a non-document at submission with 415', async () => {
    const res = await submit(Buffer.from('plain text'));
    assert.equal(res.status, 415);
    assert.equal(res.json.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('should invoke any function by name, synchronously or as an event', async () => {
    const png = tinyPng('invoke');
    const sync = await postDocument(`${service.url}/invoke/ocr`, png);
    assert.equal(sync.status, 200, sync.text);
    assert.equal(sync.json.text.split('\n')[0], `DOC-${sha8(png)}`);
    const event = await postDocument(`${service.url}/invoke/ocr`, tinyPng('invoke-event'), { 'x-invocation-type': 'Event' });
    assert.equal(event.status, 202);
    assert.equal((await waitForJob(service.url, event.json.jobId)).status, 'succeeded');
    const stats = await httpRequest(`${service.url}/invoke/queueStats`, { method: 'POST' });
    assert.equal(stats.status, 200);
    assert.equal(stats.json.window, '5m');
    const missing = await httpRequest(`${service.url}/invoke/nope`, { method: 'POST' });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'FUNCTION_NOT_FOUND');
    const unknownJob = await httpRequest(`${service.url}/ocr/jobs/00000000-0000-4000-8000-000000000000`);
    assert.equal(unknownJob.status, 404);
    assert.equal(unknownJob.json.error.code, 'JOB_NOT_FOUND');
  });
});

describe('GET /queue/stats', () => {
  test('should count exactly the jobs that ran', async () => {
    const db = await createTestDatabase();
    const emulator = await startEmulator({ latencyMs: 50 });
    const service = await startService({ databaseUrl: db.url, workers: 2, env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0' } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await postDocument(`${service.url}/ocr/async`, tinyPng(`stats-${i}`))).json.jobId);
      ids.push((await postDocument(`${service.url}/ocr/async`, tinyPng('stats-bad', 'DTAT-EMULATOR:BAD_DOCUMENT'))).json.jobId);
      for (const id of ids) await waitForJob(service.url, id);
      const stats = (await httpRequest(`${service.url}/queue/stats`)).json;
      assert.equal(stats.succeeded, 6);
      assert.equal(stats.failed, 1);
      assert.equal(stats.queued, 0);
      assert.equal(stats.running, 0);
      assert.equal(stats.workers, 2);
      assert.equal(stats.docsPerMinute, 6);
      assert.ok(stats.processingMs.p50 >= 50, 'processing includes the engine latency');
      assert.ok(stats.processingMs.max >= stats.processingMs.p95 && stats.processingMs.p95 >= stats.processingMs.p50);
      assert.ok(stats.waitMs.avg >= 0);
    } finally {
      await service.stop();
      await emulator.close();
      await db.drop();
    }
  });
});

describe('queued jobs on one machine', () => {
  const withService = async (workers: number, latencyMs: number, run: (url: string, spoolDir: string) => Promise<void>) => {
    const db = await createTestDatabase();
    const emulator = await startEmulator({ latencyMs });
    const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtat-spool-'));
    // One engine slot per process: a job accepted while it is busy waits in the queue.
    const service = await startService({
      databaseUrl: db.url,
      workers,
      env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0', ENGINE_CONCURRENCY: '1', JOB_SPOOL_DIR: spoolDir, JOB_POLL_MS: '600000' },
    });
    try {
      await run(service.url, spoolDir);
    } finally {
      await service.stop();
      await emulator.close();
      await db.drop();
      fs.rmSync(spoolDir, { recursive: true, force: true });
    }
  };
  const submit = (url: string, png: Buffer, headers: Record<string, string> = {}) =>
    postDocument(`${url}/ocr/async`, png, { 'content-type': 'image/png', ...headers });
  const succeedsWithItsDocument = async (url: string, jobId: string, png: Buffer) => {
    const job = await waitForJob(url, jobId);
    assert.equal(job.status, 'succeeded');
    assert.equal(job.result.text.split('\n')[0], `DOC-${sha8(png)}`, 'the job read its own document');
    assert.equal(job.result.sha256, createHash('sha256').update(png).digest('hex'));
  };
  const claimsOf = async (url: string) => {
    const metrics = await scrape(url);
    return (bytes: string) => metrics.value('dtat_job_claims_total', { bytes });
  };

  test('should run a job accepted while its process was busy with the bytes it left in the spool, not read back from PostgreSQL', async () => {
    await withService(1, 1_000, async (url, spoolDir) => {
      const first = tinyPng('spool-first');
      const firstId = (await submit(url, first)).json.jobId;
      for (let i = 0; i < 200 && (await httpRequest(`${url}/ocr/jobs/${firstId}`)).json.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 20));
      // The only engine slot is taken: these three wait in the queue, their bytes in the spool.
      const queued = [1, 2, 3].map((i) => tinyPng(`spool-queued-${i}`));
      const ids = (await Promise.all(queued.map((png) => submit(url, png)))).map((reply) => reply.json.jobId as string);
      assert.equal(fs.readdirSync(spoolDir).length, 3, 'one file per queued job');
      await succeedsWithItsDocument(url, firstId, first);
      for (const [i, id] of ids.entries()) await succeedsWithItsDocument(url, id, queued[i]!);
      const claims = await claimsOf(url);
      assert.deepEqual([claims('process'), claims('spool'), claims('database')], [1, 3, 0]);
      // A replayed submission leaves its bytes for a job that is never created: they go again.
      const replay = await submit(url, first, { 'idempotency-key': 'spool-k1' });
      await waitForJob(url, replay.json.jobId);
      assert.equal((await submit(url, first, { 'idempotency-key': 'spool-k1' })).headers['idempotent-replayed'], 'true');
      assert.deepEqual(fs.readdirSync(spoolDir), [], 'every file was taken or removed');
    });
  });

  test("should give a burst's jobs their bytes from memory or the spool, whichever process claims them", async () => {
    await withService(2, 300, async (url, spoolDir) => {
      const pngs = Array.from({ length: 6 }, (_, i) => tinyPng(`spool-burst-${i}`));
      const accepted = await Promise.all(pngs.map((png) => submit(url, png)));
      for (const [i, reply] of accepted.entries()) await succeedsWithItsDocument(url, reply.json.jobId, pngs[i]!);
      const claims = await claimsOf(url);
      assert.equal(claims('process') + claims('spool'), 6, 'no claim read the bytes back from PostgreSQL');
      assert.equal(claims('database'), 0);
      assert.deepEqual(fs.readdirSync(spoolDir), []);
    });
  });
});
