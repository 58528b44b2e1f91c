import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import v8 from 'node:v8';
import { releaseMemoryWhenIdle } from '../../runtime/idle-memory.ts';
import { createLogger } from '../../runtime/log.ts';

const log = createLogger({ test: 'idle-memory' });

function youngGenerationBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
}

/** Short-lived garbage with survivors, as requests in flight leave: V8 grows the young generation. */
function churn(ms: number): void {
  let keep: object[][] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    keep.push(Array.from({ length: 1000 }, (_, i) => ({ i, s: `x${i}` })));
    if (keep.length > 100) keep = keep.slice(50);
  }
}

test('should shrink the young generation once the process is quiet', async () => {
  churn(1_500);
  const grown = youngGenerationBytes();
  assert.ok(grown > 2 * 2 ** 20, `young generation ${grown} bytes after the churn`);
  let trims = 0;
  const stop = releaseMemoryWhenIdle({ busy: () => false, log, trimNativeHeap: () => ++trims > 0 });
  try {
    await sleep(2_500);
    assert.ok(youngGenerationBytes() < grown, `young generation still ${youngGenerationBytes()} bytes`);
    assert.equal(trims, 1, 'the C heap is trimmed after the collection, once while nothing grows');
  } finally {
    stop();
  }
});

test('should leave the heap alone while work is in progress', async () => {
  churn(1_500);
  const grown = youngGenerationBytes();
  let trims = 0;
  const stop = releaseMemoryWhenIdle({ busy: () => true, log, trimNativeHeap: () => ++trims > 0 });
  try {
    await sleep(2_500);
    assert.equal(youngGenerationBytes(), grown);
    assert.equal(trims, 0);
  } finally {
    stop();
  }
});
