import type { PixelSize } from './image-size.ts';

// A walk of the IFD chain of a classic TIFF: enough to count pages and read their sizes without
// decoding pixels (TIFF 6.0 spec, section 2).

const TAG_IMAGE_WIDTH = 256;
const TAG_IMAGE_LENGTH = 257;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
// A corrupt or hostile file can chain IFDs in a loop or claim millions of them.
const MAX_IFDS = 10_000;

export class TiffFormatError extends Error {
  override readonly name = 'TiffFormatError';
}

/** Size of every page (IFD) in order. Throws TiffFormatError if the structure is broken. */
export function tiffPageSizes(bytes: Uint8Array): PixelSize[] {
  if (bytes.length < 8) throw new TiffFormatError('the file is shorter than a TIFF header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = bytes[0] === 0x49;
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);

  const pages: PixelSize[] = [];
  const seen = new Set<number>();
  let ifd = u32(4);
  while (ifd !== 0) {
    if (seen.has(ifd)) throw new TiffFormatError('its page directories form a loop');
    if (seen.size >= MAX_IFDS) throw new TiffFormatError(`it has more than ${MAX_IFDS} page directories`);
    seen.add(ifd);
    if (ifd + 2 > bytes.length) throw new TiffFormatError('a page directory lies past the end of the file');
    const count = u16(ifd);
    const end = ifd + 2 + count * 12;
    if (end + 4 > bytes.length) throw new TiffFormatError('a page directory is truncated');
    let width = 0;
    let height = 0;
    for (let entry = ifd + 2; entry < end; entry += 12) {
      const tag = u16(entry);
      if (tag !== TAG_IMAGE_WIDTH && tag !== TAG_IMAGE_LENGTH) continue;
      const type = u16(entry + 2);
      const value = type === TYPE_SHORT ? u16(entry + 8) : type === TYPE_LONG ? u32(entry + 8) : 0;
      if (tag === TAG_IMAGE_WIDTH) width = value;
      else height = value;
    }
    if (width === 0 || height === 0) throw new TiffFormatError(`page ${pages.length + 1} has no image size`);
    pages.push({ width, height });
    ifd = u32(end);
  }
  if (pages.length === 0) throw new TiffFormatError('it has no pages');
  return pages;
}

// Bytes per value of each TIFF field type; entries of other types are dropped, as the spec
// tells readers to skip types they do not know.
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };
const TAG_STRIP_OFFSETS = 273;
const TAG_STRIP_BYTE_COUNTS = 279;
const TAG_TILE_OFFSETS = 324;
const TAG_TILE_BYTE_COUNTS = 325;
const TAG_COMPRESSION = 259;
// Pointers into the rest of the file whose targets we do not carry over: free-space lists,
// sub-IFDs (thumbnails), EXIF/GPS/interoperability directories. None affects the page image.
const DROPPED_TAGS = new Set([288, 289, 330, 34665, 34853, 40965]);
const OLD_JPEG = 6;

interface Entry {
  tag: number;
  type: number;
  count: number;
  value: Uint8Array;
}

/**
 * Page `index` (0-based) of a multi-page TIFF as a single-page TIFF, built by copying its
 * directory and image data without decoding: the pixels and their compression (often CCITT G4
 * from scanners, which keeps a page near 50 KB) are exactly the client's, and it costs a copy.
 */
export function extractTiffPage(bytes: Uint8Array, index: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = bytes[0] === 0x49;
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  const slice = (at: number, length: number) => {
    if (at + length > bytes.length) throw new TiffFormatError(`page ${index + 1} points past the end of the file`);
    return bytes.subarray(at, at + length);
  };

  let ifd = u32(4);
  for (let i = 0; i < index; i++) {
    if (ifd === 0 || ifd + 2 > bytes.length) throw new TiffFormatError(`the file has no page ${index + 1}`);
    ifd = u32(ifd + 2 + u16(ifd) * 12);
  }
  if (ifd === 0 || ifd + 2 > bytes.length) throw new TiffFormatError(`the file has no page ${index + 1}`);

  const entries: Entry[] = [];
  const count = u16(ifd);
  slice(ifd, 2 + count * 12 + 4);
  for (let at = ifd + 2; at < ifd + 2 + count * 12; at += 12) {
    const tag = u16(at);
    const type = u16(at + 2);
    const n = u32(at + 4);
    const size = TYPE_SIZE[type];
    if (size === undefined || DROPPED_TAGS.has(tag)) continue;
    const length = size * n;
    const value = length <= 4 ? bytes.subarray(at + 8, at + 8 + length) : slice(u32(at + 8), length);
    entries.push({ tag, type, count: n, value });
  }

  const read = (entry: Entry | undefined): number[] => {
    if (!entry) return [];
    const v = new DataView(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength);
    return Array.from({ length: entry.count }, (_, i) => (entry.type === TYPE_SHORT ? v.getUint16(i * 2, little) : v.getUint32(i * 4, little)));
  };
  const find = (tag: number) => entries.find((e) => e.tag === tag);
  if (read(find(TAG_COMPRESSION))[0] === OLD_JPEG) {
    // Its tables sit at offsets of unrecorded length, so it cannot be relocated safely.
    throw new TiffFormatError('it uses old-style JPEG compression (TIFF 6.0 section 22), which is obsolete');
  }
  const tiled = find(TAG_TILE_OFFSETS) !== undefined;
  const offsetsTag = tiled ? TAG_TILE_OFFSETS : TAG_STRIP_OFFSETS;
  const offsets = read(find(offsetsTag));
  const counts = read(find(tiled ? TAG_TILE_BYTE_COUNTS : TAG_STRIP_BYTE_COUNTS));
  if (offsets.length === 0 || offsets.length !== counts.length) {
    throw new TiffFormatError(`page ${index + 1} has no readable image data`);
  }
  const blocks = offsets.map((offset, i) => slice(offset, counts[i]));

  // Layout: header, directory, out-of-line values, image data; every part word-aligned.
  entries.sort((a, b) => a.tag - b.tag);
  const offsetsEntry = find(offsetsTag)!;
  // Offsets are rewritten as LONGs whatever the source used; the values are filled in below.
  offsetsEntry.type = TYPE_LONG;
  offsetsEntry.value = new Uint8Array(4 * offsetsEntry.count);
  const align = (n: number) => n + (n % 2);
  let cursor = 8 + 2 + entries.length * 12 + 4;
  const valueAt = new Map<Entry, number>();
  for (const entry of entries) {
    if (entry.value.length <= 4) continue;
    valueAt.set(entry, cursor);
    cursor = align(cursor + entry.value.length);
  }
  const blockAt = blocks.map((block) => {
    const at = cursor;
    cursor = align(cursor + block.length);
    return at;
  });

  const out = new Uint8Array(cursor);
  const w = new DataView(out.buffer);
  out.set(bytes.subarray(0, 4)); // same byte order and magic number
  w.setUint32(4, 8, little);
  w.setUint16(8, entries.length, little);
  entries.forEach((entry, i) => {
    const at = 10 + i * 12;
    w.setUint16(at, entry.tag, little);
    w.setUint16(at + 2, entry.type, little);
    w.setUint32(at + 4, entry.count, little);
    const external = valueAt.get(entry);
    if (external === undefined) out.set(entry.value, at + 8);
    else {
      w.setUint32(at + 8, external, little);
      out.set(entry.value, external);
    }
  });
  // The next-directory pointer after the entries stays 0: a single page.
  const offsetsAt = valueAt.get(offsetsEntry) ?? 10 + entries.indexOf(offsetsEntry) * 12 + 8;
  blockAt.forEach((at, k) => w.setUint32(offsetsAt + k * 4, at, little));
  blocks.forEach((block, k) => out.set(block, blockAt[k]));
  return out;
}
