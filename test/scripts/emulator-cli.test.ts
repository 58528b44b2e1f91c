import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract';
import { makePng } from '../../scripts/emulator/fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/emulator/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => ({ stdout, stderr }) };
}

test('should reject a bad argument with a message and exit code 2', async () => {
  const run = runCli(['--tps', 'fast']);
  assert.equal(await run.exited, 2);
  assert.match(run.output().stderr, /--tps must be a non-negative number, got "fast"/);
});

test('should name the new operations and their quota options in --help, and check them', async () => {
  const help = runCli(['--help']);
  assert.equal(await help.exited, 0);
  for (const text of ['AnalyzeExpense', 'AnalyzeID', '--expense-tps N', '--id-tps N', 'DTAT-LABEL']) assert.ok(help.output().stdout.includes(text), text);
  const bad = runCli(['--id-tps', 'many']);
  assert.equal(await bad.exited, 2);
  assert.match(bad.output().stderr, /--id-tps must be a non-negative number, got "many"/);
});

test('should print its URL, serve the SDK, and close on SIGTERM', { timeout: 20_000 }, async () => {
  const run = runCli(['--port', '0', '--latency-ms', '5', '--tps', '10']);
  try {
    while (!/listening on (http:\S+)/.test(run.output().stdout)) {
      assert.equal(run.child.exitCode, null, run.output().stderr);
      await new Promise((r) => setTimeout(r, 20));
    }
    const url = /listening on (http:\S+)/.exec(run.output().stdout)![1];
    const client = new TextractClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const result = await client.send(new DetectDocumentTextCommand({ Document: { Bytes: makePng() } }));
    client.destroy();
    assert.match(result.Blocks?.find((b) => b.BlockType === 'LINE')?.Text ?? '', /^DOC-/);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
  }
});
