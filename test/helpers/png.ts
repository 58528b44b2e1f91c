import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { addPngText } from './make-documents.ts';

/** A small valid PNG, unique per seed; optional text chunk carries emulator markers. */
export function tinyPng(seed: string | number, marker?: string): Buffer {
  const png = new PNG({ width: 32, height: 32 });
  const noise = createHash('sha256').update(String(seed)).digest();
  for (let i = 0; i < png.data.length; i++) png.data[i] = noise[i % noise.length]!;
  const bytes = PNG.sync.write(png);
  return marker ? Buffer.from(addPngText(bytes, marker)) : bytes;
}

export function sha8(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}

/**
 * A valid PNG of `bytes` bytes: tinyPng(seed) with an ancillary chunk of filler after its header,
 * which readers skip. For upload-size tests; the image itself stays 32 × 32.
 */
export function paddedPng(seed: string | number, bytes: number): Buffer {
  const base = tinyPng(seed);
  const filler = pngChunk('flUd', Buffer.alloc(Math.max(0, bytes - base.length - 12), 0x5a));
  // Signature (8 bytes) and IHDR (25) come first; the filler goes right after them.
  return Buffer.concat([base.subarray(0, 33), filler, base.subarray(33)]);
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(Buffer.from(type, 'latin1'))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}
