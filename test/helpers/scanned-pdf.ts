// Scanned PDFs built with pdf-lib around the Textract fixture images: pages whose visible
// area shows the image upright, whatever /Rotate, CropBox offset or inheritance the page uses
// to get there. The page as shown is the image, so the fixture's Textract words (fractions of
// the image) are the words of the page as shown.

import { degrees, PDFDocument, PDFName, rgb } from 'pdf-lib';

export interface ScannedPage {
  width: number;
  height: number;
  png: Uint8Array;
  /** /Rotate of the page; the image is drawn turned the other way so that it shows upright. */
  rotate?: 0 | 90 | 180 | 270;
  /**
   * Where the visible area (CropBox) starts inside a larger MediaBox; the margin around it holds
   * black bars that MUST NOT show.
   */
  cropAt?: { x: number; y: number };
}

const MARGIN = 150;

export async function scannedPdf(pages: readonly ScannedPage[]): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  for (const { width, height, png, rotate = 0, cropAt } of pages) {
    // The image's size in user space before /Rotate turns it.
    const turned = rotate === 90 || rotate === 270;
    const [w, h] = turned ? [height, width] : [width, height];
    const { x: ox, y: oy } = cropAt ?? { x: 0, y: 0 };
    const page = doc.addPage(cropAt ? [ox + w + MARGIN, oy + h + MARGIN] : [w, h]);
    if (cropAt) {
      page.setCropBox(ox, oy, w, h);
      page.drawRectangle({ x: 0, y: 0, width: ox + w + MARGIN, height: oy, color: rgb(0, 0, 0) });
      page.drawRectangle({ x: ox + w, y: 0, width: MARGIN, height: oy + h + MARGIN, color: rgb(0, 0, 0) });
    }
    // pdf-lib turns an image counter-clockwise about its bottom-left corner; the corner goes
    // where the turned image still fills the visible area.
    const corner = { 0: [ox, oy], 90: [ox + w, oy], 180: [ox + w, oy + h], 270: [ox, oy + h] }[rotate];
    page.drawImage(await doc.embedPng(png), { x: corner[0], y: corner[1], width, height, rotate: degrees(rotate) });
    page.setRotation(degrees(rotate));
  }
  return doc;
}

/** Moves /Rotate and /CropBox of every page up to the page tree root, where pages inherit them. */
export function inheritFromRoot(doc: PDFDocument): void {
  const root = doc.catalog.Pages();
  const [first] = doc.getPages();
  for (const key of ['Rotate', 'CropBox']) {
    const value = first.node.get(PDFName.of(key));
    if (value) root.set(PDFName.of(key), value);
    for (const page of doc.getPages()) page.node.delete(PDFName.of(key));
  }
}
