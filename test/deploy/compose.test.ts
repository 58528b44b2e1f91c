import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { loadConfig, PROJECT_ROOT } from '../../runtime/config.ts';

const COMPOSE = path.join(PROJECT_ROOT, 'docker-compose.yml');
const compose = YAML.parse(fs.readFileSync(COMPOSE, 'utf8'));
const app = compose.services['dtat-ocr'];

test('should pass dclint (the Compose specification schema and its rules) without a warning', async () => {
  const bin = path.join(PROJECT_ROOT, 'node_modules', 'dclint', 'bin', 'dclint.cjs');
  const run = await promisify(execFile)(process.execPath, [bin, '--max-warnings', '0', '--no-color', COMPOSE]).catch((err) => err);
  assert.equal(run.code ?? 0, 0, `${run.stdout}${run.stderr}`);
});

test('should start the service once its PostgreSQL is healthy, and point DATABASE_URL at it', () => {
  const url = new URL(app.environment.DATABASE_URL);
  const db = compose.services[url.hostname];
  assert.ok(db, `DATABASE_URL names the compose service ${url.hostname}`);
  assert.equal(app.depends_on[url.hostname].condition, 'service_healthy');
  assert.ok(db.healthcheck, 'the database says when it is ready');
  assert.equal(db.environment.POSTGRES_USER, decodeURIComponent(url.username));
  assert.equal(db.environment.POSTGRES_PASSWORD, decodeURIComponent(url.password));
  assert.equal(db.environment.POSTGRES_DB, url.pathname.slice(1));
});

test('should give SIGTERM time to drain before Docker kills the container', () => {
  // The launcher waits up to SHUTDOWN_TIMEOUT_MS, then 5 s more before it kills a worker.
  const drainS = loadConfig({}).shutdownTimeoutMs / 1000 + 5;
  const grace = Number(/^(\d+)s$/.exec(app.stop_grace_period)?.[1]);
  assert.ok(grace > drainS, `stop_grace_period ${app.stop_grace_period} > ${drainS} s`);
});

test('should publish the port on this machine only (a TLS proxy opens it further)', () => {
  assert.deepEqual(app.ports, ['127.0.0.1:8080:8080']);
});
