import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { tinyPng } from '../helpers/png.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// Queued jobs start when something wakes their lane: the submitting process itself when it has a
// free slot, the others by NOTIFY when it has none, and a finishing job for lanes waiting for
// room. The poll is only a safety net, so here it is made far longer than the test: every job
// that finishes in time was started by a wake-up.

describe('job wake-ups', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let service: RunningService;

  before(async () => {
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 200 });
    service = await startService({
      databaseUrl: db.url,
      workers: 2,
      // One engine call per process at a time, and a quota that paces fetches (the limited path).
      env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '20', ENGINE_CONCURRENCY: '1', JOB_POLL_MS: '600000' },
    });
  });
  after(async () => {
    await service?.stop();
    await emulator?.close();
    await db?.drop();
  });

  const submit = async (seed: string) => {
    const reply = await postDocument(`${service.url}/ocr/async`, tinyPng(seed), { 'content-type': 'image/png' });
    assert.equal(reply.status, 202, reply.text);
    return reply.json.jobId as string;
  };

  test('should start a job sent to an idle service at once, not at the next poll', async () => {
    // Both processes fetched at start, found nothing, and sleep until woken.
    await new Promise((r) => setTimeout(r, 500));
    const job = await waitForJob(service.url, await submit('wake-idle'), { timeoutMs: 30_000 });
    assert.equal(job.status, 'succeeded');
  });

  test('should start waiting jobs as running ones finish, on every process', async () => {
    // Eight jobs for two slots: six wait in the queue while every lane sleeps for want of room.
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => submit(`wake-room-${i}`)));
    const jobs = await Promise.all(ids.map((id) => waitForJob(service.url, id, { timeoutMs: 60_000 })));
    assert.deepEqual(jobs.map((j) => j.status), Array(8).fill('succeeded'));
  });
});
