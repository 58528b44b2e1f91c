import PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { PoolClient } from '../db/pool.ts';

// pg-boss on the service's own PostgreSQL is the delivery layer: which process runs a job, and
// retries with backoff. Job state that clients see lives in our `jobs` table.

export const BOSS_SCHEMA = 'pgboss';
export const INVOKE_QUEUE = 'invoke';
export const CALLBACK_QUEUE = 'callback';

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
  return boss;
}

/** Lets pg-boss write inside our transaction, so a job row and its queue entry commit together. */
export function inTx(client: PoolClient): { db: PgBoss.Db } {
  return { db: { executeSql: (text, values) => client.query(text, values) } };
}
