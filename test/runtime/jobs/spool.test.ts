import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openJobSpool, type SpoolOptions } from '../../../runtime/jobs/spool.ts';
import { createLogger } from '../../../runtime/log.ts';

const log = createLogger().child({}, { level: 'silent' });
const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('job spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spool-test-')), 'jobs');
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  const open = (options: Partial<SpoolOptions> = {}) => {
    const spool = openJobSpool({ dir, maxBytes: 1000, ttlMs: 60_000, log, ...options });
    assert.ok(spool, 'the spool opens');
    return spool;
  };

  test('should give a job its bytes once, to any process of the machine, and leave no file behind', () => {
    const accepting = open();
    const claiming = open();
    const id = randomUUID();
    assert.equal(accepting.put(id, bytes(300, 7)), true);
    assert.equal(claiming.take(randomUUID()), undefined);
    assert.deepEqual(claiming.take(id), bytes(300, 7));
    assert.equal(claiming.take(id), undefined, 'a second claim (a retry) reads the database');
    assert.deepEqual(fs.readdirSync(dir), []);
    accepting.sweep();
    assert.equal(accepting.held(), 0, 'bytes another process took stop counting against the limit');
  });

  test('should keep the folder to its user: created private, and made private when it was not', () => {
    open();
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    fs.chmodSync(dir, 0o755);
    open();
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    const id = randomUUID();
    open().put(id, bytes(10));
    assert.equal(fs.statSync(path.join(dir, id)).mode & 0o777, 0o600);
  });

  test('should refuse a folder it cannot use, so claims read the database', () => {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.writeFileSync(dir, 'not a folder');
    assert.equal(openJobSpool({ dir, maxBytes: 1000, ttlMs: 60_000, log }), null);
  });

  test('should leave no more than its limit, and take back what a job that was not created left', () => {
    const spool = open();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    assert.equal(spool.put(a, bytes(600)), true);
    assert.equal(spool.put(b, bytes(600)), false, 'past the limit the bytes stay in the database only');
    assert.equal(spool.take(b), undefined);
    spool.drop(a);
    assert.equal(spool.held(), 0);
    assert.equal(spool.take(a), undefined);
    assert.equal(spool.put(c, bytes(1000)), true);
  });

  test('should never take a truncated, foreign or misnamed file for a document', () => {
    const spool = open();
    const [whole, cut, foreign] = [randomUUID(), randomUUID(), randomUUID()];
    spool.put(whole, bytes(100, 3));
    spool.put(cut, bytes(100, 4));
    fs.truncateSync(path.join(dir, cut), 50);
    fs.writeFileSync(path.join(dir, foreign), bytes(100, 5));
    assert.equal(spool.take(cut), undefined);
    assert.equal(spool.take(foreign), undefined);
    assert.equal(spool.put('../escape', bytes(10)), false, 'only job ids name files');
    assert.equal(spool.take('../jobs/' + whole), undefined);
    assert.deepEqual(spool.take(whole), bytes(100, 3));
  });

  test('should remove files past their age: its own at every look, any process\'s in a full sweep', () => {
    let now = Date.now();
    const spool = open({ ttlMs: 100, now: () => now });
    const [mine, stale] = [randomUUID(), randomUUID()];
    spool.put(mine, bytes(10));
    fs.writeFileSync(path.join(dir, stale), 'left by a process that stopped');
    const old = new Date(Date.now() - 10_000);
    fs.utimesSync(path.join(dir, stale), old, old);
    now += 100;
    spool.sweep();
    assert.deepEqual(fs.readdirSync(dir), [stale], 'a look covers this process\'s files only');
    assert.equal(spool.held(), 0);
    spool.sweep(true);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('should sweep on its own timer', async () => {
    const spool = open({ ttlMs: 20, sweepMs: 10 });
    spool.put(randomUUID(), bytes(10));
    await new Promise((resolve) => setTimeout(resolve, 120));
    spool.close();
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(spool.held(), 0);
  });
});
