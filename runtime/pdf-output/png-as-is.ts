import { inflateSync } from 'node:zlib';
import { PDFHexString, type PDFContext, type PDFRef } from 'pdf-lib';
import { MAX_IMAGE_PIXELS_PER_SIDE } from '../documents/textract-limits.ts';

// A PNG's compressed image data (its IDAT chunks) is a zlib stream of rows, each led by a PNG
// filter byte, which is exactly what a PDF FlateDecode stream with /Predictor 15 holds (PDF
// 32000-1 §7.4.4.4). So an opaque, non-interlaced PNG goes into the PDF as it is: no decoding,
// no recompression, the same bytes (what img2pdf does). PNGs with an alpha channel or tRNS
// transparency, interlaced or 16-bit ones return null: their pixels must be decoded.

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GRAY = 0;
const RGB = 2;
const PALETTE = 3;

export interface EmbeddedPng {
  ref: PDFRef;
  width: number;
  height: number;
}

export function embedPngAsIs(context: PDFContext, png: Uint8Array): EmbeddedPng | null {
  if (png.length < 8 || SIGNATURE.some((byte, i) => png[i] !== byte)) return null;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let header: { width: number; height: number; depth: number; colorType: number; interlaced: boolean } | undefined;
  let palette: Uint8Array | undefined;
  const data: Uint8Array[] = [];
  for (let at = 8; at + 8 <= png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + length);
    if (body.length !== length) return null; // truncated: let the decoder say so
    if (type === 'IHDR' && length >= 13) {
      header = {
        width: view.getUint32(at + 8),
        height: view.getUint32(at + 12),
        depth: png[at + 16],
        colorType: png[at + 17],
        interlaced: png[at + 20] !== 0,
      };
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') return null;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!header || header.interlaced || header.depth > 8 || data.length === 0) return null;
  const { width, height, depth, colorType } = header;
  // Sizes out of range are the decoder's to refuse, with its message.
  if (!(width >= 1 && height >= 1 && width <= MAX_IMAGE_PIXELS_PER_SIDE && height <= MAX_IMAGE_PIXELS_PER_SIDE)) return null;
  const colors = colorType === RGB ? 3 : 1;
  if (![GRAY, RGB, PALETTE].includes(colorType) || (colorType === PALETTE && !palette)) return null;

  const compressed = Buffer.concat(data);
  if (!rowsAreWhole(compressed, height, Math.ceil((width * colors * depth) / 8))) return null;
  const colorSpace =
    colorType === GRAY
      ? 'DeviceGray'
      : colorType === RGB
        ? 'DeviceRGB'
        : context.obj(['Indexed', 'DeviceRGB', palette!.length / 3 - 1, PDFHexString.of(Buffer.from(palette!).toString('hex'))]);
  const stream = context.stream(compressed, {
    Type: 'XObject',
    Subtype: 'Image',
    Width: width,
    Height: height,
    ColorSpace: colorSpace,
    BitsPerComponent: depth,
    Filter: 'FlateDecode',
    DecodeParms: { Predictor: 15, Colors: colors, BitsPerComponent: depth, Columns: width },
  });
  return { ref: context.register(stream), width, height };
}

// Copied data MUST be sound: a PDF viewer would show a damaged image where the PNG decoder
// refuses it. Inflating (native zlib, a few ms a page) checks the stream, its length and the
// filter byte (0-4) that leads each row.
function rowsAreWhole(compressed: Uint8Array, height: number, rowBytes: number): boolean {
  const expected = height * (rowBytes + 1);
  let rows: Buffer;
  try {
    // One byte more than a whole image may take, so that longer data shows without inflating it all.
    rows = inflateSync(compressed, { maxOutputLength: expected + 1 });
  } catch {
    return false;
  }
  if (rows.length !== expected) return false;
  for (let y = 0; y < height; y++) if (rows[y * (rowBytes + 1)] > 4) return false;
  return true;
}
