// RATE_LIMIT_PER_KEY: a token bucket per tenant, so one client's burst is refused with 429 before
// it costs more than its share, and the others' requests go on at their own pace. Each process
// keeps its own buckets (a check costs no database round trip): a client whose connections reach
// all WORKERS processes may send up to WORKERS times the rate. Tenants are the configured key
// names, so the map cannot grow with what clients send.

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

export interface RequestRate {
  take(tenant: string): RateDecision;
}

export function createRequestRate(perSecond: number, burst: number, now: () => number = performance.now.bind(performance)): RequestRate | null {
  if (perSecond <= 0) return null;
  const capacity = Math.max(1, burst);
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(tenant) {
      const t = now();
      let bucket = buckets.get(tenant);
      if (!bucket) {
        bucket = { tokens: capacity, at: t };
        buckets.set(tenant, bucket);
      }
      bucket.tokens = Math.min(capacity, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
      bucket.at = t;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      // Whole seconds (Retry-After's unit), rounded up: retrying sooner would be refused again.
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
    },
  };
}
