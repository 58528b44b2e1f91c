import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { detectContentType, directoryProvider, generateDocument, generatedProvider } from '../../../scripts/loadtest/documents.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function assertNear(actual: number, targetKb: number, tolerance: number) {
  const target = targetKb * 1024;
  assert.ok(Math.abs(actual - target) / target <= tolerance, `${actual} bytes is not within ${tolerance * 100}% of ${target}`);
}

describe('generateDocument', () => {
  it('should make a valid PNG of about the requested size', async () => {
    for (const kb of [20, 100, 500]) {
      const doc = await generateDocument({ type: 'png', kb, seq: 1 });
      assert.equal(doc.contentType, 'image/png');
      assert.match(doc.filename, /\.png$/);
      const png = PNG.sync.read(doc.bytes);
      assert.equal(png.width, 640);
      assertNear(doc.bytes.length, kb, 0.1);
    }
  });

  it('should make a valid JPEG of about the requested size', async () => {
    const doc = await generateDocument({ type: 'jpeg', kb: 100, seq: 1 });
    assert.equal(doc.contentType, 'image/jpeg');
    const image = jpeg.decode(doc.bytes);
    assert.equal(image.width, 640);
    assertNear(doc.bytes.length, 100, 0.15);
  });

  it('should make valid PDFs, one page or many, of about the requested size', async () => {
    const single = await generateDocument({ type: 'pdf', kb: 100, seq: 1 });
    assert.equal(single.contentType, 'application/pdf');
    assert.equal((await PDFDocument.load(single.bytes)).getPageCount(), 1);
    assertNear(single.bytes.length, 100, 0.15);
    const multi = await generateDocument({ type: 'pdf-multi', kb: 200, pages: 4, seq: 1 });
    assert.equal((await PDFDocument.load(multi.bytes)).getPageCount(), 4);
    assertNear(multi.bytes.length, 200, 0.15);
  });

  it('should differ per seq and per salt, and repeat exactly for equal inputs', async () => {
    for (const type of ['png', 'jpeg', 'pdf', 'pdf-multi'] as const) {
      const a = await generateDocument({ type, kb: 30, seq: 1, salt: 'AAAA' });
      const again = await generateDocument({ type, kb: 30, seq: 1, salt: 'AAAA' });
      const b = await generateDocument({ type, kb: 30, seq: 2, salt: 'AAAA' });
      const c = await generateDocument({ type, kb: 30, seq: 1, salt: 'BBBB' });
      assert.equal(sha(a.bytes), sha(again.bytes), `${type} is not deterministic`);
      assert.notEqual(sha(a.bytes), sha(b.bytes), `${type} repeats across seq`);
      assert.notEqual(sha(a.bytes), sha(c.bytes), `${type} repeats across salt`);
    }
  });

  it('should give the same document every time with repeat and unique ones without', async () => {
    const repeated = generatedProvider({ type: 'png', kb: 20, repeat: true }, 'RUN1');
    const unique = generatedProvider({ type: 'png', kb: 20 }, 'RUN1');
    const r = await Promise.all([0, 1, 2, 3].map((s) => repeated(s)));
    const u = await Promise.all([0, 1, 2, 3].map((s) => unique(s)));
    assert.equal(new Set(r.map((d) => sha(d.bytes))).size, 1);
    assert.equal(new Set(u.map((d) => sha(d.bytes))).size, 4);
  });

  it('should pre-generate 2,000 unique 100 KB PNGs in a few seconds', async () => {
    const start = performance.now();
    const hashes = new Set<string>();
    for (let seq = 0; seq < 2000; seq++) hashes.add(sha((await generateDocument({ type: 'png', kb: 100, seq })).bytes));
    const seconds = (performance.now() - start) / 1000;
    assert.equal(hashes.size, 2000);
    assert.ok(seconds < 8, `took ${seconds.toFixed(1)} s`);
  });
});

describe('documents from a directory', () => {
  let dir = '';
  after(() => rm(dir, { recursive: true, force: true }));

  it('should detect the type by magic bytes, then extension', () => {
    assert.equal(detectContentType(Buffer.from('%PDF-1.7'), 'x.bin'), 'application/pdf');
    assert.equal(detectContentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'x.png'), 'image/jpeg');
    assert.equal(detectContentType(Buffer.from('II*\0rest'), 'x'), 'image/tiff');
    assert.equal(detectContentType(Buffer.from('hello'), 'scan.TIF'), 'image/tiff');
    assert.equal(detectContentType(Buffer.from('hello'), 'notes.txt'), 'application/octet-stream');
  });

  it('should cycle the files in name order and send them as they are', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loadtest-docs-'));
    const png = (await generateDocument({ type: 'png', kb: 5, seq: 0 })).bytes;
    await writeFile(join(dir, 'b.png'), png);
    await writeFile(join(dir, 'a.pdf'), '%PDF-1.4 fake');
    await writeFile(join(dir, '.hidden'), 'x');
    const { provider, files } = await directoryProvider(dir);
    assert.equal(files, 2);
    const docs = await Promise.all([0, 1, 2].map((s) => provider(s)));
    assert.deepEqual(docs.map((d) => [d.filename, d.contentType]), [['a.pdf', 'application/pdf'], ['b.png', 'image/png'], ['a.pdf', 'application/pdf']]);
    assert.ok(docs[1].bytes.equals(png));
  });

  it('should refuse a missing or empty directory', async () => {
    await assert.rejects(directoryProvider(join(tmpdir(), 'no-such-loadtest-dir')), /--docs-dir .*ENOENT/);
    const empty = await mkdtemp(join(tmpdir(), 'loadtest-empty-'));
    await assert.rejects(directoryProvider(empty), /holds no files/);
    await rm(empty, { recursive: true });
  });
});
