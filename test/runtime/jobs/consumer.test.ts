import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type PgBoss from 'pg-boss';
import type { Services } from '../../../runtime/define.ts';
import type { Pool } from '../../../runtime/db/pool.ts';
import { Semaphore } from '../../../runtime/engines/gate.ts';
import { startConsumer } from '../../../runtime/jobs/consumer.ts';
import { createLogger } from '../../../runtime/log.ts';

const log = createLogger().child({}, { level: 'silent' });

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

// The presence sweep hands back a job the database says this process holds but the process does
// not run. A claim commits (the job is running here, in the database) a moment before the process
// counts the job, so the sweep first waits for claimsCounted(): these tests hold that guarantee.
describe('job consumer', () => {
  const consumerWith = (claim: Promise<{ rows: unknown[] }>, settle: Promise<void>) => {
    let claims = 0;
    const db = {
      query: (statement: { name?: string }) => {
        assert.match(statement.name ?? '', /^claim-queue-entries:/, 'the lane only claims');
        // The first claim is the test's; later ones find the queue empty.
        return claims++ === 0 ? claim : Promise.resolve({ rows: [] });
      },
    } as unknown as Pool;
    const boss = { complete: () => settle } as unknown as PgBoss;
    const services = { db, workerId: 'w-test', gate: { slots: new Semaphore(4), rates: { for: () => null } } } as unknown as Services;
    return startConsumer({ services, boss, functions: new Map(), log, maxInFlight: 4, lanes: [{ queue: 'invoke', operation: null }], pollMs: 60_000 });
  };
  // An entry whose job another run finished already: its run only settles the entry, which the
  // test holds open, so the job stays in runningJobs() until then.
  const settledEntry = (jobId: string) => ({
    entry_id: randomUUID(), entry_queue: 'invoke', entry_data: { jobId }, entry_retry_count: 0, entry_retry_limit: 2,
    id: null, notified: null,
  });

  test('should count a claimed job as running before claimsCounted() resolves, and only then', async () => {
    const claim = deferred<{ rows: unknown[] }>();
    const settle = deferred<void>();
    const consumer = consumerWith(claim.promise, settle.promise);
    await tick();
    let counted = false;
    const counting = consumer.claimsCounted().then(() => (counted = true));
    await tick();
    await tick();
    assert.equal(counted, false, 'a claim still in flight is waited for');

    const jobId = randomUUID();
    claim.resolve({ rows: [settledEntry(jobId)] });
    await counting;
    assert.deepEqual([...consumer.runningJobs()], [jobId], 'the claimed job is counted by the time the wait ends');
    assert.equal(consumer.running(), 1);

    settle.resolve();
    const stopped = consumer.stop(1_000);
    await stopped;
    assert.equal(consumer.running(), 0);
    assert.deepEqual([...consumer.runningJobs()], [], 'a settled job is no longer counted');
  });

  test('should resolve claimsCounted() at once when no claim is in flight, and after a failed claim', async () => {
    const claim = deferred<{ rows: unknown[] }>();
    const consumer = consumerWith(
      claim.promise.then(() => Promise.reject(new Error('connection lost'))),
      Promise.resolve(),
    );
    await tick();
    let counted = false;
    const counting = consumer.claimsCounted().then(() => (counted = true));
    await tick();
    assert.equal(counted, false);
    claim.resolve({ rows: [] });
    await counting;
    assert.deepEqual([...consumer.runningJobs()], []);
    await consumer.claimsCounted(); // nothing in flight: resolves at once
    await consumer.stop(1_000);
  });
});
