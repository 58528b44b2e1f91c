// Async jobs measured from the outside: raw POST /ocr/async submissions (so a burst is a burst:
// the load tester's clients would each wait for their job before sending the next), and a few
// WebSockets that record when each job was seen running and when it reached its final state.
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import type { DocumentProvider, LoadDocument } from '../loadtest/index.ts';
import { sleep } from './context.ts';
import { closeSocket } from '../loadtest/modes/job-socket.ts';

/** Epoch milliseconds with sub-millisecond resolution: comparable with the service's timestamps. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export interface Submission {
  seq: number;
  jobId: string | null;
  sentAt: number;
  /** When the 202 arrived; null when none did. */
  acceptedAt: number | null;
  latencyMs: number;
  status: number | null;
  errorCode: string | null;
}

export class Submitter {
  private readonly agent: Agent;

  constructor(private readonly url: string, connections: number) {
    this.agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 60_000, bodyTimeout: 60_000 });
  }

  async submit(seq: number, document: LoadDocument): Promise<Submission> {
    const sentAt = now();
    const target = new URL('/ocr/async', this.url);
    target.searchParams.set('filename', document.filename);
    try {
      const res = await request(target, {
        dispatcher: this.agent,
        method: 'POST',
        headers: { 'content-type': document.contentType, 'x-request-id': `bench-${seq}` },
        body: document.bytes,
      });
      const acceptedAt = now();
      const json = (await res.body.json().catch(() => null)) as { jobId?: string; error?: { code?: string } } | null;
      const ok = res.statusCode === 202 && typeof json?.jobId === 'string';
      return {
        seq,
        jobId: ok ? json!.jobId! : null,
        sentAt,
        acceptedAt: ok ? acceptedAt : null,
        latencyMs: acceptedAt - sentAt,
        status: res.statusCode,
        errorCode: ok ? null : (json?.error?.code ?? 'UNEXPECTED_STATUS'),
      };
    } catch (err) {
      const code = (err as { code?: string })?.code ?? 'CLIENT_ERROR';
      return { seq, jobId: null, sentAt, acceptedAt: null, latencyMs: now() - sentAt, status: null, errorCode: code };
    }
  }

  /**
   * Submits `count` documents with `concurrency` requests in flight, as fast as the service takes
   * them. `onAccepted` runs the moment each 202 arrives (to subscribe before the job can finish).
   */
  async burst(count: number, concurrency: number, provider: DocumentProvider, onAccepted: (s: Submission) => void, signal: AbortSignal): Promise<Submission[]> {
    const out: Submission[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count && !signal.aborted) {
          const seq = next++;
          const submission = await this.submit(seq, await provider(seq));
          if (submission.jobId) onAccepted(submission);
          out.push(submission);
        }
      }),
    );
    return out.sort((a, b) => a.seq - b.seq);
  }

  async getJob(jobId: string): Promise<Record<string, unknown> | null> {
    try {
      const res = await request(new URL(`/ocr/jobs/${jobId}`, this.url), { dispatcher: this.agent, method: 'GET' });
      const json = (await res.body.json().catch(() => null)) as Record<string, unknown> | null;
      return res.statusCode === 200 ? json : null;
    } catch {
      return null;
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

export interface JobTimes {
  /** First 'running' event seen on the WebSocket. */
  runningAt: number | null;
  finalAt: number | null;
  status: string | null;
  errorCode: string | null;
}

const FINAL = new Set(['succeeded', 'failed']);
const SUBSCRIPTIONS_PER_SOCKET = 900; // the server allows 1,000 per connection

/** WebSockets to /ws, each subscribed to up to 900 jobs; every job's events are timestamped on arrival. */
export class JobWatcher {
  private sockets: WebSocket[] = [];
  private assigned: number[] = [];
  private readonly jobs = new Map<string, JobTimes>();
  private lastEventAt = now();
  private closed = false;
  reconnects = 0;

  constructor(private readonly url: string, private readonly socketCount: number) {}

  async open(): Promise<void> {
    this.sockets = await Promise.all(Array.from({ length: this.socketCount }, (_, i) => this.connect(i)));
    this.assigned = this.sockets.map(() => 0);
  }

  private connect(index: number): Promise<WebSocket> {
    const wsUrl = new URL('/ws', this.url);
    wsUrl.protocol = 'ws:';
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { perMessageDeflate: false, handshakeTimeout: 10_000 });
      let welcomed = false;
      ws.on('message', (data) => {
        const at = now();
        let msg: { type?: string; jobId?: string; status?: string; error?: { code?: string } };
        try {
          msg = JSON.parse(data.toString());
        } catch {
          return;
        }
        if (msg.type === 'welcome' && !welcomed) {
          welcomed = true;
          resolve(ws);
          return;
        }
        if (msg.type !== 'job' || typeof msg.jobId !== 'string' || typeof msg.status !== 'string') return;
        this.lastEventAt = at;
        const job = this.jobs.get(msg.jobId);
        if (!job) return;
        if (msg.status === 'running' && job.runningAt === null) job.runningAt = at;
        if (FINAL.has(msg.status) && job.finalAt === null) {
          job.finalAt = at;
          job.status = msg.status;
          job.errorCode = msg.error?.code ?? null;
        }
      });
      // MUST listen: ws throws an unhandled 'error' otherwise; a close follows it.
      ws.on('error', (err) => {
        if (!welcomed) reject(err);
      });
      ws.on('close', () => {
        if (!welcomed || this.closed) return;
        // Re-subscribing answers finished jobs at once; only 'running' times of the gap are lost.
        this.reconnects++;
        void this.connect(index)
          .then((fresh) => {
            this.sockets[index] = fresh;
            const mine = [...this.jobs.entries()].filter(([, j]) => j.finalAt === null).map(([id]) => id);
            if (mine.length > 0) fresh.send(JSON.stringify({ subscribe: mine.slice(0, SUBSCRIPTIONS_PER_SOCKET) }));
          })
          .catch(() => {});
      });
    });
  }

  /** Subscribes at once (the socket is open); call it the moment the 202 arrives. */
  watch(jobId: string): void {
    if (this.jobs.has(jobId)) return;
    this.jobs.set(jobId, { runningAt: null, finalAt: null, status: null, errorCode: null });
    let index = this.assigned.findIndex((n) => n < SUBSCRIPTIONS_PER_SOCKET);
    if (index < 0) index = 0;
    this.assigned[index]++;
    const ws = this.sockets[index];
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ subscribe: [jobId] }));
  }

  times(jobId: string): JobTimes | undefined {
    return this.jobs.get(jobId);
  }

  /**
   * Waits until every watched job is final, or the deadline passes, or the signal aborts. When the
   * sockets fall silent for a while, pending jobs are polled once: a lost event must not hang the run.
   */
  async waitAll(submitter: Submitter, deadline: number, signal: AbortSignal): Promise<number> {
    let lastPoll = now();
    while (!signal.aborted && now() < deadline) {
      const pending = [...this.jobs.entries()].filter(([, j]) => j.finalAt === null);
      if (pending.length === 0) return 0;
      if (now() - this.lastEventAt > 15_000 && now() - lastPoll > 15_000) {
        lastPoll = now();
        await this.poll(submitter, pending.map(([id]) => id));
      }
      await sleep(200, signal);
    }
    const pending = [...this.jobs.entries()].filter(([, j]) => j.finalAt === null).map(([id]) => id);
    if (pending.length > 0) await this.poll(submitter, pending);
    return [...this.jobs.values()].filter((j) => j.finalAt === null).length;
  }

  private async poll(submitter: Submitter, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 20) {
      await Promise.all(
        ids.slice(i, i + 20).map(async (id) => {
          const job = await submitter.getJob(id);
          const times = this.jobs.get(id);
          if (!job || !times || times.finalAt !== null || !FINAL.has(String(job.status))) return;
          // Polled, not pushed: the service's own finish time is the best estimate.
          times.finalAt = typeof job.finishedAt === 'string' ? Date.parse(job.finishedAt) : now();
          times.status = String(job.status);
          times.errorCode = (job.error as { code?: string } | undefined)?.code ?? null;
        }),
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.sockets.map((ws) => closeSocket(ws)),
    );
  }
}
