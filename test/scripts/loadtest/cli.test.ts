// The CLI as operators run it: a child process, real sockets to the fake service, exit codes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FakeService, startFakeService } from './fake-service.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/loadtest/main.ts', ...args], { cwd: root, env: { ...process.env, LOADTEST_API_KEY: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)!;

describe('loadtest CLI', () => {
  let fake: FakeService;
  let flaky: FakeService;
  let dir = '';
  before(async () => {
    fake = await startFakeService({ syncDelayMs: 40 });
    flaky = await startFakeService({ refuse: (n) => (n === 2 ? { status: 503, code: 'OVERLOADED', retryAfter: '4' } : n === 3 ? { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' } : undefined) });
    dir = await mkdtemp(join(tmpdir(), 'loadtest-cli-'));
  });
  after(async () => {
    await fake.close();
    await flaky.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('should exit 2 with a message naming the flag, and the usage', async () => {
    const { code, stdout, stderr } = await cli(['--url', fake.url, '--docs', '2000000']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^loadtest: --docs 2000000 is above the 1,000,000 safety bound\n\nUsage: /);
    const missing = await cli(['--docs', '5']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--url is required/);
    const noDir = await cli(['--url', fake.url, '--docs-dir', join(dir, 'missing')]);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /--docs-dir .*ENOENT/);
    assert.equal(fake.requests.length, 0, 'an argument error must send nothing');
  });

  it('should print usage on --help and exit 0', async () => {
    const { code, stdout } = await cli(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /--concurrency N/);
    assert.match(stdout, /Exit status: 0/);
  });

  it('should exit 0 when every document is ok, print the summary and write the JSON and chart', async () => {
    const json = join(dir, 'run.json');
    const chart = join(dir, 'run.svg');
    const { code, stdout, stderr } = await cli(['--url', fake.url, '--docs', '8', '--concurrency', '2', '--doc-kb', '5', '--json', json, '--chart', chart]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /docs\s+8\n\s+ok\s+8\n\s+failed\s+0\n/);
    assert.match(lastLine(stdout), /^PASS: 8 of 8 documents ok, p95 [\d.]+ ms$/);
    assert.doesNotMatch(stderr, /\r/, 'no live progress when stderr is not a terminal');
    const written = JSON.parse(await readFile(json, 'utf8'));
    assert.equal(written.summary.ok, 8);
    assert.equal(written.records.length, 8);
    assert.deepEqual(Object.keys(written.records[0]).sort(), ['bytes', 'cached', 'errorCode', 'jobId', 'jobStatus', 'latencyMs', 'ok', 'queuedMs', 'requestId', 'retryAfter', 'seq', 'startMs', 'status']);
    assert.equal(written.verdict.pass, true);
    assert.ok((await readFile(chart, 'utf8')).startsWith('<svg'));
  });

  it('should exit 1 on failed documents, grouped by status and code', async () => {
    const { code, stdout } = await cli(['--url', flaky.url, '--docs', '5', '--concurrency', '1', '--doc-kb', '5']);
    assert.equal(code, 1);
    assert.match(stdout, /503\s+OVERLOADED\s+1\n/);
    assert.match(stdout, /415\s+UNSUPPORTED_MEDIA_TYPE\s+1\n/);
    assert.match(stdout, /throttles\s+1 \(503 OVERLOADED; Retry-After 4 x1\)/);
    assert.equal(lastLine(stdout), 'FAIL: 2 of 5 documents failed');
  });

  it('should exit 1 when p95 is above --max-p95-ms, and say so', async () => {
    const { code, stdout } = await cli(['--url', fake.url, '--docs', '4', '--concurrency', '2', '--doc-kb', '5', '--max-p95-ms', '10']);
    assert.equal(code, 1);
    assert.match(lastLine(stdout), /^FAIL: p95 [\d.]+ ms is above --max-p95-ms 10$/);
  });
});
