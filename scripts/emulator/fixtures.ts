// Documents for tests and benchmarks that drive the emulator: PNGs (optionally carrying emulator
// markers in a tEXt chunk) and text PDFs drawn at known positions.
import { crc32 } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { PNG } from 'pngjs';
import { seededRandom } from './random.ts';

export interface PngOptions {
  width?: number;
  height?: number;
  /** Different seeds give different pixels, hence different sha256 and pseudo text. */
  seed?: number;
  /** Random pixels do not compress: 173×173 gives a PNG of ~100 KB. */
  noise?: boolean;
  /** tEXt chunks to embed, e.g. { Comment: 'DTAT-EMULATOR:BAD_DOCUMENT' }. */
  text?: Record<string, string>;
  /** Lines the emulator reads off the image, after its DOC-<sha8> line: one DTAT-LABEL marker each. */
  labels?: readonly string[];
}

export function makePng({ width = 32, height = 32, seed = 0, noise = false, text = {}, labels = [] }: PngOptions = {}): Buffer {
  const png = new PNG({ width, height });
  const random = seededRandom(seed);
  const shade = Math.floor(random() * 256);
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = noise ? Math.floor(random() * 256) : shade;
    png.data[i + 1] = noise ? Math.floor(random() * 256) : (i / 4) % 256;
    png.data[i + 2] = noise ? Math.floor(random() * 256) : 255 - shade;
    png.data[i + 3] = 255;
  }
  const encoded = PNG.sync.write(png);
  const entries = Object.entries(text);
  if (labels.length) entries.push(['Description', labels.map((l) => `DTAT-LABEL[${l}]`).join('')]);
  const chunks = entries.map(([keyword, value]) => pngChunk('tEXt', Buffer.from(`${keyword}\0${value}`, 'latin1')));
  // tEXt chunks go right after IHDR (8-byte signature + 25-byte IHDR chunk).
  return Buffer.concat([encoded.subarray(0, 33), ...chunks, encoded.subarray(33)]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export interface PdfText {
  text: string;
  /** PDF points from the bottom-left corner of a 612×792 (US Letter) page. */
  x: number;
  y: number;
  size?: number;
}

/** One page per entry, each with its text drawn in Helvetica. */
export async function makeTextPdf(pages: PdfText[][]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const items of pages) {
    const page = pdf.addPage([612, 792]);
    for (const item of items) page.drawText(item.text, { x: item.x, y: item.y, size: item.size ?? 12, font });
  }
  return Buffer.from(await pdf.save());
}
