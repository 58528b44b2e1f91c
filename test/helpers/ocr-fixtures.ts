// The real Textract fixtures (test/fixtures/textract): page images with the words Textract found
// on them, boxes as fractions of the page, the input a searchable PDF is built from.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import { normalizeBlocks } from '../../runtime/engines/textract-normalize.ts';
import type { OcrWord } from '../../runtime/engines/types.ts';

const DIR = path.join(PROJECT_ROOT, 'test', 'fixtures');

export interface FixturePage {
  /** The PNG as sent to Textract. */
  png: Buffer;
  width: number;
  height: number;
  /** Decoded 8-bit RGBA. */
  rgba: Uint8Array;
  words: OcrWord[];
}

function load(image: string, response: string): FixturePage {
  const png = readFileSync(path.join(DIR, 'textract', image));
  const { width, height, data } = PNG.sync.read(png);
  const { Blocks } = JSON.parse(readFileSync(path.join(DIR, 'textract', response), 'utf8'));
  return { png, width, height, rgba: data, words: normalizeBlocks(Blocks, 1).words };
}

/** "Textractor Test Document", DetectDocumentText: 1226 × 1514 px, 51 words. */
export const textractorPage = (): FixturePage => load('single-page-1.png', 'test_detect_document_text.json');
/** "Employment Application", AnalyzeDocument FORMS + TABLES: 1020 × 611 px, 71 words. */
export const employmentPage = (): FixturePage => load('default_document_4.png', 'test-response.json');

export function readTiffFixture(name: string): Buffer {
  return readFileSync(path.join(DIR, 'tiff', name));
}

/** Rec. 601 luma composited over white, as a page printed from the image would look. */
export function grayOf(page: FixturePage): Uint8Array {
  const gray = new Uint8Array(page.width * page.height);
  for (let p = 0; p < gray.length; p++) {
    const [r, g, b, a] = page.rgba.subarray(p * 4, p * 4 + 4);
    gray[p] = Math.round((0.299 * r + 0.587 * g + 0.114 * b) * (a / 255) + 255 * (1 - a / 255));
  }
  return gray;
}

/** Black (0) or white (255) by the rule test/fixtures/tiff/bilevel-tiff.mjs used for the fax fixtures. */
export function bilevelOf(page: FixturePage): Uint8Array {
  const bilevel = new Uint8Array(page.width * page.height);
  for (let p = 0; p < bilevel.length; p++) {
    const [r, g, b, a] = page.rgba.subarray(p * 4, p * 4 + 4);
    const luma = (0.299 * r + 0.587 * g + 0.114 * b) * (a / 255) + 255 * (1 - a / 255);
    bilevel[p] = luma < 128 ? 0 : 255;
  }
  return bilevel;
}
