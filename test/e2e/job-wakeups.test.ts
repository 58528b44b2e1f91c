import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, test } from 'node:test';
import { emulatedService } from '../helpers/emulated-service.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { tinyPng } from '../helpers/png.ts';

// Queued jobs start when something wakes their lane: the submitting process itself when it has a
// free slot, the others by NOTIFY when it has none, and a finishing job for lanes waiting for
// room. The poll is only a safety net, so here it is made far longer than the test: every job
// that finishes in time was started by a wake-up.

describe('job wake-ups', () => {
  // Two processes, one engine call each at a time, and a quota that paces fetches (the limited path).
  const ctx = emulatedService({ emulator: { latencyMs: 200 }, env: { TEXTRACT_TPS: '20', ENGINE_CONCURRENCY: '1', JOB_POLL_MS: '600000' } });

  const submit = async (seed: string) => {
    const reply = await postDocument(`${ctx.service.url}/ocr/async`, tinyPng(seed), { 'content-type': 'image/png' });
    assert.equal(reply.status, 202, reply.text);
    return reply.json.jobId as string;
  };

  test('should start a job sent to an idle service at once, not at the next poll', async () => {
    // Both processes fetched at start, found nothing, and sleep until woken.
    await new Promise((r) => setTimeout(r, 500));
    const job = await waitForJob(ctx.service.url, await submit('wake-idle'), { timeoutMs: 30_000 });
    assert.equal(job.status, 'succeeded');
  });

  test('should start waiting jobs as running ones finish, on every process', async () => {
    // Eight jobs for two slots: six wait in the queue while every lane sleeps for want of room.
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => submit(`wake-room-${i}`)));
    const jobs = await Promise.all(ids.map((id) => waitForJob(ctx.service.url, id, { timeoutMs: 60_000 })));
    assert.deepEqual(jobs.map((j) => j.status), Array(8).fill('succeeded'));
  });
});

describe('job wake-ups across processes', () => {
  const ctx = emulatedService({ emulator: { latencyMs: 1_500 }, env: { ENGINE_CONCURRENCY: '1', JOB_POLL_MS: '600000' } });
  const agents: http.Agent[] = [];
  after(() => {
    for (const agent of agents) agent.destroy();
  });

  /** A kept-alive connection, and the worker process that took it (every request on it goes there). */
  const connection = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const health = await httpRequest(`${ctx.service.url}/health`, { agent });
    assert.equal(health.status, 200, health.text);
    return { agent, worker: health.json.worker.id as string };
  };

  test('should have another process start a job at once when the accepting one has no free slot', async () => {
    // Two connections to one process (X): one holds its only engine slot, the other submits.
    const seen = [await connection()];
    const x = seen[0].worker;
    while (seen.filter((c) => c.worker === x).length < 2 || seen.every((c) => c.worker === x)) {
      assert.ok(seen.length < 40, `connections did not reach both processes: ${seen.map((c) => c.worker).join(', ')}`);
      seen.push(await connection());
    }
    const [busy, submitter] = seen.filter((c) => c.worker === x);
    const y = seen.find((c) => c.worker !== x)!.worker;

    const slow = httpRequest(`${ctx.service.url}/ocr`, { method: 'POST', agent: busy.agent, headers: { 'content-type': 'image/png' }, body: tinyPng('holds-x') });
    while (ctx.emulator.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 10));

    // X cannot start the job, so it tells the others (NOTIFY); Y sleeps on a ten-minute poll and
    // starts it only if that wake-up reaches it. Without it, X would take the job once its slot frees.
    const reply = await httpRequest(`${ctx.service.url}/ocr/async`, { method: 'POST', agent: submitter.agent, headers: { 'content-type': 'image/png' }, body: tinyPng('wake-y') });
    assert.equal(reply.status, 202, reply.text);
    const running = await waitForJob(ctx.service.url, reply.json.jobId as string, { states: ['running', 'succeeded', 'failed'], timeoutMs: 30_000 });
    assert.equal(running.status, 'running', 'seen while its engine call is under way');
    assert.equal(running.worker, y);
    assert.equal((await slow).status, 200);
    assert.equal((await waitForJob(ctx.service.url, reply.json.jobId as string, { timeoutMs: 30_000 })).status, 'succeeded');
  });
});
