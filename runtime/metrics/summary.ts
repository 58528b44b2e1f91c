import type { Gathered, WorkerReport } from './relay.ts';

// The workers' reports read into the few figures the dashboard shows. Counters are cumulative:
// the page turns them into rates by comparing two polls, as Prometheus's rate() would.

interface MetricJson {
  name: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

const OUTCOMES = ['success', 'throttled', 'retried', 'failed'] as const;

export interface WorkerFigures {
  workerId: string;
  pid: number;
  rssBytes: number;
  heapUsedBytes: number;
  eventLoopLagP99Ms: number;
  cpuSeconds: number;
  requestsInFlight: number;
  engineCallsInFlight: number;
  uptimeS: number;
}

export interface ServiceFigures {
  textract: { operation: string; tps: number; requests: Record<(typeof OUTCOMES)[number], number>; tokens: number }[];
  httpRequests: number;
  httpErrors: number;
  jobs: { succeeded: number; failed: number; retried: number };
  cache: { hits: number; misses: number };
  engineCallsInFlight: number;
  workers: { configured: number; running: number; missing: number; restarts: number; processes: WorkerFigures[] };
}

/** Samples of `name` in one report, optionally only those of a histogram part (`x_count`). */
function samples(report: WorkerReport, name: string, part?: string) {
  const metric = (report.metrics as MetricJson[]).find((m) => m.name === name);
  return (metric?.values ?? []).filter((v) => part === undefined || v.metricName === part);
}

const total = (values: { value: number }[]) => values.reduce((sum, v) => sum + v.value, 0);

export function summarize(gathered: Gathered, now = Date.now()): ServiceFigures {
  const { reports } = gathered;
  const all = (name: string, part?: string) => reports.flatMap((r) => samples(r, name, part));
  const operations = new Map<string, ServiceFigures['textract'][number]>();
  const operation = (name: string) => {
    let entry = operations.get(name);
    if (!entry) operations.set(name, (entry = { operation: name, tps: 0, requests: { success: 0, throttled: 0, retried: 0, failed: 0 }, tokens: 0 }));
    return entry;
  };
  for (const v of all('dtat_textract_quota_tps')) operation(String(v.labels.operation)).tps = Math.max(operation(String(v.labels.operation)).tps, v.value);
  for (const v of all('dtat_textract_requests_total')) {
    const outcome = v.labels.outcome as (typeof OUTCOMES)[number];
    if (OUTCOMES.includes(outcome)) operation(String(v.labels.operation)).requests[outcome] += v.value;
  }
  for (const v of all('dtat_textract_quota_wait_seconds', 'dtat_textract_quota_wait_seconds_count')) operation(String(v.labels.operation)).tokens += v.value;

  const jobs = (outcome: string) => total(all('dtat_jobs_total').filter((v) => v.labels.outcome === outcome));
  const cache = (result: string) => total(all('dtat_cache_lookups_total').filter((v) => v.labels.result === result));
  const one = (report: WorkerReport, name: string) => total(samples(report, name));

  return {
    textract: [...operations.values()].sort((a, b) => a.operation.localeCompare(b.operation)),
    httpRequests: total(all('dtat_http_requests_total')),
    httpErrors: total(all('dtat_http_requests_total').filter((v) => Number(v.labels.status) >= 500)),
    jobs: { succeeded: jobs('succeeded'), failed: jobs('failed'), retried: jobs('retried') },
    cache: { hits: cache('hit'), misses: cache('miss') },
    engineCallsInFlight: total(all('dtat_engine_calls_in_flight')),
    workers: {
      configured: gathered.configured,
      running: gathered.running,
      missing: gathered.missing.length,
      restarts: gathered.restarts,
      processes: reports
        .map((r) => ({
          workerId: r.workerId,
          pid: r.pid,
          rssBytes: one(r, 'process_resident_memory_bytes'),
          heapUsedBytes: one(r, 'nodejs_heap_size_used_bytes'),
          eventLoopLagP99Ms: Math.round(one(r, 'nodejs_eventloop_lag_p99_seconds') * 10_000) / 10,
          cpuSeconds: Math.round(one(r, 'process_cpu_seconds_total') * 100) / 100,
          requestsInFlight: one(r, 'dtat_http_requests_in_flight'),
          engineCallsInFlight: one(r, 'dtat_engine_calls_in_flight'),
          uptimeS: Math.max(0, Math.round(now / 1000 - one(r, 'process_start_time_seconds'))),
        }))
        .sort((a, b) => a.workerId.localeCompare(b.workerId)),
    },
  };
}
