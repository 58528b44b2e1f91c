import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, PROJECT_ROOT } from '../../runtime/config.ts';
import { readImageRecipe } from '../helpers/dockerfile.ts';

// systemd cannot run here; the unit is read as data. It starts the same command as the Docker
// image, which test/deploy/image.test.ts runs and stops with SIGTERM.

const unit = new Map<string, string>();
for (const line of fs.readFileSync(path.join(PROJECT_ROOT, 'scripts', 'deploy', 'dtat-ocr.service'), 'utf8').split('\n')) {
  const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
  if (m) unit.set(m[1]!, m[2]!);
}

test("should start node on the launcher itself, the image's command, so SIGTERM reaches the launcher", () => {
  const [binary, ...args] = unit.get('ExecStart')!.split(/\s+/);
  assert.equal(binary, '/usr/bin/node');
  assert.deepEqual(args, readImageRecipe(path.join(PROJECT_ROOT, 'Dockerfile')).cmd!.slice(1));
  assert.equal(unit.get('KillSignal'), 'SIGTERM');
});

test('should run as an unprivileged user with its settings from /etc/dtat-ocr.env', () => {
  assert.ok(unit.get('User') && unit.get('User') !== 'root');
  assert.equal(unit.get('EnvironmentFile'), '/etc/dtat-ocr.env');
  assert.equal(unit.get('WorkingDirectory'), '/opt/dtat-ocr');
});

test('should wait longer for the stop than the launcher takes to drain', () => {
  // The launcher gives workers SHUTDOWN_TIMEOUT_MS, then 5 s more before it kills them.
  const drainS = loadConfig({}).shutdownTimeoutMs / 1000 + 5;
  assert.ok(Number(unit.get('TimeoutStopSec')) > drainS, `TimeoutStopSec=${unit.get('TimeoutStopSec')} > ${drainS}`);
});

test('should send the launcher SIGHUP on `systemctl reload`, which re-reads API_KEYS_FILE (test/e2e/api-keys-file.test.ts)', () => {
  assert.equal(unit.get('ExecReload'), '/bin/kill -HUP $MAINPID');
});
