import { setMaxListeners } from 'node:events';
import type { RateLimiter } from '../engines/gate.ts';
import * as q from '../db/queries.ts';
import type { Logger } from '../log.ts';
import { BOSS_SCHEMA } from '../queue/boss.ts';
import { CHANNEL_JOB } from '../queue/listener.ts';
import type { Lane } from '../queue/lanes.ts';
import { runJob, type RunDeps } from './run.ts';

// pg-boss 10's work() sleeps at least 0.5 s between fetches and knows nothing of engine
// capacity, so the consumer is our own, and so is its fetch (pg-boss's statement, prepared once per
// queue, which claims the fetched jobs in the same round trip: queries.ts claimQueueEntries). Jobs
// wait in the queue of the Textract operation their first call uses (a lane); each lane's loop
// fetches only when the engine could start that call now (a free slot and a token of that
// operation's quota, which it takes on the job's behalf), and sleeps on a NOTIFY wake-up rather
// than a poll, so an idle queue picks a new job up within milliseconds. A burst for one operation
// never holds up another whose quota is free.

export interface Consumer {
  /** Wakes the lane of `queue`, or every lane when it is empty or unknown. */
  wake(queue?: string): void;
  /**
   * Whether this process could start a job of `queue` now: a free slot and no wait for the rate.
   * A process submitting such a job wakes only itself; the others are woken (NOTIFY) when it cannot.
   */
  canStartNow(queue: string): boolean;
  running(): number;
  /** Ids of the jobs this process is running (or recording the outcome of) now. */
  runningJobs(): ReadonlySet<string>;
  /**
   * Resolves once every claim now in flight has its jobs in runningJobs(): a job is recorded as
   * running on this process when its claim commits, a moment before the process counts it.
   */
  claimsCounted(): Promise<void>;
  /** Stops fetching; waits for running jobs up to timeoutMs, then aborts them (they are retried). */
  stop(timeoutMs: number): Promise<void>;
}

export function startConsumer(deps: Omit<RunDeps, 'shutdown'> & { maxInFlight: number; lanes: readonly Lane[]; pollMs: number }): Consumer {
  const { services, log, pollMs } = deps;
  const { slots } = services.gate;
  const shutdown = new AbortController();
  // Every running job listens to it (its Textract calls, its database retries), up to
  // maxInFlight at once: more than Node's default of 10 is the design, not a leak.
  setMaxListeners(0, shutdown.signal);
  // Ends a wait for a Textract token when the process stops; running jobs keep theirs.
  const stopFetching = new AbortController();
  let stopping = false;
  let inFlight = 0;
  // Counted per id: a duplicate delivery of one job may run beside the first.
  const runningIds = new Map<string, number>();
  const idle = new Set<() => void>();
  const alarms = new Map<string, Alarm>();
  const claiming = new Set<Promise<void>>();

  const runLane = async (lane: Lane, alarm: Alarm) => {
    const rate: RateLimiter | null = lane.operation ? services.gate.rates.for(lane.operation) : null;
    let fetchFailing = false;
    // Whether there is reason to think a job is ready: the last fetch found some, or a wake-up said
    // one was queued. Otherwise (a poll after a quiet spell) the lane first looks (one query)
    // rather than taking a token and giving it back.
    let workExpected = false;
    let lastFound = 0;
    while (!stopping) {
      const room = Math.min(deps.maxInFlight - inFlight, slots.free);
      if (room <= 0) {
        // Our own jobs wake us when they finish; slots held by sync requests do not, so look again soon.
        alarm.needsRoom = true;
        await alarm.sleep(inFlight < deps.maxInFlight ? 50 : pollMs);
        alarm.needsRoom = false;
        continue;
      }
      const limited = rate?.limited ?? false;
      if (limited && !workExpected) {
        const ready = await services.db
          .query(q.queueHasWork(BOSS_SCHEMA, lane.queue))
          .then((r) => r.rows[0].ready as boolean)
          .catch(() => true); // let the fetch below meet the outage and report it
        if (!ready) {
          workExpected = await alarm.sleep(pollMs);
          continue;
        }
      }
      // Pay the tokens before fetching, so a claimed job never waits for the rate: a process killed
      // in that wait would leave it to the orphan sweep. One token is
      // waited for; more are taken only as the lease has them, so a burst is fetched in batches
      // (one query for many jobs) while a slow quota still gets one job per token.
      let paid = 0;
      if (limited) {
        try {
          // Sized by what the last fetch found (doubling while the queue keeps filling batches), so
          // a queue that has run dry does not take a lease of tokens only to give them back.
          paid = await rate!.acquireUpTo(Math.min(room, Math.max(1, 2 * lastFound)), { priority: 'event', signal: stopFetching.signal });
        } catch {
          continue; // stopping
        }
      }
      let jobs: q.ClaimedEntry[] = [];
      let counted!: () => void;
      const claim = new Promise<void>((resolve) => (counted = resolve));
      claiming.add(claim);
      try {
        try {
          const claimed = await services.db.query(q.claimQueueEntries(BOSS_SCHEMA, lane.queue, limited ? paid : room, services.workerId, CHANNEL_JOB));
          jobs = claimed.rows.map(q.claimedEntry);
          if (fetchFailing) log.info({ queue: lane.queue }, 'queue fetch works again');
          fetchFailing = false;
        } catch (err) {
          // Retried every pollMs; in an outage one warning says it all. A claim that committed but
          // whose answer was lost leaves jobs held here and not run: the presence sweep hands them back.
          if (!fetchFailing) log.warn({ err, queue: lane.queue }, 'queue fetch failed; retrying');
          fetchFailing = true;
        }
        lastFound = jobs.length;
        // Tokens paid for jobs the queue did not have go back.
        if (limited) rate!.refund(paid - jobs.length);
        for (const job of jobs) start(job, lane.operation, limited ? rate : null);
      } finally {
        claiming.delete(claim);
        counted();
      }
      workExpected = jobs.length > 0;
      if (!workExpected) workExpected = await alarm.sleep(pollMs);
    }
  };

  /** Runs a claimed job; `paidFrom`: the rate that paid a token of `operation` for it, if any. */
  const start = (job: q.ClaimedEntry, operation: string | null, paidFrom: RateLimiter | null) => {
    let credit = paidFrom !== null;
    const take = (op: string) => (credit && op === operation ? !(credit = false) : false);
    inFlight++;
    const jobId = job.data.jobId;
    // Counted before claimsCounted() resolves: the presence sweep hands back any job this process
    // holds as running but does not run.
    runningIds.set(jobId, (runningIds.get(jobId) ?? 0) + 1);
    runJob(job, { ...deps, shutdown: shutdown.signal }, { take })
      .catch((err) => log.error({ err, bossId: job.id }, 'job bookkeeping failed; the queue will deliver it again'))
      .finally(() => {
        // An unused token (a cache hit, or a first call of another operation) goes back.
        if (credit) paidFrom!.refund();
        const left = runningIds.get(jobId)! - 1;
        if (left === 0) runningIds.delete(jobId);
        else runningIds.set(jobId, left);
        inFlight--;
        if (inFlight === 0) for (const notify of idle) notify();
        // A finished job frees room for every lane that waits for room; a lane that found its
        // queue empty waits for a wake-up instead (a fetch now would find nothing).
        for (const a of alarms.values()) if (a.needsRoom) a.ring();
      });
  };

  const loops = deps.lanes.map((lane) => {
    const alarm = new Alarm();
    alarms.set(lane.queue, alarm);
    return runLane(lane, alarm).catch((err) => log.fatal({ err, queue: lane.queue }, 'consumer loop crashed'));
  });
  const wake = (queue?: string) => {
    const one = queue ? alarms.get(queue) : undefined;
    if (one) one.ring();
    else for (const a of alarms.values()) a.ring();
  };

  const laneRates = new Map(deps.lanes.map((lane) => [lane.queue, lane.operation ? services.gate.rates.for(lane.operation) : null]));
  const canStartNow = (queue: string) => {
    const rate = laneRates.get(queue);
    return !stopping && rate !== undefined && inFlight < deps.maxInFlight && slots.free > 0 && (rate === null || rate.waiting === 0);
  };

  return {
    wake,
    canStartNow,
    running: () => inFlight,
    runningJobs: () => new Set(runningIds.keys()),
    claimsCounted: async () => void (await Promise.all(claiming)),
    async stop(timeoutMs) {
      stopping = true;
      stopFetching.abort();
      wake();
      await Promise.all(loops);
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

/**
 * A sleep that a wake-up ends early (it then resolves true; false when the time ran out); a
 * wake-up while awake is remembered for the next sleep.
 */
class Alarm {
  private woken = false;
  private wakeUp: (() => void) | null = null;
  /** Set while the lane sleeps for want of room, which a finishing job gives back. */
  needsRoom = false;

  ring(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  sleep(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (this.woken) {
        this.woken = false;
        return resolve(true);
      }
      const done = (rung: boolean) => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.woken = false;
        resolve(rung);
      };
      const timer = setTimeout(() => done(false), ms);
      this.wakeUp = () => done(true);
    });
  }
}
