// What a user checks on a searchable PDF: the words come out when the text is extracted, and
// each word sits where its box says (so a selection highlights the printed word).

import assert from 'node:assert/strict';
import type { OcrWord } from '../../runtime/engines/types.ts';
import type { GrayImage, PdfWordPage } from './poppler.ts';

/** Share of `expected` words found in `text` as whitespace-separated tokens, counting repeats (multiset). */
export function extractedShare(text: string, expected: readonly string[]): number {
  const available = new Map<string, number>();
  for (const token of text.split(/\s+/).filter(Boolean)) available.set(token, (available.get(token) ?? 0) + 1);
  let found = 0;
  for (const word of expected) {
    const left = available.get(word) ?? 0;
    if (left > 0) {
      found++;
      available.set(word, left - 1);
    }
  }
  return found / expected.length;
}

export function assertWordsExtracted(text: string, expected: readonly string[], minShare = 0.99): void {
  assert.ok(expected.length > 0, 'no words to look for');
  const share = extractedShare(text, expected);
  assert.ok(share >= minShare, `only ${(share * 100).toFixed(1)} % of the ${expected.length} words were extracted:\n${text}`);
}

/**
 * Every OCR word must be found by `pdftotext -bbox` with the same text and edges within
 * `tolerance` points of its box (fractions of the page as shown, scaled to the page's points).
 * Returns the largest edge difference seen.
 */
export function assertWordsAtTheirBoxes(page: PdfWordPage, words: readonly OcrWord[], tolerance = 1): number {
  const unused = [...page.words];
  let worst = 0;
  for (const word of words) {
    const want = {
      xMin: word.bbox.left * page.width,
      yMin: word.bbox.top * page.height,
      xMax: (word.bbox.left + word.bbox.width) * page.width,
      yMax: (word.bbox.top + word.bbox.height) * page.height,
    };
    const distance = (found: (typeof unused)[number]) =>
      Math.max(...(['xMin', 'yMin', 'xMax', 'yMax'] as const).map((edge) => Math.abs(found[edge] - want[edge])));
    const candidates = unused.filter((found) => found.text === word.text);
    assert.ok(candidates.length > 0, `"${word.text}" is not among the extracted words`);
    const nearest = candidates.reduce((best, found) => (distance(found) < distance(best) ? found : best));
    const off = distance(nearest);
    assert.ok(off <= tolerance, `"${word.text}" was extracted ${off.toFixed(2)} pt away from its box (${JSON.stringify(want)} vs ${JSON.stringify(nearest)})`);
    unused.splice(unused.indexOf(nearest), 1);
    worst = Math.max(worst, off);
  }
  return worst;
}

/** Mean absolute difference of two renderings of the same size, in gray levels (0..255). */
export function meanDifference(a: GrayImage, b: { width: number; height: number; gray: Uint8Array }): number {
  assert.equal(a.width, b.width, 'rendered widths differ');
  assert.equal(a.height, b.height, 'rendered heights differ');
  let sum = 0;
  for (let i = 0; i < a.gray.length; i++) sum += Math.abs(a.gray[i] - b.gray[i]);
  return sum / a.gray.length;
}

/**
 * Mean absolute difference of the 8 × 8 pixel block averages of two renderings: insensitive to
 * the half-pixel resampling differences of drawing an image turned or not, sensitive to what
 * is where (an upside-down page differs by ~40 levels, the same page turned and back by ~3).
 */
export function blockDifference(a: GrayImage, b: GrayImage, block = 8): number {
  assert.deepEqual([a.width, a.height], [b.width, b.height], 'rendered sizes differ');
  const columns = Math.floor(a.width / block);
  const rows = Math.floor(a.height / block);
  const sums = (image: GrayImage) => {
    const out = new Float64Array(columns * rows);
    for (let y = 0; y < rows * block; y++) {
      for (let x = 0; x < columns * block; x++) out[Math.floor(y / block) * columns + Math.floor(x / block)] += image.gray[y * image.width + x];
    }
    return out;
  };
  const [sa, sb] = [sums(a), sums(b)];
  let total = 0;
  for (let i = 0; i < sa.length; i++) total += Math.abs(sa[i] - sb[i]) / (block * block);
  return total / sa.length;
}
