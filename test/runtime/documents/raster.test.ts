import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { DocumentError } from '../../../runtime/documents/errors.ts';
import { applyOrientation, grayFromRgba, rasterisePage } from '../../../runtime/documents/raster.ts';
import { makeMultiPageTiff, makeTextPdf, makeTextPng } from '../../helpers/make-documents.ts';
import { realDocument } from '../../helpers/real-documents.ts';

/** An EXIF APP1 segment holding only an Orientation tag (big-endian TIFF header). */
function exifOrientation(orientation: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); // Orientation
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(orientation, 18);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/** Mean absolute difference of two gray rasters of the same size, 0..255. */
function meanDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe('rasterisePage', () => {
  it('should give a real colour PNG its own pixel size in gray, transparent areas as paper', async () => {
    const raster = await rasterisePage({ page: 1, kind: 'png', bytes: realDocument('fake_id.png') });
    assert.deepEqual([raster.width, raster.height], [848, 544]);
    assert.equal(raster.data.length, 848 * 544);
    // A fully transparent red pixel is white paper; an opaque one has red's luma.
    assert.deepEqual([...grayFromRgba(new Uint8Array([255, 0, 0, 0, 255, 0, 0, 255]), 2, 1).data], [255, 76]);
  });

  it('should turn a sideways phone photo upright by its EXIF orientation', async () => {
    const upright = await rasterisePage({ page: 1, kind: 'jpeg', bytes: realDocument('receipt.jpg') });
    // The camera stored it turned 90° counter-clockwise, with orientation 6 saying so.
    const stored = applyOrientation(upright, 8);
    const rgba = Buffer.alloc(stored.width * stored.height * 4, 255);
    stored.data.forEach((v, i) => rgba.fill(v, i * 4, i * 4 + 3));
    const encoded = jpeg.encode({ data: rgba, width: stored.width, height: stored.height }, 95).data;
    const sideways = Buffer.concat([encoded.subarray(0, 2), exifOrientation(6), encoded.subarray(2)]);
    const raster = await rasterisePage({ page: 1, kind: 'jpeg', bytes: sideways });
    assert.deepEqual([raster.width, raster.height], [upright.width, upright.height]);
    assert.ok(meanDifference(raster.data, upright.data) < 4, `differs by ${meanDifference(raster.data, upright.data)}`);
  });

  it('should undo every EXIF orientation', () => {
    // 2×3 pixels numbered in reading order; each orientation stores them differently.
    const upright = { width: 2, height: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
    const stored: Record<number, { width: number; height: number; data: number[] }> = {
      2: { width: 2, height: 3, data: [2, 1, 4, 3, 6, 5] },
      3: { width: 2, height: 3, data: [6, 5, 4, 3, 2, 1] },
      4: { width: 2, height: 3, data: [5, 6, 3, 4, 1, 2] },
      5: { width: 3, height: 2, data: [1, 3, 5, 2, 4, 6] },
      6: { width: 3, height: 2, data: [2, 4, 6, 1, 3, 5] },
      7: { width: 3, height: 2, data: [6, 4, 2, 5, 3, 1] },
      8: { width: 3, height: 2, data: [5, 3, 1, 6, 4, 2] },
    };
    for (const [orientation, image] of Object.entries(stored)) {
      const turned = applyOrientation({ ...image, data: Uint8Array.from(image.data) }, Number(orientation));
      assert.deepEqual({ ...turned, data: [...turned.data] }, { ...upright, data: [...upright.data] }, `orientation ${orientation}`);
    }
  });

  it('should draw a PDF page at the asked resolution and decode a TIFF at its own', async () => {
    const pdf = await rasterisePage({ page: 1, kind: 'pdf', bytes: realDocument('sample-invoice.pdf') }, 300);
    assert.deepEqual([pdf.width, pdf.height], [2480, 3508], 'A4 at 300 DPI');
    assert.ok(pdf.data.some((v) => v < 64), 'there is ink');
    const tiff = await rasterisePage({ page: 1, kind: 'tiff', bytes: await makeMultiPageTiff([['TIFF page']], { dpi: 100 }) });
    assert.deepEqual([tiff.width, tiff.height], [850, 1100]);
    const png = await rasterisePage({ page: 1, kind: 'png', bytes: await makeTextPng(['TIFF page'], { dpi: 100 }) });
    assert.equal(meanDifference(tiff.data, png.data), 0, 'the same page through TIFF and PNG');
  });

  it('should read a PNG with bytes after its end, as real files sometimes have', async () => {
    const png = realDocument('paystub_header.png');
    const padded = Buffer.concat([png, Buffer.from('\r\n\0\0 trailing bytes')]);
    const raster = await rasterisePage({ page: 1, kind: 'png', bytes: padded });
    assert.deepEqual(Buffer.from(raster.data), Buffer.from((await rasterisePage({ page: 1, kind: 'png', bytes: png })).data));
  });

  it('should refuse damaged images and PDFs with 422 instead of crashing', async () => {
    const png = Buffer.from(await makeTextPng(['x'], { pageSize: [300, 120] }));
    const pdf = Buffer.from(await makeTextPdf([['x']]));
    const broken = [
      { kind: 'png', bytes: Buffer.concat([png.subarray(0, 8), Buffer.alloc(200, 0x41)]) },
      { kind: 'png', bytes: png.subarray(0, 300) },
      { kind: 'jpeg', bytes: Buffer.concat([realDocument('receipt.jpg').subarray(0, 2000), Buffer.alloc(100)]) },
      { kind: 'tiff', bytes: Buffer.from('II*\0\x08\0\0\0\xff\xff', 'latin1') },
      { kind: 'pdf', bytes: pdf.subarray(0, 200) },
    ] as const;
    for (const { kind, bytes } of broken) {
      await assert.rejects(rasterisePage({ page: 1, kind, bytes }), (error: unknown) => {
        assert.ok(error instanceof DocumentError && error.status === 422, `${kind}: ${error}`);
        return true;
      });
    }
  });
});
