import { deflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, type PDFPage } from 'pdf-lib';
import type { DocumentKind, OcrWord } from '../engines/types.ts';
import { unprocessable } from '../documents/errors.ts';
import { decodePng, decodeTiffPage, tiffPageCount } from './decode-image.ts';
import { pdfPageFrame, plainFrame } from './page-frame.ts';
import { embedPngAsIs } from './png-as-is.ts';
import { embedGraySamples, embedRaster } from './raster-image.ts';
import { TextLayerFont } from './text-font.ts';
import { textLayerContent } from './text-layer.ts';

/** The words of one page: `page` is 1-based in the original; boxes are fractions of the page as the OCR engine saw it. */
export interface TextLayerPage {
  page: number;
  words: OcrWord[];
}

// Resource names are ours to choose; a PDF page may already use any name, so ours are checked.
const FONT_KEY = 'OcrText';
const IMAGE_KEY = 'Page';

/**
 * The document as a PDF whose pages carry an invisible, selectable text layer (like OCRmyPDF's
 * output): the original pages of a PDF kept as they are (content, boxes, rotation,
 * annotations), or one page per image at its pixel size (1 px = 1 pt). Pages not in `pages`
 * get no text. The same input gives the same bytes.
 *
 * Throws DocumentError (422) for a PDF that pdf-lib cannot open or that is encrypted, and for
 * images that cannot be decoded; RangeError for a page number the document does not have.
 */
export async function buildSearchablePdf(bytes: Uint8Array, kind: DocumentKind, pages: TextLayerPage[]): Promise<Buffer> {
  const wordsByPage = new Map<number, OcrWord[]>();
  for (const { page, words } of pages) {
    // Listing a page twice adds both lists, rather than silently keeping one.
    wordsByPage.set(page, [...(wordsByPage.get(page) ?? []), ...words]);
  }
  const doc = kind === 'pdf' ? await loadOriginal(bytes) : await PDFDocument.create({ updateMetadata: false });
  const font = new TextLayerFont();
  const fontRef = doc.context.nextRef();

  let fontUsed = false;
  const pageCount = kind === 'pdf' ? doc.getPageCount() : kind === 'tiff' ? tiffPageCount(bytes) : 1;
  for (const page of wordsByPage.keys()) {
    if (!Number.isInteger(page) || page < 1 || page > pageCount) {
      throw new RangeError(`page ${page} is not in the document, which has ${pageCount} page(s)`);
    }
  }
  // Pages in order, so that font codes, and with them the output bytes, do not depend on the
  // order `pages` was given in.
  for (let number = 1; number <= pageCount; number++) {
    const words = wordsByPage.get(number) ?? [];
    if (kind === 'pdf') {
      if (words.length > 0) fontUsed = addTextLayer(doc, doc.getPage(number - 1), words, font, fontRef) || fontUsed;
    } else {
      fontUsed = (await addImagePage(doc, bytes, kind, number - 1, words, font, fontRef)) || fontUsed;
    }
  }
  if (fontUsed) font.write(doc.context, fontRef);
  // Object streams keep the cross-reference data small; pdf-lib writes no dates and no new /ID.
  return Buffer.from(await doc.save({ useObjectStreams: true, updateFieldAppearances: false }));
}

async function loadOriginal(bytes: Uint8Array): Promise<PDFDocument> {
  let doc: PDFDocument;
  let pageCount: number;
  try {
    // updateMetadata: false, or pdf-lib would stamp a fresh ModDate and Producer into the copy.
    // Encryption is checked below rather than by pdf-lib's EncryptedPDFError, which its ES5
    // build makes impossible to tell apart with instanceof.
    doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true });
    // Without a page tree pdf-lib "loads" garbage and fails only when asked for the pages.
    pageCount = doc.getPageCount();
  } catch (cause) {
    throw unprocessable('The PDF could not be read to add a text layer: it is damaged or not really a PDF.', cause);
  }
  if (doc.isEncrypted) {
    // Text added to an encrypted file would have to be encrypted with its key, which pdf-lib cannot do.
    throw unprocessable('The PDF is encrypted, so no searchable copy can be made of it; remove the encryption and send it again.');
  }
  if (pageCount === 0) throw unprocessable('The PDF could not be read to add a text layer: it has no pages.');
  return doc;
}

function contentStream(doc: PDFDocument, content: string): PDFRef {
  return doc.context.register(doc.context.stream(deflateSync(Buffer.from(content, 'latin1')), { Filter: 'FlateDecode' }));
}

/**
 * Puts the text in front of the page's own content streams, which stay untouched (and may be
 * shared with other pages): a page's content may leave the graphics state changed at its end,
 * but always starts from the default, so text drawn first is placed exactly. The page gets its
 * own copy of its resource dictionary with the font added, so pages that shared (or inherited)
 * that dictionary do not change.
 */
function addTextLayer(doc: PDFDocument, page: PDFPage, words: readonly OcrWord[], font: TextLayerFont, fontRef: PDFRef): boolean {
  const { context } = doc;
  const inheritedResources = context.lookup(page.node.getInheritableAttribute(PDFName.of('Resources')));
  const resources = inheritedResources instanceof PDFDict ? inheritedResources.clone(context) : context.obj({});
  const existingFonts = resources.lookup(PDFName.of('Font'));
  const fonts = existingFonts instanceof PDFDict ? existingFonts.clone(context) : context.obj({});
  const key = unusedKey(fonts, FONT_KEY);
  const content = textLayerContent(words, pdfPageFrame(page), font, key);
  if (content === '') return false;
  fonts.set(PDFName.of(key), fontRef);
  resources.set(PDFName.of('Font'), fonts);
  page.node.set(PDFName.of('Resources'), resources);

  const layer = contentStream(doc, content);
  const existing = page.node.get(PDFName.of('Contents'));
  const resolved = context.lookup(existing);
  const streams = resolved instanceof PDFArray ? resolved.asArray() : existing instanceof PDFRef ? [existing] : [];
  page.node.set(PDFName.of('Contents'), context.obj([layer, ...streams]));
  return true;
}

function unusedKey(dict: PDFDict, base: string): string {
  let key = base;
  for (let n = 1; dict.has(PDFName.of(key)); n++) key = `${base}${n}`;
  return key;
}

async function addImagePage(
  doc: PDFDocument,
  bytes: Uint8Array,
  kind: Exclude<DocumentKind, 'pdf'>,
  index: number,
  words: readonly OcrWord[],
  font: TextLayerFont,
  fontRef: PDFRef,
): Promise<boolean> {
  const image = await embedImage(doc, bytes, kind, index);
  const { width, height } = image;
  const page = doc.addPage([width, height]);
  const text = textLayerContent(words, plainFrame(width, height), font, FONT_KEY);
  const resources = { XObject: { [IMAGE_KEY]: image.ref }, ...(text === '' ? {} : { Font: { [FONT_KEY]: fontRef } }) };
  page.node.set(PDFName.of('Resources'), doc.context.obj(resources));
  page.node.set(PDFName.of('Contents'), contentStream(doc, `${text}q ${width} 0 0 ${height} 0 0 cm /${IMAGE_KEY} Do Q\n`));
  return text !== '';
}

/** Page `index` of the image as an image XObject, with its size in pixels. */
async function embedImage(
  doc: PDFDocument,
  bytes: Uint8Array,
  kind: Exclude<DocumentKind, 'pdf'>,
  index: number,
): Promise<{ ref: PDFRef; width: number; height: number }> {
  if (kind === 'jpeg') {
    const jpeg = await doc.embedJpg(bytes).catch((cause: unknown) => {
      throw unprocessable('The JPEG image could not be read: its header is damaged or truncated.', cause);
    });
    // Embedded now rather than at save(), so that nothing of the page stays pending in memory.
    await jpeg.embed();
    return { ref: jpeg.ref, width: jpeg.width, height: jpeg.height };
  }
  if (kind === 'png') {
    const asIs = embedPngAsIs(doc.context, bytes);
    if (asIs) return asIs;
  }
  const pixels = kind === 'png' ? decodePng(bytes) : decodeTiffPage(bytes, index);
  const ref = 'rgba' in pixels ? embedRaster(doc.context, pixels) : embedGraySamples(doc.context, pixels);
  return { ref, width: pixels.width, height: pixels.height };
}
