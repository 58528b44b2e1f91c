import { createHash } from 'node:crypto';
import type { DocumentKind, PageInput } from '../engines/types.ts';
import { DocumentError, unprocessable } from './errors.ts';
import { jpegSize, pngSize, type PixelSize } from './image-size.ts';
import { loadPdf, splitPdf } from './pdf.ts';
import {
  MAX_IMAGE_PIXELS_PER_SIDE,
  MAX_PDF_PAGE_POINTS,
  MIN_PDF_PAGE_POINTS,
  MIN_TEXT_HEIGHT_PIXELS,
} from './textract-limits.ts';
import { extractTiffPage, TiffFormatError, tiffPageSizes } from './tiff.ts';

export interface DocumentLimits {
  /** Documents with more pages are refused with 413 before any engine call. */
  maxPages: number;
}

export interface DocumentInfo {
  pageCount: number;
}

const KIND_NAMES: Record<DocumentKind, string> = { pdf: 'PDF', png: 'PNG image', jpeg: 'JPEG image', tiff: 'TIFF image' };

function tiffPages(bytes: Uint8Array): PixelSize[] {
  try {
    return tiffPageSizes(bytes);
  } catch (cause) {
    if (cause instanceof TiffFormatError) throw unprocessable(`The TIFF image could not be read: ${cause.message}.`, cause);
    throw cause;
  }
}

function checkPageCount(pageCount: number, limits: DocumentLimits): void {
  if (pageCount > limits.maxPages) {
    throw new DocumentError(
      'PAYLOAD_TOO_LARGE',
      `The document has ${pageCount} pages; at most ${limits.maxPages} pages are accepted per document. Split it and send the parts separately.`,
    );
  }
}

function checkPixelSize(size: PixelSize, where: string): void {
  const { width, height } = size;
  if (width > MAX_IMAGE_PIXELS_PER_SIDE || height > MAX_IMAGE_PIXELS_PER_SIDE) {
    throw unprocessable(
      `${where} is ${width} × ${height} pixels; Amazon Textract accepts images up to ` +
        `${MAX_IMAGE_PIXELS_PER_SIDE} pixels on each side. Scale it down and send it again.`,
    );
  }
  if (width < MIN_TEXT_HEIGHT_PIXELS || height < MIN_TEXT_HEIGHT_PIXELS) {
    throw unprocessable(
      `${where} is ${width} × ${height} pixels, too small to hold readable text (OCR needs text at least ${MIN_TEXT_HEIGHT_PIXELS} pixels high).`,
    );
  }
}

const inches = (points: number) => (points / 72).toFixed(1);

async function inspectPdf(bytes: Uint8Array, limits: DocumentLimits): Promise<number> {
  const { pageCount, boxes } = await loadPdf(bytes);
  checkPageCount(pageCount, limits);
  boxes.forEach((box, index) => {
    const where = `Page ${index + 1} of the PDF`;
    if (!box) throw unprocessable(`${where} has no valid page size (MediaBox).`);
    if (box.width > MAX_PDF_PAGE_POINTS || box.height > MAX_PDF_PAGE_POINTS) {
      throw unprocessable(
        `${where} is ${inches(box.width)} × ${inches(box.height)} inches; Amazon Textract accepts PDF pages ` +
          `up to ${inches(MAX_PDF_PAGE_POINTS)} inches on each side.`,
      );
    }
    if (box.width < MIN_PDF_PAGE_POINTS || box.height < MIN_PDF_PAGE_POINTS) {
      throw unprocessable(`${where} is ${box.width.toFixed(1)} × ${box.height.toFixed(1)} points, too small to hold readable text.`);
    }
  });
  return pageCount;
}

/**
 * Checks that a document can be sent to Textract page by page, without calling it: page
 * count within `limits`, every page within Textract's size limits, PDFs readable (not
 * password-protected, not damaged beyond repair, not dynamic XFA). Throws DocumentError.
 * Cheap: image headers only, and the PDF parse is reused by a following splitPages call.
 */
export async function inspectDocument(bytes: Uint8Array, kind: DocumentKind, limits: DocumentLimits): Promise<DocumentInfo> {
  switch (kind) {
    case 'pdf':
      return { pageCount: await inspectPdf(bytes, limits) };
    case 'tiff': {
      const pages = tiffPages(bytes);
      checkPageCount(pages.length, limits);
      pages.forEach((size, i) => checkPixelSize(size, pages.length === 1 ? 'The TIFF image' : `Page ${i + 1} of the TIFF image`));
      return { pageCount: pages.length };
    }
    case 'png':
    case 'jpeg': {
      const size = kind === 'png' ? pngSize(bytes) : jpegSize(bytes);
      if (!size) throw unprocessable(`The ${KIND_NAMES[kind]} could not be read: its header is damaged or truncated.`);
      checkPixelSize(size, `The ${KIND_NAMES[kind]}`);
      return { pageCount: 1 };
    }
  }
}

/**
 * The document as single-page documents that Textract's synchronous APIs accept, in page
 * order (page is 1-based); only the `selected` page numbers when given. A single-page document is returned as is (same bytes object).
 * Multi-page PDFs become one PDF per page (vector content kept); multi-page TIFFs become one
 * single-page TIFF per page (directory and image data copied, no re-encoding). Output is
 * deterministic: the same input gives byte-identical pages, so pageSha256 works as a cache key.
 */
export async function splitPages(bytes: Uint8Array, kind: DocumentKind, selected?: readonly number[]): Promise<PageInput[]> {
  switch (kind) {
    case 'pdf': {
      const numbers = selected ?? Array.from({ length: (await loadPdf(bytes)).pageCount }, (_, i) => i + 1);
      // Pages pdf-lib cannot split (owner-encrypted, damaged) come back drawn, as PNG.
      return (await splitPdf(bytes, numbers.map((n) => n - 1))).map((page, i) => ({ page: numbers[i]!, kind: page.kind, bytes: page.bytes }));
    }
    case 'tiff': {
      const count = tiffPages(bytes).length;
      if (count === 1) return [{ page: 1, kind, bytes }];
      const numbers = selected ?? Array.from({ length: count }, (_, i) => i + 1);
      try {
        return numbers.map((n) => ({ page: n, kind, bytes: extractTiffPage(bytes, n - 1) }));
      } catch (cause) {
        if (cause instanceof TiffFormatError) throw unprocessable(`The TIFF image could not be split into pages: ${cause.message}.`, cause);
        throw cause;
      }
    }
    case 'png':
    case 'jpeg':
      return [{ page: 1, kind, bytes }];
  }
}

/** Hex SHA-256 of a page's bytes: the key of the per-page result cache (~1 ms per MB). */
export function pageSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
