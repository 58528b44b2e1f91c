import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startEmulator } from '../../scripts/emulator/server.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { tinyPng } from '../helpers/png.ts';
import { startService } from '../helpers/service.ts';

describe('jobs survive dying processes', () => {
  test('should finish a job whose worker was killed with SIGKILL mid-job', async () => {
    const db = await createTestDatabase();
    const emulator = await startEmulator({ latencyMs: 4_000 });
    const service = await startService({ databaseUrl: db.url, workers: 2, env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0' } });
    try {
      const accepted = await postDocument(`${service.url}/ocr/async`, tinyPng('sigkill'));
      const running = await waitForJob(service.url, accepted.json.jobId, { states: ['running'] });
      const pid = Number(running.worker.split('-')[1]);
      assert.ok(service.pids().includes(pid));
      process.kill(pid, 'SIGKILL');
      const job = await waitForJob(service.url, accepted.json.jobId, { timeoutMs: 60_000 });
      assert.equal(job.status, 'succeeded');
      assert.ok(job.attempts >= 2, `attempts ${job.attempts}`);
      assert.match(job.result.text, /^DOC-/);
    } finally {
      await service.stop();
      await emulator.close();
      await db.drop();
    }
  });

  test('should finish every queued job after all processes restart', async () => {
    const db = await createTestDatabase();
    const emulator = await startEmulator({ latencyMs: 200 });
    const env = { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '2', SHUTDOWN_TIMEOUT_MS: '3000' };
    const first = await startService({ databaseUrl: db.url, workers: 2, env });
    const ids: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const res = await postDocument(`${first.url}/ocr/async`, tinyPng(`restart-${i}`));
        assert.equal(res.status, 202);
        ids.push(res.json.jobId);
      }
    } finally {
      assert.equal(await first.stop('SIGTERM'), 0);
    }
    const second = await startService({ databaseUrl: db.url, workers: 2, env });
    try {
      const before = (await httpRequest(`${second.url}/queue/stats`)).json;
      assert.ok(before.queued > 0, 'some jobs were still queued across the restart');
      const jobs = await Promise.all(ids.map((id) => waitForJob(second.url, id, { timeoutMs: 60_000 })));
      assert.deepEqual(jobs.map((j) => j.status), Array(12).fill('succeeded'));
      assert.equal(emulator.stats().total, 12, 'each document was read exactly once');
    } finally {
      await second.stop();
      await emulator.close();
      await db.drop();
    }
  });
});
