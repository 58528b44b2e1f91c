import { routes as routeConfig } from '../functions.config.ts';
import { loadConfig } from './config.ts';
import type { Services } from './define.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { RateLimiter, Semaphore } from './engines/gate.ts';
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
  const boss = await startBoss(config, config.databaseUrl);
  const rate = createRateLimiter(config, db, log);
  const selection = await selectEngine(config, log, { paceRetry: () => rate.acquire({ priority: 'event' }) });
  const startedAt = Date.now();
  let server: HttpServer | undefined;

  const services: Services = {
    config,
    db,
    engine: selection.engine,
    engineUnavailable: selection.unavailable,
    textract: selection.textract,
    gate: {
      slots: new Semaphore(config.engineConcurrency),
      // The cluster-wide quota split evenly; the queue layer rebalances it as workers come and go.
      rate,
    },
    queue: { health: async () => (await db.query(`SELECT 1 FROM pgboss.version`)).rowCount === 1 },
    workerId,
    startedAt,
    inFlight: () => server?.inFlight() ?? 0,
    httpAdapter: http.adapter,
  };

  const routes = buildRoutes(routeConfig);
  const functions = new Map(routes.map((r) => [r.fn.name, r.fn]));
  const presence = await startPresence({ db, boss, config, workerId, log });
  const pipeline = createPipeline({ routes, services, log, invokeEvent: createSubmitter({ db, boss, config }) });
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
  const consumer = startConsumer({ services, boss, functions, log, maxInFlight: config.engineConcurrency });
  listener.on(CHANNEL_WAKE, () => consumer.wake());
  // Without a secret no callback can be accepted, so there is no delivery queue to poll.
  if (config.callbackSecret) await startCallbackSender({ db, boss, config, log });
  log.info({ port: server.port, engine: selection.engine?.name ?? 'none', adapter: http.adapter }, 'worker ready');
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
    await selection.engine?.close().catch(() => {});
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

function createRateLimiter(config: Config, db: Pool, log: Logger): RateLimiter {
  if (config.textractTps <= 0) return new RateLimiter(null, 0);
  const perSecond = config.textractTps * QUOTA_HEADROOM;
  return new RateLimiter(pgTokenBucket(db, perSecond, Math.max(1, perSecond / 2)), perSecond, (err) =>
    log.warn({ err }, 'Textract rate bucket unavailable; retrying'),
  );
}

main().catch((err) => {
  createLogger({ worker: process.env.WORKER_ID }).fatal({ err }, 'worker failed to start');
  process.exit(1);
});

