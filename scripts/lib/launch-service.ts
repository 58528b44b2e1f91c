// The service as `npm start` runs it, for tests and the benchmark: the launcher and its WORKERS
// processes on one free port, configured through the environment only. The launcher's IPC
// messages name the worker pids (for /proc readings and kill tests).
import { type ChildProcess, fork } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../../runtime/config.ts';

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 45_000;
const LOG_TAIL_CHARS = 8_000;

export interface ServiceOptions {
  databaseUrl: string;
  /** The checkout to run (default: this one); the benchmark compares two checkouts this way. */
  root?: string;
  workers?: number;
  env?: Record<string, string>;
  /** Called with every pid started (launcher, workers); returns a function to forget it. */
  trackPid?: (pid: number | undefined) => () => void;
}

export interface RunningService {
  url: string;
  port: number;
  launcher: ChildProcess;
  workerPids(): number[];
  /** Worker processes the launcher had to replace: each is a crash. */
  restarts(): number;
  /** The last few KB the launcher and workers wrote (LOG_LEVEL=warn: warnings and errors). */
  logTail(): string;
  /** Sends `signal` (default SIGTERM) and waits; SIGKILL (launcher and workers) after a timeout. Resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const trackPid = options.trackPid ?? (() => () => {});
  const port = await freePort();
  let output = '';
  let pids: number[] = [];
  let restarts = 0;
  const untrackWorkers: (() => void)[] = [];
  const root = options.root ?? PROJECT_ROOT;
  const launcher: ChildProcess = fork(path.join(root, 'runtime', 'launcher.ts'), [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKERS: String(options.workers ?? 2),
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      SHUTDOWN_TIMEOUT_MS: '15000',
      ...options.env,
    },
  });
  const untrackLauncher = trackPid(launcher.pid);
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-LOG_TAIL_CHARS);
  };
  launcher.stdout!.on('data', keep);
  launcher.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  void exited.then(() => {
    untrackLauncher();
    for (const untrack of untrackWorkers) untrack();
  });
  const track = (next: number[]) => {
    pids = next.filter((p): p is number => typeof p === 'number');
    for (const pid of pids) untrackWorkers.push(trackPid(pid));
  };
  launcher.on('message', (msg: { type?: string; pids?: number[] }) => {
    if (msg?.type === 'workers' && msg.pids) {
      restarts++;
      track(msg.pids);
    }
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      launcher.kill('SIGKILL');
      reject(new Error(`service did not become ready in ${READY_TIMEOUT_MS / 1000} s:\n${output}`));
    }, READY_TIMEOUT_MS);
    launcher.on('message', (msg: { type?: string; pids?: number[] }) => {
      if (msg?.type === 'ready') {
        clearTimeout(timer);
        track(msg.pids ?? []);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before it was ready:\n${output}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    launcher,
    workerPids: () => pids,
    restarts: () => restarts,
    logTail: () => output,
    async stop(signal = 'SIGTERM') {
      if (launcher.exitCode !== null || launcher.signalCode !== null) return exited;
      launcher.kill(signal);
      const timer = setTimeout(() => {
        launcher.kill('SIGKILL');
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      }, STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
