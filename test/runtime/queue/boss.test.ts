import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type PgBoss from 'pg-boss';
import { routes } from '../../../functions.config.ts';
import { loadConfig } from '../../../runtime/config.ts';
import { migrate } from '../../../runtime/db/migrate.ts';
import { createPool, type Pool } from '../../../runtime/db/pool.ts';
import * as q from '../../../runtime/db/queries.ts';
import { BOSS_SCHEMA, CALLBACK_QUEUE, startBoss } from '../../../runtime/queue/boss.ts';
import { lanesOf } from '../../../runtime/queue/lanes.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.ts';

let db: TestDatabase;
const bosses: PgBoss[] = [];
const pools: Pool[] = [];

before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await Promise.all(bosses.map((b) => b.stop({ graceful: false, wait: true })));
  await Promise.all(pools.map((p) => p.end()));
  await db?.drop();
});

test('should start the queue in eight processes at once on a fresh database without a deadlock', async () => {
  const config = loadConfig({});
  // Four workers per machine start together (two machines here); on a fresh database their
  // queue creation deadlocked in pg-boss (40P01) and crashed most of them. Eight make the race
  // show on every run without the lock; four only on some.
  const queues = lanesOf(routes.map((r) => r.function)).map((l) => l.queue);
  const results = await Promise.allSettled(
    Array.from({ length: 8 }, () => {
      const pool = createPool(db.url, 2);
      pools.push(pool);
      return startBoss(config, db.url, pool, queues);
    }),
  );
  for (const r of results) if (r.status === 'fulfilled') bosses.push(r.value);
  assert.deepEqual(
    results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'started')),
    Array(8).fill('started'),
  );
  for (const name of [...queues, CALLBACK_QUEUE]) assert.ok(await bosses[0]!.getQueue(name), `queue ${name}`);
});

test('should fetch ready queue entries oldest first, each once, and leave the rest to pg-boss', async () => {
  // Entries without a job row (any data pg-boss was given) come back unclaimed.
  const boss = bosses[0]!;
  const pool = pools[0]!;
  await migrate(pool);
  const queue = lanesOf(routes.map((r) => r.function))[0]!.queue;
  const fetch = async (limit: number) => (await pool.query(q.claimQueueEntries(BOSS_SCHEMA, queue, limit, 'worker-1', 'feed'))).rows.map(q.claimedEntry);
  assert.deepEqual(await fetch(5), [], 'an empty queue');

  const sent: string[] = [];
  for (const jobId of ['first', 'second', 'third']) sent.push((await boss.send(queue, { jobId }))!);
  const later = await boss.send(queue, { jobId: 'later' }, { startAfter: 3600 });

  // The two oldest (in no particular order, as pg-boss's own fetch returns them).
  const two = (await fetch(2)).sort((a, b) => sent.indexOf(a.id) - sent.indexOf(b.id));
  assert.deepEqual(two.map((e) => e.data.jobId), ['first', 'second']);
  assert.deepEqual(two.map((e) => e.id), sent.slice(0, 2));
  assert.equal(two[0]!.name, queue);
  assert.equal(two[0]!.retryCount, 0);
  assert.equal(two[0]!.retryLimit, (await boss.getQueue(queue))!.retryLimit);
  assert.deepEqual(two.map((e) => e.job), [null, null]);
  assert.equal((await boss.getJobById(queue, sent[0]!))!.state, 'active');
  // Neither taken again, nor the entry that is not due yet.
  assert.deepEqual((await fetch(5)).map((e) => e.data.jobId), ['third']);
  assert.deepEqual(await fetch(5), []);
  assert.equal((await boss.getJobById(queue, later!))!.state, 'created');

  // pg-boss's own completion and retry work on what was fetched; a retried entry counts its retry.
  await boss.complete(queue, sent[0]!);
  assert.equal((await boss.getJobById(queue, sent[0]!))!.state, 'completed');
  await boss.fail(queue, sent[1]!, { code: 'TEST' });
  await pool.query(`UPDATE ${BOSS_SCHEMA}.job SET start_after = now() WHERE id = $1`, [sent[1]]);
  const retried = await fetch(5);
  assert.deepEqual(retried.map((e) => [e.data.jobId, e.retryCount]), [['second', 1]]);
});
