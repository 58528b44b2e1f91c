import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RateLimiter, Semaphore } from '../../../runtime/engines/gate.ts';
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
  test('should let a burst through up to its capacity, then make callers wait', async () => {
    const rate = new RateLimiter(4, 0.5);
    await rate.acquire({ priority: 'event' });
    await rate.acquire({ priority: 'event' });
    assert.equal(rate.available(), false);
    assert.ok(rate.msUntilAvailable() > 0);
    const started = Date.now();
    await rate.acquire({ priority: 'event' });
    assert.ok(Date.now() - started >= 150, 'a token arrives after 1/rate seconds, not before');
  });

  test('should give a refunded token to the next caller', async () => {
    const rate = new RateLimiter(1, 1);
    await rate.acquire({ priority: 'event' });
    assert.equal(rate.available(), false);
    rate.refund();
    assert.equal(rate.available(), true);
  });

  test('should refuse a sync caller whose wait for a token would pass its deadline', async () => {
    const rate = new RateLimiter(0.5, 1);
    await rate.acquire({ priority: 'sync' });
    await assert.rejects(rate.acquire({ priority: 'sync', deadline: Date.now() + 100 }), (err: HttpError) => err.code === 'OVERLOADED');
  });

  test('should not limit at all when the rate is 0', async () => {
    const rate = new RateLimiter(0);
    for (let i = 0; i < 100; i++) await rate.acquire({ priority: 'event' });
    assert.equal(rate.available(), true);
  });
});
