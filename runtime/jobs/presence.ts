import os from 'node:os';
import type PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { Pool } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import type { Logger } from '../log.ts';
import { BOSS_SCHEMA } from '../queue/boss.ts';
import { CHANNEL_JOB } from '../queue/listener.ts';
import { jobEvent, jobNotice } from './job-json.ts';

// Each process says it is alive every HEARTBEAT_MS; from the same table every process finds
// running jobs whose process is gone, and /queue/stats counts live workers.

const HEARTBEAT_MS = 2_000;
export const STALE_MS = 6_000;
const MAINTENANCE_MS = 10 * 60_000;
const MAINTENANCE_LOCK = 7_340_512_902;

export interface Presence {
  stop(): Promise<void>;
}

export async function startPresence(deps: {
  db: Pool;
  boss: PgBoss;
  config: Config;
  workerId: string;
  log: Logger;
  /**
   * The jobs this process runs now (the consumer's), once every claim in flight is counted; those it
   * holds but does not run are handed back.
   */
  runningJobs: () => Promise<ReadonlySet<string>>;
}): Promise<Presence> {
  const { db, boss, config, workerId, log } = deps;
  // Since when this process's heartbeats have reached the database without a gap; null in an outage.
  let connectedSince: number | null = null;
  const beat = async () => {
    try {
      await db.query(q.heartbeat(workerId, os.hostname(), process.pid));
      connectedSince ??= Date.now();
    } catch (err) {
      connectedSince = null;
      throw err;
    }
  };
  const handBack = async (jobs: { id: string; boss_id: string; queue: string; tenant: string | null }[], message: string) => {
    for (const job of jobs) {
      await boss.fail(job.queue, job.boss_id, { code: 'WORKER_LOST' });
      const event = jobEvent({ id: job.id, status: 'queued', document_id: null, error: { code: 'WORKER_LOST', message }, attempts: 0 });
      await db.query(q.notify(CHANNEL_JOB, jobNotice(job.tenant, event)));
    }
  };
  // Held by this process, not running here, at the previous sweep.
  let unrun = new Set<string>();
  const sweep = async () => {
    // After an outage every heartbeat is stale: judge other processes only once they have had
    // time to beat again, or their running jobs would be taken from under them.
    if (connectedSince !== null && Date.now() - connectedSince >= STALE_MS) {
      const unclaimed = (await db.query(q.findUnclaimedJobs(BOSS_SCHEMA, STALE_MS))).rows as { id: string; name: string }[];
      for (const entry of unclaimed) {
        log.warn({ bossId: entry.id }, 'a queued job\'s entry was left active by a process that stopped; it is delivered again');
        await boss.fail(entry.name, entry.id, { code: 'WORKER_LOST' });
      }
      const reclaimed = (await db.query(q.reclaimOrphanedJobs(STALE_MS))).rows as { id: string; boss_id: string; queue: string; tenant: string | null }[];
      for (const job of reclaimed) log.warn({ jobId: job.id }, 'reclaimed a job whose process stopped; it will run again');
      await handBack(reclaimed, 'The process running this job stopped; it was retried.');
    }
    // Read before asking the consumer, which first counts the claims in flight: a claim that
    // committed before this read has been sent already, so its jobs are in the set. Two sweeps in a
    // row must find a job unrun, so one that finishes between the two reads is never taken.
    const held = (await db.query(q.jobsHeldBy(workerId))).rows.map((r: { id: string }) => r.id);
    const running = await deps.runningJobs();
    const now = new Set(held.filter((id) => !running.has(id)));
    const lost = [...now].filter((id) => unrun.has(id));
    unrun = now;
    if (lost.length === 0) return;
    const reclaimed = (await db.query(q.reclaimLostJobs(workerId, lost))).rows as { id: string; boss_id: string; queue: string; tenant: string | null }[];
    for (const job of reclaimed) log.warn({ jobId: job.id }, 'handed back a job whose outcome was not recorded; it will run again');
    await handBack(reclaimed, 'The outcome of this job was not recorded; it was retried.');
  };
  const maintain = async () => {
    const client = await db.connect();
    try {
      const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS got', [MAINTENANCE_LOCK]);
      if (!rows[0].got) return;
      try {
        const purged = await client.query(q.purgeDocumentContent(config.documentRetentionHours));
        await client.query(q.expireIdempotencyKeys());
        await client.query(q.pruneWorkers(STALE_MS));
        const stranded = (await client.query(q.findStrandedJobs(BOSS_SCHEMA))).rows as { id: string; attempts: number; queue: string }[];
        for (const job of stranded) {
          if (job.attempts > config.jobRetryLimit) {
            const failed = (await client.query(q.failStrandedJob(job.id))).rows[0];
            if (failed) await client.query(q.notify(CHANNEL_JOB, jobNotice(failed.tenant, jobEvent(failed))));
            continue;
          }
          const bossId = await boss.send(job.queue, { jobId: job.id });
          if (bossId) await client.query(q.requeueStrandedJob(job.id, bossId));
        }
        if (purged.rowCount || stranded.length) log.info({ purgedDocuments: purged.rowCount, stranded: stranded.length }, 'maintenance');
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MAINTENANCE_LOCK]);
      }
    } finally {
      client.release();
    }
  };

  await beat();
  // In an outage these fail every tick: say so once, and once more when they work again.
  const guard = (name: string, task: () => Promise<void>) => {
    let failing = false;
    return () =>
      task().then(
        () => {
          if (failing) log.info(`${name} works again`);
          failing = false;
        },
        (err) => {
          if (!failing) log.warn({ err }, `${name} failed; retrying`);
          failing = true;
        },
      );
  };
  const timers = [
    setInterval(guard('heartbeat', beat), HEARTBEAT_MS),
    setInterval(guard('orphan sweep', sweep), HEARTBEAT_MS),
    setInterval(guard('maintenance', maintain), MAINTENANCE_MS),
  ];
  setTimeout(guard('maintenance', maintain), 5_000).unref();
  for (const t of timers) t.unref();

  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      await db.query(q.removeWorker(workerId)).catch(() => {});
    },
  };
}
