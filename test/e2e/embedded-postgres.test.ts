import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { httpRequest } from '../helpers/http.ts';
import { freePort, startService } from '../helpers/service.ts';

// Without DATABASE_URL the launcher runs an embedded PostgreSQL. Issue 12 #5: nothing restarted
// it when it died, so the service stayed down. It is supervised like a worker now.

test('should restart the embedded PostgreSQL when it is killed, and serve again with the same workers', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dtat-embedded-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'pg');
  const service = await startService({
    databaseUrl: '',
    workers: 2,
    env: { PG_DATA_DIR: dataDir, PG_PORT: String(await freePort()), OCR_ENGINE: 'tesseract' },
  });
  try {
    assert.equal((await httpRequest(`${service.url}/health`)).status, 200);
    const postmaster = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');

    let health = await httpRequest(`${service.url}/health`);
    const deadline = Date.now() + 60_000;
    let sawOutage = health.status === 503;
    while (Date.now() < deadline && (health.status !== 200 || !sawOutage)) {
      await new Promise((r) => setTimeout(r, 200));
      health = await httpRequest(`${service.url}/health`);
      sawOutage ||= health.status === 503;
    }
    t.diagnostic(service.logTail().split('\n').filter((l) => l.includes('embedded PostgreSQL')).join('\n'));
    assert.ok(sawOutage, 'health answered 503 while the server was down');
    assert.equal(health.status, 200, 'health is ok again');
    assert.equal(health.json.db, 'ok');
    assert.match(service.logTail(), /embedded PostgreSQL exited; restarting it/);
    assert.match(service.logTail(), /embedded PostgreSQL restarted/);
    assert.notEqual(Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]), postmaster);
    assert.equal(service.restarts(), 0, 'the workers rode the outage out');
  } finally {
    assert.equal(await service.stop(), 0);
    fs.rmSync(root, { recursive: true, force: true });
  }
});
