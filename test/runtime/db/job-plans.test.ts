import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type PgBoss from 'pg-boss';
import type { Config } from '../../../runtime/config.ts';
import { migrate } from '../../../runtime/db/migrate.ts';
import { createPool, type Pool } from '../../../runtime/db/pool.ts';
import * as q from '../../../runtime/db/queries.ts';
import { BOSS_SCHEMA, startBoss } from '../../../runtime/queue/boss.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.ts';

// The statements every job runs name their job by id. A job's row must then be found through the
// primary key: scanning the index of unfinished jobs instead reads every queued job (dead entries
// too) on every call, which grows with the queue during a burst. Checked on the plans PostgreSQL
// keeps for prepared statements, over a table shaped like a busy one.

const QUEUE = 'DetectDocumentText';
let db: TestDatabase;
let pool: Pool;
let boss: PgBoss;

before(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 2);
  await migrate(pool);
  boss = await startBoss({ jobRetryLimit: 3, jobExpireSeconds: 600 } as Config, db.url, pool, [QUEUE]);
  // Many finished jobs and none unfinished, as statistics see the table between bursts.
  await pool.query(`INSERT INTO jobs (id, function, status, input, queue, created_at, finished_at)
                    SELECT gen_random_uuid(), 'ocr', 'succeeded', '{}'::jsonb, '${QUEUE}', now(), now() FROM generate_series(1, 20000)`);
  await pool.query('VACUUM ANALYZE jobs');
});
after(async () => {
  await boss?.stop({ graceful: false, wait: true, close: true });
  await pool?.end();
  await db?.drop();
});

/** The generic plan PostgreSQL settles on for a prepared statement, as text. */
async function genericPlan(statement: q.Query): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
    await client.query({ name: `plan-${randomUUID()}`, text: `EXPLAIN ${statement.text}`, values: statement.values });
    const { rows } = await client.query({ text: `EXPLAIN ${statement.text}`, values: statement.values });
    return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

const entry = { bossSchema: BOSS_SCHEMA, queue: QUEUE, bossId: randomUUID() };
const byId: [string, q.Query][] = [
  ['finish', q.finishJob({ id: randomUUID(), status: 'succeeded', documentId: null, resultId: null, output: null, error: null }, entry, 'feed')],
  ['progress', q.jobProgress(randomUUID(), 1, 2)],
  ['requeue', q.requeueJob(randomUUID(), { code: 'X' })],
  ['claim', q.claimQueueEntries(BOSS_SCHEMA, QUEUE, 10, 'worker-1', 'feed')],
  [
    'result stored with its end',
    q.storeResult({
      id: randomUUID(),
      sha256: 'sha',
      filename: null,
      contentType: 'image/png',
      bytes: 1,
      pageCount: 1,
      content: null,
      resultId: randomUUID(),
      key: { fn: 'ocr', optionsKey: '', engine: 'textract' },
      options: {},
      payload: '{}',
      words: '[]',
      durationMs: 1,
      tenant: null,
      finish: { jobId: randomUUID(), ...entry, channel: 'feed' },
    }),
  ],
];

for (const [what, statement] of byId) {
  test(`should find the job of a ${what} by its primary key`, async () => {
    const plan = await genericPlan(statement);
    assert.match(plan, /jobs_pkey/, plan);
    assert.doesNotMatch(plan, /jobs_unfinished|Seq Scan on jobs/, plan);
  });
}
