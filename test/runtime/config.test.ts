import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, PROJECT_ROOT } from '../../runtime/config.ts';

const packageVersion = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version;

test("should report package.json's version when not started through npm (node runs the launcher directly)", () => {
  assert.equal(loadConfig({}).version, packageVersion);
});

test('should prefer the version npm passes when started through npm', () => {
  assert.equal(loadConfig({ npm_package_version: '9.8.7' }).version, '9.8.7');
});

test('should refuse a malformed API_KEYS entry at start, without quoting it', () => {
  assert.throws(() => loadConfig({ API_KEYS: 'alpha:k1,bad name:k2-secret' }), (err: Error) => /entry 2/.test(err.message) && !err.message.includes('k2-secret'));
  assert.deepEqual(loadConfig({ API_KEYS: 'alpha:k1, k2' }).apiKeys, ['alpha:k1', 'k2']);
});

test('should leave the per-key limits off unless set, with one second of burst', () => {
  const off = loadConfig({});
  assert.deepEqual([off.rateLimitPerKey, off.maxQueuedJobsPerKey], [0, 0]);
  const on = loadConfig({ RATE_LIMIT_PER_KEY: '20', MAX_QUEUED_JOBS_PER_KEY: '100' });
  assert.deepEqual([on.rateLimitPerKey, on.rateLimitBurst, on.maxQueuedJobsPerKey], [20, 20, 100]);
  assert.equal(loadConfig({ RATE_LIMIT_PER_KEY: '20', RATE_LIMIT_BURST: '50' }).rateLimitBurst, 50);
});

test('should poll an idle queue every 2 s unless JOB_POLL_MS says otherwise, never below 50 ms', () => {
  assert.equal(loadConfig({}).jobPollMs, 2_000);
  assert.equal(loadConfig({ JOB_POLL_MS: '600000' }).jobPollMs, 600_000);
  assert.throws(() => loadConfig({ JOB_POLL_MS: '10' }), /JOB_POLL_MS must be a number >= 50/);
});

test("should spool queued jobs' bytes in a per-user folder in memory unless JOB_SPOOL_DIR says otherwise or `off`", () => {
  const spool = loadConfig({});
  assert.equal(spool.jobSpoolDir, `/dev/shm/dtat-ocr-jobs-${process.getuid!()}`);
  assert.equal(spool.jobSpoolBytes, 32 * 1024 * 1024);
  assert.equal(loadConfig({ JOB_SPOOL_DIR: '' }).jobSpoolDir, spool.jobSpoolDir, 'empty means unset, as in .env.example');
  assert.equal(loadConfig({ JOB_SPOOL_DIR: 'off' }).jobSpoolDir, null);
  assert.equal(loadConfig({ JOB_SPOOL_DIR: '/srv/spool', JOB_SPOOL_MB: '8' }).jobSpoolDir, '/srv/spool');
  assert.equal(loadConfig({ JOB_SPOOL_MB: '8' }).jobSpoolBytes, 8 * 1024 * 1024);
});
