// Generators of real test documents (PDF, PNG, JPEG, multi-page TIFF, encrypted PDF), so suites
// never depend on fixture files. Text is drawn with pdf-lib's Helvetica and rasterised by pdf.js
// (the service's own renderer), which gives clean printed text that OCR reads reliably.
//
// Markers: other suites (the Textract emulator) look for ASCII markers such as
// `DTAT-EMULATOR:BAD_DOCUMENT` or `DTAT-LABEL[...]` in the raw bytes. Every generator can embed
// one where it survives as plain bytes: a comment in an uncompressed content stream of each PDF
// page (so each page split off by splitPages still carries it), a PNG tEXt chunk, a JPEG COM
// segment, a TIFF ImageDescription.

import { crc32 } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PDFDocument, PDFName, StandardFonts, type PDFFont } from 'pdf-lib';
import { PNG } from 'pngjs';
import { openPdf, renderPdfPage } from '../../runtime/documents/pdfjs.ts';
import { grayFromRgba, type GrayRaster } from '../../runtime/documents/raster.ts';

/** Letter, in PDF points. */
export const LETTER: readonly [number, number] = [612, 792];

export interface TextPdfOptions {
  /** Helvetica size in points; default 15. */
  fontSize?: number;
  /** [width, height] in points; default Letter. */
  pageSize?: readonly [number, number];
  /** ASCII marker embedded in every page. */
  marker?: string;
  /** ASCII marker per page (index 0 = page 1), in addition to `marker`. */
  pageMarkers?: readonly (string | undefined)[];
}

export interface RasterOptions {
  fontSize?: number;
  pageSize?: readonly [number, number];
  /** Default 300, the resolution OCR engines are tuned for. */
  dpi?: number;
}

const MARGIN = 72;

function assertAsciiMarker(marker: string): void {
  // Markers MUST stay single-line printable ASCII: they are matched as raw bytes.
  if (!/^[\x20-\x7e]*$/.test(marker)) throw new Error(`marker must be printable ASCII: ${JSON.stringify(marker)}`);
}

function wrapLine(line: string, font: PDFFont, size: number, maxWidth: number): string[] {
  if (font.widthOfTextAtSize(line, size) <= maxWidth) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(/\s+/).filter(Boolean)) {
    const candidate = current ? `${current} ${word}` : word;
    if (current && font.widthOfTextAtSize(candidate, size) > maxWidth) {
      out.push(current);
      current = word;
    } else {
      current = candidate;
    }
  }
  if (current) out.push(current);
  return out;
}

/**
 * A PDF with one page per inner array, each string a line of Helvetica text from the top-left
 * margin. Lines wider than the page are wrapped at word boundaries. Output is byte-identical for
 * the same arguments (no dates, no ids).
 */
export async function makeTextPdf(pages: readonly (readonly string[])[], opts: TextPdfOptions = {}): Promise<Uint8Array> {
  const fontSize = opts.fontSize ?? 15;
  const [width, height] = opts.pageSize ?? LETTER;
  const lineHeight = fontSize * 1.5;
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  pages.forEach((lines, index) => {
    const page = doc.addPage([width, height]);
    // One inch on ordinary pages, less on small ones so that their text stays on the page.
    const margin = Math.min(MARGIN, width / 8, height / 8);
    const maxWidth = Math.max(width - 2 * margin, fontSize * 4);
    let y = height - margin - fontSize;
    for (const line of lines.flatMap((l) => wrapLine(l, font, fontSize, maxWidth))) {
      page.drawText(line, { x: margin, y, size: fontSize, font });
      y -= lineHeight;
    }
    const markers = [opts.marker, opts.pageMarkers?.[index]].filter((m): m is string => m !== undefined);
    for (const marker of markers) {
      assertAsciiMarker(marker);
      // An uncompressed stream holding only a comment: invisible, and copied verbatim by copyPages.
      page.node.addContentStream(doc.context.register(doc.context.stream(`% ${marker}\n`)));
    }
  });
  return doc.save();
}

/** Ordinary English prose for OCR accuracy tests; `count` sentences, deterministic. */
export function sampleSentences(count: number, offset = 0): string[] {
  const sentences = [
    'The committee reviewed the annual budget and approved the new library hours.',
    'Our delivery arrived on Tuesday morning, two days earlier than the schedule promised.',
    'Please return the signed contract to the front office before the end of the month.',
    'The weather stayed mild through the weekend, so the garden party went ahead outdoors.',
    'Several customers asked whether the store would open earlier during the holidays.',
    'She wrote a short report about the river and the birds that nest along its banks.',
    'The old bridge will be closed for repairs while the city replaces its wooden deck.',
    'We thank you for your patience and look forward to working with you again next year.',
    'Every invoice must show the order number, the date of delivery, and the total amount.',
    'The museum offers free guided tours for students on the first Friday of each month.',
    'After the meeting, the team agreed to publish the results in a simple public report.',
    'His train was late, so he walked the last mile and still reached the station on time.',
  ];
  return Array.from({ length: count }, (_, i) => sentences[(i + offset) % sentences.length]);
}

async function loadMupdf() {
  return import('mupdf');
}

/** Gray pixels of each page of a text PDF rendered at `dpi`. */
async function renderPages(pages: readonly (readonly string[])[], opts: RasterOptions): Promise<GrayRaster[]> {
  const pdf = await makeTextPdf(pages, { fontSize: opts.fontSize, pageSize: opts.pageSize });
  const dpi = opts.dpi ?? 300;
  const doc = await openPdf(pdf);
  try {
    const rasters: GrayRaster[] = [];
    for (let i = 0; i < pages.length; i++) {
      const { width, height, data } = await renderPdfPage(doc, i, dpi / 72);
      rasters.push(grayFromRgba(data, width, height));
    }
    return rasters;
  } finally {
    await doc.destroy();
  }
}

function grayPng(raster: GrayRaster): Uint8Array {
  const png = new PNG({ width: raster.width, height: raster.height });
  png.data = Buffer.from(raster.data);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

function grayJpeg(raster: GrayRaster, quality: number): Uint8Array {
  const rgba = Buffer.alloc(raster.width * raster.height * 4);
  raster.data.forEach((v, i) => rgba.fill(v, i * 4, i * 4 + 3).writeUInt8(255, i * 4 + 3));
  return jpeg.encode({ data: rgba, width: raster.width, height: raster.height }, quality).data;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Inserts a tEXt chunk (keyword "Comment") right after IHDR. */
export function addPngText(png: Uint8Array, text: string): Uint8Array {
  assertAsciiMarker(text);
  const afterIhdr = 8 + 25; // signature + IHDR chunk
  const chunk = pngChunk('tEXt', Buffer.from(`Comment\0${text}`, 'latin1'));
  return Buffer.concat([png.subarray(0, afterIhdr), chunk, png.subarray(afterIhdr)]);
}

/** Lines of text rendered as a gray PNG (default: a Letter page at 300 DPI, 2550×3300 px). */
export async function makeTextPng(lines: readonly string[], opts: RasterOptions & { marker?: string } = {}): Promise<Uint8Array> {
  const [raster] = await renderPages([lines], opts);
  const png = grayPng(raster);
  return opts.marker === undefined ? png : addPngText(png, opts.marker);
}

/** Lines of text rendered as a gray JPEG (quality 90); the marker goes in a COM segment. */
export async function makeTextJpeg(lines: readonly string[], opts: RasterOptions & { marker?: string } = {}): Promise<Uint8Array> {
  const [raster] = await renderPages([lines], opts);
  const jpeg = grayJpeg(raster, 90);
  if (opts.marker === undefined) return jpeg;
  assertAsciiMarker(opts.marker);
  const text = Buffer.from(opts.marker, 'latin1');
  const com = Buffer.alloc(4 + text.length);
  com.writeUInt16BE(0xfffe, 0);
  com.writeUInt16BE(2 + text.length, 2);
  text.copy(com, 4);
  return Buffer.concat([jpeg.subarray(0, 2), com, jpeg.subarray(2)]);
}

// PackBits (TIFF 6.0 section 9): literal runs and repeat runs of at most 128 bytes, per row.
function packBits(row: Uint8Array): Buffer {
  const out: number[] = [];
  let i = 0;
  while (i < row.length) {
    let run = 1;
    while (i + run < row.length && run < 128 && row[i + run] === row[i]) run++;
    if (run >= 2) {
      out.push(257 - run, row[i]);
      i += run;
      continue;
    }
    const start = i;
    while (i < row.length && i - start < 128 && !(i + 1 < row.length && row[i + 1] === row[i])) i++;
    out.push(i - start - 1, ...row.subarray(start, i));
  }
  return Buffer.from(out);
}

export interface TiffPage {
  width: number;
  height: number;
  /** 8-bit gray, row-major, `width * height` bytes. */
  gray: Uint8Array;
  dpi?: number;
}

/**
 * Encodes 8-bit gray pages as one little-endian multi-page TIFF (one IFD per page, one strip
 * per page). PackBits by default, which every TIFF reader must support.
 */
export function encodeGrayTiff(pages: readonly TiffPage[], opts: { compression?: 'none' | 'packbits'; description?: string } = {}): Uint8Array {
  const packbits = (opts.compression ?? 'packbits') === 'packbits';
  if (opts.description !== undefined) assertAsciiMarker(opts.description);
  const description = opts.description === undefined ? undefined : Buffer.from(`${opts.description}\0`, 'latin1');
  const chunks: Buffer[] = [];
  let offset = 8;
  const push = (b: Buffer) => {
    chunks.push(b);
    offset += b.length;
    if (offset % 2) push(Buffer.alloc(1)); // TIFF wants word-aligned offsets
  };
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  chunks.push(header);
  let patchNext = 4; // where the offset of the next IFD is written
  const nextOffsets: { at: number; value: number }[] = [];
  for (const page of pages) {
    const data = packbits
      ? Buffer.concat(Array.from({ length: page.height }, (_, y) => packBits(page.gray.subarray(y * page.width, (y + 1) * page.width))))
      : Buffer.from(page.gray.buffer, page.gray.byteOffset, page.width * page.height);
    const dataOffset = offset;
    push(data);
    const dpi = page.dpi ?? 300;
    const resolution = Buffer.alloc(16);
    resolution.writeUInt32LE(dpi, 0);
    resolution.writeUInt32LE(1, 4);
    resolution.writeUInt32LE(dpi, 8);
    resolution.writeUInt32LE(1, 12);
    const resolutionOffset = offset;
    push(resolution);
    let descriptionOffset = 0;
    if (description) {
      descriptionOffset = offset;
      push(description);
    }
    const entries: [tag: number, type: number, count: number, value: number][] = [
      [256, 4, 1, page.width],
      [257, 4, 1, page.height],
      [258, 3, 1, 8],
      [259, 3, 1, packbits ? 32773 : 1],
      [262, 3, 1, 1], // BlackIsZero
      ...(description ? [[270, 2, description.length, descriptionOffset] as [number, number, number, number]] : []),
      [273, 4, 1, dataOffset],
      [277, 3, 1, 1],
      [278, 4, 1, page.height],
      [279, 4, 1, data.length],
      [282, 5, 1, resolutionOffset],
      [283, 5, 1, resolutionOffset + 8],
      [296, 3, 1, 2], // inches
    ];
    const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, count, value], i) => {
      const at = 2 + i * 12;
      ifd.writeUInt16LE(tag, at);
      ifd.writeUInt16LE(type, at + 2);
      ifd.writeUInt32LE(count, at + 4);
      if (type === 3 && count === 1) ifd.writeUInt16LE(value, at + 8);
      else ifd.writeUInt32LE(value, at + 8);
    });
    nextOffsets.push({ at: patchNext, value: offset });
    patchNext = offset + 2 + entries.length * 12;
    push(ifd);
  }
  const out = Buffer.concat(chunks);
  for (const { at, value } of nextOffsets) out.writeUInt32LE(value, at);
  return out;
}

/** A multi-page gray TIFF, one page per inner array of lines (default 300 DPI, PackBits). */
export async function makeMultiPageTiff(
  pages: readonly (readonly string[])[],
  opts: RasterOptions & { compression?: 'none' | 'packbits'; marker?: string } = {},
): Promise<Uint8Array> {
  const rasters = await renderPages(pages, opts);
  const tiffPages = rasters.map((raster): TiffPage => ({ width: raster.width, height: raster.height, gray: raster.data, dpi: opts.dpi ?? 300 }));
  return encodeGrayTiff(tiffPages, { compression: opts.compression, description: opts.marker });
}

export interface EncryptedPdfOptions {
  /** Lines per page, as for makeTextPdf; default one page. */
  pages?: readonly (readonly string[])[];
  /** Default "secret"; '' makes a PDF that opens without a password. */
  userPassword?: string;
  ownerPassword?: string;
}

/**
 * A really encrypted PDF (mupdf, a development dependency only, AES-256): its trailer has an /Encrypt dictionary. With the
 * default user password it cannot be opened without that password; with `userPassword: ''` it
 * opens freely and only the owner password restricts it (the common "permissions only" case).
 * Not byte-deterministic: encryption uses random salts.
 */
export async function makeEncryptedPdf(opts: EncryptedPdfOptions = {}): Promise<Uint8Array> {
  const mupdf = await loadMupdf();
  const plain = await makeTextPdf(opts.pages ?? [['This document is encrypted.']]);
  const doc = new mupdf.PDFDocument(plain);
  try {
    const user = opts.userPassword ?? 'secret';
    const owner = opts.ownerPassword ?? 'owner-secret';
    for (const p of [user, owner]) if (/[,\s]/.test(p)) throw new Error('passwords must not contain commas or spaces');
    const saved = doc.saveToBuffer(`encrypt=aes-256,user-password=${user},owner-password=${owner}`);
    const bytes = saved.asUint8Array().slice();
    saved.destroy();
    return bytes;
  } finally {
    doc.destroy();
  }
}

/** A PDF whose pages link to one another (a table of contents), as many real reports do. */
export async function makeLinkedPdf(pageCount: number): Promise<Uint8Array> {
  const text = await makeTextPdf(Array.from({ length: pageCount }, (_, i) => [`Linked page ${i + 1}`]));
  const base = await PDFDocument.load(text, { updateMetadata: false });
  const refs = base.getPages().map((p) => p.ref);
  base.getPages().forEach((page) => {
    const annots = refs.map((target, i) =>
      base.context.register(
        base.context.obj({
          Type: 'Annot',
          Subtype: 'Link',
          Rect: [72, 72 + i * 2, 90, 73 + i * 2],
          P: page.ref,
          Dest: [target, 'Fit'],
        }),
      ),
    );
    page.node.set(PDFName.of('Annots'), base.context.obj(annots));
  });
  return base.save();
}
