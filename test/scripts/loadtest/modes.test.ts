import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOMI_USER_AGENT } from '../../../scripts/loadtest/modes/boomi.ts';
import { runLoad } from '../../../scripts/loadtest/run.ts';
import type { LoadOptions } from '../../../scripts/loadtest/types.ts';
import { type FakeService, startFakeService } from './fake-service.ts';

const small = { type: 'png', kb: 4 } as const;

describe('runLoad against the fake service', () => {
  let fake: FakeService;
  before(async () => {
    fake = await startFakeService({ apiKey: 'k1', syncDelayMs: 5, jobMs: 30 });
  });
  after(() => fake.close());

  const run = (over: Partial<LoadOptions>) =>
    runLoad({ url: fake.url, mode: 'sync', concurrency: 3, docs: 12, apiKey: 'k1', documents: small, pollMs: 10, ...over });

  it('should complete a sync run with every document ok and headers on every request', async () => {
    const before = fake.requests.length;
    const result = await run({ features: ['TABLES', 'FORMS'] });
    assert.deepEqual([result.summary.docs, result.summary.ok, result.summary.failed], [12, 12, 0]);
    assert.equal(result.health?.status, 200);
    assert.equal(result.stoppedBy, 'docs');
    const posts = fake.requests.slice(before).filter((r) => r.path === '/ocr');
    assert.equal(posts.length, 12);
    for (const r of posts) {
      assert.equal(r.headers['x-api-key'], 'k1');
      assert.equal(r.headers['content-type'], 'image/png');
      assert.match(String(r.headers['x-request-id']), new RegExp(`^lt-${result.runId}-\\d+$`));
      assert.equal(r.query.get('features'), 'TABLES,FORMS');
    }
    assert.equal(new Set(posts.map((r) => r.headers['x-request-id'])).size, 12);
    assert.deepEqual(result.records.map((r) => r.seq), [...Array(12).keys()]);
    assert.ok(result.records.every((r) => r.ok && r.status === 200 && r.cached === false && r.bytes > 0));
  });

  it('should complete an async-poll run, polling until the job is final', async () => {
    const polls = fake.counts.polls;
    const result = await run({ mode: 'async-poll' });
    assert.equal(result.summary.ok, 12);
    assert.ok(fake.counts.polls - polls >= 12);
    assert.ok(result.records.every((r) => r.jobStatus === 'succeeded' && typeof r.jobId === 'string' && r.latencyMs >= 30));
  });

  it('should complete an async-ws run with one WebSocket per client', async () => {
    const connections = fake.counts.wsConnections;
    const result = await run({ mode: 'async-ws' });
    assert.equal(result.summary.ok, 12);
    assert.equal(fake.counts.wsConnections - connections, 3);
    assert.equal(result.wsReconnects, 0);
  });

  it('should post like a Boomi connector in boomi mode, sync and async', async () => {
    const before = fake.requests.length;
    const sync = await run({ mode: 'boomi', concurrency: 2, docs: 4 });
    const async = await run({ mode: 'boomi', boomiAsync: true, concurrency: 2, docs: 4 });
    assert.equal(sync.summary.ok, 4);
    assert.equal(async.summary.ok, 4);
    const posts = fake.requests.slice(before).filter((r) => r.method === 'POST');
    assert.deepEqual(posts.map((r) => r.path).sort(), [...Array(4).fill('/ocr'), ...Array(4).fill('/ocr/async')]);
    for (const r of posts) {
      assert.equal(r.headers['user-agent'], BOOMI_USER_AGENT);
      assert.equal(r.headers.connection, 'keep-alive');
    }
  });

  it('should report cache hits when the same document repeats', async () => {
    const result = await run({ documents: { ...small, repeat: true }, concurrency: 1, docs: 5 });
    assert.equal(result.summary.cacheHits, 4);
  });

  it('should fail every document with 401 when the key is wrong', async () => {
    const result = await run({ apiKey: 'wrong', docs: 3 });
    assert.deepEqual(result.summary.failures, [{ status: 401, errorCode: 'UNAUTHORIZED', jobFailed: false, count: 3 }]);
    const ws = await run({ mode: 'async-ws', apiKey: 'wrong', docs: 3 });
    assert.deepEqual(ws.summary.failures, [{ status: 401, errorCode: 'WS_CONNECT_FAILED', jobFailed: false, count: 3 }]);
  });

  it('should stop at the duration', async () => {
    const start = performance.now();
    const result = await run({ docs: undefined, durationMs: 300, concurrency: 2 });
    assert.equal(result.stoppedBy, 'duration');
    assert.ok(result.summary.ok > 5);
    assert.ok(performance.now() - start < 2000);
  });

  it('should stop early on the signal and say so', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const result = await run({ docs: 100_000, concurrency: 2, signal: stop.signal });
    assert.equal(result.stoppedBy, 'signal');
    assert.ok(result.summary.docs < 100_000);
  });

  it('should refuse options beyond the safety bounds', async () => {
    await assert.rejects(run({ docs: 1_000_001 }), /docs must be/);
    await assert.rejects(run({ durationMs: 25 * 3600 * 1000 }), /24 h/);
    await assert.rejects(run({ url: 'ftp://x' }), /http/);
  });
});

describe('failures and reconnection', () => {
  it('should group refused submissions and failed jobs by status and code', async () => {
    const fake = await startFakeService({
      jobMs: 5,
      refuse: (n) => (n % 4 === 0 ? { status: 503, code: 'OVERLOADED', retryAfter: '3' } : undefined),
      failJob: (n) => (n % 3 === 0 ? 'UPSTREAM_ERROR' : undefined),
    });
    try {
      const result = await runLoad({ url: fake.url, mode: 'async-poll', pollMs: 10, concurrency: 1, docs: 12, documents: small });
      const { failures, throttles } = result.summary;
      // Submissions 4, 8, 12 are refused; of the rest, 3, 6, 9 fail as jobs.
      assert.deepEqual(failures, [
        { status: 202, errorCode: 'UPSTREAM_ERROR', jobFailed: true, count: 3 },
        { status: 503, errorCode: 'OVERLOADED', jobFailed: false, count: 3 },
      ]);
      assert.deepEqual(throttles, { count: 3, retryAfter: { '3': 3 } });
    } finally {
      await fake.close();
    }
  });

  it('should time out a document that takes too long', async () => {
    const fake = await startFakeService({ syncDelayMs: 2000 });
    try {
      const result = await runLoad({ url: fake.url, mode: 'sync', concurrency: 1, docs: 1, timeoutMs: 100, documents: small, skipHealth: true });
      assert.equal(result.records[0].errorCode, 'CLIENT_TIMEOUT');
      assert.equal(result.records[0].status, null);
      assert.ok(result.records[0].latencyMs < 1000);
    } finally {
      await fake.close();
    }
  });

  it('should reconnect a dropped WebSocket and still see jobs that finished meanwhile', async () => {
    const fake = await startFakeService({ jobMs: 50, dropOnSubscribe: [2, 5] });
    try {
      const result = await runLoad({ url: fake.url, mode: 'async-ws', concurrency: 1, docs: 6, documents: small });
      assert.equal(result.summary.ok, 6);
      assert.equal(result.wsReconnects, 2);
      assert.ok(fake.counts.wsConnections >= 3);
      // One fallback poll per job in flight at each loss, under the document's request id.
      const polls = fake.requests.filter((r) => r.path.startsWith('/ocr/jobs/'));
      assert.equal(polls.length, 2);
      for (const p of polls) assert.match(String(p.headers['x-request-id']), new RegExp(`^lt-${result.runId}-\\d+-r\\d+$`));
    } finally {
      await fake.close();
    }
  });

  it('should record connection refusals without a status', async () => {
    const fake = await startFakeService();
    const url = fake.url;
    await fake.close();
    const result = await runLoad({ url, mode: 'sync', concurrency: 1, docs: 2, documents: small });
    assert.equal(result.health?.status, null);
    assert.deepEqual(result.summary.failures, [{ status: null, errorCode: 'ECONNREFUSED', jobFailed: false, count: 2 }]);
  });
});
