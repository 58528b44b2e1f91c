// The FastAPI peer (shared/peers/fastapi-ocr: the old system's design, uvicorn × 4, boto3,
// asyncpg), started as its README says, never changed or tuned: the `versus` scenario runs it
// beside the service in front of the same Textract emulator.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import { freePort } from '../lib/launch-service.ts';
import { trackPid } from './cleanup.ts';
import { treePids } from './process-tree.ts';

const PEER_FOLDER = path.join('shared', 'peers', 'fastapi-ocr');
const PYTHON = process.env.PEER_PYTHON ?? '/usr/bin/python3';
/** The Debian packages the peer's README lists, by their import names. */
const MODULES = ['fastapi', 'uvicorn', 'boto3', 'asyncpg', 'multipart', 'uvloop', 'httptools'];
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;

export type PeerLocation = { dir: string } | { reason: string };

/**
 * The peer's folder (PEER_DIR, else `shared/peers/fastapi-ocr` in a folder above the checkout)
 * when it and its Python packages are there; otherwise why the peer cannot run.
 */
export function findPeer(): PeerLocation {
  let dir = process.env.PEER_DIR;
  if (!dir) {
    for (let d = path.dirname(PROJECT_ROOT); ; d = path.dirname(d)) {
      if (existsSync(path.join(d, PEER_FOLDER, 'run.sh'))) {
        dir = path.join(d, PEER_FOLDER);
        break;
      }
      if (path.dirname(d) === d) break;
    }
  }
  if (!dir || !existsSync(path.join(dir, 'run.sh'))) return { reason: `no ${PEER_FOLDER}/run.sh above ${PROJECT_ROOT} (set PEER_DIR)` };
  try {
    execFileSync(PYTHON, ['-c', `import ${MODULES.join(', ')}`], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  } catch (err) {
    const said = String((err as { stderr?: Buffer }).stderr ?? err).trim().split('\n').pop();
    return { reason: `${PYTHON} cannot import the peer's packages (${MODULES.join(', ')}): ${said}` };
  }
  return { dir };
}

export interface RunningPeer {
  url: string;
  /** uvicorn's main process: the root of the peer's process tree. */
  pid: number;
  /** The uvicorn worker processes. */
  workerPids(): number[];
  logTail(): string;
  stop(): Promise<void>;
}

export async function startPeer(options: { dir: string; databaseUrl: string; textractEndpoint: string; workers: number }): Promise<RunningPeer> {
  const port = await freePort();
  let output = '';
  // run.sh applies the schema, then execs uvicorn: the child's pid becomes uvicorn's main process.
  const child: ChildProcess = spawn('bash', [path.join(options.dir, 'run.sh')], {
    cwd: options.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PYTHON,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKERS: String(options.workers),
      DATABASE_URL: options.databaseUrl,
      TEXTRACT_ENDPOINT: options.textractEndpoint,
      AWS_REGION: 'us-east-1',
      // The folder is read-only here; Python would try to write its bytecode cache beside it.
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
  const untrack = trackPid(child.pid);
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(untrack);
  const pid = child.pid!;
  const url = `http://127.0.0.1:${port}`;
  const workerPids = () => treePids(pid).filter((p) => p !== pid);
  const untrackWorkers: (() => void)[] = [];

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the peer exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the peer did not answer /health within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    ready = await request(`${url}/health`, { headersTimeout: 2_000, bodyTimeout: 2_000 })
      .then(async (res) => {
        await res.body.text();
        // Every worker must be up, not just the first: uvicorn starts them one after another.
        return res.statusCode === 200 && workerPids().length >= options.workers;
      })
      .catch(() => false);
    if (!ready) await new Promise((r) => setTimeout(r, 250));
  }
  for (const worker of workerPids()) untrackWorkers.push(trackPid(worker));

  return {
    url,
    pid,
    workerPids,
    logTail: () => output,
    async stop() {
      const tree = treePids(pid);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          for (const p of tree) {
            try {
              process.kill(p, 'SIGKILL');
            } catch {
              // Gone already.
            }
          }
        }, STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      for (const u of untrackWorkers) u();
    },
  };
}
