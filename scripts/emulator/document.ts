// Judges a document as Textract's sync APIs do and turns it into a page layout. Everything here
// depends only on the bytes, so the result is cached per sha256.
import { createHash } from 'node:crypto';
import { findMarkers, type MarkerHits } from './faults.ts';
import { layoutPage, type PageLayout } from './layout.ts';
import { readPdf } from './pdf-text.ts';
import { densePseudoLines, findLabels, pseudoLines } from './pseudo-text.ts';
import { seededRandom } from './random.ts';

/** Textract's sync limit for Document.Bytes. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export type DocumentKind = 'pdf' | 'png' | 'jpeg' | 'tiff';
export type RejectionType = 'UnsupportedDocumentException' | 'BadDocumentException' | 'DocumentTooLargeException';

export interface DocumentInfo {
  sha256: string;
  kind: DocumentKind | null;
  markers: MarkerHits;
  rejection: { type: RejectionType; message: string } | null;
  /** Null when the document is rejected. */
  layout: PageLayout | null;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function detectKind(b: Buffer): DocumentKind | null {
  if (b.length >= 4 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return 'pdf';
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0x00)
    || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0x00 && b[3] === 0x2a))) return 'tiff';
  return null;
}

/** Counts a TIFF's image file directories (pages); null when the chain is broken. */
export function countTiffPages(b: Buffer): number | null {
  const little = b[0] === 0x49;
  const u16 = (at: number): number => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (at: number): number => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  if (b.length < 8) return null;
  const seen = new Set<number>();
  let offset = u32(4);
  let pages = 0;
  while (offset !== 0) {
    if (seen.has(offset) || offset + 2 > b.length || pages > 10_000) return null;
    seen.add(offset);
    const entries = u16(offset);
    const next = offset + 2 + entries * 12;
    if (next + 4 > b.length) return null;
    pages++;
    offset = u32(next);
  }
  return pages;
}

export async function analyzeDocument(bytes: Buffer, sha256 = sha256Hex(bytes)): Promise<DocumentInfo> {
  const markers = findMarkers(bytes);
  const kind = detectKind(bytes);
  const info = (rejection: DocumentInfo['rejection'], layout: PageLayout | null = null): DocumentInfo =>
    ({ sha256, kind, markers, rejection, layout });

  if (bytes.length > MAX_DOCUMENT_BYTES) {
    return info({ type: 'DocumentTooLargeException', message: `Document size ${bytes.length} exceeds the limit of ${MAX_DOCUMENT_BYTES} bytes` });
  }
  if (!kind) return info({ type: 'UnsupportedDocumentException', message: 'Request has unsupported document format' });
  if (markers.badDocument) return info({ type: 'BadDocumentException', message: 'Unable to process the document (test marker)' });
  if (kind === 'tiff') {
    const pages = countTiffPages(bytes);
    if (pages === null || pages === 0) return info({ type: 'BadDocumentException', message: 'Unable to parse the TIFF document' });
    if (pages > 1) return info({ type: 'UnsupportedDocumentException', message: `Synchronous operations accept single-page documents; this TIFF has ${pages} pages` });
  }

  const random = seededRandom(Number.parseInt(sha256.slice(16, 24), 16));
  if (kind === 'pdf') {
    const reading = await readPdf(bytes, random);
    if (!reading.ok) return info({ type: reading.error, message: reading.message });
    if (reading.lines.length > 0) return info(null, layoutPage(reading.lines, reading.figures));
  }
  return info(null, layoutPage(markers.dense ? densePseudoLines(sha256) : pseudoLines(sha256, findLabels(bytes))));
}
