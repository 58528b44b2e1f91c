import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { validate } from 'dockerfile-utils';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import { contextFiles, readImageRecipe } from '../helpers/dockerfile.ts';

// No Docker engine runs here: the Dockerfile is linted (dockerfile-utils, the validator of the
// Docker language server) and read as data. test/deploy/image.test.ts runs what it starts.

const DOCKERFILE = path.join(PROJECT_ROOT, 'Dockerfile');
const recipe = readImageRecipe(DOCKERFILE);

test('should pass dockerfile-utils lint without a warning', () => {
  const content = fs.readFileSync(DOCKERFILE, 'utf8');
  const problems = validate(content).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  assert.deepEqual(problems, []);
});

test('should build in stages on a slim Node image of a fixed major version', () => {
  assert.ok(recipe.stages.length >= 2, 'multi-stage: npm and its cache stay out of the final image');
  for (const { image } of recipe.stages) {
    assert.match(image, /^node:\d+-[a-z]+-slim$/, `${image}: Debian slim, a pinned Node major, never latest`);
  }
});

test('should run as a non-root user, WORKERS=4 processes on the exposed port, node as PID 1 in exec form', () => {
  assert.ok(recipe.user && !['root', '0'].includes(recipe.user), `USER ${recipe.user}`);
  assert.equal(recipe.env.WORKERS, '4');
  assert.deepEqual(recipe.exposed, [recipe.env.PORT]);
  assert.equal(recipe.env.HOST, '0.0.0.0', 'reachable through the published port');
  // A shell form would put /bin/sh first, and docker stop's SIGTERM would never reach the launcher.
  assert.equal(recipe.cmdShell, null);
  assert.equal(recipe.entrypoint, null);
  assert.equal(recipe.cmd?.[0], 'node');
});

test('should check /health often enough and give the start (build, migrations) time', () => {
  assert.ok(recipe.healthcheck, 'HEALTHCHECK CMD in exec form');
  assert.equal(recipe.healthcheck.cmd[0], 'node', 'the slim image has no curl');
  const seconds = (v: string | undefined) => Number(/^(\d+)s$/.exec(v ?? '')?.[1]);
  assert.ok(seconds(recipe.healthcheck.flags.interval) <= 60);
  assert.ok(seconds(recipe.healthcheck.flags['start-period']) >= 30);
  assert.ok(seconds(recipe.healthcheck.flags.timeout) >= 5, 'longer than the check waits itself (4 s)');
});

test('should keep secrets, databases and this machine\'s modules out of the build context', () => {
  const files = contextFiles(PROJECT_ROOT);
  for (const f of files) {
    assert.doesNotMatch(f, /^(\.env$|\.env\.|\.data\/|node_modules\/|\.git\/|test\/|bench\/results\/)/, `${f} is in the build context`);
  }
  for (const copy of recipe.copies.filter((c) => !c.from)) {
    for (const source of copy.sources) {
      const src = source.replace(/\/$/, '');
      assert.ok(files.has(src) || [...files].some((f) => f.startsWith(`${src}/`)), `COPY ${source} finds it in the context`);
    }
  }
});
