import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createLogger } from '../../runtime/log.ts';
import { nativeHeapTrim } from '../../runtime/native-heap.ts';

const log = createLogger({ test: 'native-heap' });
const MB = 2 ** 20;
const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime !== undefined;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

test('should give back the C heap that freed request-sized buffers left behind', { skip: !glibc && 'glibc only' }, async (t) => {
  const trim = await nativeHeapTrim(log);
  assert.ok(trim, 'malloc_trim is reachable on this glibc system');
  // As under load: 100 KB bodies, each followed by a small buffer that outlives it, so the
  // bodies' memory cannot merge into the top of the heap when they are freed.
  const kept: Buffer[] = [];
  let bodies: Buffer[] | null = [];
  for (let i = 0; i < 1_000; i++) {
    bodies.push(Buffer.allocUnsafeSlow(100_000).fill(i));
    kept.push(Buffer.allocUnsafeSlow(2_000).fill(i));
  }
  bodies = null;
  // V8 frees dead buffers' memory on a background thread after the collection: let it finish.
  gc();
  await sleep(100);
  gc();
  const before = process.memoryUsage.rss();
  assert.equal(trim(), true, 'there were free pages to give back');
  const released = before - process.memoryUsage.rss();
  t.diagnostic(`released ${(released / MB).toFixed(1)} MB`);
  assert.ok(released > 50 * MB, `released ${(released / MB).toFixed(1)} MB of the ~95 MB freed`);
  assert.equal(kept.length, 1_000);
});

test('should load the trim once per process', async () => {
  assert.equal(await nativeHeapTrim(log), await nativeHeapTrim(log));
});
