import { defineFunction } from '../runtime/define.ts';
import * as q from '../runtime/db/queries.ts';
import { STALE_MS } from '../runtime/jobs/presence.ts';
import { QueueStats } from '../schemas/queue.ts';

const round = (v: number | null) => (v === null ? 0 : Math.round(Number(v)));

export default defineFunction({
  name: 'queueStats',
  method: 'GET',
  path: '/queue/stats',
  summary: 'Cluster-wide queue figures from PostgreSQL, over the last five minutes.',
  schema: { response: QueueStats },
  options: { queueable: false },
  async handler(_event, ctx): Promise<QueueStats> {
    const r = (await ctx.db.query(q.queueStats(STALE_MS))).rows[0];
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
  },
});
