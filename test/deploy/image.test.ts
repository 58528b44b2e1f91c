import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { assembleImage, readImageRecipe } from '../helpers/dockerfile.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { tinyPng } from '../helpers/png.ts';
import { freePort } from '../helpers/service.ts';

// The image's CMD and HEALTHCHECK, run as the Dockerfile says, outside Docker (no engine runs
// here): its /app is laid out from the COPY lines and .dockerignore (production packages only),
// its ENV applied, and as root the service runs as an unprivileged user with only .data writable,
// as USER node would. Only what `docker run -p … -e DATABASE_URL=…` would add is set on top.

const recipe = readImageRecipe(path.join(PROJECT_ROOT, 'Dockerfile'));
const packageVersion = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version;
// nobody:nogroup stands in for the image's `node` user: no home, owns nothing but .data.
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function resolveCommand(argv: string[]): [string, string[]] {
  // The image's `node` is this machine's.
  return [argv[0] === 'node' ? process.execPath : argv[0]!, argv.slice(1)];
}

/** Runs the image's HEALTHCHECK command as Docker would, inside /app with the image's env. */
function healthcheck(appDir: string, port: number): Promise<{ code: number; output: string; ms: number }> {
  const [command, args] = resolveCommand(recipe.healthcheck!.cmd);
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(command, args, { cwd: appDir, env: { PATH: process.env.PATH, ...recipe.env, PORT: String(port) }, ...asUser, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}`, ms: Date.now() - started });
    });
  });
}

describe('the Docker image, run outside Docker', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let appDir: string;
  let port: number;
  let service: ChildProcess;
  let output = '';
  let exited: Promise<number | null>;

  before(async () => {
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 2_000 });
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtat-image-'));
    fs.chmodSync(appDir, 0o755);
    assembleImage(recipe, PROJECT_ROOT, appDir);
    // The Dockerfile's one RUN: a .data folder the unprivileged user owns.
    assert.deepEqual(recipe.runs, [`mkdir .data && chown ${recipe.user}:${recipe.user} .data`]);
    fs.mkdirSync(path.join(appDir, '.data'));
    if (asUser.uid !== undefined) fs.chownSync(path.join(appDir, '.data'), asUser.uid, asUser.gid);

    port = await freePort();
    const [command, args] = resolveCommand(recipe.cmd!);
    service = spawn(command, args, {
      cwd: appDir,
      ...asUser,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: appDir,
        ...recipe.env,
        // What `docker run -p 127.0.0.1:<port>:<port> -e …` adds.
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        TEXTRACT_ENDPOINT: emulator.url,
        TEXTRACT_TPS: '0',
      },
    });
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
    service.stdout!.on('data', keep);
    service.stderr!.on('data', keep);
    exited = new Promise((resolve) => service.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  });

  after(async () => {
    // Workers leave when the launcher's IPC channel closes.
    if (service && service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
    await exited;
    fs.rmSync(appDir, { recursive: true, force: true });
    await emulator?.close();
    await db?.drop();
  });

  test('should start from its CMD as an unprivileged user with WORKERS=4, and turn healthy by its HEALTHCHECK', async () => {
    const deadline = Date.now() + Number(/^(\d+)s$/.exec(recipe.healthcheck!.flags['start-period']!)![1]) * 1000;
    let check = await healthcheck(appDir, port);
    while (check.code !== 0 && Date.now() < deadline && service.exitCode === null) {
      await new Promise((r) => setTimeout(r, 500));
      check = await healthcheck(appDir, port);
    }
    assert.equal(check.code, 0, `healthcheck: ${check.output}\nservice:\n${output}`);
    assert.match(check.output, / 200 /);

    // Healthy once one worker answers; the launcher says when all of them do.
    const servingLine = () => output.split('\n').find((l) => l.includes('"DTAT-OCR is serving"'));
    while (!servingLine() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(servingLine(), output);
    assert.equal(JSON.parse(servingLine()!).workers, Number(recipe.env.WORKERS));
    assert.doesNotMatch(output, /worker exited|failed to start/, 'no worker crashed while four started on a fresh database');
    const health = await httpRequest(`http://127.0.0.1:${port}/health`);
    assert.equal(health.json.version, packageVersion, 'the version without npm in between');
    if (asUser.uid !== undefined) {
      const status = fs.readFileSync(`/proc/${health.json.worker.pid}/status`, 'utf8');
      assert.match(status, new RegExp(`^Uid:\\s+${asUser.uid}\\s`, 'm'), 'the worker runs unprivileged');
    }
  });

  test('should serve OCR and the docs page from the files the image copies', async () => {
    const ocr = await postDocument(`http://127.0.0.1:${port}/ocr`, tinyPng('image-ocr'));
    assert.equal(ocr.status, 200, ocr.text);
    assert.equal(ocr.json.engine, 'textract');
    const docs = await httpRequest(`http://127.0.0.1:${port}/docs`);
    assert.equal(docs.status, 200);
    const bundle = /src="(\/docs\/swagger-ui-bundle\.js\?v=[0-9a-f]+)"/.exec(docs.text)![1]!;
    assert.equal((await httpRequest(`http://127.0.0.1:${port}${bundle}`)).status, 200);
  });

  test('should finish in-flight requests on SIGTERM, exit 0, and then fail its HEALTHCHECK', async () => {
    const requests = Array.from({ length: 6 }, (_, i) => postDocument(`http://127.0.0.1:${port}/ocr`, tinyPng(`image-drain-${i}`)));
    // The emulator takes 2 s per call: signal once all six are in Textract's hands.
    const deadline = Date.now() + 10_000;
    while (emulator.stats().inFlight < requests.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(emulator.stats().inFlight, requests.length, 'every request is in flight');
    service.kill('SIGTERM');
    const replies = await Promise.all(requests);
    assert.deepEqual(replies.map((r) => r.status), replies.map(() => 200), replies.map((r) => r.text.slice(0, 200)).join('\n'));
    assert.equal(await exited, 0, output);
    const check = await healthcheck(appDir, port);
    assert.notEqual(check.code, 0);
    assert.match(check.output, /ECONNREFUSED/);
  });

  test('should fail its HEALTHCHECK when /health answers 503 or not at all', async () => {
    const hanging: http.ServerResponse[] = [];
    let answer: 503 | 'hang' = 503;
    const server = http.createServer((_req, res) => {
      if (answer === 503) res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"degraded","db":"unreachable"}');
      else hanging.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const serverPort = (server.address() as AddressInfo).port;
    try {
      const degraded = await healthcheck(appDir, serverPort);
      assert.equal(degraded.code, 1);
      assert.match(degraded.output, / 503 /);
      answer = 'hang';
      const hung = await healthcheck(appDir, serverPort);
      assert.equal(hung.code, 1);
      assert.match(hung.output, /TimeoutError/);
      // Before Docker's own --timeout, so the reason is recorded rather than a kill.
      const timeoutS = Number(/^(\d+)s$/.exec(recipe.healthcheck!.flags.timeout!)![1]);
      assert.ok(hung.ms < timeoutS * 1000, `took ${hung.ms} ms`);
    } finally {
      for (const res of hanging) res.destroy();
      server.close();
    }
  });
});
