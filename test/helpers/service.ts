import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../../runtime/config.ts';

// Starts the real launcher (`npm start`'s entry) as a child process: real workers, real port.

export interface RunningService {
  url: string;
  port: number;
  launcher: ChildProcess;
  /** Worker pids as the launcher last reported them. */
  pids(): number[];
  /** Resolves with the launcher's exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  logs(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startService(options: { databaseUrl: string; workers?: number; env?: Record<string, string> }): Promise<RunningService> {
  const port = await freePort();
  let output = '';
  let pids: number[] = [];
  const launcher = fork(path.join(PROJECT_ROOT, 'runtime', 'launcher.ts'), [], {
    cwd: PROJECT_ROOT,
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
  launcher.stdout!.on('data', (d) => (output += d));
  launcher.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
  launcher.on('message', (msg: { type?: string; pids?: number[] }) => {
    if (msg.pids) pids = msg.pids;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in 60 s:\n${output}`)), 60_000);
    launcher.on('message', (msg: { type?: string }) => {
      if (msg.type === 'ready') {
        clearTimeout(timer);
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
    pids: () => pids,
    logs: () => output,
    async stop(signal = 'SIGTERM') {
      if (launcher.exitCode !== null) return launcher.exitCode;
      launcher.kill(signal);
      return exited;
    },
  };
}
