import { PNG } from 'pngjs';
import { PDFArray, PDFBool, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRef, type PDFPage } from 'pdf-lib';
import { unprocessable } from './errors.ts';
import { grayFromRgba } from './gray.ts';
import { openPdf, renderPdfPage } from './pdfjs.ts';
import { MAX_IMAGE_PIXELS_PER_SIDE } from './textract-limits.ts';

/**
 * A parsed PDF. pdf-lib reads most PDFs, and then pages are split with their vector content
 * kept. What pdf-lib cannot split (owner-only encryption, whose streams it cannot decrypt, and
 * damage its parser gives up on) pdf.js usually still opens after its own repair pass: those
 * pages are drawn and sent on as images (`rendered`).
 */
export type LoadedPdf =
  | { kind: 'pdf-lib'; doc: PDFDocument; pageCount: number; boxes: (PdfPageBox | null)[] }
  | { kind: 'rendered'; pageCount: number; boxes: (PdfPageBox | null)[] };

export interface PdfPageBox {
  /** Points, after /UserUnit. */
  width: number;
  height: number;
}

/** Pages pdf-lib could not split are drawn at this resolution: Textract reads 150 DPI and up. */
export const RENDERED_PAGE_DPI = 200;

// inspectDocument and splitPages are called one after the other on the same bytes; parsing a
// large PDF is the expensive part, so the second call reuses the first one's result. Keyed by
// the array object, so a cached parse lives exactly as long as the caller holds the bytes.
const parsed = new WeakMap<Uint8Array, Promise<LoadedPdf>>();

export function loadPdf(bytes: Uint8Array): Promise<LoadedPdf> {
  let loaded = parsed.get(bytes);
  if (!loaded) {
    loaded = parse(bytes);
    parsed.set(bytes, loaded);
  }
  return loaded;
}

async function parse(bytes: Uint8Array): Promise<LoadedPdf> {
  let doc: PDFDocument | undefined;
  try {
    // updateMetadata: false, or pdf-lib would stamp a fresh ModDate into the parsed document.
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
    // Without a catalog pdf-lib "loads" garbage and fails only here.
    if (doc.getPageCount() === 0) doc = undefined;
  } catch {
    // pdf-lib gives up on some damage that pdf.js repairs (broken xref, bad offsets).
    doc = undefined;
  }
  if (doc && !doc.isEncrypted) {
    rejectXfaOnly(doc);
    detachCrossPageReferences(doc);
    return { kind: 'pdf-lib', doc, pageCount: doc.getPageCount(), boxes: doc.getPages().map(pageBox) };
  }
  // Refuses password-protected and unreadable PDFs with 422.
  // The pdf.js document is not kept: it holds the parsed file until destroyed, and a document
  // refused after inspection (too many pages) is never split.
  const rendered = await openPdf(bytes);
  try {
    if (rendered.numPages === 0) throw unprocessable('The PDF has no pages.');
    if (rendered.isPureXfa) throw xfaOnly();
    const boxes: (PdfPageBox | null)[] = [];
    for (let i = 1; i <= rendered.numPages; i++) {
      const page = await rendered.getPage(i);
      const { width, height } = page.getViewport({ scale: page.userUnit || 1 });
      boxes.push(Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0 ? { width, height } : null);
    }
    return { kind: 'rendered', pageCount: rendered.numPages, boxes };
  } finally {
    await rendered.destroy();
  }
}

const xfaOnly = () =>
  unprocessable('The PDF is a dynamic XFA form, which Amazon Textract cannot read; flatten it (print it to PDF) and send it again.');

// Textract does not support XFA forms. A hybrid form (XFA plus ordinary page content) reads
// fine; a dynamic XFA form carries only a "please wait" placeholder for non-XFA viewers.
function rejectXfaOnly(doc: PDFDocument): void {
  const acroForm = doc.catalog.lookup(PDFName.of('AcroForm'));
  if (!(acroForm instanceof PDFDict) || !acroForm.has(PDFName.of('XFA'))) return;
  const needsRendering = doc.catalog.lookup(PDFName.of('NeedsRendering')) === PDFBool.True;
  const noContent = doc.getPages().every((page) => page.node.Contents() === undefined);
  if (needsRendering || noContent) throw xfaOnly();
}

// copyPages copies everything a page references. Links to other pages (a table of contents),
// an annotation's /P back-pointer and article beads reference other pages, which would drag
// the whole document into every single-page PDF. None of them matter inside a single page.
function detachCrossPageReferences(doc: PDFDocument): void {
  const { context } = doc;
  for (const page of doc.getPages()) {
    page.node.delete(PDFName.of('B'));
    const annots = page.node.lookup(PDFName.of('Annots'));
    if (!(annots instanceof PDFArray)) continue;
    for (let i = 0; i < annots.size(); i++) {
      const annot = annots.lookup(i);
      if (!(annot instanceof PDFDict)) continue;
      annot.delete(PDFName.of('P'));
      const dest = annot.lookup(PDFName.of('Dest'));
      if (dest instanceof PDFArray && dest.get(0) instanceof PDFRef) annot.delete(PDFName.of('Dest'));
      const action = annot.lookup(PDFName.of('A'));
      if (action instanceof PDFDict) {
        const target = context.lookup(action.get(PDFName.of('D')));
        if (target instanceof PDFArray && target.get(0) instanceof PDFRef) annot.delete(PDFName.of('A'));
      }
    }
  }
}

/** The visible (crop) box of a page in points, or null when the page has no usable box. */
export function pageBox(page: PDFPage): PdfPageBox | null {
  try {
    const { width, height } = page.getCropBox();
    const unit = page.node.lookup(PDFName.of('UserUnit'));
    const scale = unit instanceof PDFNumber && unit.asNumber() > 0 ? unit.asNumber() : 1;
    const box = { width: Math.abs(width) * scale, height: Math.abs(height) * scale };
    return Number.isFinite(box.width) && Number.isFinite(box.height) ? box : null;
  } catch {
    return null;
  }
}

/** A single page of a split PDF: a PDF, or a PNG when the page had to be drawn. */
export interface SplitPage {
  kind: 'pdf' | 'png';
  bytes: Uint8Array;
}

/**
 * One single-page document per page (or per page index given), in order. pdf-lib's output is a pure function of its input:
 * create() without metadata writes no dates, save() writes no /ID, and object numbering
 * follows the copy order, so the same page of the same PDF gives the same bytes every time
 * (which the per-page result cache relies on; test/runtime/documents/split.test.ts checks it).
 * Drawn pages are deterministic too (same renderer, same pixels, same PNG encoder).
 */
export async function splitPdf(bytes: Uint8Array, indexes?: readonly number[]): Promise<SplitPage[]> {
  const loaded = await loadPdf(bytes);
  if (loaded.kind === 'rendered') return renderPages(bytes, loaded.boxes, indexes);
  const { doc } = loaded;
  const count = doc.getPageCount();
  if (count === 1) return [{ kind: 'pdf', bytes }];
  const pages: SplitPage[] = [];
  for (const index of indexes ?? doc.getPageIndices()) {
    const single = await PDFDocument.create({ updateMetadata: false });
    const [page] = await single.copyPages(doc, [index]);
    single.addPage(page);
    pages.push({ kind: 'pdf', bytes: await single.save() });
  }
  return pages;
}

/** Every page (or every page index given) as an 8-bit gray PNG at RENDERED_PAGE_DPI (smaller for huge pages). */
async function renderPages(bytes: Uint8Array, boxes: (PdfPageBox | null)[], indexes?: readonly number[]): Promise<SplitPage[]> {
  const doc = await openPdf(bytes);
  const pages: SplitPage[] = [];
  try {
    for (const index of indexes ?? Array.from({ length: doc.numPages }, (_, i) => i)) {
      const longest = Math.max(boxes[index]?.width ?? 612, boxes[index]?.height ?? 792);
      const scale = Math.min(RENDERED_PAGE_DPI / 72, MAX_IMAGE_PIXELS_PER_SIDE / longest);
      const rgba = await renderPdfPage(doc, index, scale);
      const gray = grayFromRgba(rgba.data, rgba.width, rgba.height);
      const png = PNG.sync.write(Object.assign(new PNG({ width: gray.width, height: gray.height }), { data: Buffer.from(gray.data) }), {
        colorType: 0,
        inputColorType: 0,
        inputHasAlpha: false,
      });
      pages.push({ kind: 'png', bytes: new Uint8Array(png.buffer, png.byteOffset, png.byteLength) });
    }
  } finally {
    await doc.destroy();
  }
  return pages;
}
