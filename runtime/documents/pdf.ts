import { PDFArray, PDFBool, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRef, type PDFPage } from 'pdf-lib';
import { DocumentError, unprocessable } from './errors.ts';
import { loadMupdf } from './mupdf.ts';

export interface LoadedPdf {
  doc: PDFDocument;
  /**
   * True when the bytes pdf-lib parsed are not the client's: mupdf removed an owner-only
   * encryption or repaired a damaged file first. The original bytes then MUST NOT be passed on.
   */
  rewritten: boolean;
}

export interface PdfPageBox {
  /** Points, after /UserUnit. */
  width: number;
  height: number;
}

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
  let rewritten = false;
  try {
    // updateMetadata: false, or pdf-lib would stamp a fresh ModDate into the parsed document.
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
    // Without a catalog pdf-lib "loads" garbage and fails only here.
    if (doc.getPageCount() === 0) doc = undefined;
  } catch {
    // pdf-lib gives up on some damage that mupdf's repair pass fixes (broken xref, bad offsets).
    doc = undefined;
  }
  if (!doc || doc.isEncrypted) {
    const clean = await rewriteWithMupdf(bytes);
    doc = await PDFDocument.load(clean, { updateMetadata: false }).catch((cause: unknown) => {
      throw unprocessable('The PDF could not be read: it is damaged or not really a PDF.', cause);
    });
    rewritten = true;
  }
  if (doc.getPageCount() === 0) throw unprocessable('The PDF has no pages.');
  rejectXfaOnly(doc);
  detachCrossPageReferences(doc);
  return { doc, rewritten };
}

/** mupdf opens what pdf-lib cannot: it repairs damaged files and decrypts owner-only encryption. */
async function rewriteWithMupdf(bytes: Uint8Array): Promise<Uint8Array> {
  const mupdf = await loadMupdf();
  let doc: InstanceType<typeof mupdf.PDFDocument> | undefined;
  try {
    doc = new mupdf.PDFDocument(bytes);
  } catch (cause) {
    throw unprocessable('The PDF could not be read: it is damaged or not really a PDF.', cause);
  }
  try {
    if (doc.needsPassword()) {
      throw unprocessable('The PDF is password-protected (encrypted); remove the password and send it again.');
    }
    if (doc.countPages() === 0) throw unprocessable('The PDF has no pages.');
    // Owner-only ("permissions") encryption opens with an empty password; Textract refuses
    // encrypted PDFs, so the pages are sent on decrypted.
    const saved = doc.saveToBuffer('encrypt=none');
    try {
      return saved.asUint8Array().slice(); // a copy: the view points into the WASM heap
    } finally {
      saved.destroy();
    }
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw unprocessable('The PDF could not be read: it is damaged or not really a PDF.', error);
  } finally {
    doc.destroy();
  }
}

// Textract does not support XFA forms. A hybrid form (XFA plus ordinary page content) reads
// fine; a dynamic XFA form carries only a "please wait" placeholder for non-XFA viewers.
function rejectXfaOnly(doc: PDFDocument): void {
  const acroForm = doc.catalog.lookup(PDFName.of('AcroForm'));
  if (!(acroForm instanceof PDFDict) || !acroForm.has(PDFName.of('XFA'))) return;
  const needsRendering = doc.catalog.lookup(PDFName.of('NeedsRendering')) === PDFBool.True;
  const noContent = doc.getPages().every((page) => page.node.Contents() === undefined);
  if (needsRendering || noContent) {
    throw unprocessable(
      'The PDF is a dynamic XFA form, which Amazon Textract cannot read; flatten it (print it to PDF) and send it again.',
    );
  }
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

/**
 * One single-page PDF per page (or per page index given), in order. pdf-lib's output is a pure function of its input:
 * create() without metadata writes no dates, save() writes no /ID, and object numbering
 * follows the copy order, so the same page of the same PDF gives the same bytes every time
 * (which the per-page result cache relies on; test/runtime/documents/split.test.ts checks it).
 */
export async function splitPdf(bytes: Uint8Array, indexes?: readonly number[]): Promise<Uint8Array[]> {
  const { doc, rewritten } = await loadPdf(bytes);
  const count = doc.getPageCount();
  if (count === 1 && !rewritten) return [bytes];
  const pages: Uint8Array[] = [];
  for (const index of indexes ?? doc.getPageIndices()) {
    const single = await PDFDocument.create({ updateMetadata: false });
    const [page] = await single.copyPages(doc, [index]);
    single.addPage(page);
    pages.push(await single.save());
  }
  return pages;
}
