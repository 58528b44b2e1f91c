import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import pg from 'pg';
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
      assert.ok(service.workerPids().includes(pid));
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

  test('should finish or re-send jobs whose queue entry was lost', async () => {
    const db = await createTestDatabase();
    const emulator = await startEmulator({ latencyMs: 20 });
    const env = { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0', JOB_RETRY_LIMIT: '5' };
    // Migrate the database, then plant two jobs the queue knows nothing about.
    await (await startService({ databaseUrl: db.url, workers: 1, env })).stop();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const png = tinyPng('stranded');
    const documentId = randomUUID();
    const [lost, exhausted] = [randomUUID(), randomUUID()];
    try {
      await client.query(`INSERT INTO documents (id, sha256, content_type, bytes) VALUES ($1, $2, 'image/png', $3)`, [documentId, createHash('sha256').update(png).digest('hex'), png.length]);
      await client.query(`INSERT INTO document_content (document_id, content) VALUES ($1, $2)`, [documentId, png]);
      const plant = `INSERT INTO jobs (id, function, status, attempts, input, document_id, boss_id, created_at)
                     VALUES ($1, 'ocr', $2, $3, '{"body":{},"params":{},"query":{}}', $4, $5, now() - interval '5 minutes')`;
      await client.query(plant, [lost, 'queued', 1, documentId, randomUUID()]);
      await client.query(plant, [exhausted, 'running', 6, documentId, randomUUID()]);
    } finally {
      await client.end();
    }
    const service = await startService({ databaseUrl: db.url, workers: 1, env });
    try {
      const resent = await waitForJob(service.url, lost, { timeoutMs: 30_000 });
      assert.equal(resent.status, 'succeeded');
      assert.match(resent.result.text, /^DOC-/);
      const failed = await waitForJob(service.url, exhausted, { timeoutMs: 30_000 });
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error.code, 'RETRIES_EXHAUSTED');
    } finally {
      await service.stop();
      await emulator.close();
      await db.drop();
    }
  });
});
