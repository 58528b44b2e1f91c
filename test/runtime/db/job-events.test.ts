import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { migrate } from '../../../runtime/db/migrate.ts';
import { createPool, type Pool } from '../../../runtime/db/pool.ts';
import { jobNoticeSql } from '../../../runtime/db/queries.ts';
import { jobEvent, jobNotice, readJobNotice, type JobRow } from '../../../runtime/jobs/job-json.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.ts';

// The statements that change a job NOTIFY its event built in SQL; subscribers must receive
// exactly what jobEvent() makes of the same row, in every state a job passes through.

let db: TestDatabase;
let pool: Pool;
let documentId: string;
before(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 2);
  await migrate(pool);
  documentId = randomUUID();
  await pool.query(`INSERT INTO documents (id, sha256, content_type, bytes) VALUES ($1, 'sha-events', 'image/png', 1)`, [documentId]);
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

const STATES: Record<string, string> = {
  'queued, no tenant, no document': `status = 'queued'`,
  'queued again after an error': `status = 'queued', attempts = 1, error = '{"code":"TEXTRACT_FAILED","message":"Textract failed."}', document_id = $2`,
  'running on a worker, with a tenant': `status = 'running', attempts = 1, worker_id = 'w1-42', started_at = now(), tenant = 'acme', document_id = $2`,
  'running, pages under way': `status = 'running', attempts = 2, worker_id = 'w2-7', started_at = now(), pages_done = 3, page_count = 9`,
  'running, no page count yet': `status = 'running', attempts = 1, worker_id = 'w2-7', started_at = now(), page_count = 0`,
  'succeeded': `status = 'succeeded', attempts = 1, started_at = now(), finished_at = now() + interval '1.2345 s', pages_done = 5, page_count = 5, document_id = $2, tenant = 'acme'`,
  'failed, with the last error and a stale worker': `status = 'failed', attempts = 3, worker_id = 'w3-1', started_at = now(), finished_at = now(), error = '{"code":"UNPROCESSABLE_DOCUMENT","message":"No."}', pages_done = null, page_count = 2`,
};

for (const [state, set] of Object.entries(STATES)) {
  test(`should notify what jobEvent() makes of a job ${state}`, async () => {
    const id = randomUUID();
    await pool.query(`INSERT INTO jobs (id, function, status, input, queue) VALUES ($1, 'ocr', 'queued', '{}', 'DetectDocumentText')`, [id]);
    await pool.query(`UPDATE jobs SET ${set} WHERE id = $1`, set.includes('$2') ? [id, documentId] : [id]);
    const row = (await pool.query(`SELECT j.*, ${jobNoticeSql('j')} AS notice FROM jobs j WHERE j.id = $1`, [id])).rows[0] as JobRow & { notice: string };
    const ours = readJobNotice(row.notice);
    const theirs = readJobNotice(jobNotice(row.tenant, jobEvent(row)));
    assert.equal(ours.tenant, theirs.tenant);
    assert.deepEqual(JSON.parse(ours.event), JSON.parse(theirs.event));
    // The relay finds the job's id in the text itself.
    assert.match(ours.event, new RegExp(`"jobId":"${id}"`));
  });
}
