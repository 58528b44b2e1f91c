// One WebSocket to /ws that waits for jobs' final states. When the socket drops while jobs are
// waiting it reconnects (backing off), re-subscribes them and polls each once, because a state
// change pushed while the socket was down is never re-sent.
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { FINAL_STATES } from './jobs.ts';

export interface JobEvent {
  jobId: string;
  status: string;
  error?: { code?: string };
}

/** Reads a job once; null when it is not final or cannot be read. */
export type PollJob = (jobId: string) => Promise<JobEvent | null>;

const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 2000;

export class JobSocket {
  #url: string;
  #headers: Record<string, string>;
  #poll: PollJob;
  #ws: WebSocket | null = null;
  #opening: Promise<WebSocket> | null = null;
  #waiters = new Map<string, (event: JobEvent) => void>();
  #recovering = false;
  #closed = false;
  #reconnects = 0;
  #everOpened = false;

  constructor(url: string, headers: Record<string, string>, poll: PollJob) {
    this.#url = url;
    this.#headers = headers;
    this.#poll = poll;
  }

  /** Openings after the first: each one follows a lost socket. */
  get reconnects(): number {
    return this.#reconnects;
  }

  open(): Promise<WebSocket> {
    if (this.#ws?.readyState === WebSocket.OPEN) return Promise.resolve(this.#ws);
    if (this.#closed) return Promise.reject(new Error('socket closed'));
    this.#opening ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.#url, { headers: this.#headers, perMessageDeflate: false, handshakeTimeout: 10_000 });
      let opened = false;
      ws.on('open', () => {
        opened = true;
        if (this.#everOpened) this.#reconnects++;
        this.#everOpened = true;
        this.#ws = ws;
        this.#opening = null;
        resolve(ws);
      });
      // MUST listen: ws throws an 'error' nobody listens to, and a close always follows it.
      ws.on('error', (err) => {
        if (opened) return;
        this.#opening = null;
        reject(err);
      });
      ws.on('message', (data) => this.#onMessage(data));
      ws.on('close', () => {
        if (this.#ws !== ws) return;
        this.#ws = null;
        if (!this.#closed && this.#waiters.size > 0) void this.#recover();
      });
    });
    return this.#opening;
  }

  /** Resolves with the job's final event; rejects when the signal aborts. */
  wait(jobId: string, signal: AbortSignal): Promise<JobEvent> {
    return new Promise<JobEvent>((resolve, reject) => {
      const onAbort = () => {
        this.#waiters.delete(jobId);
        reject(signal.reason ?? new Error('aborted'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.set(jobId, (event) => {
        signal.removeEventListener('abort', onAbort);
        resolve(event);
      });
      if (this.#ws?.readyState === WebSocket.OPEN) this.#send({ subscribe: [jobId] });
      else void this.#recover();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const ws = this.#ws ?? (await this.#opening?.catch(() => null)) ?? null;
    this.#ws = null;
    if (ws) await closeSocket(ws);
  }

  #send(message: unknown): void {
    this.#ws?.send(JSON.stringify(message));
  }

  #onMessage(data: WebSocket.RawData): void {
    let message: { type?: unknown; jobId?: unknown; status?: unknown; error?: { code?: string } };
    try {
      message = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (message?.type !== 'job' || typeof message.jobId !== 'string' || typeof message.status !== 'string') return;
    if (!FINAL_STATES.has(message.status)) return;
    this.#resolve({ jobId: message.jobId, status: message.status, error: message.error });
  }

  #resolve(event: JobEvent): void {
    const waiter = this.#waiters.get(event.jobId);
    if (!waiter) return;
    this.#waiters.delete(event.jobId);
    waiter(event);
  }

  async #recover(): Promise<void> {
    if (this.#recovering) return;
    this.#recovering = true;
    try {
      let delay = BACKOFF_START_MS;
      while (!this.#closed && this.#waiters.size > 0) {
        try {
          await this.open();
          break;
        } catch {
          await sleep(delay);
          delay = Math.min(delay * 2, BACKOFF_MAX_MS);
        }
      }
      if (this.#closed || this.#waiters.size === 0 || this.#ws === null) return;
      const pending = [...this.#waiters.keys()];
      this.#send({ subscribe: pending });
      await Promise.all(
        pending.map(async (jobId) => {
          const event = await this.#poll(jobId).catch(() => null);
          if (event && FINAL_STATES.has(event.status)) this.#resolve(event);
        }),
      );
    } finally {
      this.#recovering = false;
    }
    // The socket may have dropped again while polling; its close handler saw #recovering and left.
    if (!this.#closed && this.#waiters.size > 0 && this.#ws === null) void this.#recover();
  }
}

/** A clean close, or a hard one if the server does not answer within a second. */
export function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, 1000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000);
  });
}
