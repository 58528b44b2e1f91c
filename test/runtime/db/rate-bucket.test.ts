import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from '../../../runtime/db/migrate.ts';
import { createPool, type Pool } from '../../../runtime/db/pool.ts';
import { pgTokenBucket } from '../../../runtime/db/rate-bucket.ts';
import * as q from '../../../runtime/db/queries.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.ts';

let db: TestDatabase;
let pool: Pool;
before(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 4);
  await migrate(pool);
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

test('should share one bucket between every process on the database', async () => {
  // A refill so slow that it cannot change the counts during the test.
  await pool.query(q.ensureQuotaRows(['AnalyzeDocument']));
  await pool.query(`UPDATE textract_quota SET tokens = 3, updated_at = now() WHERE operation = 'AnalyzeDocument'`);
  const a = pgTokenBucket(pool, 'AnalyzeDocument', 0.0001, 3);
  const b = pgTokenBucket(pool, 'AnalyzeDocument', 0.0001, 3);
  const takes = await Promise.all([a.take(), b.take(), a.take(), b.take(), a.take()]);
  assert.equal(takes.filter((t) => t.ok).length, 3, 'three tokens, whoever asks');
  const refused = takes.find((t) => !t.ok)!;
  assert.ok(refused.level < 1);
  await b.give();
  assert.equal((await a.take()).ok, true, 'a token given back by one process is taken by another');
  assert.equal((await a.take()).ok, false);
});

test('should keep each Textract operation in a bucket of its own', async () => {
  await pool.query(q.ensureQuotaRows(['AnalyzeExpense', 'AnalyzeID']));
  await pool.query(`UPDATE textract_quota SET tokens = 1, updated_at = now() WHERE operation IN ('AnalyzeExpense', 'AnalyzeID')`);
  const expense = pgTokenBucket(pool, 'AnalyzeExpense', 0.0001, 1);
  const id = pgTokenBucket(pool, 'AnalyzeID', 0.0001, 1);
  assert.equal((await expense.take()).ok, true);
  assert.equal((await expense.take()).ok, false, 'the expense bucket is empty');
  assert.equal((await id.take()).ok, true, 'an empty expense bucket leaves AnalyzeID its own quota');
});

test('should start an emptied bucket again, as after a PostgreSQL crash empties the unlogged table', async () => {
  const persistence = (await pool.query(`SELECT relpersistence FROM pg_class WHERE relname = 'textract_quota'`)).rows[0].relpersistence;
  assert.equal(persistence, 'u', 'textract_quota is unlogged: a take commits without a WAL flush');
  await pool.query(q.ensureQuotaRows(['DetectDocumentText']));
  await pool.query('TRUNCATE textract_quota');
  const bucket = pgTokenBucket(pool, 'DetectDocumentText', 1000, 5);
  assert.equal((await bucket.take()).ok, false, 'the recreated row starts empty');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await bucket.take()).ok, true, 'and refills at its rate');
});

test('should hand out several whole tokens in one take, never more than the bucket holds', async () => {
  await pool.query(q.ensureQuotaRows(['AnalyzeDocument']));
  await pool.query(`UPDATE textract_quota SET tokens = 3.5, updated_at = now() WHERE operation = 'AnalyzeDocument'`);
  const a = pgTokenBucket(pool, 'AnalyzeDocument', 0.0001, 10);
  const first = await a.take(5);
  assert.equal(first.granted, 3, 'the three whole tokens of 3.5');
  assert.ok(first.ok);
  const second = await a.take(5);
  assert.equal(second.granted, 0);
  assert.ok(second.level < 1);
});
