import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type PgBoss from 'pg-boss';
import { routes } from '../../../functions.config.ts';
import { loadConfig } from '../../../runtime/config.ts';
import { createPool, type Pool } from '../../../runtime/db/pool.ts';
import { CALLBACK_QUEUE, startBoss } from '../../../runtime/queue/boss.ts';
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
