import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { startEmulator } from '../../scripts/emulator/server.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { tinyPng } from '../helpers/png.ts';
import { startService } from '../helpers/service.ts';

test('should delete the bytes of finished jobs after the retention period and keep their results', async () => {
  const db = await createTestDatabase();
  const emulator = await startEmulator({ latencyMs: 20 });
  // Retention 0: bytes may go as soon as their jobs have finished; maintenance first runs 5 s after start.
  const service = await startService({ databaseUrl: db.url, workers: 1, env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0', DOCUMENT_RETENTION_HOURS: '0' } });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const accepted = await postDocument(`${service.url}/ocr/async`, tinyPng('retention'));
    const job = await waitForJob(service.url, accepted.json.jobId);
    assert.equal(job.status, 'succeeded');
    const deadline = Date.now() + 20_000;
    let stored = 1;
    while (stored > 0 && Date.now() < deadline) {
      stored = (await client.query('SELECT count(*)::int AS n FROM document_content')).rows[0].n;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(stored, 0, 'document bytes were purged');
    const kept = await httpRequest(`${service.url}/documents/${job.documentId}`);
    assert.equal(kept.status, 200);
    assert.equal(kept.json.text, job.result.text);
    assert.equal((await httpRequest(`${service.url}/ocr/jobs/${job.jobId}`)).json.result.text, job.result.text);

    // Retention 0 also means a synchronous request keeps no bytes: its result stays, its PDF is gone.
    const sync = await postDocument(`${service.url}/ocr`, tinyPng('retention-sync'));
    assert.equal(sync.status, 200);
    const kept2 = (await client.query('SELECT count(*)::int AS n FROM document_content WHERE document_id = $1', [sync.json.documentId])).rows[0].n;
    assert.equal(kept2, 0, 'a sync request stored no bytes');
    const pdf = await httpRequest(`${service.url}/documents/${sync.json.documentId}/pdf`);
    assert.equal(pdf.status, 410);
    assert.equal(pdf.json.error.code, 'DOCUMENT_EXPIRED');
  } finally {
    await client.end();
    await service.stop();
    await emulator.close();
    await db.drop();
  }
});
