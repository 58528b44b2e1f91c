import { httpError } from '../errors.ts';

// Admission to the engine: a per-process cap on calls in flight (ENGINE_CONCURRENCY) and this
// process's share of the cluster-wide Textract rate (TEXTRACT_TPS). Sync requests are served
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

/** Token bucket; rate 0 means unlimited. */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private readonly queue = new WaitQueue();

  constructor(private rate: number, private readonly burstSeconds = 1) {
    this.tokens = this.capacity;
  }

  private get capacity(): number {
    return Math.max(1, this.rate * this.burstSeconds);
  }

  get perSecond(): number {
    return this.rate;
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.tokens = Math.min(this.tokens, this.capacity);
    this.schedule();
  }

  /** Whether a call could start now without waiting: the queue consumer polls this. */
  available(): boolean {
    if (this.rate <= 0) return true;
    this.refill();
    return this.queue.length === 0 && this.tokens >= 1;
  }

  /** Milliseconds until a token would be free for a newcomer. */
  msUntilAvailable(): number {
    if (this.rate <= 0) return 0;
    this.refill();
    const deficit = this.queue.length + 1 - this.tokens;
    return deficit <= 0 ? 0 : (deficit / this.rate) * 1000;
  }

  /** Gives back a token taken for a call that was never made. */
  refund(): void {
    if (this.rate <= 0) return;
    this.refill();
    this.tokens = Math.min(this.capacity, this.tokens + 1);
    this.schedule();
  }

  async acquire(admission: Admission): Promise<void> {
    admission.signal?.throwIfAborted();
    if (this.rate <= 0) return;
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return;
    }
    if (admission.deadline !== undefined) {
      const waitMs = ((this.queue.ahead(admission.priority) + 1 - this.tokens) / this.rate) * 1000;
      if (Date.now() + waitMs > admission.deadline) throw overloaded(waitMs / 1000, 'Textract rate');
    }
    const waiting = this.queue.wait(admission.priority, admission, () => overloaded(1 / this.rate, 'Textract rate'));
    this.schedule();
    await waiting;
  }

  private refill(): void {
    const now = Date.now();
    if (this.rate > 0) this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.refill();
    const waitMs = this.rate <= 0 ? 0 : Math.max(0, ((1 - this.tokens) / this.rate) * 1000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
      while (this.queue.length > 0 && (this.rate <= 0 || this.tokens >= 1)) {
        if (this.rate > 0) this.tokens -= 1;
        this.queue.shift()!.resolve();
      }
      this.schedule();
    }, Math.ceil(waitMs));
  }
}
