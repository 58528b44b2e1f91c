import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PDFBool, PDFDocument, PDFName, PDFString } from 'pdf-lib';
import pngjs from 'pngjs';
import { DocumentError } from '../../../runtime/documents/errors.ts';
import { inspectDocument } from '../../../runtime/documents/pages.ts';
import {
  encodeGrayTiff,
  makeEncryptedPdf,
  makeMultiPageTiff,
  makeTextJpeg,
  makeTextPdf,
  makeTextPng,
} from '../../helpers/make-documents.ts';

const limits = { maxPages: 100 };

async function rejection(promise: Promise<unknown>): Promise<DocumentError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DocumentError, `expected a DocumentError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the document to be refused');
}

function grayPng(width: number, height: number): Uint8Array {
  const png = new pngjs.PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.alloc(width * height, 255);
  return pngjs.PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** Only the signature and IHDR: inspectDocument reads no further. */
function pngHeader(width: number, height: number): Uint8Array {
  const head = Buffer.from(grayPng(16, 16).subarray(0, 33));
  head.writeUInt32BE(width, 16);
  head.writeUInt32BE(height, 20);
  return head;
}

describe('inspectDocument', () => {
  it('should count the pages of every kind', async () => {
    assert.deepEqual(await inspectDocument(await makeTextPdf([['a'], ['b'], ['c']]), 'pdf', limits), { pageCount: 3 });
    assert.deepEqual(await inspectDocument(await makeMultiPageTiff([['a'], ['b']], { dpi: 72 }), 'tiff', limits), { pageCount: 2 });
    assert.deepEqual(await inspectDocument(await makeTextPng(['a'], { pageSize: [200, 100] }), 'png', limits), { pageCount: 1 });
    assert.deepEqual(await inspectDocument(await makeTextJpeg(['a'], { pageSize: [200, 100] }), 'jpeg', limits), { pageCount: 1 });
  });

  it('should refuse a 101-page PDF with 413 when the limit is 100 pages', async () => {
    const pdf = await makeTextPdf(Array.from({ length: 101 }, (_, i) => [`Page ${i + 1}`]));
    const error = await rejection(inspectDocument(pdf, 'pdf', { maxPages: 100 }));
    assert.equal(error.status, 413);
    assert.equal(error.code, 'PAYLOAD_TOO_LARGE');
    assert.match(error.message, /101 pages/);
    assert.match(error.message, /at most 100 pages/);
  });

  it('should accept a PDF of exactly maxPages pages', async () => {
    const pdf = await makeTextPdf(Array.from({ length: 100 }, (_, i) => [`Page ${i + 1}`]));
    assert.deepEqual(await inspectDocument(pdf, 'pdf', { maxPages: 100 }), { pageCount: 100 });
  });

  it('should apply the page limit to multi-page TIFFs too', async () => {
    const tiff = await makeMultiPageTiff([['a'], ['b'], ['c']], { dpi: 72 });
    const error = await rejection(inspectDocument(tiff, 'tiff', { maxPages: 2 }));
    assert.equal(error.status, 413);
  });

  it('should refuse a password-protected PDF with 422 and say why', async () => {
    const pdf = await makeEncryptedPdf();
    assert.match(Buffer.from(pdf).toString('latin1'), /\/Encrypt\s*<</);
    const error = await rejection(inspectDocument(pdf, 'pdf', limits));
    assert.equal(error.status, 422);
    assert.equal(error.code, 'UNPROCESSABLE_DOCUMENT');
    assert.match(error.message, /password-protected/);
    assert.match(error.message, /remove the password/);
  });

  it('should accept a PDF encrypted with an owner password only', async () => {
    const pdf = await makeEncryptedPdf({ userPassword: '', pages: [['one'], ['two']] });
    assert.deepEqual(await inspectDocument(pdf, 'pdf', limits), { pageCount: 2 });
  });

  it('should refuse garbage after %PDF with 422', async () => {
    for (const text of ['%PDF-1.7\nthis is not a PDF at all\n', `%PDF-1.4\n${'\u0000\u00ff'.repeat(4000)}`, '%PDF-']) {
      const error = await rejection(inspectDocument(Buffer.from(text, 'latin1'), 'pdf', limits));
      assert.equal(error.status, 422);
      assert.match(error.message, /could not be read/);
    }
  });

  it('should refuse a PDF page larger than 40 inches with 422', async () => {
    const pdf = await makeTextPdf([['normal'], ['huge']], { pageSize: [41 * 72, 11 * 72] });
    const error = await rejection(inspectDocument(pdf, 'pdf', limits));
    assert.equal(error.status, 422);
    assert.match(error.message, /41\.0 × 11\.0 inches/);
    assert.match(error.message, /up to 40\.0 inches/);
  });

  it('should accept a PDF page of exactly 40 inches', async () => {
    const pdf = await makeTextPdf([['banner']], { pageSize: [40 * 72, 40 * 72] });
    assert.deepEqual(await inspectDocument(pdf, 'pdf', limits), { pageCount: 1 });
  });

  it('should refuse a PDF page too small to hold text', async () => {
    const pdf = await makeTextPdf([['']], { pageSize: [5, 5] });
    const error = await rejection(inspectDocument(pdf, 'pdf', limits));
    assert.equal(error.status, 422);
    assert.match(error.message, /too small/);
  });

  it('should refuse images over 10000 pixels on a side with 422', async () => {
    const error = await rejection(inspectDocument(pngHeader(10_001, 800), 'png', limits));
    assert.equal(error.status, 422);
    assert.match(error.message, /10001 × 800 pixels/);
    assert.match(error.message, /up to 10000 pixels/);
    const tiff = encodeGrayTiff([{ width: 20, height: 10_001, gray: new Uint8Array(20 * 10_001).fill(255) }]);
    const tiffError = await rejection(inspectDocument(tiff, 'tiff', limits));
    assert.match(tiffError.message, /20 × 10001 pixels/);
  });

  it('should refuse images too small to OCR', async () => {
    const error = await rejection(inspectDocument(grayPng(10, 10), 'png', limits));
    assert.equal(error.status, 422);
    assert.match(error.message, /too small/);
    assert.deepEqual(await inspectDocument(grayPng(15, 15), 'png', limits), { pageCount: 1 });
  });

  it('should refuse images whose header is damaged', async () => {
    const png = await makeTextPng(['x'], { pageSize: [100, 50] });
    assert.equal((await rejection(inspectDocument(png.subarray(0, 20), 'png', limits))).status, 422);
    const jpeg = await makeTextJpeg(['x'], { pageSize: [100, 50] });
    assert.equal((await rejection(inspectDocument(jpeg.subarray(0, 10), 'jpeg', limits))).status, 422);
    const tiff = await makeMultiPageTiff([['x']], { dpi: 72 });
    const truncated = Buffer.from(tiff);
    truncated.writeUInt32LE(truncated.length + 100, 4); // first directory past the end
    assert.equal((await rejection(inspectDocument(truncated, 'tiff', limits))).status, 422);
  });

  it('should refuse a dynamic XFA form with 422', async () => {
    const doc = await PDFDocument.load(await makeTextPdf([['Please wait...']]), { updateMetadata: false });
    const template = doc.context.register(doc.context.stream('<template/>'));
    doc.catalog.set(PDFName.of('AcroForm'), doc.context.obj({ Fields: [], XFA: [PDFString.of('template'), template] }));
    doc.catalog.set(PDFName.of('NeedsRendering'), PDFBool.True);
    const error = await rejection(inspectDocument(await doc.save(), 'pdf', limits));
    assert.equal(error.status, 422);
    assert.match(error.message, /XFA/);
  });

  it('should accept a hybrid XFA form that has ordinary page content', async () => {
    const doc = await PDFDocument.load(await makeTextPdf([['Name: Ana']]), { updateMetadata: false });
    const template = doc.context.register(doc.context.stream('<template/>'));
    doc.catalog.set(PDFName.of('AcroForm'), doc.context.obj({ Fields: [], XFA: [PDFString.of('template'), template] }));
    assert.deepEqual(await inspectDocument(await doc.save(), 'pdf', limits), { pageCount: 1 });
  });
});
