import { isDatabaseUnavailable } from '../errors.ts';
import type { Logger } from '../log.ts';

// Work whose outcome is already decided (a job's result, a claimed job, a worker's start) must
// not be lost to a database outage: it waits for the database, with growing pauses, and goes on.
// Only "cannot reach the database" is waited out; any other error is the caller's.

const FIRST_PAUSE_MS = 250;
const MAX_PAUSE_MS = 5_000;

export async function whenDatabaseAnswers<T>(task: () => Promise<T>, options: { log: Logger; what: string; signal?: AbortSignal }): Promise<T> {
  let pause = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || options.signal?.aborted) throw err;
      // A warning when the wait starts and about once a minute after, not one per try.
      if (attempt % 12 === 1) options.log.warn({ err }, `${options.what}: the database is unreachable; retrying until it answers`);
      await sleep(pause, options.signal);
      pause = Math.min(MAX_PAUSE_MS, pause * 2);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
