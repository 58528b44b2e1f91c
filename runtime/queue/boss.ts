import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { PoolClient } from '../db/pool.ts';

// pg-boss on the service's own PostgreSQL is the delivery layer: which process runs a job, and
// retries with backoff. Job state that clients see lives in our `jobs` table.

export const BOSS_SCHEMA = 'pgboss';
export const INVOKE_QUEUE = 'invoke';
export const CALLBACK_QUEUE = 'callback';
// Arbitrary constant beside migrate.ts's and presence.ts's: held while the queues are created.
const QUEUE_SETUP_LOCK = 7_340_512_903;

export async function startBoss(config: Config, connectionString: string): Promise<PgBoss> {
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
  await boss.start();
  // MUST be serialised: on a fresh database, workers creating the same queue at once deadlock in
  // pg-boss's create_queue (40P01) and crash. Waiters then find the queues there.
  const lock = new pg.Client({ connectionString, application_name: 'dtat-ocr-queue-setup' });
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [QUEUE_SETUP_LOCK]);
    await createQueues(boss, config);
  } catch (err) {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    throw err;
  } finally {
    await lock.end().catch(() => {}); // ending the session releases the lock
  }
  return boss;
}

async function createQueues(boss: PgBoss, config: Config): Promise<void> {
  // A dead process's job is normally reclaimed within seconds by the heartbeat sweep; expiry is
  // the backstop for the case where no process is left to sweep.
  await boss.createQueue(INVOKE_QUEUE, {
    name: INVOKE_QUEUE,
    retryLimit: config.jobRetryLimit,
    retryDelay: 2,
    retryBackoff: true,
    expireInSeconds: config.jobExpireSeconds,
    retentionDays: 7,
  });
  await boss.createQueue(CALLBACK_QUEUE, {
    name: CALLBACK_QUEUE,
    retryLimit: 8,
    retryDelay: 2,
    retryBackoff: true,
    expireInSeconds: 60,
    retentionDays: 7,
  });
}

/** Lets pg-boss write inside our transaction, so a job row and its queue entry commit together. */
export function inTx(client: PoolClient): { db: PgBoss.Db } {
  return { db: { executeSql: (text, values) => client.query(text, values) } };
}
