import PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { Pool, PoolClient } from '../db/pool.ts';

// pg-boss on the service's own PostgreSQL is the delivery layer: which process runs a job, and
// retries with backoff. Job state that clients see lives in our `jobs` table.

export const BOSS_SCHEMA = 'pgboss';
export const INVOKE_QUEUE = 'invoke';
export const CALLBACK_QUEUE = 'callback';

/** Every process creates the queues at boot; one at a time, or pg-boss's DDL deadlocks when they race. */
const QUEUE_SETUP_LOCK = 7_340_512_903;

export async function startBoss(config: Config, connectionString: string, db: Pool, invokeQueues: readonly string[]): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString,
    schema: BOSS_SCHEMA,
    max: 4,
    application_name: 'dtat-ocr-queue',
    // Cron scheduling is unused; its clock monitor would only cost queries.
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: 30,
  });
  boss.on('error', () => {}); // surfaced through health checks; a blip must not crash the process
  try {
    await boss.start();
    await createQueues(boss, config, db, invokeQueues);
  } catch (err) {
    // The caller may try again (the database was away): this attempt's pool and timers must not linger.
    await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
    throw err;
  }
  return boss;
}

async function createQueues(boss: PgBoss, config: Config, db: Pool, invokeQueues: readonly string[]): Promise<void> {
  // A dead process's job is normally reclaimed within seconds by the heartbeat sweep; expiry is
  // the backstop for the case where no process is left to sweep.
  const lock = await db.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [QUEUE_SETUP_LOCK]);
    const existing = new Set((await boss.getQueues()).map((queue) => queue.name));
    for (const name of invokeQueues) {
      if (existing.has(name)) continue;
      await boss.createQueue(name, {
        name,
        retryLimit: config.jobRetryLimit,
        retryDelay: 2,
        retryBackoff: true,
        expireInSeconds: config.jobExpireSeconds,
        retentionDays: 7,
      });
    }
    if (!existing.has(CALLBACK_QUEUE)) {
      await boss.createQueue(CALLBACK_QUEUE, {
        name: CALLBACK_QUEUE,
        retryLimit: 8,
        retryDelay: 2,
        retryBackoff: true,
        expireInSeconds: 60,
        retentionDays: 7,
      });
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [QUEUE_SETUP_LOCK]).catch(() => {});
    lock.release();
  }
}

/** Lets pg-boss write inside our transaction, so a job row and its queue entry commit together. */
export function inTx(client: PoolClient): { db: PgBoss.Db } {
  return { db: { executeSql: (text, values) => client.query(text, values) } };
}
