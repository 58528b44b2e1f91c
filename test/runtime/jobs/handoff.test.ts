import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { createBytesHandoff } from '../../../runtime/jobs/handoff.ts';

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('job bytes handoff', () => {
  test('should give a job its bytes once, and nothing for a job it was not given', () => {
    const handoff = createBytesHandoff({ maxBytes: 1000, ttlMs: 60_000 });
    handoff.put('a', bytes(100, 7));
    assert.equal(handoff.take('b'), undefined);
    assert.deepEqual(handoff.take('a'), bytes(100, 7));
    assert.equal(handoff.take('a'), undefined, 'a second claim (a retry) reads the database');
    assert.equal(handoff.held(), 0);
  });

  test('should drop the oldest entries to stay within its byte limit, and never hold one larger than it', () => {
    const handoff = createBytesHandoff({ maxBytes: 250, ttlMs: 60_000 });
    handoff.put('a', bytes(100));
    handoff.put('b', bytes(100));
    handoff.put('c', bytes(100));
    assert.equal(handoff.held(), 200);
    assert.equal(handoff.take('a'), undefined, 'the oldest went to make room');
    assert.ok(handoff.take('b'));
    assert.ok(handoff.take('c'));
    handoff.put('huge', bytes(251));
    assert.equal(handoff.held(), 0);
    assert.equal(handoff.take('huge'), undefined);
  });

  test('should not give out bytes past their age', () => {
    let now = 0;
    const handoff = createBytesHandoff({ maxBytes: 1000, ttlMs: 100, now: () => now });
    handoff.put('a', bytes(10));
    now = 100;
    assert.equal(handoff.take('a'), undefined);
    assert.equal(handoff.held(), 0);
  });

  test('should let go of bytes no claim came for, with no further work to prompt it', async () => {
    const handoff = createBytesHandoff({ maxBytes: 1000, ttlMs: 30 });
    handoff.put('claimed-elsewhere', bytes(500));
    assert.equal(handoff.held(), 500);
    await sleep(120);
    assert.equal(handoff.held(), 0);
  });
});
