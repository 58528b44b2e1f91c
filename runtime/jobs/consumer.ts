import type PgBoss from 'pg-boss';
import type { Logger } from '../log.ts';
import { INVOKE_QUEUE } from '../queue/boss.ts';
import { runJob, type RunDeps } from './run.ts';

// pg-boss 10's work() sleeps at least 0.5 s between fetches and knows nothing of engine
// capacity, so the consumer is our own: it fetches only when the engine could start a call now
// (a free slot and a Textract token, which it takes on the job's behalf), and sleeps on a NOTIFY
// wake-up rather than a poll, so an idle queue picks a new job up within milliseconds.

const IDLE_POLL_MS = 2_000;

export interface Consumer {
  wake(): void;
  running(): number;
  /** Stops fetching; waits for running jobs up to timeoutMs, then aborts them (they are retried). */
  stop(timeoutMs: number): Promise<void>;
}

export function startConsumer(deps: Omit<RunDeps, 'shutdown'> & { maxInFlight: number }): Consumer {
  const { services, boss, log } = deps;
  const { slots, rate } = services.gate;
  const shutdown = new AbortController();
  // Ends a wait for a Textract token when the process stops; running jobs keep theirs.
  const stopFetching = new AbortController();
  let stopping = false;
  let inFlight = 0;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  const idle = new Set<() => void>();

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });

  const loop = async () => {
    while (!stopping) {
      const room = Math.min(deps.maxInFlight - inFlight, slots.free);
      if (room <= 0) {
        // Our own jobs wake us when they finish; slots held by sync requests do not, so look again soon.
        await sleep(inFlight < deps.maxInFlight ? 50 : IDLE_POLL_MS);
        continue;
      }
      const limited = rate.limited;
      // Pay the token before fetching, so a job never sits claimed while it waits for the rate.
      if (limited) {
        try {
          await rate.acquire({ priority: 'event', signal: stopFetching.signal });
        } catch {
          continue; // stopping
        }
      }
      let jobs: PgBoss.JobWithMetadata<{ jobId: string }>[] = [];
      try {
        jobs = await boss.fetch<{ jobId: string }>(INVOKE_QUEUE, { batchSize: limited ? 1 : room, includeMetadata: true });
      } catch (err) {
        log.warn({ err }, 'queue fetch failed');
      }
      if (jobs.length === 0) {
        if (limited) rate.refund();
        await sleep(IDLE_POLL_MS);
        continue;
      }
      for (const job of jobs) {
        let credit = limited && job === jobs[0];
        inFlight++;
        runJob(job, { ...deps, shutdown: shutdown.signal }, { take: () => (credit ? !(credit = false) : false) })
          .catch((err) => log.error({ err, bossId: job.id }, 'job bookkeeping failed; the queue will deliver it again'))
          .finally(() => {
            // An unused token (a cache hit) goes back for the next job.
            if (credit) rate.refund();
            inFlight--;
            if (inFlight === 0) for (const notify of idle) notify();
            wake();
          });
      }
    }
  };
  const loopDone = loop().catch((err) => log.fatal({ err }, 'consumer loop crashed'));

  return {
    wake,
    running: () => inFlight,
    async stop(timeoutMs) {
      stopping = true;
      stopFetching.abort();
      wake();
      await loopDone;
      if (inFlight > 0) {
        const drained = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), timeoutMs);
          idle.add(() => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (!drained) {
          log.warn({ running: inFlight }, 'jobs still running at shutdown; handing them back to the queue');
          shutdown.abort(new Error('shutting down'));
          await new Promise<void>((resolve) => (inFlight === 0 ? resolve() : idle.add(resolve)));
        }
      }
    },
  };
}
