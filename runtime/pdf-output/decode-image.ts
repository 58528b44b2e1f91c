import { PNG } from 'pngjs';
import UTIF from 'utif2';
import { DocumentError, unprocessable } from '../documents/errors.ts';
import { MAX_IMAGE_PIXELS_PER_SIDE } from '../documents/textract-limits.ts';
import { extractTiffPage, TiffFormatError, tiffPageSizes } from '../documents/tiff.ts';
import type { GraySamples, RgbaRaster } from './raster-image.ts';

// Pixels of PNG and TIFF pages, decoded one page at a time so that a 100-page TIFF never holds
// more than one page's pixels. JPEG needs no decoding: its bytes go into the PDF as they are.

function checkSize(width: number, height: number, where: string): void {
  // Textract's own limit, which the document met when it was OCRed; a larger one here would
  // only allocate gigabytes for a page nobody could have read.
  if (!(width >= 1 && height >= 1 && width <= MAX_IMAGE_PIXELS_PER_SIDE && height <= MAX_IMAGE_PIXELS_PER_SIDE)) {
    throw unprocessable(`${where} is ${width} × ${height} pixels; at most ${MAX_IMAGE_PIXELS_PER_SIDE} pixels on each side are supported.`);
  }
}

/** The PNG as 8-bit RGBA (palette, gray, 16-bit and tRNS transparency resolved by pngjs). */
export function decodePng(bytes: Uint8Array): RgbaRaster {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (cause) {
    throw unprocessable('The PNG image could not be decoded: it is damaged or truncated.', cause);
  }
  checkSize(png.width, png.height, 'The PNG image');
  return { width: png.width, height: png.height, rgba: png.data };
}

/** Number of pages of a TIFF, checked the way the OCR path splits it (loops, truncation). */
export function tiffPageCount(bytes: Uint8Array): number {
  try {
    return tiffPageSizes(bytes).length;
  } catch (cause) {
    if (cause instanceof TiffFormatError) throw unprocessable(`The TIFF image could not be read: ${cause.message}.`, cause);
    throw cause;
  }
}

/**
 * Page `index` (0-based) of a TIFF, decoded by utif2: uncompressed, PackBits, LZW, Deflate, JPEG
 * and the fax compressions (CCITT RLE, Group 3, Group 4). Bilevel and 8-bit gray pages come back
 * as their own samples (a fax page stays 1 bit per pixel); every other photometric
 * interpretation (RGB, palette, CMYK, YCbCr, with alpha) as 8-bit RGBA. The page is first cut out
 * by the same code that split it for OCR, so page numbers agree and utif2 never walks a hostile
 * directory chain.
 */
export function decodeTiffPage(bytes: Uint8Array, index: number): RgbaRaster | GraySamples {
  const where = `Page ${index + 1} of the TIFF image`;
  try {
    const single = extractTiffPage(bytes, index);
    const page = Buffer.from(single.buffer, single.byteOffset, single.byteLength);
    const [ifd] = UTIF.decode(page);
    if (!ifd) throw new TiffFormatError('it has no image directory');
    const tag = (id: number) => (ifd[`t${id}`] as number[] | undefined)?.[0];
    const width = Number(tag(256));
    const height = Number(tag(257));
    checkSize(width, height, where);
    UTIF.decodeImage(page, ifd);
    if (!ifd.data || ifd.data.length === 0) throw new TiffFormatError('it holds no image data');

    const bits = tag(258) ?? 1;
    // A bilevel page without a photometric tag is WhiteIsZero, as utif2 and libtiff read it.
    const photometric = tag(262) ?? (bits === 1 ? 0 : undefined);
    const rowBytes = Math.ceil((width * bits) / 8);
    if ((tag(277) ?? 1) === 1 && (bits === 1 || bits === 8) && (photometric === 0 || photometric === 1) && ifd.data.length >= rowBytes * height) {
      return { width, height, bits, samples: ifd.data.subarray(0, rowBytes * height), whiteIsZero: photometric === 0 };
    }
    return { width, height, rgba: UTIF.toRGBA8(ifd) };
  } catch (cause) {
    if (cause instanceof DocumentError) throw cause;
    // utif2 throws strings and plain errors alike on data it cannot decode.
    const reason = cause instanceof TiffFormatError ? cause.message : 'its image data is damaged or uses an unsupported encoding';
    throw unprocessable(`${where} could not be decoded: ${reason}.`, cause);
  }
}
