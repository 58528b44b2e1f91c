import { createHash } from 'node:crypto';
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
