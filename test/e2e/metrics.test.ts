import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { scrape } from '../helpers/metrics.ts';
import { tinyPng } from '../helpers/png.ts';
import { startService, type RunningService } from '../helpers/service.ts';

const KEY = 'metrics-test-key';
const auth = { 'x-api-key': KEY };

describe('GET /metrics: one answer for the whole service', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let service: RunningService;

  before(async () => {
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 30 });
    service = await startService({
      databaseUrl: db.url,
      workers: 4,
      env: { API_KEYS: KEY, TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '40' },
    });
  });
  after(async () => {
    await service?.stop('SIGKILL');
    await emulator?.close();
    await db?.drop();
  });

  test('should need the API key, as a Bearer token the way Prometheus sends it', async () => {
    const denied = await httpRequest(`${service.url}/metrics`);
    assert.equal(denied.status, 401);
    const metrics = await scrape(service.url, KEY);
    assert.equal(metrics.reply.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const type = (name: string) => metrics.families.find((f) => f.name === name)?.type;
    assert.equal(type('dtat_http_requests'), 'counter');
    assert.equal(type('dtat_http_request_duration_seconds'), 'histogram');
    assert.equal(type('dtat_textract_requests'), 'counter');
    assert.equal(type('dtat_queue_jobs'), 'gauge');
    // Prometheus conventions: counters end in _total, durations are in seconds.
    for (const family of metrics.families.filter((f) => f.name.startsWith('dtat_'))) {
      if (family.type === 'counter') assert.ok(family.samples.every((s) => s.name.endsWith('_total')), family.name);
      if (family.type === 'histogram') assert.match(family.name, /_seconds$/);
    }
  });

  test('should count every request sent, whichever worker answered, by route and status', async () => {
    const before = await scrape(service.url, KEY);
    const workers = new Set<string>();
    const send = async (path: string, options: Parameters<typeof httpRequest>[1] = {}) => {
      const res = await httpRequest(`${service.url}${path}`, options);
      workers.add(String(res.headers['x-dtat-worker']));
      return res;
    };
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      sent.push(send('/ocr', { method: 'POST', headers: { ...auth, 'content-type': 'image/png' }, body: tinyPng(`count-${i}`) }));
    }
    for (let i = 0; i < 6; i++) sent.push(send('/health'));
    for (let i = 0; i < 4; i++) sent.push(send(`/ocr/jobs/${randomUUID()}`, { headers: auth }));
    for (let i = 0; i < 3; i++) sent.push(send(`/no/such/route/${i}`, { headers: auth }));
    for (let i = 0; i < 2; i++) sent.push(send('/queue/stats'));
    await Promise.all(sent);
    const total = 12 + 6 + 4 + 3 + 2;
    assert.ok(workers.size >= 2, `answers came from ${workers.size} workers`);

    const after = await scrape(service.url, KEY);
    const moved = (labels: Record<string, string>) => after.value('dtat_http_requests_total', labels) - before.value('dtat_http_requests_total', labels);
    // The first scrape is counted once it has answered, so it shows in the second.
    assert.equal(moved({}), total + 1, 'requests_total moved by exactly the requests sent');
    assert.equal(moved({ method: 'POST', route: '/ocr', status: '200' }), 12);
    assert.equal(moved({ method: 'GET', route: '/health', status: '200' }), 6);
    assert.equal(moved({ method: 'GET', route: '/ocr/jobs/:jobId', status: '404' }), 4, 'the route path, never the raw URL');
    assert.equal(moved({ route: 'unmatched', status: '404' }), 3);
    assert.equal(moved({ route: '/queue/stats', status: '401' }), 2);
    assert.equal(moved({ route: '/metrics', status: '200' }), 1);
    const ocrCount = (s: typeof after) => s.value('dtat_http_request_duration_seconds_count', { route: '/ocr' });
    assert.equal(ocrCount(after) - ocrCount(before), 12, 'each request observed once in the duration histogram');
    const labels = after.samples('dtat_http_requests_total').map((s) => s.labels.route!);
    assert.ok(!labels.some((route) => /[0-9a-f]{8}-/.test(route) || route.includes('/no/such')), 'no raw URL became a label');
  });

  test('should count Textract calls, quota tokens and cache hits as the emulator saw them', async () => {
    const png = tinyPng('cache-twice');
    const before = await scrape(service.url, KEY);
    assert.equal((await postDocument(`${service.url}/ocr`, png, auth)).status, 200);
    assert.equal((await postDocument(`${service.url}/ocr`, png, auth)).status, 200);
    assert.equal((await postDocument(`${service.url}/ocr?features=FORMS`, tinyPng('forms'), auth)).status, 200);
    const after = await scrape(service.url, KEY);
    const moved = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    assert.equal(moved('dtat_cache_lookups_total', { kind: 'result', result: 'hit' }), 1);
    assert.equal(moved('dtat_cache_lookups_total', { kind: 'result', result: 'miss' }), 2);
    assert.equal(moved('dtat_textract_requests_total', { operation: 'DetectDocumentText', outcome: 'success' }), 1);
    assert.equal(moved('dtat_textract_requests_total', { operation: 'AnalyzeDocument', outcome: 'success' }), 1);
    const stats = emulator.stats();
    assert.equal(after.value('dtat_textract_requests_total'), stats.total, 'every request the emulator received, counted once');
    assert.equal(after.value('dtat_textract_requests_total', { outcome: 'throttled' }), stats.throttled);
    assert.equal(moved('dtat_textract_quota_wait_seconds_count', { operation: 'AnalyzeDocument' }), 1, 'one token per call');
    // Every worker knows the quota; the answer is the quota, not four times it.
    assert.equal(after.value('dtat_textract_quota_tps', { operation: 'DetectDocumentText' }), 40);
  });

  test('should count job outcomes and times, and read the queue depth from PostgreSQL', async () => {
    const before = await scrape(service.url, KEY);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await postDocument(`${service.url}/ocr/async`, tinyPng(`job-${i}`), auth)).json.jobId);
    const failed = (await postDocument(`${service.url}/ocr/async`, tinyPng('job-bad', 'DTAT-EMULATOR:BAD_DOCUMENT'), auth)).json.jobId;
    for (const id of [...ids, failed]) await waitForJob(service.url, id, { headers: auth });
    const after = await scrape(service.url, KEY);
    const moved = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    assert.equal(moved('dtat_jobs_total', { function: 'ocr', outcome: 'succeeded' }), 3);
    assert.equal(moved('dtat_jobs_total', { function: 'ocr', outcome: 'failed' }), 1);
    assert.equal(moved('dtat_job_wait_seconds_count', { function: 'ocr' }), 4);
    assert.equal(moved('dtat_job_processing_seconds_count', { function: 'ocr', outcome: 'succeeded' }), 3);
    const stats = (await httpRequest(`${service.url}/queue/stats`, { headers: auth })).json;
    assert.equal(after.value('dtat_queue_jobs', { state: 'queued' }), stats.queued);
    assert.equal(after.value('dtat_queue_jobs', { state: 'running' }), stats.running);
    assert.equal(after.value('dtat_cluster_processes'), stats.workers);
    assert.equal(after.value('dtat_database_up'), 1);
  });

  test("should show each worker's event-loop lag and memory, and the engine calls in flight", async () => {
    const metrics = await scrape(service.url, KEY);
    const workers = metrics.samples('nodejs_eventloop_lag_p99_seconds').map((s) => s.labels.worker!);
    assert.deepEqual(workers.sort(), ['w1', 'w2', 'w3', 'w4']);
    assert.equal(metrics.samples('process_resident_memory_bytes').length, 4);
    assert.equal(metrics.value('dtat_workers_running'), 4);
    assert.equal(metrics.value('dtat_workers_configured'), 4);
    assert.equal(metrics.value('dtat_metrics_workers_missing'), 0);
    assert.equal(metrics.families.find((f) => f.name === 'dtat_engine_calls_in_flight')?.type, 'gauge');
  });

  test('should answer without a worker that does not respond, and say one is missing', async () => {
    const stuck = service.workerPids()[0]!;
    process.kill(stuck, 'SIGSTOP');
    try {
      // Connections the kernel hands to the stopped worker hang: ask on fresh ones until a live worker answers.
      let text: string | undefined;
      for (let i = 0; i < 20 && !text; i++) {
        const started = Date.now();
        const reply = await Promise.race([
          httpRequest(`${service.url}/metrics`, { headers: auth }),
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 5_000)),
        ]);
        if (reply?.status === 200) {
          assert.ok(Date.now() - started < 4_000, 'a stuck worker delays a scrape by the collect timeout only');
          text = reply.text;
        }
      }
      assert.ok(text, 'a live worker answered');
      assert.match(text!, /^dtat_metrics_workers_missing 1$/m);
      assert.match(text!, /^dtat_workers_running 4$/m);
    } finally {
      process.kill(stuck, 'SIGCONT');
    }
  });

  test('should count a worker the launcher had to replace', async () => {
    const before = await scrape(service.url, KEY);
    const victim = service.workerPids()[1]!;
    process.kill(victim, 'SIGKILL');
    let after = before;
    for (let i = 0; i < 150; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await scrape(service.url, KEY).catch(() => after);
      if (after.value('dtat_worker_restarts_total') === 1 && after.value('dtat_workers_running') === 4) break;
    }
    assert.equal(before.value('dtat_worker_restarts_total'), 0);
    assert.equal(after.value('dtat_worker_restarts_total'), 1);
    assert.equal(after.value('dtat_workers_running'), 4);
  });
});
