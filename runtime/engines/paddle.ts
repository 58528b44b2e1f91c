// Local OCR with PaddleOCR (PP-OCRv4 detection + recognition on onnxruntime-node), for machines
// without Textract. Plain text with line and word boxes: no forms, tables, signatures or layout.
// Each pool member is a child process holding both models (a few hundred MB once it has read a
// page; README "Local OCR"); members start on demand and end after `idleMs` without work, giving
// their memory back.

import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DocumentError } from '../documents/errors.ts';
import { abortError, enqueuePage, type QueuedPage } from './local-queue.ts';
import type { PipelineOptions } from './paddle/pipeline.ts';
import type { ThreadData, ThreadReply, ThreadRequest } from './paddle/process.ts';
import type { EngineCallOptions, OcrEngine, PageInput, PageResult } from './types.ts';

export interface PaddleEngineOptions {
  /** Processes at most (pages read at once). Default 1: one page at a time gets every core. */
  poolSize?: number;
  /** Cores each process's model calls may use. Default: all cores. */
  threadsPerPage?: number;
  /** A process idle this long is ended to give its memory back. Default 5 minutes. */
  idleMs?: number;
  /** PDF pages are drawn at this resolution. Default 300. */
  dpi?: number;
  pipeline?: Partial<PipelineOptions>;
  log?: { info(...args: unknown[]): void };
  /** Called with each page's CPU time in its process (ms), for benchmarks. */
  onPage?: (cpuMs: number) => void;
}

export interface PaddlePoolStats {
  workers: number;
  busy: number;
  queued: number;
}

export interface PaddleEngine extends OcrEngine {
  readonly name: 'paddle';
  stats(): PaddlePoolStats;
}

const DEFAULT_IDLE_MS = 5 * 60_000;

// From source (tsx) the child runs its TypeScript; in the launcher's esbuild output it is the
// `paddle-process.mjs` entry next to this chunk (runtime/build.ts).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const PROCESS_FILE = FROM_SOURCE ? fileURLToPath(new URL('./paddle/process.ts', import.meta.url)) : fileURLToPath(new URL('./paddle-process.mjs', import.meta.url));

type Job = QueuedPage;

interface Slot {
  child: ChildProcess;
  ready: boolean;
  job?: Job;
  jobId: number;
  idleTimer?: NodeJS.Timeout;
}

export function createPaddleEngine(options: PaddleEngineOptions = {}): PaddleEngine {
  const poolSize = Math.max(1, options.poolSize ?? 1);
  const threadsPerPage = Math.max(1, options.threadsPerPage ?? availableParallelism());
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const log = options.log;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let closed = false;
  let nextId = 0;

  function settle(job: Job): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
  }

  function retire(slot: Slot, reason: string): void {
    const at = slots.indexOf(slot);
    if (at < 0) return;
    slots.splice(at, 1);
    clearTimeout(slot.idleTimer);
    slot.child.removeAllListeners();
    slot.child.on('error', () => {}); // a late error of a child being ended must not crash the worker
    // SIGKILL ends it at once, mid-recognition if need be; its memory goes back to the system.
    slot.child.kill('SIGKILL');
    log?.info({ workers: slots.length, reason }, 'paddle process ended');
  }

  function startProcess(): void {
    const started = Date.now();
    const data: ThreadData = { threads: threadsPerPage, dpi: options.dpi ?? 300, pipeline: options.pipeline };
    const child = fork(PROCESS_FILE, [JSON.stringify(data)], {
      // Page bytes and results cross as structured clones, not JSON.
      serialization: 'advanced',
      execArgv: FROM_SOURCE ? ['--import', 'tsx'] : [],
      env: engineProcessEnv(process.env),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const slot: Slot = { child, ready: false, jobId: 0 };
    slots.push(slot);
    child.on('message', (reply: ThreadReply) => {
      if (reply.type === 'ready') {
        slot.ready = true;
        log?.info({ workers: slots.length, ms: Date.now() - started }, 'paddle process started');
        dispatch();
        return;
      }
      const job = slot.job;
      if (reply.type === 'error' && reply.id === undefined) {
        // The models did not load: the same would happen to every further start, so the
        // queued requests are failed rather than left waiting.
        retire(slot, 'failed to start');
        if (slots.length === 0) for (const queued of queue.splice(0)) settle(queued), queued.reject(new Error(reply.message));
        return;
      }
      if (!job || reply.id !== slot.jobId) return; // a reply to a job already settled by an abort
      slot.job = undefined;
      settle(job);
      if (reply.type === 'result') {
        options.onPage?.(reply.cpuMs);
        job.resolve(reply.result);
      } else if (reply.documentError) {
        job.reject(new DocumentError(reply.documentError.code, reply.documentError.message));
      } else {
        // Any other failure leaves the process's native state suspect, so it is replaced.
        retire(slot, 'recognition failed');
        job.reject(new Error(`PaddleOCR failed: ${reply.message}`));
      }
      scheduleIdle(slot);
      dispatch();
    });
    child.on('error', (error) => fail(slot, error));
    child.on('exit', (code, signal) => fail(slot, new Error(`The PaddleOCR process stopped unexpectedly (${signal ?? `exit code ${code}`}).`)));
  }

  function fail(slot: Slot, error: Error): void {
    if (!slots.includes(slot)) return;
    const job = slot.job;
    retire(slot, error.message);
    if (job) {
      settle(job);
      job.reject(error);
    } else if (!slot.ready && slots.length === 0) {
      for (const queued of queue.splice(0)) settle(queued), queued.reject(error);
    }
    dispatch();
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (!slot.ready || slot.job) continue;
      run(slot, queue.shift()!);
    }
    const starting = slots.filter((s) => !s.ready).length;
    while (queue.length > starting && slots.length < poolSize) startProcess();
  }

  function scheduleIdle(slot: Slot): void {
    if (!slots.includes(slot)) return;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => retire(slot, 'idle'), idleMs);
    // An idle pool must not keep the process alive.
    slot.idleTimer.unref();
  }

  function run(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer);
    settle(job); // drop the while-queued abort listener
    slot.job = job;
    slot.jobId = ++nextId;
    // While running, an abort ends the process: a model call cannot be interrupted otherwise,
    // and a request nobody waits for should not hold the cores for seconds.
    job.onAbort = () => {
      if (slot.job !== job) return;
      slot.job = undefined;
      retire(slot, 'request aborted');
      job.reject(abortError(job.signal!));
      dispatch();
    };
    job.signal?.addEventListener('abort', job.onAbort, { once: true });
    slot.child.send({ id: slot.jobId, page: job.page } satisfies ThreadRequest);
  }

  return {
    name: 'paddle',

    recognize(page: PageInput, options: EngineCallOptions): Promise<PageResult> {
      return enqueuePage({ name: 'paddle', closed, queue, dispatch }, page, options);
    },

    stats(): PaddlePoolStats {
      return { workers: slots.length, busy: slots.filter((s) => s.job).length, queued: queue.length };
    },

    async close(): Promise<void> {
      closed = true;
      const error = new Error('The paddle engine was closed.');
      for (const job of queue.splice(0)) {
        settle(job);
        job.reject(error);
      }
      await Promise.all(
        slots.splice(0).map(async (slot) => {
          clearTimeout(slot.idleTimer);
          slot.child.removeAllListeners();
          slot.child.on('error', () => {});
          const job = slot.job;
          slot.job = undefined;
          if (job) {
            settle(job);
            job.reject(error);
          }
          const exited = new Promise((resolve) => slot.child.once('exit', resolve));
          if (slot.child.exitCode === null && slot.child.signalCode === null) {
            slot.child.kill('SIGKILL');
            await exited;
          }
        }),
      );
    },
  };
}

/**
 * The worker's environment without its fixed malloc mmap threshold: that setting keeps a worker's
 * heap from holding freed request bodies, but onnxruntime allocates and frees tensors of hundreds
 * of KiB per model call, and with the threshold each became its own mmap and munmap, with fresh
 * zeroed pages every time: the same pages took about five times the CPU.
 */
export function engineProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { MALLOC_MMAP_THRESHOLD_: _threshold, ...rest } = env;
  return rest;
}

