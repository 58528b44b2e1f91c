import Type, { type Static } from 'typebox';
import { QueueStats } from './queue.ts';

// GET /dashboard/data: what the live dashboard shows, in one answer. Documents, the queue and
// the processes come from PostgreSQL (every machine on the database); Textract, jobs run and the
// workers' health are this instance's, added up over its workers. Counters are cumulative since
// each worker started: the page compares two answers for rates.

const Closed = { additionalProperties: false } as const;

const Bucket = Type.Object(
  { at: Type.String({ format: 'date-time' }), documents: Type.Integer(), p50Ms: Type.Number(), p95Ms: Type.Number() },
  { ...Closed, description: 'Ten seconds of documents processed.' },
);

const Operation = Type.Object(
  {
    operation: Type.String({ description: 'Textract operation, e.g. DetectDocumentText.' }),
    tps: Type.Number({ description: 'The quota this service paces the operation to.' }),
    requests: Type.Object(
      { success: Type.Number(), throttled: Type.Number(), retried: Type.Number(), failed: Type.Number() },
      { ...Closed, description: 'Requests sent to Textract, cumulative.' },
    ),
    tokens: Type.Number({ description: 'Quota tokens taken, cumulative.' }),
  },
  Closed,
);

const Worker = Type.Object(
  {
    workerId: Type.String(),
    pid: Type.Integer(),
    rssBytes: Type.Number(),
    heapUsedBytes: Type.Number(),
    eventLoopLagP99Ms: Type.Number(),
    cpuSeconds: Type.Number(),
    requestsInFlight: Type.Number(),
    engineCallsInFlight: Type.Number(),
    uptimeS: Type.Number(),
  },
  Closed,
);

const ClusterProcess = Type.Object(
  {
    id: Type.String(),
    host: Type.String(),
    pid: Type.Integer(),
    startedAt: Type.String({ format: 'date-time' }),
    lastSeen: Type.String({ format: 'date-time' }),
    alive: Type.Boolean(),
    running: Type.Integer({ description: 'Jobs it runs now.' }),
  },
  Closed,
);

export const DashboardData = Type.Object(
  {
    now: Type.String({ format: 'date-time', description: "The database's clock." }),
    instance: Type.Object({ worker: Type.String(), version: Type.String(), engine: Type.String() }, Closed),
    documents: Type.Object(
      {
        perMinute: Type.Integer({ description: 'Documents processed in the last 60 s (results stored; cache hits excluded).' }),
        p50Ms: Type.Number({ description: 'Processing time over the last 5 minutes.' }),
        p95Ms: Type.Number(),
        timeline: Type.Array(Bucket, { description: 'The last 10 minutes, oldest first; empty buckets left out.' }),
      },
      Closed,
    ),
    queue: QueueStats,
    textract: Type.Array(Operation),
    totals: Type.Object(
      {
        httpRequests: Type.Number(),
        httpErrors: Type.Number({ description: '5xx answers.' }),
        jobs: Type.Object({ succeeded: Type.Number(), failed: Type.Number(), retried: Type.Number() }, Closed),
        cache: Type.Object({ hits: Type.Number(), misses: Type.Number() }, Closed),
        engineCallsInFlight: Type.Number(),
      },
      Closed,
    ),
    workers: Type.Object(
      {
        configured: Type.Integer(),
        running: Type.Integer(),
        missing: Type.Integer({ description: 'Workers that did not answer in time for this answer.' }),
        restarts: Type.Integer(),
        processes: Type.Array(Worker, { description: "This instance's workers." }),
      },
      Closed,
    ),
    cluster: Type.Array(ClusterProcess, { description: 'Every process on every machine sharing the database.' }),
  },
  Closed,
);
export type DashboardData = Static<typeof DashboardData>;
