import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketCapacity, LEASE_MS, memoryTokenBucket, RateLimiter, Semaphore, type TokenBucket } from '../../../runtime/engines/gate.ts';
import { HttpError } from '../../../runtime/errors.ts';

describe('Semaphore', () => {
  test('should serve waiting sync callers before queued events', async () => {
    const slots = new Semaphore(1);
    const release = await slots.acquire({ priority: 'event' });
    const order: string[] = [];
    const event = slots.acquire({ priority: 'event' }).then((r) => (order.push('event'), r));
    const sync = slots.acquire({ priority: 'sync' }).then((r) => (order.push('sync'), r));
    release();
    (await sync)();
    (await event)();
    assert.deepEqual(order, ['sync', 'event']);
    assert.equal(slots.inUse, 0);
  });

  test('should refuse with OVERLOADED and Retry-After when the wait would pass the deadline', async () => {
    const slots = new Semaphore(1);
    const release = await slots.acquire({ priority: 'sync' });
    await assert.rejects(slots.acquire({ priority: 'sync', deadline: Date.now() + 50 }), (err: HttpError) => {
      assert.equal(err.status, 503);
      assert.equal(err.code, 'OVERLOADED');
      assert.ok(Number(err.headers?.['retry-after']) >= 1);
      return true;
    });
    release();
    assert.equal(slots.waiting, 0, 'the refused caller left no waiter behind');
  });

  test('should drop a waiter whose request was aborted', async () => {
    const slots = new Semaphore(1);
    const release = await slots.acquire({ priority: 'sync' });
    const controller = new AbortController();
    const waiting = slots.acquire({ priority: 'sync', signal: controller.signal });
    controller.abort(new Error('client went away'));
    await assert.rejects(waiting, /client went away/);
    release();
    assert.equal(slots.inUse, 0);
  });
});

describe('RateLimiter', () => {
  test('should let callers through while the bucket has tokens, then pace them', async () => {
    const rate = new RateLimiter(memoryTokenBucket(4, 2), 4);
    await new Promise((r) => setTimeout(r, 600)); // fill the bucket to its capacity of 2
    const started = Date.now();
    await rate.acquire({ priority: 'event' });
    await rate.acquire({ priority: 'event' });
    await rate.acquire({ priority: 'event' });
    assert.ok(Date.now() - started >= 150, 'the third token arrives after 1/rate seconds, not before');
  });

  test('should serve waiting sync callers before queued events', async () => {
    const rate = new RateLimiter(memoryTokenBucket(20, 1), 20);
    const order: string[] = [];
    const first = rate.acquire({ priority: 'event' }).then(() => order.push('event-1'));
    const second = rate.acquire({ priority: 'event' }).then(() => order.push('event-2'));
    const sync = rate.acquire({ priority: 'sync' }).then(() => order.push('sync'));
    await Promise.all([first, second, sync]);
    assert.equal(order.indexOf('sync') < order.indexOf('event-2'), true, order.join(','));
  });

  test('should give a refunded token to the next caller', async () => {
    const bucket = memoryTokenBucket(0.001, 1);
    const rate = new RateLimiter(bucket, 0.001);
    assert.equal((await bucket.take()).ok, false);
    rate.refund();
    await new Promise((r) => setImmediate(r));
    assert.equal((await bucket.take()).ok, true);
  });

  test('should keep a token refunded while its lease lasts in the lease, not the bucket', async () => {
    const bucket = memoryTokenBucket(1000, 1000);
    await new Promise((r) => setTimeout(r, 50)); // ~50 tokens in the bucket
    const rate = new RateLimiter(bucket, 1000);
    await rate.acquire({ priority: 'event' }); // leases up to LEASE_MS of the rate
    const extra = rate.takeLeased(1_000);
    assert.ok(extra >= 0);
    assert.equal(rate.takeLeased(1_000), 0, 'the lease is spent');
    const inBucket = (await bucket.take(0)).level;
    rate.refund();
    assert.equal(rate.takeLeased(5), 1, 'the refunded token is at hand again without a round trip');
    assert.ok((await bucket.take(0)).level - inBucket < 1, 'and was not also given to the bucket');
  });

  test('should lease for a batch and hand it out at once', async () => {
    const bucket = memoryTokenBucket(1000, 1000);
    await new Promise((r) => setTimeout(r, 60)); // ~60 tokens in the bucket
    const rate = new RateLimiter(bucket, 1000);
    const got = await rate.acquireUpTo(20, { priority: 'event' });
    assert.equal(got, 20);
    assert.equal(await new RateLimiter(null, 0).acquireUpTo(7, { priority: 'event' }), 7, 'unlimited: the whole batch');
  });

  test('should take no leased tokens when the rate is unlimited or nothing is leased', async () => {
    assert.equal(new RateLimiter(null, 0).takeLeased(10), 0);
    assert.equal(new RateLimiter(memoryTokenBucket(10, 10), 10).takeLeased(10), 0);
  });

  test('should refuse a sync caller whose wait for a token would pass its deadline', async () => {
    const rate = new RateLimiter(memoryTokenBucket(0.5, 1), 0.5);
    await assert.rejects(rate.acquire({ priority: 'sync', deadline: Date.now() + 100 }), (err: HttpError) => err.code === 'OVERLOADED');
    assert.equal(rate.waiting, 0);
  });

  test('should not limit at all without a bucket', async () => {
    const rate = new RateLimiter(null, 0);
    for (let i = 0; i < 100; i++) await rate.acquire({ priority: 'event' });
    assert.equal(rate.limited, false);
  });

  test('should take the tokens of a burst in a few leases at a high quota, each token once', async () => {
    const bucket = countingBucket(200);
    const rate = new RateLimiter(bucket, 1000);
    await Promise.all(Array.from({ length: 60 }, () => rate.acquire({ priority: 'sync' })));
    assert.ok(bucket.takes <= 4, `${bucket.takes} round trips for 60 calls`);
    assert.ok(bucket.granted >= 60 && bucket.granted <= 60 + 100, `${bucket.granted} tokens left the bucket: the calls' and at most one lease more`);
    assert.equal(bucket.left + bucket.granted, 200, 'no token was made up');
  });

  test('should take one token per call at quotas under 10 TPS, as without leases', async () => {
    const bucket = countingBucket(20);
    const rate = new RateLimiter(bucket, 9.7);
    await Promise.all(Array.from({ length: 5 }, () => rate.acquire({ priority: 'event' })));
    assert.equal(bucket.granted, 5);
    assert.equal(bucket.takes, 5);
  });

  test('should drop leased tokens not used within LEASE_MS rather than spend them late', async () => {
    const bucket = countingBucket(100);
    const rate = new RateLimiter(bucket, 1000);
    await Promise.all(Array.from({ length: 10 }, () => rate.acquire({ priority: 'sync' })));
    const leftOver = bucket.granted - 10;
    await new Promise((r) => setTimeout(r, LEASE_MS + 20));
    const before = bucket.takes;
    await rate.acquire({ priority: 'sync' });
    assert.equal(bucket.takes, before + 1, `the ${leftOver} left in the lease were too old`);
  });

  test('should shrink the shared burst by what a lease may hold', () => {
    assert.equal(bucketCapacity(9.7, 0.5), 9.7 * 0.5, 'no lease below 10 TPS: the burst is unchanged');
    assert.equal(bucketCapacity(2000, 0.5), 1000 - 200);
    assert.equal(bucketCapacity(12, 0.05), 1, 'never below one token');
  });
});

/** A bucket holding `tokens` that never refills, counting round trips and tokens handed out. */
function countingBucket(tokens: number): TokenBucket & { takes: number; granted: number; left: number } {
  const bucket = {
    takes: 0,
    granted: 0,
    left: tokens,
    async take(count = 1) {
      bucket.takes++;
      const level = bucket.left;
      const granted = Math.min(count, Math.floor(level));
      bucket.left -= granted;
      bucket.granted += granted;
      return { ok: granted > 0, granted, level };
    },
    async give() {
      bucket.left++;
    },
  };
  return bucket;
}
