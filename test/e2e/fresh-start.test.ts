import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase } from '../helpers/db.ts';
import { httpRequest } from '../helpers/http.ts';
import { startService } from '../helpers/service.ts';

// Issue 12 #7: on a new database, workers starting together raced in pg-boss's queue creation and
// 3 of 4 died with `deadlock detected` (40P01); the launcher replaced them with fatal log lines
// on every first start. Eight workers make the race likelier than the default four.

test('should start eight workers on a fresh database with no fatal line and no restart', async () => {
  const db = await createTestDatabase();
  const service = await startService({ databaseUrl: db.url, workers: 8, env: { OCR_ENGINE: 'tesseract' } });
  try {
    assert.equal((await httpRequest(`${service.url}/health`)).status, 200);
    assert.equal(service.restarts(), 0, 'no worker was replaced');
    assert.doesNotMatch(service.logTail(), /"level":60/, 'nothing fatal was logged');
    assert.doesNotMatch(service.logTail(), /40P01|deadlock/);
  } finally {
    await service.stop();
    await db.drop();
  }
});
