import { httpError } from '../errors.ts';

// Admission to the engine: a per-process cap on calls in flight (ENGINE_CONCURRENCY) and the
// cluster-wide Textract rate of each operation (TEXTRACT_TPS, TEXTRACT_TPS_<OPERATION>). Sync requests are served
// before queued jobs because a client is waiting on the connection; a sync request that would
// wait past its deadline is refused at once (503 OVERLOADED) instead of piling up.

export type Priority = 'sync' | 'event';

export interface Admission {
  priority: Priority;
  /** Epoch ms after which waiting is pointless; undefined = wait as long as it takes. */
  deadline?: number;
  signal?: AbortSignal;
}

interface Waiter {
  priority: Priority;
  resolve: () => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

function overloaded(retryAfterS: number, what: string) {
  return httpError('OVERLOADED', `The service is at capacity (${what}); retry later or use POST /ocr/async.`, {
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterS))) },
  });
}

/** FIFO per priority; sync waiters always go first. */
class WaitQueue {
  private readonly sync: Waiter[] = [];
  private readonly event: Waiter[] = [];

  get length(): number {
    return this.sync.length + this.event.length;
  }

  ahead(priority: Priority): number {
    return priority === 'sync' ? this.sync.length : this.length;
  }

  push(w: Waiter): void {
    (w.priority === 'sync' ? this.sync : this.event).push(w);
  }

  remove(w: Waiter): void {
    const list = w.priority === 'sync' ? this.sync : this.event;
    const i = list.indexOf(w);
    if (i >= 0) list.splice(i, 1);
  }

  shift(): Waiter | undefined {
    return this.sync.shift() ?? this.event.shift();
  }

  wait(priority: Priority, admission: Admission, onTimeout: () => unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        this.remove(waiter);
        waiter.cleanup();
        reject(admission.signal!.reason ?? new Error('aborted'));
      };
      const waiter: Waiter = {
        priority,
        resolve: () => {
          waiter.cleanup();
          resolve();
        },
        reject,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          admission.signal?.removeEventListener('abort', onAbort);
        },
      };
      if (admission.deadline !== undefined) {
        timer = setTimeout(() => {
          this.remove(waiter);
          waiter.cleanup();
          reject(onTimeout());
        }, Math.max(0, admission.deadline - Date.now()));
      }
      admission.signal?.addEventListener('abort', onAbort, { once: true });
      this.push(waiter);
    });
  }
}

export class Semaphore {
  private active = 0;
  private readonly queue = new WaitQueue();
  // Average hold time, to predict how long a newcomer would wait.
  private avgHoldMs = 1_000;

  constructor(private capacity: number) {}

  get inUse(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  get free(): number {
    return Math.max(0, this.capacity - this.active);
  }

  async acquire(admission: Admission): Promise<() => void> {
    admission.signal?.throwIfAborted();
    if (this.active < this.capacity && this.queue.length === 0) {
      this.active++;
    } else {
      if (admission.deadline !== undefined) {
        const rounds = Math.floor(this.queue.ahead(admission.priority) / this.capacity) + 1;
        const expectedMs = rounds * this.avgHoldMs;
        if (Date.now() + expectedMs > admission.deadline) throw overloaded(expectedMs / 1000, 'engine slots');
      }
      await this.queue.wait(admission.priority, admission, () => overloaded(this.avgHoldMs / 1000, 'engine slots'));
    }
    const started = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.avgHoldMs = this.avgHoldMs * 0.9 + (Date.now() - started) * 0.1;
      const next = this.queue.shift();
      if (next) next.resolve();
      else this.active--;
    };
  }
}

/** Where tokens live: PostgreSQL for the cluster (see db/queries takeRateToken), memory in tests. */
export interface TokenBucket {
  take(): Promise<{ ok: boolean; level: number }>;
  give(): Promise<void>;
}

/**
 * Paces engine calls to `perSecond` (0 = unlimited) through a shared token bucket. Callers of
 * this process queue locally, sync before event; one pump takes tokens for the head of the
 * queue, sleeping as long as the bucket says the next token needs.
 */
export class RateLimiter {
  private readonly queue = new WaitQueue();
  private pumping = false;

  constructor(
    private readonly bucket: TokenBucket | null,
    readonly perSecond: number,
    private readonly onError: (err: unknown) => void = () => {},
    /** Told how long each token took to come (the metrics). */
    private readonly onToken: (waitedSeconds: number, priority: Priority) => void = () => {},
  ) {}

  get limited(): boolean {
    return this.bucket !== null && this.perSecond > 0;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async acquire(admission: Admission): Promise<void> {
    admission.signal?.throwIfAborted();
    if (!this.limited) return;
    const asked = performance.now();
    if (this.queue.length === 0 && (await this.bucket!.take()).ok) return this.onToken((performance.now() - asked) / 1000, admission.priority);
    if (admission.deadline !== undefined) {
      const waitMs = ((this.queue.ahead(admission.priority) + 1) / this.perSecond) * 1000;
      if (Date.now() + waitMs > admission.deadline) throw overloaded(waitMs / 1000, 'Textract rate');
    }
    const waiting = this.queue.wait(admission.priority, admission, () => overloaded(1 / this.perSecond, 'Textract rate'));
    void this.pump();
    await waiting;
    this.onToken((performance.now() - asked) / 1000, admission.priority);
  }

  /** Gives back a token taken for a call that was never made. */
  refund(): void {
    if (this.limited) this.bucket!.give().catch(this.onError);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        let waitMs: number;
        try {
          const { ok, level } = await this.bucket!.take();
          if (ok) {
            const next = this.queue.shift();
            // The waiter may have given up (abort, deadline) while the token was on its way.
            if (next) next.resolve();
            else await this.bucket!.give();
            continue;
          }
          waitMs = ((1 - level) / this.perSecond) * 1000;
        } catch (err) {
          this.onError(err);
          waitMs = 500;
        }
        await new Promise((r) => setTimeout(r, Math.max(5, Math.ceil(waitMs))));
      }
    } finally {
      this.pumping = false;
    }
  }
}

/**
 * Textract's quotas are per operation, so each operation has its own limiter (and shared bucket),
 * made the first time something is paced against it.
 */
export class OperationRates {
  private readonly byOperation = new Map<string, RateLimiter>();

  constructor(private readonly create: (operation: string) => RateLimiter) {}

  for(operation: string): RateLimiter {
    let limiter = this.byOperation.get(operation);
    if (!limiter) {
      limiter = this.create(operation);
      this.byOperation.set(operation, limiter);
    }
    return limiter;
  }

  /** Callers waiting for a token, across operations. */
  get waiting(): number {
    let total = 0;
    for (const limiter of this.byOperation.values()) total += limiter.waiting;
    return total;
  }
}

/** An in-process bucket: for tests, and for a deployment without a shared database. */
export function memoryTokenBucket(perSecond: number, capacity: number): TokenBucket {
  let tokens = 0;
  let last = Date.now();
  const refill = () => {
    const now = Date.now();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * perSecond);
    last = now;
  };
  return {
    async take() {
      refill();
      const level = tokens;
      if (tokens >= 1) tokens -= 1;
      return { ok: level >= 1, level };
    },
    async give() {
      refill();
      tokens = Math.min(capacity, tokens + 1);
    },
  };
}
