import { deflateSync } from 'node:zlib';
import type { PDFContext, PDFRef } from 'pdf-lib';

/** Decoded pixels: 8-bit RGBA, row-major, `width * height * 4` bytes. */
export interface RgbaRaster {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * Gray samples exactly as a TIFF stores them, rows padded to whole bytes: what fax and scanner
 * pages decode to, kept at their own depth (1 bit for fax) instead of being widened to RGBA.
 */
export interface GraySamples {
  width: number;
  height: number;
  bits: 1 | 8;
  samples: Uint8Array;
  /** TIFF photometric WhiteIsZero (fax): 0 is white, so the PDF inverts through /Decode [1 0]. */
  whiteIsZero: boolean;
}

export function embedGraySamples(context: PDFContext, page: GraySamples): PDFRef {
  const { width, height, bits, samples, whiteIsZero } = page;
  return context.register(imageStream(context, width, height, 'DeviceGray', bits, samples, undefined, whiteIsZero));
}

/**
 * Registers the raster as an image XObject, losslessly and as small as its pixels allow: 1 bit
 * per pixel when it is only black and white (fax, scanner bilevel), 8-bit gray when every pixel
 * is gray, else RGB; an alpha channel that is not fully opaque becomes a soft mask. Compressed
 * with zlib (native, unlike pdf-lib's JS deflate). No PNG predictor: on the fixture scans the
 * "Up" filter made the streams 5-15 % larger, not smaller.
 */
export function embedRaster(context: PDFContext, raster: RgbaRaster): PDFRef {
  const { width, height, rgba } = raster;
  let gray = true;
  let bilevel = true;
  let opaque = true;
  for (let i = 0; i < rgba.length; i += 4) {
    const r = rgba[i];
    if (r !== rgba[i + 1] || r !== rgba[i + 2]) gray = bilevel = false;
    else if (r !== 0 && r !== 255) bilevel = false;
    if (rgba[i + 3] !== 255) opaque = false;
    if (!gray && !opaque) break;
  }
  const smask = opaque ? undefined : context.register(imageStream(context, width, height, 'DeviceGray', 8, channel(rgba, 3)));
  const image = bilevel
    ? imageStream(context, width, height, 'DeviceGray', 1, packBits(rgba, width, height), smask)
    : gray
      ? imageStream(context, width, height, 'DeviceGray', 8, channel(rgba, 0), smask)
      : imageStream(context, width, height, 'DeviceRGB', 8, rgb(rgba), smask);
  return context.register(image);
}

function imageStream(
  context: PDFContext,
  width: number,
  height: number,
  colorSpace: 'DeviceGray' | 'DeviceRGB',
  bits: 1 | 8,
  samples: Uint8Array,
  smask?: PDFRef,
  inverted = false,
) {
  return context.stream(deflateSync(samples), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: width,
    Height: height,
    ColorSpace: colorSpace,
    BitsPerComponent: bits,
    Filter: 'FlateDecode',
    ...(smask ? { SMask: smask } : {}),
    ...(inverted ? { Decode: [1, 0] } : {}),
  });
}

function channel(rgba: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4 + offset];
  return out;
}

function rgb(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    out[o] = rgba[i];
    out[o + 1] = rgba[i + 1];
    out[o + 2] = rgba[i + 2];
  }
  return out;
}

/** 1 bit per pixel, rows padded to whole bytes, 1 = white (DeviceGray). */
function packBits(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const rowBytes = Math.ceil(width / 8);
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (rgba[(y * width + x) * 4] !== 0) out[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return out;
}
