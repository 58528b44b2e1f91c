import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { buildSearchablePdf } from '../../../runtime/pdf-output/searchable-pdf.ts';
import { grayOf, textractorPage } from '../../helpers/ocr-fixtures.ts';
import { pdfImages, pdfText, renderPdf } from '../../helpers/poppler.ts';
import { assertWordsExtracted } from '../../helpers/text-layer-checks.ts';

const textractor = textractorPage();

/** The concatenated IDAT chunks of a PNG: its compressed rows. */
function idat(png: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const bytes = Buffer.from(png);
  for (let at = 8; at < bytes.length; at += 12 + bytes.readUInt32BE(at)) {
    if (bytes.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(bytes.subarray(at + 8, at + 8 + bytes.readUInt32BE(at)));
  }
  return Buffer.concat(parts);
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** A 2-bit palette PNG (pngjs writes no palettes): rows of indices, each row filter type 0. */
function palettePng(width: number, height: number, palette: number[][], index: (x: number, y: number) => number): Buffer {
  const rowBytes = Math.ceil((width * 2) / 8);
  const rows = Buffer.alloc(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows[y * (rowBytes + 1) + 1 + (x >> 2)] |= index(x, y) << (6 - 2 * (x & 3));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([2, 3, 0, 0, 0], 8); // bit depth 2, color type 3 (palette), no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('PLTE', Buffer.from(palette.flat())),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('opaque PNG pages', () => {
  it('should carry the compressed rows of gray and RGB PNGs into the PDF unchanged', async () => {
    const gray = PNG.sync.write({ width: textractor.width, height: textractor.height, data: Buffer.from(grayOf(textractor)) } as PNG, {
      colorType: 0,
      inputColorType: 0,
      inputHasAlpha: false,
    });
    const rgbPixels = Buffer.alloc(textractor.width * textractor.height * 3);
    for (let p = 0; p < textractor.width * textractor.height; p++) rgbPixels.set(textractor.rgba.subarray(p * 4, p * 4 + 3), p * 3);
    const rgb = PNG.sync.write({ width: textractor.width, height: textractor.height, data: rgbPixels } as PNG, {
      colorType: 2,
      inputColorType: 2,
      inputHasAlpha: false,
    });

    for (const [png, color] of [
      [gray, 'gray'],
      [rgb, 'rgb'],
    ] as const) {
      const pdf = await buildSearchablePdf(png, 'png', [{ page: 1, words: textractor.words }]);
      assert.ok(pdf.includes(idat(png)), `${color}: the PNG's image data is not in the PDF as it was`);
      const [image] = await pdfImages(pdf);
      assert.equal(image.color, color);
      assert.deepEqual(Buffer.from(image.rgba), Buffer.from(PNG.sync.read(png).data), `${color}: pixels differ`);
      assertWordsExtracted(
        await pdfText(pdf),
        textractor.words.map((w) => w.text),
      );
    }
  });

  it('should show a palette PNG in its palette colours', async () => {
    const palette = [
      [255, 255, 255],
      [200, 30, 30],
      [30, 160, 40],
      [0, 0, 0],
    ];
    const index = (x: number, y: number) => (x + 3 * y) % 4;
    const png = palettePng(33, 17, palette, index);
    const pdf = await buildSearchablePdf(png, 'png', []);

    const [image] = await pdfImages(pdf);
    assert.deepEqual([image.width, image.height], [33, 17]);
    for (let y = 0; y < 17; y++) {
      for (let x = 0; x < 33; x++) {
        const p = (y * 33 + x) * 4;
        assert.deepEqual([...image.rgba.subarray(p, p + 3)], palette[index(x, y)], `pixel ${x},${y}`);
      }
    }
  });

  it('should decode a PNG whose image data is damaged rather than copy it', async () => {
    const png = palettePng(33, 17, [[0, 0, 0]], () => 0);
    // The zlib stream cut short inside a valid chunk: copied, the page would not render.
    const cut = idat(png).subarray(0, 8);
    const broken = Buffer.concat([png.subarray(0, png.indexOf('IDAT') - 4), chunk('IDAT', cut), chunk('IEND', Buffer.alloc(0))]);
    const pdf = await buildSearchablePdf(broken, 'png', []);

    assert.ok(!pdf.includes(cut), 'the damaged stream was copied');
    assert.equal((await renderPdf(pdf)).length, 1);
  });
});
