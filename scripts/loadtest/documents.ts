// Documents to send: generated ones (unique per sequence number so the service's sha256 cache never
// hits, unless repeat asks for exactly that) or the files of a directory, sent as they are.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { drawText } from './font.ts';
import { deflateScanlines, encodeGrayPng } from './png.ts';
import type {
  DirectoryDocuments,
  DocType,
  DocumentProvider,
  GeneratedDocuments,
  LoadDocument,
} from './types.ts';

export interface GenerateOptions {
  type: DocType;
  /** Approximate size target in KiB (the text band sets a floor of about 2 KiB). */
  kb: number;
  /** pdf-multi only (default 3). */
  pages?: number;
  seq: number;
  /**
   * Mixed into the content with seq. Runs use a random salt so that a second run against the same
   * database does not hit the cache with the first run's documents.
   */
  salt?: string;
}

const IMAGE_WIDTH = 640;
const TEXT_SCALE = 3;
const LINE_HEIGHT = 30;
const TEXT_TOP = 16;
const TEXT_LINES = 3;
const TEXT_BAND_ROWS = TEXT_TOP + TEXT_LINES * LINE_HEIGHT + 10;
const STRIDE = IMAGE_WIDTH + 1;

/** xorshift32: the noise must be reproducible, so that --repeat and equal seqs give equal bytes. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 0x9e3779b9;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (; i < length; i++) out[i] = (i * 131) & 0xff;
  return out;
}

function textLines(seq: number, salt: string): string[] {
  return ['DTAT-OCR LOADTEST', `RUN ${salt}`, `DOC #${seq}`];
}

function textBand(lines: string[]): Buffer {
  const band = Buffer.alloc(TEXT_BAND_ROWS * STRIDE, 255);
  for (let row = 0; row < TEXT_BAND_ROWS; row++) band[row * STRIDE] = 0;
  lines.forEach((line, i) => drawText(band, STRIDE, 1 + 16, TEXT_TOP + i * LINE_HEIGHT, line, TEXT_SCALE));
  return band;
}

const noiseRowsCache = new Map<number, Buffer>();

/** Noise scanlines (filter byte 0 at each row start), built once per row count. */
function noiseScanlines(rows: number): Buffer {
  let cached = noiseRowsCache.get(rows);
  if (!cached) {
    cached = noise(rows * STRIDE, 0x5eed + rows);
    for (let row = 0; row < rows; row++) cached[row * STRIDE] = 0;
    noiseRowsCache.set(rows, cached);
  }
  return cached;
}

let textBandBytes: number | undefined;

function pngNoiseRows(kb: number): number {
  textBandBytes ??= deflateScanlines(textBand(textLines(123456, 'ABCDEF12'))).length;
  const overhead = 8 + 25 + 12 + 12 + 6 + 64;
  return Math.max(0, Math.round((kb * 1024 - overhead - textBandBytes) / STRIDE));
}

function generatePng(kb: number, seq: number, salt: string): Buffer {
  const rows = pngNoiseRows(kb);
  const band = textBand(textLines(seq, salt));
  const scanlines = Buffer.allocUnsafe(band.length + rows * STRIDE);
  band.copy(scanlines, 0);
  if (rows > 0) {
    noiseScanlines(rows).copy(scanlines, band.length);
    // A few noise pixels carry seq too, so documents differ beyond the text band.
    const base = band.length;
    for (let k = 0; k < 4; k++) {
      const at = base + ((k * 7919 + seq) % rows) * STRIDE + 1 + ((seq >>> (k * 8)) & 0xff) % IMAGE_WIDTH;
      scanlines[at] ^= (seq >>> (k * 8)) & 0xff || 0x55;
    }
  }
  return encodeGrayPng(IMAGE_WIDTH, TEXT_BAND_ROWS + rows, scanlines, {
    Software: 'DTAT-OCR loadtest',
    Comment: `run=${salt} seq=${seq}`,
  });
}

const JPEG_QUALITY = 80;
let jpegCalibration: { bandBytes: number; bytesPerNoiseRow: number } | undefined;
const jpegBaseCache = new Map<number, Buffer>();

function rgbaFromGray(gray: Buffer, width: number, height: number, scanlineStride: number): Buffer {
  const rgba = Buffer.allocUnsafe(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = gray[y * scanlineStride + 1 + x];
      const o = (y * width + x) * 4;
      rgba[o] = v;
      rgba[o + 1] = v;
      rgba[o + 2] = v;
      rgba[o + 3] = 255;
    }
  }
  return rgba;
}

function encodeJpeg(scanlines: Buffer, height: number): Buffer {
  const encoded = jpeg.encode(
    { data: rgbaFromGray(scanlines, IMAGE_WIDTH, height, STRIDE), width: IMAGE_WIDTH, height },
    JPEG_QUALITY,
  ).data;
  return Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length);
}

const JPEG_BAND = ['DTAT-OCR LOADTEST', 'GENERATED IMAGE', 'JPEG'];

/** Smallest JPEG this generator makes: the text band alone. */
function jpegFloorBytes(): number {
  jpegCalibration ??= (() => {
    const bandBytes = encodeJpeg(textBand(JPEG_BAND), TEXT_BAND_ROWS).length;
    const probeRows = 32;
    const bytesPerNoiseRow = encodeJpeg(noiseScanlines(probeRows), probeRows).length / probeRows;
    return { bandBytes, bytesPerNoiseRow };
  })();
  return jpegCalibration.bandBytes;
}

/**
 * One JPEG per size target, encoded once: jpeg-js takes ~80 ms for 100 KB, far too slow per document,
 * so per-document uniqueness comes from a COM segment (see withJpegComment).
 */
function jpegBase(targetBytes: number): Buffer {
  const cached = jpegBaseCache.get(targetBytes);
  if (cached) return cached;
  const floor = jpegFloorBytes();
  const rows = Math.max(0, Math.round((targetBytes - floor) / jpegCalibration!.bytesPerNoiseRow));
  const bytes = encodeJpeg(Buffer.concat([textBand(JPEG_BAND), noiseScanlines(rows)]), TEXT_BAND_ROWS + rows);
  jpegBaseCache.set(targetBytes, bytes);
  return bytes;
}

/** Inserts a COM segment right after SOI: different bytes (and sha256), same pixels. */
function withJpegComment(base: Buffer, comment: string): Buffer {
  const text = Buffer.from(comment, 'latin1');
  const segment = Buffer.allocUnsafe(4 + text.length);
  segment[0] = 0xff;
  segment[1] = 0xfe;
  segment.writeUInt16BE(2 + text.length, 2);
  text.copy(segment, 4);
  return Buffer.concat([base.subarray(0, 2), segment, base.subarray(2)]);
}

const PDF_LINES = [
  'Bill to: Example Customer Ltd, 1 Sample Street, Springfield',
  'Item                      Qty     Unit price     Amount',
  'Document processing         1         125.00     125.00',
  'Storage (per GB)           12           0.25       3.00',
  'Total due: 128.00 USD            Payment terms: 30 days',
];

async function generatePdf(kb: number, pages: number, seq: number, salt: string): Promise<Buffer> {
  // updateMetadata: false keeps creation dates out, so equal inputs give equal bytes.
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const perPageImageBytes = Math.floor((kb * 1024 - 3000 - pages * 1400) / pages);
  const imageBytes =
    perPageImageBytes >= jpegFloorBytes() ? withJpegComment(jpegBase(perPageImageBytes), `run=${salt} seq=${seq}`) : null;
  for (let p = 1; p <= pages; p++) {
    const page = doc.addPage([612, 792]);
    page.drawText('DTAT-OCR load test document', { x: 56, y: 730, size: 20, font: bold });
    page.drawText(`Run ${salt}  Document #${seq}  Page ${p} of ${pages}`, { x: 56, y: 704, size: 12, font });
    page.drawText(`Invoice number: INV-${seq}-${p}`, { x: 56, y: 676, size: 12, font });
    PDF_LINES.forEach((line, i) => page.drawText(line, { x: 56, y: 648 - i * 18, size: 11, font, color: rgb(0, 0, 0) }));
    if (imageBytes) {
      // A distinct XObject per page, so the file grows with the page count as scanned pages do.
      const image = await doc.embedJpg(imageBytes);
      const width = 500;
      const height = Math.min(500, (image.height / image.width) * width);
      page.drawImage(image, { x: 56, y: 540 - height, width, height });
    }
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/**
 * Generates one document of about `kb` KiB. Deterministic in (type, kb, pages, seq, salt): the same
 * inputs give the same bytes, a different seq or salt gives different bytes.
 */
export async function generateDocument(options: GenerateOptions): Promise<LoadDocument> {
  const { type, kb, seq } = options;
  const salt = (options.salt ?? 'DTAT0000').toUpperCase();
  if (!(kb > 0)) throw new Error('kb must be positive');
  const stem = `loadtest-${salt}-${seq}`;
  switch (type) {
    case 'png':
      return { bytes: generatePng(kb, seq, salt), contentType: 'image/png', filename: `${stem}.png` };
    case 'jpeg':
      return {
        bytes: withJpegComment(jpegBase(Math.round(kb * 1024)), `DTAT-OCR loadtest run=${salt} seq=${seq}`),
        contentType: 'image/jpeg',
        filename: `${stem}.jpg`,
      };
    case 'pdf':
    case 'pdf-multi': {
      const pages = type === 'pdf' ? 1 : Math.max(1, Math.floor(options.pages ?? 3));
      return { bytes: await generatePdf(kb, pages, seq, salt), contentType: 'application/pdf', filename: `${stem}.pdf` };
    }
  }
}

const EXTENSION_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** By magic bytes first (as the service decides), then by extension, else application/octet-stream. */
export function detectContentType(bytes: Buffer, filename: string): string {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const head = bytes.subarray(0, 4).toString('latin1');
  if (head === 'II*\0' || head === 'MM\0*') return 'image/tiff';
  return EXTENSION_TYPES[extname(filename).toLowerCase()] ?? 'application/octet-stream';
}

export class DocumentSourceError extends Error {}

/** Reads a directory's regular, non-hidden files in name order, cycled by seq. */
export async function directoryProvider(dir: string, repeat = false): Promise<{ provider: DocumentProvider; files: number }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  } catch (err) {
    throw new DocumentSourceError(`--docs-dir ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const files: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) files.push(path);
  }
  if (files.length === 0) throw new DocumentSourceError(`--docs-dir ${dir} holds no files`);
  // Keep what was read while it stays small: re-reading per request adds disk jitter before the clock starts.
  const cache = new Map<number, LoadDocument>();
  let cachedBytes = 0;
  const provider: DocumentProvider = async (seq) => {
    const index = repeat ? 0 : seq % files.length;
    const hit = cache.get(index);
    if (hit) return hit;
    const bytes = await readFile(files[index]);
    const filename = files[index].slice(dir.length).replace(/^[/\\]+/, '');
    const doc = { bytes, contentType: detectContentType(bytes, filename), filename };
    if (cachedBytes + bytes.length <= 256 * 1024 * 1024) {
      cache.set(index, doc);
      cachedBytes += bytes.length;
    }
    return doc;
  };
  return { provider, files: files.length };
}

/** A provider for generated documents; with repeat, the one document is built once. */
export function generatedProvider(spec: GeneratedDocuments, salt: string): DocumentProvider {
  const options = { type: spec.type, kb: spec.kb, pages: spec.pages, salt };
  if (spec.repeat) {
    let once: Promise<LoadDocument> | undefined;
    return () => (once ??= generateDocument({ ...options, seq: 0 }));
  }
  return (seq) => generateDocument({ ...options, seq });
}
