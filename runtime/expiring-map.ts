// A Map whose entries expire after a fixed time and whose total size is capped: the shape of every
// short-lived, per-process cache here (recent results, the bytes of jobs about to be claimed).
// Every entry lives equally long, so insertion order is expiry order and the oldest entry is
// always the first: expiry and eviction both drop from the front.

export interface ExpiringMapOptions<V> {
  ttlMs: number;
  /** The most the entries may weigh together (sizeOf summed). */
  maxSize: number;
  /** Entries heavier than this are not kept (one huge entry must not flush the rest). */
  maxEntrySize: number;
  sizeOf: (value: V) => number;
  /**
   * Drop expired entries on a timer too, not only when the map is next used: for values that
   * must not outlive a quiet spell (the timer is unref'd and runs only while entries are held).
   */
  sweep?: boolean;
}

export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private weight = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ExpiringMapOptions<V>) {}

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.drop(key);
      return undefined;
    }
    return entry.value;
  }

  /** The value, removed: for an entry meant to be used once. */
  take(key: string, now = Date.now()): V | undefined {
    const value = this.get(key, now);
    if (value !== undefined) this.drop(key);
    return value;
  }

  set(key: string, value: V, now = Date.now()): void {
    const size = this.options.sizeOf(value);
    if (size > this.options.maxEntrySize) return;
    this.drop(key);
    this.entries.set(key, { value, expires: now + this.options.ttlMs });
    this.weight += size;
    // Expired ones first, then whatever the cap needs.
    for (const [k, e] of this.entries) {
      if (this.weight <= this.options.maxSize && e.expires > now) break;
      this.drop(k);
    }
    if (this.options.sweep) this.scheduleSweep();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entries' weight together. */
  get held(): number {
    return this.weight;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.weight -= this.options.sizeOf(entry.value);
  }

  private scheduleSweep(): void {
    if (this.timer || this.entries.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = Date.now();
      for (const [k, e] of this.entries) {
        if (e.expires > now) break;
        this.drop(k);
      }
      this.scheduleSweep();
    }, this.options.ttlMs);
    this.timer.unref();
  }
}
