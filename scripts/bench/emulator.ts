// The Textract emulator as a child process of its own, so its CPU is neither the service's nor
// the load client's, and /proc can tell how much it used. One per bench run, reconfigured per
// scenario through its admin API (latency, quota) with its counters reset.
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'undici';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import type { EmulatorStats } from '../emulator/stats.ts';
import { trackPid } from './cleanup.ts';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface EmulatorProcess {
  url: string;
  pid: number;
  configure(patch: { latencyMs: number; tps: number }): Promise<void>;
  reset(): Promise<void>;
  stats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

async function admin(url: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
  const res = await request(`${url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`emulator ${method} ${route}: ${res.statusCode} ${text}`);
  return JSON.parse(text);
}

export async function startEmulatorProcess(options: { latencyMs: number; tps: number }): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/emulator/main.ts', '--port', '0', '--latency-ms', String(options.latencyMs), '--tps', String(options.tps)],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const untrack = trackPid(child.pid);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(untrack);
  child.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));

  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`emulator did not start in ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    function fail(err: Error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${output}`));
    }
    child.stdout!.on('data', (d) => {
      stdout += d;
      const line = /Textract emulator listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (line) {
        clearTimeout(timer);
        resolve(line[1]);
      }
    });
    void exited.then((code) => fail(new Error(`emulator exited with ${code} before listening`)));
  });
  // Keep reading so a chatty emulator never blocks on a full pipe.
  child.stdout!.resume();

  return {
    url,
    pid: child.pid!,
    async configure(patch) {
      await admin(url, 'POST', '/__config', patch);
    },
    async reset() {
      await admin(url, 'POST', '/__reset');
    },
    async stats() {
      return (await admin(url, 'GET', '/__stats')) as EmulatorStats;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
