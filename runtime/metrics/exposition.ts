import { AggregatorRegistry } from 'prom-client';
import type { Pool } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import { STALE_MS } from '../jobs/presence.ts';
import type { Gathered } from './relay.ts';

// The text GET /metrics answers: every worker's registry added up (AggregatorRegistry sums
// counters and histograms, and applies each gauge's own aggregator), plus what no single worker
// knows: the launcher's supervision figures and the queue as PostgreSQL holds it at this moment.

export const CONTENT_TYPE = AggregatorRegistry.PROMETHEUS_CONTENT_TYPE;

/** Queue depth and live processes across every machine on the database; null when it is unreachable. */
export interface ClusterFigures {
  queued: number;
  running: number;
  oldestQueuedSeconds: number;
  processes: number;
}

export async function clusterFigures(db: Pool): Promise<ClusterFigures | null> {
  try {
    const r = (await db.query(q.queueGauges(STALE_MS))).rows[0];
    return { queued: r.queued, running: r.running, oldestQueuedSeconds: Number(r.oldest_queued_s), processes: r.processes };
  } catch {
    return null;
  }
}

type Sample = { value: number; labels?: Record<string, string> };

function metric(name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]) {
  return { name, help, type, aggregator: 'sum', values: samples.map((s) => ({ value: s.value, labels: s.labels ?? {} })) };
}

export function serviceMetricsText(gathered: Gathered, cluster: ClusterFigures | null): Promise<string> {
  const own = [
    metric('dtat_workers_configured', 'gauge', 'Worker processes this instance runs (WORKERS).', [{ value: gathered.configured }]),
    metric('dtat_workers_running', 'gauge', 'Worker processes serving now.', [{ value: gathered.running }]),
    metric('dtat_worker_restarts_total', 'counter', 'Workers that died and were replaced by the launcher.', [{ value: gathered.restarts }]),
    metric('dtat_metrics_workers_missing', 'gauge', 'Workers whose metrics are missing from this answer: they did not answer in time.', [
      { value: gathered.missing.length },
    ]),
    metric('dtat_database_up', 'gauge', 'Whether PostgreSQL answered the queue query of this scrape (1) or not (0).', [{ value: cluster ? 1 : 0 }]),
  ];
  if (cluster) {
    own.push(
      metric('dtat_queue_jobs', 'gauge', 'Jobs in the queue by state, across every machine on the database.', [
        { value: cluster.queued, labels: { state: 'queued' } },
        { value: cluster.running, labels: { state: 'running' } },
      ]),
      metric('dtat_queue_oldest_job_age_seconds', 'gauge', 'Age of the oldest queued job (0 when none is queued).', [{ value: cluster.oldestQueuedSeconds }]),
      metric('dtat_cluster_processes', 'gauge', 'Live worker processes (recent heartbeat) across every machine on the database.', [
        { value: cluster.processes },
      ]),
    );
  }
  const registries = [...gathered.reports.map((r) => r.metrics), own] as Parameters<typeof AggregatorRegistry.aggregate>[0];
  return AggregatorRegistry.aggregate(registries).metrics();
}
