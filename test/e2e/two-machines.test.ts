import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { openJobSocket, waitForJob, type JobSocket } from '../helpers/jobs.ts';
import { scrape } from '../helpers/metrics.ts';
import { tinyPng } from '../helpers/png.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// Two launchers on two ports and one database: what two machines sharing a PostgreSQL are,
// short of the network between them. The Textract emulator's quota is the account's.

const TPS = 8;
const env = (emulator: EmulatorHandle) => ({ TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: String(TPS), SHUTDOWN_TIMEOUT_MS: '5000' });

/** Which launcher a worker id (w1-<pid>) belongs to. */
function machineOf(worker: string, a: RunningService, b: RunningService): 'A' | 'B' | '?' {
  const pid = Number(worker.split('-')[1]);
  return a.workerPids().includes(pid) ? 'A' : b.workerPids().includes(pid) ? 'B' : '?';
}

describe('two machines, one database', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let a: RunningService;
  let b: RunningService;
  let feedOnA: JobSocket;
  const burst: string[] = [];
  let burstSeconds = 0;

  before(async () => {
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 300, tps: TPS });
    a = await startService({ databaseUrl: db.url, workers: 2, env: env(emulator) });
    b = await startService({ databaseUrl: db.url, workers: 2, env: env(emulator) });
    feedOnA = await openJobSocket(a.url, '?feed=jobs');
  });
  after(async () => {
    feedOnA?.close();
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await emulator?.close();
    await db?.drop();
  });

  test('should finish jobs submitted to A on either machine, and push B’s to a WebSocket client on A', async () => {
    const byId = await openJobSocket(a.url);
    try {
      const started = Date.now();
      for (let i = 0; i < 24; i++) {
        const res = await postDocument(`${a.url}/ocr/async`, tinyPng(`two-machines-${i}`));
        assert.equal(res.status, 202);
        burst.push(res.json.jobId);
      }
      byId.socket.send(JSON.stringify({ subscribe: burst }));
      for (const id of burst) {
        await feedOnA.next((m) => m.type === 'job' && m.jobId === id && m.status === 'succeeded', 60_000);
        await byId.next((m) => m.type === 'job' && m.jobId === id && m.status === 'succeeded', 10_000);
      }
      burstSeconds = (Date.now() - started) / 1000;
    } finally {
      byId.close();
    }
    const ranOn = new Map<string, string>();
    for (const m of feedOnA.messages) {
      if (m.type === 'job' && m.status === 'running' && burst.includes(m.jobId)) ranOn.set(m.jobId, machineOf(m.worker, a, b));
    }
    assert.equal(ranOn.size, burst.length, 'the feed on A saw every job start');
    const onB = [...ranOn].filter(([, machine]) => machine === 'B').map(([id]) => id);
    const onA = [...ranOn].filter(([, machine]) => machine === 'A');
    assert.ok(onB.length > 0 && onA.length > 0, `ran on A: ${onA.length}, on B: ${onB.length}`);
    for (const id of onB) assert.ok(feedOnA.messages.some((m) => m.jobId === id && m.status === 'succeeded'), `A pushed ${id}, which B ran`);
  });

  test('should agree on /queue/stats and /metrics from both machines', async () => {
    const [statsA, statsB] = await Promise.all([a, b].map(async (s) => (await httpRequest(`${s.url}/queue/stats`)).json));
    const [metricsA, metricsB] = await Promise.all([scrape(a.url), scrape(b.url)]);
    for (const [stats, metrics] of [
      [statsA, metricsA],
      [statsB, metricsB],
    ] as const) {
      assert.equal(stats.succeeded, burst.length);
      assert.equal(stats.workers, 4, 'four live processes across the two machines');
      assert.equal(metrics.value('dtat_queue_jobs', { state: 'queued' }), stats.queued);
      assert.equal(metrics.value('dtat_queue_jobs', { state: 'running' }), stats.running);
      assert.equal(metrics.value('dtat_cluster_processes'), stats.workers);
    }
    assert.deepEqual({ ...statsA, since: '' }, { ...statsB, since: '' });
    const succeeded = (m: typeof metricsA) => m.value('dtat_jobs_total', { outcome: 'succeeded' });
    assert.equal(succeeded(metricsA) + succeeded(metricsB), statsA.succeeded, 'the jobs each machine ran add up to the cluster’s');
    const calls = (m: typeof metricsA) => m.value('dtat_textract_requests_total');
    assert.equal(calls(metricsA) + calls(metricsB), emulator.stats().total, 'every Textract request counted on the machine that sent it');
  });

  test('should hold the Textract quota across both machines', () => {
    const stats = emulator.stats();
    assert.equal(stats.throttled, 0, 'the emulator, at the shared TPS, throttled nothing');
    // The quota was what paced the burst (else this would prove nothing): 24 calls at 8 a second.
    assert.ok(burstSeconds >= (burst.length - TPS) / TPS, `the burst took ${burstSeconds} s`);
  });

  test('should lose no job when A is killed mid-burst', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const target = i % 2 === 0 ? a : b;
      const res = await postDocument(`${target.url}/ocr/async`, tinyPng(`kill-a-${i}`));
      assert.equal(res.status, 202);
      ids.push(res.json.jobId);
    }
    const feedOnB = await openJobSocket(b.url, '?feed=jobs');
    try {
      // Wait until A is running some of them, then take the whole machine away at once.
      await feedOnB.next((m) => m.type === 'job' && m.status === 'running' && ids.includes(m.jobId) && machineOf(m.worker, a, b) === 'A', 30_000);
      for (const pid of [...a.workerPids(), a.launcher.pid!]) process.kill(pid, 'SIGKILL');
      const jobs = await Promise.all(ids.map((id) => waitForJob(b.url, id, { timeoutMs: 120_000 })));
      assert.deepEqual(
        jobs.map((j) => j.status),
        Array(ids.length).fill('succeeded'),
      );
      assert.ok(
        jobs.some((j) => j.attempts >= 2),
        'a job A was running was run again on B',
      );
      assert.equal(emulator.stats().throttled, 0, 'B kept to the quota while taking over');
    } finally {
      feedOnB.close();
    }
  });
});
