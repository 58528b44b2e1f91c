import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AnalyzeDocumentCommand, DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract';
import { makePng } from '../../scripts/emulator/fixtures.ts';
import { sampleLatency } from '../../scripts/emulator/latency.ts';
import { seededRandom } from '../../scripts/emulator/random.ts';
import { startEmulator, type EmulatorHandle, type EmulatorOptions, type EmulatorStats } from '../../scripts/emulator/server.ts';

async function withEmulator(options: EmulatorOptions, body: (emulator: EmulatorHandle, client: (maxAttempts?: number) => TextractClient) => Promise<void>): Promise<void> {
  const emulator = await startEmulator(options);
  const clients: TextractClient[] = [];
  const client = (maxAttempts = 1): TextractClient => {
    const c = new TextractClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts,
    });
    clients.push(c);
    return c;
  };
  try {
    await body(emulator, client);
  } finally {
    for (const c of clients) c.destroy();
    await emulator.close();
  }
}

const detect = (client: TextractClient, bytes: Uint8Array, abortSignal?: AbortSignal) =>
  client.send(new DetectDocumentTextCommand({ Document: { Bytes: bytes } }), { abortSignal });

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'condition not met in time');
    await sleep(10);
  }
}

async function outcomes(calls: Promise<unknown>[]): Promise<string[]> {
  const settled = await Promise.allSettled(calls);
  return settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as Error).name));
}

test('should let about tps calls through a burst and refuse the rest with ProvisionedThroughputExceededException', async () => {
  await withEmulator({ tps: 5 }, async (emulator, client) => {
    const sdk = client();
    const png = makePng({ seed: 20 });
    const results = await outcomes(Array.from({ length: 20 }, () => detect(sdk, png)));
    const ok = results.filter((r) => r === 'ok').length;
    // The bucket refills at 5/s while the burst is in progress, so a slow machine lets a few more in.
    assert.ok(ok >= 5 && ok <= 10, `a full bucket of 5 plus a little refill, got ${ok}`);
    assert.deepEqual(new Set(results.filter((r) => r !== 'ok')), new Set(['ProvisionedThroughputExceededException']));

    const stats = emulator.stats();
    assert.equal(stats.apis.DetectDocumentText.ok, ok);
    assert.equal(stats.apis.DetectDocumentText.throttled, 20 - ok);
    assert.equal(stats.throttled, 20 - ok);
    assert.equal(stats.apis.DetectDocumentText.throttlesBySecond[0], 20 - ok, 'all throttles fell in the first second');
    assert.equal(stats.throttlesAfterFirstSecond, 0);

    // AnalyzeDocument has a bucket of its own, still full.
    await sdk.send(new AnalyzeDocumentCommand({ Document: { Bytes: png }, FeatureTypes: ['TABLES'] }));
  });
});

test('should not count throttled calls as in flight', async () => {
  await withEmulator({ tps: 2, latencyMs: 150 }, async (emulator, client) => {
    const sdk = client();
    const results = await outcomes(Array.from({ length: 8 }, (_, i) => detect(sdk, makePng({ seed: 30 + i }))));
    const ok = results.filter((r) => r === 'ok').length;
    const stats = emulator.stats();
    assert.ok(ok < 8, 'some calls were throttled');
    assert.ok(stats.maxInFlight >= 1 && stats.maxInFlight <= ok, `maxInFlight ${stats.maxInFlight} counts only admitted calls (${ok})`);
    assert.equal(stats.inFlight, 0);
  });
});

test('should let the SDK retry succeed through injected faults at failRate 0.5', async () => {
  // Seed 1 opens with an InternalServerError and never fails five times running in these calls.
  await withEmulator({ failRate: 0.5, seed: 1 }, async (emulator, client) => {
    const sdk = client(5);
    const attempts: number[] = [];
    for (let i = 0; i < 3; i++) attempts.push((await detect(sdk, makePng({ seed: 40 + i }))).$metadata.attempts ?? 0);
    const stats = emulator.stats().apis.DetectDocumentText;
    const faults = Object.values(stats.injectedFaults).reduce((a, b) => a + b, 0);
    assert.ok(faults >= 1, 'at least one fault was injected');
    assert.equal(attempts.reduce((a, b) => a + b, 0), 3 + faults, 'every fault cost one retry');
    assert.equal(stats.ok, 3);
  });
});

test('should honour the configured latency as a lower bound', async () => {
  await withEmulator({ latencyMs: 300 }, async (_emulator, client) => {
    const started = performance.now();
    await detect(client(), makePng());
    assert.ok(performance.now() - started >= 295);
  });
});

test('should draw the same latencies for the same seed', () => {
  const model = { dist: 'lognormal', meanMs: 2400, spreadMs: 800 } as const;
  const draw = (seed: number): number[] => {
    const random = seededRandom(seed);
    return Array.from({ length: 200 }, () => sampleLatency(model, random));
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  const samples = draw(7);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  assert.ok(mean > 2000 && mean < 2800, `mean near 2400, got ${mean}`);
  assert.ok(samples.every((s) => s >= 0));
});

test('should survive a client hanging up mid-latency and count it as aborted', async () => {
  await withEmulator({ latencyMs: 500 }, async (emulator, client) => {
    const sdk = client();
    const controller = new AbortController();
    const call = detect(sdk, makePng({ seed: 50 }), controller.signal);
    await waitFor(() => emulator.stats().inFlight === 1);
    controller.abort();
    await assert.rejects(call);
    await waitFor(() => emulator.stats().inFlight === 0);
    const stats = emulator.stats();
    assert.equal(stats.inFlight, 0);
    assert.equal(stats.apis.DetectDocumentText.aborted, 1);
    emulator.configure({ latencyMs: 0 });
    await detect(sdk, makePng({ seed: 51 }));
    assert.equal(emulator.stats().ok, 1);
  });
});

test('should serve /__stats, /__reset and /__config over HTTP', async () => {
  await withEmulator({}, async (emulator, client) => {
    const sdk = client();
    await detect(sdk, makePng({ seed: 60 }));
    const statsResponse = await fetch(`${emulator.url}/__stats`);
    assert.ok(statsResponse.headers.get('x-amzn-requestid'));
    const stats = (await statsResponse.json()) as EmulatorStats;
    assert.equal(stats.total, 1);
    assert.equal(stats.apis.DetectDocumentText.ok, 1);
    assert.ok(Date.parse(stats.startedAt) <= Date.parse(stats.firstCallAt!));

    const reset = await fetch(`${emulator.url}/__reset`, { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.equal(emulator.stats().total, 0);

    const configured = await fetch(`${emulator.url}/__config`, { method: 'POST', body: JSON.stringify({ detectTps: 1 }) });
    assert.equal(configured.status, 200);
    assert.deepEqual(await configured.json(), { detectTps: 1 });
    const results = await outcomes([detect(sdk, makePng()), detect(sdk, makePng())]);
    assert.deepEqual(results.sort(), ['ProvisionedThroughputExceededException', 'ok']);

    const bad = await fetch(`${emulator.url}/__config`, { method: 'POST', body: JSON.stringify({ failRate: 2 }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /failRate/);

    const cleared = await fetch(`${emulator.url}/__config`, { method: 'POST', body: JSON.stringify({ detectTps: null, failRate: 1 }) });
    assert.deepEqual(await cleared.json(), { failRate: 1 });
    const faulted = await outcomes([detect(sdk, makePng())]);
    assert.ok(['InternalServerError', 'ThrottlingException'].includes(faulted[0]));
  });
});
