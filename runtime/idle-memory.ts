import { Session } from 'node:inspector';
import type { Logger } from './log.ts';
import { activityCount } from './metrics/instruments.ts';
import type { TrimNativeHeap } from './native-heap.ts';

// A worker that has gone quiet gives its spare heap back to the system, once per quiet period.
// Under load V8 grows the young generation to 2 × --max-semi-space-size (16 MB) and keeps it, and
// the old generation keeps the pages that load's garbage filled: an idle worker held ~80 MB PSS,
// of which ~30 MB was such spare heap. V8's memory reducer would shrink it, but it starts only
// after the old generation has grown by 10 MB or more since its last run, which a load of small
// documents never reaches; a plain full GC (`--expose-gc`) frees the old pages but keeps the
// young generation, whose shrinking V8 reserves for low-memory collections. The inspector's
// HeapProfiler.collectGarbage is such a collection (V8's LowMemoryNotification): the young
// generation goes back to 1 MB and freed pages are unmapped at once. It costs one process
// tens of ms of CPU, so it runs only when the worker is quiet and its RSS has grown since the
// last one; a worker serving a steady trickle never pays it per request. After it the C heap's
// free pages go back too (native-heap.ts): the collection has just freed the buffers that held them.

const TICK_MS = 500;
/** No request answered, none in flight, no job finished: this long before memory is given back. */
const QUIET_MS = 1_000;
/** Growth of RSS since the last collection that makes another worth its CPU. */
const GROWTH_BYTES = 8 * 1024 * 1024;

export interface IdleMemoryOptions {
  /** Work in progress that no finished request or job has shown yet. */
  busy: () => boolean;
  log: Logger;
  /** Run after each collection; none where the C library cannot trim. */
  trimNativeHeap?: TrimNativeHeap | null;
}

/** Starts the watch; returns its stop. */
export function releaseMemoryWhenIdle({ busy, log, trimNativeHeap }: IdleMemoryOptions): () => void {
  let seen = activityCount();
  let quietMs = 0;
  let rssAfterLast = 0;
  let collecting = false;
  const timer = setInterval(() => {
    const now = activityCount();
    if (now !== seen || busy()) {
      seen = now;
      quietMs = 0;
      return;
    }
    quietMs += TICK_MS;
    if (collecting || quietMs < QUIET_MS) return;
    const rss = process.memoryUsage.rss();
    if (rss < rssAfterLast + GROWTH_BYTES) return;
    collecting = true;
    collectAllAvailableGarbage((err) => {
      collecting = false;
      if (!err) trimNativeHeap?.();
      rssAfterLast = process.memoryUsage.rss();
      if (err) log.warn({ err }, 'idle garbage collection failed');
      else log.debug({ rssMb: Math.round(rss / 2 ** 20), afterMb: Math.round(rssAfterLast / 2 ** 20) }, 'idle garbage collection');
    });
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function collectAllAvailableGarbage(done: (err: Error | null) => void): void {
  const session = new Session();
  try {
    session.connect();
  } catch (err) {
    done(err as Error);
    return;
  }
  session.post('HeapProfiler.collectGarbage', (err) => {
    // MUST NOT disconnect inside the callback: the session is still dispatching it, and the
    // process hangs there.
    setImmediate(() => {
      session.disconnect();
      done(err);
    });
  });
}
