import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { tinyPng } from '../helpers/png.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// Two clients on one service: A bursts, B keeps its own pace. A's excess is refused with 429
// RATE_LIMITED and Retry-After; every one of B's requests goes through.

const A = { 'x-api-key': 'key-a' };
const B = { 'x-api-key': 'key-b' };
const RATE = 10;
const QUEUE_CAP = 4;

describe('fairness between API keys', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let service: RunningService;

  before(async () => {
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 100 });
    service = await startService({
      databaseUrl: db.url,
      // The request rate is kept per process: one worker makes the figures exact.
      workers: 1,
      env: {
        API_KEYS: 'a:key-a,b:key-b',
        RATE_LIMIT_PER_KEY: String(RATE),
        RATE_LIMIT_BURST: String(RATE),
        MAX_QUEUED_JOBS_PER_KEY: String(QUEUE_CAP),
        TEXTRACT_ENDPOINT: emulator.url,
        TEXTRACT_TPS: '0',
      },
    });
  });
  after(async () => {
    await service?.stop();
    await emulator?.close();
    await db?.drop();
  });

  test("should hold a bursting key to its rate while another key's requests all get through", async () => {
    const durationMs = 3_000;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const counts = { aOk: 0, aLimited: 0, bOk: 0, bOther: 0 };
    const retryAfter = new Set<string>();
    const bLatencies: number[] = [];
    const start = Date.now();
    const until = start + durationMs;
    // A: 16 connections asking as fast as the service answers.
    const burst = Array.from({ length: 16 }, async () => {
      while (Date.now() < until) {
        const res = await httpRequest(`${service.url}/queue/stats`, { headers: A, agent });
        if (res.status === 200) counts.aOk++;
        else {
          assert.equal(res.status, 429, res.text);
          assert.equal(res.json.error.code, 'RATE_LIMITED');
          retryAfter.add(String(res.headers['retry-after']));
          counts.aLimited++;
        }
      }
    });
    // B: 4 requests a second, under its own limit of 10.
    const steady = (async () => {
      for (let i = 0; Date.now() < until; i++) {
        const sent = Date.now();
        const res = await httpRequest(`${service.url}/queue/stats`, { headers: B });
        bLatencies.push(Date.now() - sent);
        if (res.status === 200) counts.bOk++;
        else counts.bOther++;
        await new Promise((r) => setTimeout(r, Math.max(0, start + (i + 1) * 250 - Date.now())));
      }
    })();
    await Promise.all([...burst, steady]);
    agent.destroy();
    const seconds = (Date.now() - start) / 1000;
    bLatencies.sort((x, y) => x - y);
    const figures = {
      seconds: Number(seconds.toFixed(2)),
      aAnsweredPerS: Math.round(counts.aOk / seconds),
      aRefusedPerS: Math.round(counts.aLimited / seconds),
      bAnsweredPerS: Number((counts.bOk / seconds).toFixed(1)),
      bP95Ms: bLatencies[Math.floor(bLatencies.length * 0.95)],
    };
    console.log(`fairness figures: ${JSON.stringify(figures)}`);

    assert.equal(counts.bOther, 0, 'B was never refused');
    assert.ok(counts.bOk >= 10, `B got its ~4 a second (${counts.bOk})`);
    assert.ok(counts.aLimited > counts.aOk, `A's burst was mostly refused (${counts.aLimited} refused, ${counts.aOk} answered)`);
    // Burst plus the rate over the run, and a little for the last request's rounding.
    assert.ok(counts.aOk <= RATE + RATE * seconds + 2, `A held to ${RATE}/s: ${counts.aOk} in ${seconds} s`);
    assert.ok(counts.aOk >= RATE * seconds * 0.6, `A still got its own rate: ${counts.aOk} in ${seconds} s`);
    assert.deepEqual([...retryAfter], ['1'], 'Retry-After says when a token is back');
  });

  test("should cap a key's queued jobs with 429 while another key's jobs are accepted and run", async () => {
    // Slow enough that none of A's jobs finishes during its burst.
    emulator.configure({ latencyMs: 2_000 });
    // Past the request-rate test's bucket: a full second of tokens for each key.
    await new Promise((r) => setTimeout(r, 1_100));
    try {
      const statuses: number[] = [];
      const accepted: string[] = [];
      let refusal: Awaited<ReturnType<typeof httpRequest>> | undefined;
      for (let i = 0; i < 8; i++) {
        const idempotency: Record<string, string> = i === 0 ? { 'idempotency-key': 'a-first' } : {};
        const res = await postDocument(`${service.url}/ocr/async`, tinyPng(`a-burst-${i}`), { ...A, ...idempotency, 'content-type': 'image/png' });
        statuses.push(res.status);
        if (res.status === 202) accepted.push(res.json.jobId);
        else refusal ??= res;
      }
      assert.deepEqual(statuses, [202, 202, 202, 202, 429, 429, 429, 429]);
      assert.equal(refusal!.json.error.code, 'RATE_LIMITED');
      assert.ok(Number(refusal!.headers['retry-after']) >= 1);
      assert.doesNotMatch(refusal!.json.error.message, /key-a/);

      const b = await postDocument(`${service.url}/ocr/async`, tinyPng('b-steady'), { ...B, 'content-type': 'image/png' });
      assert.equal(b.status, 202, "B's job is accepted while A's queue is full");
      // A retry of an accepted job creates none, so a full queue does not refuse it.
      const replay = await postDocument(`${service.url}/ocr/async`, tinyPng('a-burst-0'), { ...A, 'content-type': 'image/png', 'idempotency-key': 'a-first' });
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.json.jobId, accepted[0]);

      const bJob = await waitForJob(service.url, b.json.jobId, { headers: B });
      assert.equal(bJob.status, 'succeeded');
      for (const id of accepted) assert.equal((await waitForJob(service.url, id, { headers: A })).status, 'succeeded');
      // The polls above spent A's request tokens; the queue cap is what this checks.
      await new Promise((r) => setTimeout(r, 1_100));
      const again = await postDocument(`${service.url}/ocr/async`, tinyPng('a-after'), { ...A, 'content-type': 'image/png' });
      assert.equal(again.status, 202, 'once its jobs are done, A may queue again');
    } finally {
      emulator.configure({ latencyMs: 100 });
    }
  });
});
