import type { DocumentKind } from '../engines/types.ts';

// Acrobat accepts the header anywhere in the first 1024 bytes (PDF Reference 1.7, appendix H,
// implementation note 13) and mail gateways and scanners do prepend junk, so we allow the same.
const PDF_HEADER_WINDOW = 1024;
const PDF_HEADER = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

/** Index of `%PDF-` within the first 1024 bytes, or -1. */
export function pdfHeaderOffset(bytes: Uint8Array): number {
  const end = Math.min(bytes.length, PDF_HEADER_WINDOW) - PDF_HEADER.length;
  for (let i = 0; i <= end; i++) {
    if (bytes[i] === 0x25 && startsWith(bytes, PDF_HEADER, i)) return i;
  }
  return -1;
}

/**
 * The kind of document by its magic bytes, or null when it is none we accept. The declared
 * content type and file name are deliberately not consulted: clients get them wrong.
 */
export function detectKind(bytes: Uint8Array): DocumentKind | null {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  // Classic TIFF only: BigTIFF (version 43) is not among Textract's input formats.
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (pdfHeaderOffset(bytes) >= 0) return 'pdf';
  return null;
}

export const MEDIA_TYPES: Record<DocumentKind, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  tiff: 'image/tiff',
};
