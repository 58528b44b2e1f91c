import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { tinyPng } from '../helpers/png.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// PostgreSQL stops for 10 s while clients keep submitting jobs and workers are mid-job. Every job
// that was accepted (202) must finish, no worker may die, and while the database is away the
// service answers 503 UNAVAILABLE, never another 5xx. Issue 12 #5: on main, 3 of 4 workers died
// at once and accepted jobs stayed `running` for the queue's 15-minute expiry.

const OUTAGE_MS = 10_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a PostgreSQL outage under load', () => {
  let pg: PrivatePostgres;
  let emulator: EmulatorHandle;
  let service: RunningService;

  before(async () => {
    pg = await startPrivatePostgres();
    // Jobs take long enough that some are running when the database goes, so their outcome
    // has to be recorded after it comes back.
    emulator = await startEmulator({ latencyMs: 800 });
    service = await startService({ databaseUrl: pg.url, workers: 4, env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0' } });
  });
  after(async () => {
    await service?.stop();
    await emulator?.close();
    await pg?.close();
  });

  test('should lose no accepted job, keep every worker, and answer only 503 UNAVAILABLE while the database is away', async (t) => {
    const accepted: string[] = [];
    const answers = new Map<string, number>();
    const count = (key: string) => answers.set(key, (answers.get(key) ?? 0) + 1);
    let submitting = true;
    let sent = 0;
    const client = async (id: number) => {
      while (submitting) {
        const res = await postDocument(`${service.url}/ocr/async`, tinyPng(`outage-${id}-${sent++}`)).catch((err: Error) => ({ status: 0, json: { error: { code: err.message } } }));
        if (res.status === 202) accepted.push(res.json.jobId);
        count(res.status === 202 ? '202' : `${res.status} ${res.json?.error?.code}`);
        await pause(res.status === 202 ? 50 : 200);
      }
    };
    const clients = Array.from({ length: 6 }, (_, i) => client(i));

    await pause(3_000);
    const before = accepted.length;
    await pg.server.stop();
    await pause(OUTAGE_MS / 2);
    const health = await httpRequest(`${service.url}/health`);
    await pause(OUTAGE_MS / 2);
    await pg.server.start();
    await pause(4_000);
    submitting = false;
    await Promise.all(clients);

    const jobs = await Promise.all(accepted.map((id) => waitForJob(service.url, id, { timeoutMs: 90_000 }).catch(() => null)));
    const stuck = jobs.filter((j) => j === null).length;
    const failed = jobs.filter((j) => j && j.status !== 'succeeded').map((j) => `${j.jobId}: ${j.status} ${j.error?.code}`);
    t.diagnostic(`accepted ${accepted.length} (${before} before the outage), answers ${JSON.stringify(Object.fromEntries(answers))}`);
    t.diagnostic(`not final after 90 s: ${stuck}; not succeeded: ${failed.length}; worker restarts: ${service.restarts()}`);

    assert.ok(before > 10 && accepted.length > before, 'jobs were accepted before and after the outage');
    assert.equal(health.status, 503, 'health says the database is away');
    assert.equal(health.json.db, 'unreachable');
    assert.ok((answers.get('503 UNAVAILABLE') ?? 0) > 0, 'submissions during the outage were refused');
    const other = [...answers.keys()].filter((k) => k !== '202' && k !== '503 UNAVAILABLE');
    assert.deepEqual(other, [], 'no answer but 202 and 503 UNAVAILABLE, and no dropped connection');
    assert.equal(stuck, 0, 'every accepted job finished');
    assert.deepEqual(failed, []);
    assert.equal(service.restarts(), 0, 'no worker died');
    assert.doesNotMatch(service.logTail(), /"level":60/, 'nothing fatal was logged');
  });
});
