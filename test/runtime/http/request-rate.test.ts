import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequestRate } from '../../../runtime/http/request-rate.ts';

test('should allow a burst, then the rate, per tenant, and say when to retry', () => {
  let now = 0;
  const rate = createRequestRate(2, 3, () => now)!;
  const take = (tenant: string) => rate.take(tenant);
  assert.deepEqual([take('a'), take('a'), take('a')].map((d) => d.ok), [true, true, true]);
  assert.deepEqual(take('a'), { ok: false, retryAfterS: 1 });
  assert.equal(take('b').ok, true, "another tenant's bucket is its own");
  now = 499;
  assert.equal(take('a').ok, false);
  now = 500;
  assert.equal(take('a').ok, true, 'one token every 1/rate seconds');
  assert.equal(take('a').ok, false);
  now = 60_000;
  assert.deepEqual([take('a'), take('a'), take('a'), take('a')].map((d) => d.ok), [true, true, true, false], 'idle time refills up to the burst, no more');
});

test('should ask a slow rate to wait whole seconds', () => {
  const rate = createRequestRate(0.25, 1, () => 0)!;
  assert.equal(rate.take('a').ok, true);
  assert.deepEqual(rate.take('a'), { ok: false, retryAfterS: 4 });
});

test('should not limit when the rate is 0', () => {
  assert.equal(createRequestRate(0, 10), null);
});
