import { defineFunction } from '../runtime/define.ts';
import * as q from '../runtime/db/queries.ts';
import { STALE_MS } from '../runtime/jobs/presence.ts';
import { readQueueStats } from '../runtime/jobs/queue-stats.ts';
import { gatherReports } from '../runtime/metrics/gather.ts';
import { summarize } from '../runtime/metrics/summary.ts';
import { DashboardData } from '../schemas/dashboard.ts';

const ms = (v: number | null) => (v === null ? 0 : Math.round(Number(v)));

export default defineFunction({
  name: 'dashboardData',
  method: 'GET',
  path: '/dashboard/data',
  summary: 'What the live dashboard shows: documents, the queue and the processes from PostgreSQL; Textract, jobs and worker health from this instance.',
  schema: { response: DashboardData },
  options: { queueable: false },
  async handler(_event, ctx): Promise<DashboardData> {
    const [gathered, queue, figures, timeline, processes] = await Promise.all([
      gatherReports(ctx.workerId),
      readQueueStats(ctx.db),
      ctx.db.query(q.documentFigures()),
      ctx.db.query(q.documentTimeline()),
      ctx.db.query(q.clusterProcesses(STALE_MS)),
    ]);
    const service = summarize(gathered);
    const doc = figures.rows[0];
    return {
      now: new Date(doc.now * 1000).toISOString(),
      instance: { worker: ctx.workerId, version: ctx.config.version, engine: ctx.engineName },
      documents: {
        perMinute: doc.last_minute,
        p50Ms: ms(doc.p50),
        p95Ms: ms(doc.p95),
        timeline: timeline.rows.map((r) => ({ at: new Date(Number(r.bucket) * 1000).toISOString(), documents: r.documents, p50Ms: ms(r.p50), p95Ms: ms(r.p95) })),
      },
      queue,
      textract: service.textract,
      totals: {
        httpRequests: service.httpRequests,
        httpErrors: service.httpErrors,
        jobs: service.jobs,
        cache: service.cache,
        engineCallsInFlight: service.engineCallsInFlight,
      },
      workers: service.workers,
      cluster: processes.rows.map((p) => ({
        id: p.id,
        host: p.host,
        pid: p.pid,
        startedAt: p.started_at.toISOString(),
        lastSeen: p.last_seen.toISOString(),
        alive: p.alive,
        running: p.running,
      })),
    };
  },
});
