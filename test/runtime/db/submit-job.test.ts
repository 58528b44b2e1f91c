import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import type { Config } from '../../../runtime/config.ts';
import { migrate } from '../../../runtime/db/migrate.ts';
import { createPool, type Pool } from '../../../runtime/db/pool.ts';
import * as q from '../../../runtime/db/queries.ts';
import { jobEvent, jobNotice } from '../../../runtime/jobs/job-json.ts';
import { BOSS_SCHEMA, startBoss } from '../../../runtime/queue/boss.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.ts';

// submitJob writes a job's queue entry itself (to accept a job in one statement) and builds the
// job feed's event in SQL: both must stay what pg-boss's send() and jobEvent() make.

const QUEUE = 'DetectDocumentText';
let db: TestDatabase;
let pool: Pool;
let boss: PgBoss;
let listener: pg.Client;
const notices: { channel: string; payload: string }[] = [];

before(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 4);
  await migrate(pool);
  boss = await startBoss({ jobRetryLimit: 3, jobExpireSeconds: 600 } as Config, db.url, pool, [QUEUE]);
  listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  listener.on('notification', (n) => notices.push({ channel: n.channel, payload: n.payload ?? '' }));
  await listener.query('LISTEN feed; LISTEN wake');
});
after(async () => {
  await listener?.end();
  await boss?.stop({ graceful: false, wait: true, close: true });
  await pool?.end();
  await db?.drop();
});

const submission = (over: { tenant?: string | null; content?: Buffer; wake?: boolean; queue?: string } = {}) => {
  const content = over.content ?? Buffer.from(`png ${randomUUID()}`);
  return q.submitJob(
    {
      id: randomUUID(),
      fn: 'ocr',
      queue: over.queue ?? QUEUE,
      bossId: randomUUID(),
      input: { body: null, params: {}, query: {} },
      idempotencyKey: null,
      callbackUrl: null,
      tenant: over.tenant ?? null,
      document: { id: randomUUID(), sha256: `sha-${content.toString('hex')}`, filename: 'a.png', contentType: 'image/png', content },
    },
    { bossSchema: BOSS_SCHEMA, jobChannel: 'feed', wakeChannel: over.wake ? 'wake' : null },
  );
};

const entryColumns = `name, priority, state, retry_limit, retry_delay, retry_backoff, expire_in, policy, dead_letter,
  singleton_key, singleton_on, keep_until - start_after AS kept, data`;

async function settled(count: number): Promise<void> {
  for (let i = 0; i < 100 && notices.length < count; i++) await new Promise((r) => setTimeout(r, 20));
}

/** Waits for the notice of `jobId` reaching `status` (other tests' jobs may be heard meanwhile). */
async function heard(jobId: string, status: string): Promise<void> {
  const told = () => notices.some((n) => n.payload.includes(jobId) && n.payload.includes(`"status":"${status}"`));
  for (let i = 0; i < 100 && !told(); i++) await new Promise((r) => setTimeout(r, 20));
}

test('should write the queue entry exactly as pg-boss send() does', async () => {
  const sent = await boss.send(QUEUE, { jobId: 'x' }, { id: randomUUID() });
  const statement = submission();
  const row = (await pool.query(statement)).rows[0];
  const ours = (await pool.query(`SELECT ${entryColumns} FROM ${BOSS_SCHEMA}.job WHERE id = $1`, [statement.values[6]])).rows[0];
  const theirs = (await pool.query(`SELECT ${entryColumns} FROM ${BOSS_SCHEMA}.job WHERE id = $1`, [sent])).rows[0];
  assert.deepEqual({ ...ours, data: null }, { ...theirs, data: null });
  assert.deepEqual(ours.data, { jobId: row.id });
  assert.equal(ours.retry_limit, 3);
  // The entry is fetched like any other.
  const fetched = await boss.fetch<{ jobId: string }>(QUEUE, { batchSize: 10 });
  assert.ok(fetched?.some((j) => j.data.jobId === row.id));
});

test('should notify the job feed with the event jobEvent() makes, and wake only when asked', async () => {
  notices.length = 0;
  const row = (await pool.query(submission({ tenant: 'acme' }))).rows[0];
  await settled(1);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(notices.map((n) => n.channel), ['feed']);
  const expected = jobNotice('acme', jobEvent({ ...row, error: null }));
  const [tenant, event] = notices[0]!.payload.split('\n');
  assert.equal(tenant, 'acme');
  assert.deepEqual(JSON.parse(event!), JSON.parse(expected.split('\n')[1]!));

  notices.length = 0;
  await pool.query(submission({ wake: true }));
  await settled(2);
  assert.deepEqual(notices.map((n) => [n.channel, n.channel === 'wake' ? n.payload : ''].join(':')).sort(), ['feed:', `wake:${QUEUE}`]);
  assert.equal(notices.find((n) => n.channel === 'feed')!.payload.split('\n')[0], '', 'no tenant: an empty first line');
});

test('should keep one document per content, and name it in the second job and its event', async () => {
  const content = Buffer.from(`same ${randomUUID()}`);
  const first = (await pool.query(submission({ content }))).rows[0];
  notices.length = 0;
  const second = (await pool.query(submission({ content }))).rows[0];
  assert.equal(second.document_id, first.document_id);
  await settled(1);
  assert.equal(JSON.parse(notices[0]!.payload.split('\n')[1]!).documentId, first.document_id);
  const stored = (await pool.query(`SELECT count(*)::int AS n, max(bytes) AS bytes FROM documents WHERE id = $1`, [first.document_id])).rows[0];
  assert.deepEqual(stored, { n: 1, bytes: content.length });
});

test('should accept nothing when the queue does not exist', async () => {
  const statement = submission({ queue: 'no-such-queue' });
  assert.equal((await pool.query(statement)).rows.length, 0);
  assert.equal((await pool.query(`SELECT count(*)::int AS n FROM jobs WHERE id = $1`, [statement.values[0]])).rows[0].n, 0);
});

const claim = async (jobId: string) => {
  const entries = (await pool.query(q.claimQueueEntries(BOSS_SCHEMA, QUEUE, 100, 'worker-1', 'feed'))).rows.map(q.claimedEntry);
  return entries.find((e) => e.data.jobId === jobId);
};

test('should claim a fetched job for the worker, tell subscribers it runs, and carry its document', async () => {
  const content = Buffer.from(`claimed ${randomUUID()}`);
  const statement = submission({ tenant: 'acme', content });
  const submitted = (await pool.query(statement)).rows[0];
  await heard(submitted.id, 'queued');
  notices.length = 0;
  const entry = await claim(submitted.id);
  assert.ok(entry?.job, 'the job comes with its entry');
  assert.equal(entry.id, statement.values[6], 'the entry submitJob wrote');
  assert.equal(entry.name, QUEUE);
  const { job } = entry;
  assert.deepEqual(
    { id: job.id, function: job.function, attempts: job.attempts, tenant: job.tenant, document_id: job.document_id, sha256: job.document_sha256 },
    { id: submitted.id, function: 'ocr', attempts: 1, tenant: 'acme', document_id: submitted.document_id, sha256: `sha-${content.toString('hex')}` },
  );
  assert.deepEqual(job.input, { body: null, params: {}, query: {} });
  assert.ok(job.started_at instanceof Date && job.waited_s >= 0);
  const row = (await pool.query(`SELECT status, worker_id, boss_id FROM jobs WHERE id = $1`, [submitted.id])).rows[0];
  assert.deepEqual(row, { status: 'running', worker_id: 'worker-1', boss_id: entry.id });
  assert.equal((await boss.getJobById(QUEUE, entry.id))!.state, 'active');
  // The bytes are read only when asked for.
  assert.deepEqual((await pool.query(q.documentContent(job.document_id!))).rows[0].content, content);
  await heard(submitted.id, 'running');
  const stored = (await pool.query(`SELECT * FROM jobs WHERE id = $1`, [submitted.id])).rows[0];
  const told = notices.filter((n) => n.payload.includes(submitted.id));
  assert.deepEqual(told.map((n) => n.channel), ['feed']);
  assert.equal(told[0]!.payload, jobNotice('acme', jobEvent(stored)));
});

test('should hand back the entry of a job that finished already, without claiming it again', async () => {
  const submitted = (await pool.query(submission())).rows[0];
  const first = await claim(submitted.id);
  await pool.query(
    q.finishJob({ id: submitted.id, status: 'failed', documentId: null, resultId: null, output: null, error: { code: 'X', message: 'x' } }, { bossSchema: BOSS_SCHEMA, queue: QUEUE, bossId: first!.id }, 'feed'),
  );
  // Delivered again (as after a reclaim): the entry comes back, its job does not.
  await pool.query(`UPDATE ${BOSS_SCHEMA}.job SET state = 'retry', start_after = now() WHERE id = $1`, [first!.id]);
  notices.length = 0;
  const again = await claim(submitted.id);
  assert.equal(again?.id, first!.id);
  assert.equal(again.job, null);
  assert.equal((await pool.query(`SELECT status FROM jobs WHERE id = $1`, [submitted.id])).rows[0].status, 'failed');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(notices.filter((n) => n.payload.includes(submitted.id)), [], 'no event for a job that did not change');
});

test('should complete the queue entry as the job finishes, as pg-boss complete() does', async () => {
  const row = (await pool.query(submission())).rows[0];
  const entry = await claim(row.id);
  assert.ok(entry?.job, 'the submitted job was claimed');
  const finished = await pool.query(
    q.finishJob({ id: row.id, status: 'succeeded', documentId: null, resultId: null, output: null, error: null }, { bossSchema: BOSS_SCHEMA, queue: QUEUE, bossId: entry.id }, 'feed'),
  );
  assert.equal(finished.rows[0].status, 'succeeded');
  const queued = await boss.getJobById(QUEUE, entry.id);
  assert.equal(queued!.state, 'completed');
  assert.ok(queued!.completedOn, 'with its completion time');
});

const stored = (over: { tenant?: string | null; finish?: Parameters<typeof q.storeResult>[0]['finish'] } = {}) =>
  q.storeResult({
    id: randomUUID(),
    sha256: `sha-${randomUUID()}`,
    filename: 'scan.png',
    contentType: 'image/png',
    bytes: 10,
    pageCount: 1,
    content: null,
    resultId: randomUUID(),
    key: { fn: 'ocr', optionsKey: 'k', engine: 'textract' },
    options: {},
    payload: '{"text":"hello"}',
    words: '[]',
    durationMs: 5,
    tenant: over.tenant ?? null,
    finish: over.finish,
  });

test('should end a queued job in the statement that stores its fresh result, as finishJob would', async () => {
  const submitted = (await pool.query(submission({ tenant: 'acme' }))).rows[0];
  const entry = await claim(submitted.id);
  await heard(submitted.id, 'running');
  notices.length = 0;
  const end = { jobId: submitted.id, bossSchema: BOSS_SCHEMA, queue: QUEUE, bossId: entry!.id, channel: 'feed' };
  const row = (await pool.query(stored({ tenant: 'acme', finish: end }))).rows[0];
  assert.equal(row.finished, true);
  const job = (await pool.query(`SELECT * FROM jobs WHERE id = $1`, [submitted.id])).rows[0];
  assert.deepEqual(
    { status: job.status, document_id: job.document_id, result_id: job.result_id, output: job.output, error: job.error, worker_id: job.worker_id },
    { status: 'succeeded', document_id: row.document_id, result_id: row.result_id, output: { cached: false }, error: null, worker_id: null },
  );
  assert.ok(job.finished_at instanceof Date);
  assert.equal((await boss.getJobById(QUEUE, entry!.id))!.state, 'completed');
  await heard(submitted.id, 'succeeded');
  const told = notices.filter((n) => n.payload.includes(submitted.id));
  assert.deepEqual(told.map((n) => n.payload), [jobNotice('acme', jobEvent(job))]);

  // Ended already (another run got there first): stored again, the job left as it is.
  notices.length = 0;
  const again = (await pool.query(stored({ finish: end }))).rows[0];
  assert.equal(again.finished, false);
  assert.ok(again.result_id, 'the result is stored all the same');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(notices.filter((n) => n.payload.includes(submitted.id)), []);
});

test('should record a stored result as the tenant\'s in the same statement', async () => {
  const row = (await pool.query(stored({ tenant: 'acme' }))).rows[0];
  assert.equal(row.finished, undefined, 'no job to end');
  const sight = (await pool.query(`SELECT tenant, filename FROM tenant_documents WHERE document_id = $1`, [row.document_id])).rows;
  assert.deepEqual(sight, [{ tenant: 'acme', filename: 'scan.png' }]);
  const results = (await pool.query(`SELECT tenant FROM tenant_results WHERE result_id = $1`, [row.result_id])).rows;
  assert.deepEqual(results, [{ tenant: 'acme' }]);
  const anonymous = (await pool.query(stored())).rows[0];
  assert.equal((await pool.query(`SELECT count(*)::int AS n FROM tenant_documents WHERE document_id = $1`, [anonymous.document_id])).rows[0].n, 0);
});
