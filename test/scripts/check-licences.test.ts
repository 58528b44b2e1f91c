import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../runtime/config.ts';

const run = promisify(execFile);
const FIXTURE = path.join(PROJECT_ROOT, 'test', 'fixtures', 'licence-check');
const SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'check-licences.ts');

/** The fixture project installed in a temporary folder, without the packages in `leaveOut`. */
function installFixture(leaveOut: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'licence-check-'));
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'package.json'), 'utf8'));
  for (const name of leaveOut) delete manifest.dependencies[name];
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const name of fs.readdirSync(path.join(FIXTURE, 'packages'))) {
    if (leaveOut.includes(name)) continue;
    fs.cpSync(path.join(FIXTURE, 'packages', name), path.join(dir, 'node_modules', name), { recursive: true });
  }
  return dir;
}

async function check(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', SCRIPT, '--dir', dir], { cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('scripts/check-licences.ts', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('should fail on an AGPL package in the production dependencies and name it', async () => {
    const dir = installFixture();
    dirs.push(dir);
    const result = await check(dir);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /agpl-widget@1\.0\.0: AGPL-3\.0-or-later/);
    assert.match(result.stderr, /1 of 3 production packages/);
    assert.doesNotMatch(result.stderr, /gpl-dev-tool|dual-mit-or-gpl|left-pad-mit/);
  });

  it('should pass permissive and dual-licensed packages and ignore development dependencies', async () => {
    const dir = installFixture(['agpl-widget']);
    dirs.push(dir);
    const result = await check(dir);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /2 production packages, all under permissive licences/);
  });

  it('should pass the project itself, whose own production tree has no copyleft package', async () => {
    const result = await check(PROJECT_ROOT);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });
});
