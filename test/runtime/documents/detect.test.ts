import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectKind } from '../../../runtime/documents/detect.ts';
import { makeMultiPageTiff, makeTextJpeg, makeTextPdf, makeTextPng } from '../../helpers/make-documents.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('detectKind', () => {
  it('should recognise generated documents of every accepted kind', async () => {
    assert.equal(detectKind(await makeTextPdf([['pdf']])), 'pdf');
    assert.equal(detectKind(await makeTextPng(['png'], { pageSize: [200, 100] })), 'png');
    assert.equal(detectKind(await makeTextJpeg(['jpeg'], { pageSize: [200, 100] })), 'jpeg');
    assert.equal(detectKind(await makeMultiPageTiff([['tiff']], { pageSize: [100, 50], dpi: 72 })), 'tiff');
  });

  it('should recognise both TIFF byte orders', () => {
    assert.equal(detectKind(bytes('II', [0x2a, 0, 8, 0, 0, 0])), 'tiff');
    assert.equal(detectKind(bytes('MM', [0, 0x2a, 0, 0, 0, 8])), 'tiff');
  });

  it('should decide by content, not by a lying file name or declared type', async () => {
    // What a client uploads as "invoice.pdf" with Content-Type application/pdf:
    const upload = { filename: 'invoice.pdf', contentType: 'application/pdf', bytes: await makeTextPng(['x'], { pageSize: [100, 50] }) };
    assert.equal(detectKind(upload.bytes), 'png');
    const renamed = { filename: 'scan.png', contentType: 'image/png', bytes: await makeTextPdf([['x']]) };
    assert.equal(detectKind(renamed.bytes), 'pdf');
  });

  it('should accept a PDF header after junk within the first 1024 bytes', () => {
    assert.equal(detectKind(bytes('\r\n\r\nMIME junk\n%PDF-1.4\n')), 'pdf');
    assert.equal(detectKind(bytes('x'.repeat(1019), '%PDF-')), 'pdf');
  });

  it('should not look for a PDF header past the first 1024 bytes', () => {
    assert.equal(detectKind(bytes('x'.repeat(1020), '%PDF-1.4')), null);
  });

  it('should return null for kinds Textract does not accept', () => {
    assert.equal(detectKind(new Uint8Array()), null);
    assert.equal(detectKind(bytes('GIF89a', [1, 0, 1, 0])), null);
    assert.equal(detectKind(bytes('BM', [0, 0, 0, 0])), null);
    assert.equal(detectKind(bytes('hello, world')), null);
    assert.equal(detectKind(bytes('II', [0x2b, 0, 8, 0])), null, 'BigTIFF');
    assert.equal(detectKind(bytes([0x89], 'PNG')), null, 'truncated PNG signature');
    assert.equal(detectKind(bytes([0xff, 0xd8])), null, 'truncated JPEG signature');
    assert.equal(detectKind(bytes('%PDF')), null, 'no dash after %PDF');
  });
});
