// Reference PDFs made with pdf-lib's own image embedding: what a page showing an image looks
// like when built by independent code, to compare renderings of our output against.

import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';

export interface ImagePage {
  width: number;
  height: number;
  png: Uint8Array;
}

/** One page per image at its pixel size (1 px = 1 pt), the image filling the page. */
export async function imagePdf(pages: readonly ImagePage[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  for (const { width, height, png } of pages) {
    const image = await doc.embedPng(png);
    doc.addPage([width, height]).drawImage(image, { x: 0, y: 0, width, height });
  }
  return doc.save();
}

/** 8-bit gray pixels as an opaque PNG. */
export function pngOfGray(width: number, height: number, gray: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < gray.length; i++) png.data.set([gray[i], gray[i], gray[i], 255], i * 4);
  return PNG.sync.write(png);
}
