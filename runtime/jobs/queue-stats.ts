import type { Pool } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import type { QueueStats } from '../../schemas/queue.ts';
import { STALE_MS } from './presence.ts';

// The figures of GET /queue/stats, also shown on the dashboard: cluster-wide, from PostgreSQL.

const round = (v: number | null) => (v === null ? 0 : Math.round(Number(v)));

export async function readQueueStats(db: Pool): Promise<QueueStats> {
  const r = (await db.query(q.queueStats(STALE_MS))).rows[0];
  return {
    queued: r.queued,
    running: r.running,
    succeeded: r.succeeded,
    failed: r.failed,
    window: '5m',
    processingMs: { avg: round(r.processing_avg), p50: round(r.processing_p50), p95: round(r.processing_p95), max: round(r.processing_max) },
    waitMs: { avg: round(r.wait_avg), p95: round(r.wait_p95) },
    docsPerMinute: r.last_minute,
    workers: r.workers,
    since: new Date(r.since).toISOString(),
  };
}
