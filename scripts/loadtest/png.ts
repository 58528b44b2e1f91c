// A minimal PNG writer for 8-bit grayscale: pngjs filters rows in JavaScript, which is the slow part
// when a benchmark pre-generates thousands of documents; unfiltered rows and run-length deflate keep
// one 100 KB image under a millisecond (noise is incompressible anyway, white runs still collapse).
import { constants, crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Compresses scanlines the way encodeGrayPng does, to size images before building them. */
export function deflateScanlines(scanlines: Buffer): Buffer {
  return deflateSync(scanlines, { level: 1, strategy: constants.Z_RLE });
}

/**
 * `scanlines` holds `height` rows of 1 + width bytes, each starting with filter type 0 (none).
 * `text` entries become tEXt chunks.
 */
export function encodeGrayPng(
  width: number,
  height: number,
  scanlines: Buffer,
  text: Record<string, string> = {},
): Buffer {
  if (scanlines.length !== height * (width + 1)) throw new Error('scanlines do not match width × height');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  const parts = [SIGNATURE, chunk('IHDR', ihdr)];
  for (const [key, value] of Object.entries(text)) {
    parts.push(chunk('tEXt', Buffer.from(`${key}\0${value}`, 'latin1')));
  }
  parts.push(chunk('IDAT', deflateScanlines(scanlines)), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}
