import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import v8 from 'node:v8';
import type { Context } from '../../../runtime/define.ts';
import { callBatches, type CallPlan } from '../../../runtime/document-functions/calls.ts';
import type { CallOutput } from '../../../runtime/document-functions/define.ts';
import type { PageInput } from '../../../runtime/engines/types.ts';
import type { HttpError } from '../../../runtime/errors.ts';

// How the engine calls of one document end: with the request, at the deadline, or when one of
// them fails; and that nothing of the document (timer, listener) outlives it.

type Call = (pages: PageInput[], signal: AbortSignal) => Promise<CallOutput>;

const output = (page: number): CallOutput => ({ pages: [{ page, text: `page ${page}`, lines: [], words: [] }] }) as unknown as CallOutput;

function plan(call: Call, over: { signal?: AbortSignal; invocation?: 'sync' | 'event'; syncTimeoutMs?: number } = {}): CallPlan {
  const ctx = {
    signal: over.signal ?? new AbortController().signal,
    invocation: over.invocation ?? 'sync',
    config: { syncTimeoutMs: over.syncTimeoutMs ?? 60_000 },
    progress: () => {},
    log: { info() {}, warn() {}, debug() {} },
    // Several calls of one document look up their per-page results first: none are stored here.
    db: { query: async () => ({ rows: [] }) },
    gate: { slots: { acquire: async () => () => {} }, rates: { for: () => ({ acquire: async () => {} }) } },
  } as unknown as Context;
  return {
    spec: { pagesPerCall: 1 } as CallPlan['spec'],
    runner: { kind: 'local', local: { call: (_engine, pages, _options, callCtx) => call(pages, callCtx.signal) }, engine: {} as never },
    options: {},
    key: { fn: 'ocr', optionsKey: '', engine: 'local' },
    ctx,
  };
}

const pages = (n: number): PageInput[] => Array.from({ length: n }, (_, i) => ({ page: i + 1, kind: 'png', bytes: new Uint8Array([i]) }));

/** A call that answers after `ms`, or rejects as soon as its signal aborts. */
const slowCall = (ms: number, seen: AbortSignal[] = []): Call => (batch, signal) => {
  seen.push(signal);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(output(batch[0]!.page)), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
};

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** Live AbortSignals on the heap (after a full collection). */
function liveSignals(): number {
  const warn = process.emitWarning;
  process.emitWarning = () => {}; // v8.queryObjects is experimental and says so each time
  try {
    return v8.queryObjects(AbortSignal, { format: 'count' }) as number;
  } finally {
    process.emitWarning = warn;
  }
}

test('should return every page in order and leave no timer or listener behind', async () => {
  const request = new AbortController();
  const before = timers();
  const outputs = await callBatches(pages(3), 3, plan(slowCall(5), { signal: request.signal }));
  assert.deepEqual(outputs.map((o) => o.pages[0]!.page), [1, 2, 3]);
  assert.equal(timers(), before, 'the deadline timer is cleared when the document is done');
  assert.equal(getEventListeners(request.signal, 'abort').length, 0, "no listener stays on the request's signal");
});

test('should keep no signal of a finished document alive', async () => {
  const before = liveSignals();
  for (let i = 0; i < 40; i++) await callBatches(pages(2), 2, plan(slowCall(0)));
  // A signal per document kept alive (a pending deadline timer holds one) would show as 40 more.
  assert.ok(liveSignals() - before < 10, `${liveSignals() - before} signals outlived their documents`);
});

test('should stop the calls when the request ends', async () => {
  const request = new AbortController();
  const seen: AbortSignal[] = [];
  const running = callBatches(pages(2), 2, plan(slowCall(10_000, seen), { signal: request.signal }));
  await new Promise((r) => setTimeout(r, 20));
  request.abort(new Error('client gone'));
  await assert.rejects(running, /client gone/);
  assert.equal(seen.length, 2);
  assert.ok(seen.every((s) => s.aborted), 'both calls were told to stop');
});

test('should stop the other calls when one fails, and report the page that failed', async () => {
  const seen: AbortSignal[] = [];
  const slow = slowCall(10_000, seen);
  const call: Call = (batch, signal) => (batch[0]!.page === 2 ? Promise.reject(new Error('engine said no')) : slow(batch, signal));
  await assert.rejects(callBatches(pages(3), 3, plan(call)), /^Error: Page 2 of 3: engine said no$/);
  assert.ok(seen.length > 0 && seen.every((s) => s.aborted), 'the calls still running were stopped');
});

test('should answer TIMEOUT when a sync document runs past SYNC_TIMEOUT_MS', async () => {
  const before = timers();
  await assert.rejects(callBatches(pages(1), 1, plan(slowCall(10_000), { syncTimeoutMs: 50 })), (err: HttpError) => {
    assert.equal(err.code, 'TIMEOUT');
    return true;
  });
  assert.equal(timers(), before);
});

test('should give a queued document no deadline of its own', async () => {
  const outputs = await callBatches(pages(1), 1, plan(slowCall(120), { invocation: 'event', syncTimeoutMs: 50 }));
  assert.equal(outputs.length, 1);
});
