import { routes as routeConfig } from '../functions.config.ts';
import { loadConfig, operationTps } from './config.ts';
import type { Services } from './define.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { whenDatabaseAnswers } from './db/retry.ts';
import { bucketCapacity, OperationRates, RateLimiter, Semaphore } from './engines/gate.ts';
import * as q from './db/queries.ts';
import { laneOf, lanesOf } from './queue/lanes.ts';
import { pgTokenBucket } from './db/rate-bucket.ts';
import type { Config } from './config.ts';
import type { Pool } from './db/pool.ts';
import type { Logger } from './log.ts';
import { selectEngine } from './engines/select.ts';
import type { HttpServer } from './http/adapter.ts';
import { chooseAdapter } from './http/choose-adapter.ts';
import { createPipeline } from './http/pipeline.ts';
import { createLogger } from './log.ts';
import { buildRoutes } from './routes.ts';
import { startCallbackSender } from './jobs/callbacks.ts';
import { startConsumer, type Consumer } from './jobs/consumer.ts';
import { createBytesHandoff, HANDOFF_LIMITS } from './jobs/handoff.ts';
import { openJobSpool, SPOOL_SWEEP_MS, SPOOL_TTL_MS } from './jobs/spool.ts';
import { startPresence } from './jobs/presence.ts';
import { createSubmitter } from './jobs/submit.ts';
import { readJobNotice } from './jobs/job-json.ts';
import { createJobSocketHandlers, feedTopicsOf, jobTopic } from './jobs/subscriptions.ts';
import { answerMetricsRequests } from './metrics/gather.ts';
import { countTextractRequest, installProcessMetrics, observeQuotaWait, quotaTps } from './metrics/instruments.ts';
import { startBoss } from './queue/boss.ts';
import { CHANNEL_JOB, CHANNEL_WAKE, startListener } from './queue/listener.ts';
import { createKeyRing } from './http/api-keys.ts';
import { createRequestRate } from './http/request-rate.ts';
import { releaseMemoryWhenIdle } from './idle-memory.ts';
import { nativeHeapTrim } from './native-heap.ts';

// One serving process. The launcher starts WORKERS of these on one port; each is complete on its
// own: HTTP, engine, database pool.

async function main(): Promise<void> {
  const config = loadConfig();
  const workerId = `${process.env.WORKER_ID ?? 'w1'}-${process.pid}`;
  const log = createLogger({ worker: workerId });
  // The launcher resolved `auto` already; a worker that cannot have what it was given says why.
  const http = chooseAdapter(config.httpAdapter, config.uwsModule);
  if ('refused' in http) {
    log.fatal(http.refused);
    process.exit(78);
  }
  if (!config.databaseUrl) throw new Error('DATABASE_URL is not set (npm start sets it for the embedded server)');

  const keys = createKeyRing(config);
  const unknownAdmins = config.adminTenants.filter((name) => !keys.tenants().includes(name));
  if (unknownAdmins.length) log.warn({ adminTenants: unknownAdmins }, 'ADMIN_TENANTS names tenants that no API key belongs to');
  const db = createPool(config.databaseUrl, 10);
  // A worker started while the database is away (the launcher replacing one, a reboot that
  // brought the service up first) waits for it instead of dying and being replaced in a loop.
  const starting = <T>(what: string, task: () => Promise<T>) => whenDatabaseAnswers(task, { log, what });
  await starting('migrations', () => migrate(db));
  const routes = buildRoutes(routeConfig);
  const functions = new Map(routes.map((r) => [r.fn.name, r.fn]));
  const rates = new OperationRates((operation) => createRateLimiter(config, operation, db, log));
  const selection = await selectEngine(config, log, {
    paceRetry: (operation) => rates.for(operation).acquire({ priority: 'event' }),
    observe: countTextractRequest,
  });
  // Jobs of a local engine call nothing metered: one lane. On Textract, a lane per operation.
  const lanes = selection.textract ? lanesOf(functions.values()) : lanesOf([]);
  const operations = lanes.flatMap((l) => (l.operation ? [l.operation] : []));
  if (operations.length) await starting('quota rows', () => db.query(q.ensureQuotaRows(operations)));
  for (const operation of operations) quotaTps.labels(operation).set(operationTps(config, operation));
  const databaseUrl = config.databaseUrl;
  const boss = await starting('queue start', () => startBoss(config, databaseUrl, db, lanesOf(functions.values()).map((l) => l.queue)));
  const startedAt = Date.now();
  let server: HttpServer | undefined;

  const services: Services = {
    config,
    db,
    engineName: selection.name,
    textract: selection.textract,
    localEngine: selection.local,
    engineUnavailable: selection.unavailable,
    gate: { slots: new Semaphore(config.engineConcurrency), rates },
    functions,
    queue: { health: async () => (await db.query(`SELECT 1 FROM pgboss.version`)).rowCount === 1 },
    workerId,
    startedAt,
    inFlight: () => server?.inFlight() ?? 0,
    httpAdapter: http.adapter,
  };

  installProcessMetrics({
    workerSlot: process.env.WORKER_ID ?? 'w1',
    httpInFlight: () => server?.inFlight() ?? 0,
    engineInFlight: () => services.gate.slots.inUse,
    engineWaiting: () => services.gate.slots.waiting,
    quotaWaiting: () => rates.waiting,
  });
  answerMetricsRequests(workerId);

  let consumer: Consumer | undefined;
  const presence = await starting('heartbeat', () =>
    startPresence({
      db,
      boss,
      config,
      workerId,
      log,
      runningJobs: async () => {
        await consumer?.claimsCounted();
        return consumer?.runningJobs() ?? new Set();
      },
    }),
  );
  const handoff = createBytesHandoff(HANDOFF_LIMITS);
  const spool = config.jobSpoolDir
    ? openJobSpool({ dir: config.jobSpoolDir, maxBytes: config.jobSpoolBytes, ttlMs: SPOOL_TTL_MS, log, sweepMs: SPOOL_SWEEP_MS })
    : null;
  const submit = createSubmitter({
    db,
    functions,
    config,
    laneOf: (fn, event) => laneOf(fn, event, selection.textract !== null),
    canStartHere: (queue) => consumer?.canStartNow(queue) ?? false,
    wakeHere: (queue) => consumer?.wake(queue),
    handoff,
    spool,
  });
  const requestRate = createRequestRate(config.rateLimitPerKey, config.rateLimitBurst);
  const pipeline = createPipeline({ routes, services, log, keys, requestRate, invokeEvent: submit });
  const listener = startListener(config.databaseUrl, [CHANNEL_JOB, CHANNEL_WAKE], log);
  const webServer = await http.listen({
    pipeline,
    host: config.host,
    port: config.port,
    log,
    maxInflightBytes: config.maxInflightBytes,
    extraHeaders: { 'x-dtat-worker': workerId },
    websocket: { path: '/ws', handlers: createJobSocketHandlers({ db, keys, workerId }) },
  });
  server = webServer;
  listener.on(CHANNEL_JOB, (payload) => {
    const { tenant, event } = readJobNotice(payload);
    const jobId = /"jobId":"([^"]+)"/.exec(event)?.[1];
    if (!jobId) return;
    webServer.publish(jobTopic(jobId), event);
    for (const topic of feedTopicsOf(tenant)) webServer.publish(topic, event);
  });
  const jobs = startConsumer({ services, boss, functions, log, handoff, spool, maxInFlight: config.engineConcurrency, lanes, pollMs: config.jobPollMs });
  consumer = jobs;
  listener.on(CHANNEL_WAKE, (queue) => jobs.wake(queue));
  // Without a secret no callback can be accepted, so there is no delivery queue to poll.
  if (config.callbackSecret) await starting('callback sender', () => startCallbackSender({ db, functions, boss, config, log }));
  releaseMemoryWhenIdle({ busy: () => webServer.inFlight() > 0 || jobs.runningJobs().size > 0, log, trimNativeHeap: await nativeHeapTrim(log) });
  log.info({ port: server.port, engine: selection.name, adapter: http.adapter }, 'worker ready');
  process.send?.({ type: 'ready', workerId, port: server.port });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, inFlight: server!.inFlight() }, 'draining');
    webServer.stopListening();
    const [drained] = await Promise.all([webServer.drain(config.shutdownTimeoutMs), jobs.stop(config.shutdownTimeoutMs)]);
    if (!drained) log.warn({ inFlight: webServer.inFlight() }, 'shutdown timeout with requests in flight');
    spool?.close();
    await presence.stop();
    await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
    await listener.close();
    await selection.close().catch(() => {});
    await db.end().catch(() => {});
    log.info('stopped');
    process.exit(0);
  };
  // SIGHUP (the launcher passes it on) reads API_KEYS_FILE again: keys are added and revoked
  // without a restart. A file that does not parse leaves the keys in use as they were.
  process.on('SIGHUP', () => {
    try {
      log.info(keys.reload(), 'API keys reloaded');
    } catch (err) {
      log.error({ reason: (err as Error).message }, 'API keys not reloaded; the previous keys stay in use');
    }
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // The launcher going away (crash, kill -9) must not leave orphaned workers holding the port.
  process.on('disconnect', () => void shutdown('disconnect'));
}

// Stay a little under the account quota: a bucket run at exactly the quota throttles on network
// jitter alone. Half a second of burst keeps any instant well inside Textract's own bucket.
const QUOTA_HEADROOM = 0.97;

function createRateLimiter(config: Config, operation: string, db: Pool, log: Logger): RateLimiter {
  const tps = operationTps(config, operation);
  if (tps <= 0) return new RateLimiter(null, 0);
  const perSecond = tps * QUOTA_HEADROOM;
  return new RateLimiter(
    pgTokenBucket(db, operation, perSecond, bucketCapacity(perSecond, 0.5)),
    perSecond,
    (err) => log.warn({ err, operation }, 'Textract rate bucket unavailable; retrying'),
    (waited, priority) => observeQuotaWait(operation, priority, waited),
  );
}

main().catch((err) => {
  createLogger({ worker: process.env.WORKER_ID }).fatal({ err }, 'worker failed to start');
  process.exit(1);
});

