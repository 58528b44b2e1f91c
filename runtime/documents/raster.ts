import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import UTIF from 'utif2';
import type { PageInput } from '../engines/types.ts';
import { DocumentError, unprocessable } from './errors.ts';
import { grayFromRgba, type GrayRaster } from './gray.ts';
import { openPdf, renderPdfPage } from './pdfjs.ts';
import { MAX_IMAGE_PIXELS_PER_SIDE } from './textract-limits.ts';

// Images are decoded by pure-JavaScript decoders: they are untrusted input, and a damaged file
// must end in an exception, never in a crash of the process (skia's decoder in @napi-rs/canvas
// segfaults on some truncated PNGs).

export { grayFromRgba, type GrayRaster } from './gray.ts';

/**
 * `raster` turned the way EXIF orientation `orientation` (1–8) says the camera held it, so the
 * text is upright: 2/4 mirror, 3 turns 180°, 5/7 transpose, 6 turns 90° clockwise, 8 counter-clockwise.
 */
export function applyOrientation(raster: GrayRaster, orientation: number): GrayRaster {
  if (!(orientation >= 2 && orientation <= 8)) return raster;
  const { width: w, height: h, data } = raster;
  const swap = orientation >= 5;
  const out = new Uint8Array(w * h);
  const ow = swap ? h : w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let nx: number;
      let ny: number;
      switch (orientation) {
        case 2: nx = w - 1 - x; ny = y; break;
        case 3: nx = w - 1 - x; ny = h - 1 - y; break;
        case 4: nx = x; ny = h - 1 - y; break;
        case 5: nx = y; ny = x; break;
        case 6: nx = h - 1 - y; ny = x; break;
        case 7: nx = h - 1 - y; ny = w - 1 - x; break;
        default: nx = y; ny = w - 1 - x; break; // 8
      }
      out[ny * ow + nx] = data[y * w + x];
    }
  }
  return { width: ow, height: swap ? w : h, data: out };
}

/**
 * The PNG up to the end of its IEND chunk. Bytes after it (padding from an upload tool, a
 * second file appended) are common in real files and harmless; pngjs refuses them.
 */
export function pngThroughIend(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (bytes[at + 4] === 0x49 && bytes[at + 5] === 0x45 && bytes[at + 6] === 0x4e && bytes[at + 7] === 0x44) return bytes.subarray(0, end);
    at = end;
  }
  return bytes;
}

function decodePng(bytes: Uint8Array): GrayRaster {
  // pngjs expands palette, gray, 16-bit and alpha variants to 8-bit RGBA.
  const complete = pngThroughIend(bytes);
  const png = PNG.sync.read(Buffer.from(complete.buffer, complete.byteOffset, complete.byteLength));
  return grayFromRgba(png.data, png.width, png.height);
}

async function decodeJpeg(bytes: Uint8Array): Promise<GrayRaster> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const image = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: 100 });
  const raster = grayFromRgba(image.data, image.width, image.height);
  // Phones store pictures sideways with an EXIF tag saying which way is up.
  const orientation = await exifr.orientation(buffer).catch(() => undefined);
  return applyOrientation(raster, orientation ?? 1);
}

/** The first directory of a TIFF, any compression UTIF decodes (CCITT fax, LZW, JPEG, Deflate, PackBits). */
function decodeTiff(bytes: Uint8Array): GrayRaster {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const [ifd] = UTIF.decode(buffer);
  if (!ifd) throw new Error('the TIFF has no image');
  UTIF.decodeImage(buffer, ifd);
  const { width, height } = ifd;
  if (!width || !height) throw new Error('the TIFF has no pixels');
  return grayFromRgba(UTIF.toRGBA8(ifd), width, height);
}

/**
 * The first page of a document as 8-bit gray pixels for a local OCR engine. PDFs are drawn at
 * `dpi` with pdf.js; images keep their own pixels. Runs on the calling thread: ~100–300 ms for a
 * Letter page at 300 DPI.
 */
export async function rasterisePage(page: PageInput, dpi = 300): Promise<GrayRaster> {
  const what = `The ${page.kind.toUpperCase()} page ${page.page}`;
  try {
    if (page.kind === 'pdf') {
      const doc = await openPdf(page.bytes);
      try {
        const first = await doc.getPage(1);
        const { width, height } = first.getViewport({ scale: 1 });
        // Huge pages are drawn smaller rather than exhausting memory; Textract refuses them anyway.
        const scale = Math.min(dpi / 72, MAX_IMAGE_PIXELS_PER_SIDE / Math.max(width, height, 1));
        const rgba = await renderPdfPage(doc, 0, scale);
        return grayFromRgba(rgba.data, rgba.width, rgba.height);
      } finally {
        await doc.destroy();
      }
    }
    if (page.kind === 'tiff') return decodeTiff(page.bytes);
    return page.kind === 'png' ? decodePng(page.bytes) : await decodeJpeg(page.bytes);
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw unprocessable(`${what} could not be decoded: it is damaged.`, error);
  }
}
