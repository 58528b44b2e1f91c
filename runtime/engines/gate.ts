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
  /** Takes up to `count` whole tokens (default 1); `level` is how full the bucket was before. */
  take(count?: number): Promise<{ ok: boolean; granted: number; level: number }>;
  /** Returns `count` tokens (default 1) taken for calls never made. */
  give(count?: number): Promise<void>;
}

/**
 * How long tokens taken ahead of use may wait in a process before they are used or dropped. A
 * busy process takes the tokens its next LEASE_MS of calls will need in one round trip instead
 * of one per call; the shared bucket still hands out every token once. Because a leased token
 * may be spent up to LEASE_MS after it left the bucket, the bucket's burst is smaller by what a
 * lease may hold (leaseCap), so any window still sees at most burst + rate × window calls.
 */
export const LEASE_MS = 100;

/** The most tokens one lease may hold: LEASE_MS of the rate; below 1 (quotas under 10 TPS) no lease, one token per call. */
export function leaseCap(perSecond: number): number {
  return Math.floor((perSecond * LEASE_MS) / 1000);
}

/** The bucket's capacity for a burst of `burstSeconds`, less what leases may hold (see LEASE_MS). */
export function bucketCapacity(perSecond: number, burstSeconds: number): number {
  return Math.max(1, perSecond * burstSeconds - leaseCap(perSecond));
}

/**
 * Paces engine calls to `perSecond` (0 = unlimited) through a shared token bucket. Callers of
 * this process queue locally, sync before event; one pump takes tokens for the head of the
 * queue, sleeping as long as the bucket says the next token needs. Tokens come from the bucket
 * in leases sized to this process's recent demand (see LEASE_MS).
 */
export class RateLimiter {
  private readonly queue = new WaitQueue();
  private pumping = false;
  private leased = 0;
  private leaseEnds = 0;
  private refilling: Promise<number> | null = null;
  // Calls asked for in the current and the previous LEASE_MS: what the next lease should hold.
  private windowStart = 0;
  private askedNow = 0;
  private askedBefore = 0;

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
    const got = () => this.onToken((performance.now() - asked) / 1000, admission.priority);
    this.countDemand();
    if (this.queue.length === 0) {
      if (this.fromLease()) return got();
      await this.refill();
      if (this.queue.length === 0 && this.fromLease()) return got();
    }
    if (admission.deadline !== undefined) {
      const waitMs = ((this.queue.ahead(admission.priority) + 1) / this.perSecond) * 1000;
      if (Date.now() + waitMs > admission.deadline) throw overloaded(waitMs / 1000, 'Textract rate');
    }
    const waiting = this.queue.wait(admission.priority, admission, () => overloaded(1 / this.perSecond, 'Textract rate'));
    void this.pump();
    await waiting;
    got();
  }

  /**
   * Waits for one token like acquire, then takes up to `max - 1` more from the lease at hand: for a
   * caller that can use a batch (the job consumer fetching several jobs in one query). Its demand
   * counts as `max`, so the lease it waits for is sized for the batch. Resolves with how many it got.
   */
  async acquireUpTo(max: number, admission: Admission): Promise<number> {
    if (!this.limited) return max;
    this.countDemand(max - 1);
    await this.acquire(admission);
    return 1 + this.takeLeased(max - 1);
  }

  /** Up to `max` tokens from this process's current lease, without waiting or a round trip. */
  takeLeased(max: number): number {
    if (!this.limited || max <= 0 || Date.now() >= this.leaseEnds) return 0;
    const taken = Math.min(max, this.leased);
    this.leased -= taken;
    return taken;
  }

  /**
   * Gives back tokens taken for calls never made: into the live lease when there is
   * one (no round trip; it expires with the lease like any leased token), else to the shared bucket.
   */
  refund(count = 1): void {
    if (!this.limited || count <= 0) return;
    if (Date.now() < this.leaseEnds) this.leased += count;
    else this.bucket!.give(count).catch(this.onError);
  }

  private countDemand(calls = 1): void {
    const now = Date.now();
    if (now - this.windowStart >= LEASE_MS) {
      this.askedBefore = now - this.windowStart < 2 * LEASE_MS ? this.askedNow : 0;
      this.askedNow = 0;
      this.windowStart = now;
    }
    this.askedNow += calls;
  }

  /** A leased token, unless the lease is spent or too old to be used (its tokens are then dropped). */
  private fromLease(): boolean {
    if (this.leased > 0 && Date.now() < this.leaseEnds) {
      this.leased--;
      return true;
    }
    this.leased = 0;
    return false;
  }

  /** One round trip for a new lease, shared by everyone who found the lease empty; resolves with the bucket's level. */
  private refill(): Promise<number> {
    this.refilling ??= (async () => {
      try {
        const want = Math.min(Math.max(1, leaseCap(this.perSecond)), Math.max(1, this.queue.length, this.askedNow, this.askedBefore));
        const { granted, level } = await this.bucket!.take(want);
        if (granted > 0) {
          // Only an empty lease is refilled, so every leased token is at most LEASE_MS old when used.
          this.leased = granted;
          this.leaseEnds = Date.now() + LEASE_MS;
        }
        return level;
      } finally {
        this.refilling = null;
      }
    })();
    return this.refilling;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        if (this.fromLease()) {
          this.queue.shift()!.resolve();
          continue;
        }
        let waitMs: number;
        try {
          const level = await this.refill();
          if (this.leased > 0) continue;
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
    async take(count = 1) {
      refill();
      const level = tokens;
      const granted = Math.max(0, Math.min(count, Math.floor(level)));
      tokens -= granted;
      return { ok: granted > 0, granted, level };
    },
    async give(count = 1) {
      refill();
      tokens = Math.min(capacity, tokens + count);
    },
  };
}
