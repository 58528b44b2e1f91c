import { routes as routeConfig } from '../functions.config.ts';
import { loadConfig, operationTps } from './config.ts';
import type { Services } from './define.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
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
import { startConsumer } from './jobs/consumer.ts';
import { startPresence } from './jobs/presence.ts';
import { createSubmitter } from './jobs/submit.ts';
import { createJobSocketHandlers, jobTopic } from './jobs/subscriptions.ts';
import { startBoss } from './queue/boss.ts';
import { CHANNEL_JOB, CHANNEL_WAKE, startListener } from './queue/listener.ts';

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

  const db = createPool(config.databaseUrl, 10);
  await migrate(db);
  const routes = buildRoutes(routeConfig);
  const functions = new Map(routes.map((r) => [r.fn.name, r.fn]));
  const rates = new OperationRates((operation) => createRateLimiter(config, operation, db, log));
  const selection = await selectEngine(config, log, { paceRetry: (operation) => rates.for(operation).acquire({ priority: 'event' }) });
  // Jobs of a local engine call nothing metered: one lane. On Textract, a lane per operation.
  const lanes = selection.textract ? lanesOf(functions.values()) : lanesOf([]);
  const operations = lanes.flatMap((l) => (l.operation ? [l.operation] : []));
  if (operations.length) await db.query(q.ensureQuotaRows(operations));
  const boss = await startBoss(config, config.databaseUrl, db, lanesOf(functions.values()).map((l) => l.queue));
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

  const presence = await startPresence({ db, boss, config, workerId, log });
  const submit = createSubmitter({ db, functions, boss, config, laneOf: (fn, event) => laneOf(fn, event, selection.textract !== null) });
  const pipeline = createPipeline({ routes, services, log, invokeEvent: submit });
  const listener = startListener(config.databaseUrl, [CHANNEL_JOB, CHANNEL_WAKE], log);
  const webServer = await http.listen({
    pipeline,
    host: config.host,
    port: config.port,
    log,
    extraHeaders: { 'x-dtat-worker': workerId },
    websocket: { path: '/ws', handlers: createJobSocketHandlers({ db, apiKeys: config.apiKeys, workerId }) },
  });
  server = webServer;
  listener.on(CHANNEL_JOB, (payload) => {
    const jobId = /"jobId":"([^"]+)"/.exec(payload)?.[1];
    if (jobId) webServer.publish(jobTopic(jobId), payload);
  });
  const consumer = startConsumer({ services, boss, functions, log, maxInFlight: config.engineConcurrency, lanes });
  listener.on(CHANNEL_WAKE, (queue) => consumer.wake(queue));
  // Without a secret no callback can be accepted, so there is no delivery queue to poll.
  if (config.callbackSecret) await startCallbackSender({ db, functions, boss, config, log });
  log.info({ port: server.port, engine: selection.name, adapter: http.adapter }, 'worker ready');
  process.send?.({ type: 'ready', workerId, port: server.port });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, inFlight: server!.inFlight() }, 'draining');
    webServer.stopListening();
    const [drained] = await Promise.all([webServer.drain(config.shutdownTimeoutMs), consumer.stop(config.shutdownTimeoutMs)]);
    if (!drained) log.warn({ inFlight: webServer.inFlight() }, 'shutdown timeout with requests in flight');
    await presence.stop();
    await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
    await listener.close();
    await selection.close().catch(() => {});
    await db.end().catch(() => {});
    log.info('stopped');
    process.exit(0);
  };
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
  return new RateLimiter(pgTokenBucket(db, operation, perSecond, bucketCapacity(perSecond, 0.5)), perSecond, (err) =>
    log.warn({ err, operation }, 'Textract rate bucket unavailable; retrying'),
  );
}

main().catch((err) => {
  createLogger({ worker: process.env.WORKER_ID }).fatal({ err }, 'worker failed to start');
  process.exit(1);
});

