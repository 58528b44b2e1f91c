import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createTestDatabase } from '../helpers/db.ts';
import { httpRequest } from '../helpers/http.ts';
import { startService } from '../helpers/service.ts';

// API_KEYS_FILE as an operator uses it: hashed lines (the file holds no key), a rotation with two
// keys for one tenant, and `systemctl reload` (SIGHUP to the launcher) to add and revoke keys.

const hashed = (name: string, key: string) => `${name}:sha256:${createHash('sha256').update(key).digest('hex')}`;

test('should serve the keys of API_KEYS_FILE and take in a changed file on SIGHUP, keeping the old keys when it does not parse', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtat-keys-'));
  const file = path.join(dir, 'api-keys');
  fs.writeFileSync(file, ['# tenant:sha256:<hex of the key>', hashed('alpha', 'alpha-2024'), '', 'beta:beta-plain'].join('\n'));
  const db = await createTestDatabase();
  const service = await startService({ databaseUrl: db.url, workers: 2, env: { API_KEYS_FILE: file, TEXTRACT_ENDPOINT: 'http://127.0.0.1:9' } });
  // Fresh connections land on either worker: a key counts as served once several in a row agree.
  const statusWith = (key: string) => httpRequest(`${service.url}/queue/stats`, { headers: { 'x-api-key': key } }).then((r) => r.status);
  const settlesTo = async (key: string, status: number) => {
    const deadline = Date.now() + 10_000;
    let streak = 0;
    while (streak < 8) {
      streak = (await statusWith(key)) === status ? streak + 1 : 0;
      if (Date.now() > deadline) return false;
    }
    return true;
  };
  try {
    assert.equal(await statusWith('alpha-2024'), 200);
    assert.equal(await statusWith('beta-plain'), 200);
    const digest = createHash('sha256').update('alpha-2024').digest('hex');
    assert.equal(await statusWith(`sha256:${digest}`), 401, 'the stored hash is not a key');
    assert.equal(await statusWith(digest), 401);

    // Rotation: alpha gets a second key, beta is revoked.
    fs.writeFileSync(file, [hashed('alpha', 'alpha-2024'), hashed('alpha', 'alpha-2025')].join('\n'));
    service.launcher.kill('SIGHUP');
    assert.ok(await settlesTo('alpha-2025', 200), "alpha's new key is served by every worker");
    assert.ok(await settlesTo('beta-plain', 401), 'the revoked key is refused by every worker');
    assert.equal(await statusWith('alpha-2024'), 200, 'the old key still works until it is removed');

    // A file that does not parse changes nothing; the service keeps serving.
    fs.writeFileSync(file, 'this line has no name\n');
    service.launcher.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(await settlesTo('alpha-2025', 200));
    assert.equal(service.restarts(), 0, 'no worker died');
    assert.match(service.logTail(), /API keys not reloaded/);
    assert.doesNotMatch(service.logTail(), /this line has no name|alpha-2025/, 'the log quotes no line of the file');
  } finally {
    await service.stop();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('should refuse to start on a malformed API_KEYS_FILE, naming the line but not quoting it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtat-keys-'));
  const file = path.join(dir, 'api-keys');
  fs.writeFileSync(file, 'alpha:good-key\nsecret-without-a-name\n');
  const db = await createTestDatabase();
  try {
    await assert.rejects(
      startService({ databaseUrl: db.url, workers: 1, env: { API_KEYS_FILE: file, LOG_LEVEL: 'info' } }),
      (err: Error) => /line 2/.test(err.message) && !/secret-without-a-name|good-key/.test(err.message),
    );
  } finally {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
