import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { buildWorker } from '../../runtime/build.ts';

let dir: string | undefined;
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('should emit Latin-1 source only, so each worker holds its code one byte per character', async () => {
  const built = await buildWorker();
  dir = built.dir;
  const chunks = fs.readdirSync(built.dir).filter((f) => f.endsWith('.mjs'));
  assert.ok(chunks.length > 0);
  for (const chunk of chunks) {
    const text: string = fs.readFileSync(path.join(built.dir, chunk), 'utf8');
    const wide = /[^\u0000-\u00ff]/.exec(text);
    // V8 stores a script's source as a two-byte string when any character needs it: the 3 MB main
    // chunk would cost every worker 3 MB more for one glyph in a regular expression.
    assert.equal(wide, null, `${chunk} has "${wide?.[0]}" near: ${wide ? text.slice(Math.max(0, wide.index - 60), wide.index + 20) : ''}`);
  }
});
