import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startEmulator } from '../../scripts/emulator/server.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { postDocument } from '../helpers/http.ts';
import { tinyPng } from '../helpers/png.ts';
import { startService } from '../helpers/service.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sync capacity and time limits', () => {
  test('should answer 503 OVERLOADED at once, and 504 TIMEOUT when the work outlasts SYNC_TIMEOUT_MS', async () => {
    const db = await createTestDatabase();
    const emulator = await startEmulator({ latencyMs: 1_000 });
    // One engine slot, 1.5 s budget: the second request gets the slot after ~1 s and cannot finish
    // in time; the third would wait for two calls (~2 s) and is refused without waiting.
    const service = await startService({
      databaseUrl: db.url,
      workers: 1,
      env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0', ENGINE_CONCURRENCY: '1', SYNC_TIMEOUT_MS: '1500' },
    });
    try {
      const first = postDocument(`${service.url}/ocr`, tinyPng('slot-1'));
      await pause(100);
      const second = postDocument(`${service.url}/ocr`, tinyPng('slot-2'));
      await pause(100);
      const started = Date.now();
      const third = await postDocument(`${service.url}/ocr`, tinyPng('slot-3'));
      assert.equal(third.status, 503);
      assert.equal(third.json.error.code, 'OVERLOADED');
      assert.ok(Number(third.headers['retry-after']) >= 1);
      assert.match(third.json.error.message, /\/ocr\/async/);
      assert.ok(Date.now() - started < 1_000, 'refused without waiting for capacity');
      assert.equal((await first).status, 200);
      const late = await second;
      assert.equal(late.status, 504);
      assert.equal(late.json.error.code, 'TIMEOUT');
    } finally {
      await service.stop();
      await emulator.close();
      await db.drop();
    }
  });

  test('should say what to configure when Textract has no credentials', async () => {
    const db = await createTestDatabase();
    const service = await startService({
      databaseUrl: db.url,
      workers: 1,
      env: {
        OCR_ENGINE: 'textract',
        TEXTRACT_ENDPOINT: '',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_PROFILE: '',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_CONFIG_FILE: '/nonexistent',
        // MUST: no instance-metadata probe from a test machine.
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    try {
      const res = await postDocument(`${service.url}/ocr`, tinyPng('no-credentials'));
      assert.equal(res.status, 503);
      assert.equal(res.json.error.code, 'ENGINE_UNAVAILABLE');
      assert.match(res.json.error.message, /AWS_ACCESS_KEY_ID/);
      assert.match(res.json.error.message, /TEXTRACT_ENDPOINT/);
    } finally {
      await service.stop();
      await db.drop();
    }
  });
});
