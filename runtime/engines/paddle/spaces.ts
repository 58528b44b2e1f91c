// The recogniser (trained mostly on Chinese, which has no spaces) often runs English words
// together: "Full Name:JaneDoe". The line image says where the words are: a space is a run of
// empty columns much wider than the gaps between letters. Where such a run lies between two
// characters read next to each other, a space is put back.

import type { GrayRaster } from '../../documents/raster.ts';
import type { Decoded } from './ctc.ts';

/** Otsu's threshold: the gray level that best separates ink from paper in `pixels`. */
export function otsuThreshold(pixels: Uint8Array): number {
  const histogram = new Float64Array(256);
  for (const v of pixels) histogram[v]++;
  const total = pixels.length;
  let sumAll = 0;
  for (let i = 0; i < 256; i++) sumAll += i * histogram[i];
  let sumBelow = 0;
  let weightBelow = 0;
  let best = 0;
  let threshold = 127;
  for (let t = 0; t < 256; t++) {
    weightBelow += histogram[t];
    if (weightBelow === 0) continue;
    const weightAbove = total - weightBelow;
    if (weightAbove === 0) break;
    sumBelow += t * histogram[t];
    const meanBelow = sumBelow / weightBelow;
    const meanAbove = (sumAll - sumBelow) / weightAbove;
    const between = weightBelow * weightAbove * (meanBelow - meanAbove) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

export interface Gap {
  /** First and last empty column. */
  start: number;
  end: number;
}

/** Where a line image has ink (inclusive pixel bounds), and its word gaps. */
export interface LineInk {
  left: number;
  right: number;
  top: number;
  bottom: number;
  gaps: Gap[];
}

/**
 * The ink's extent and the runs of columns without ink at least `minWidth` × the ink's height
 * wide, between the first and last inked column; null for an image without ink. Ink is the
 * minority side of Otsu's threshold, so light text on a dark band counts as ink too.
 */
export function lineInk(image: GrayRaster, minWidth: number): LineInk | null {
  const { width, height, data } = image;
  const threshold = otsuThreshold(data);
  let dark = 0;
  for (const v of data) if (v <= threshold) dark++;
  const inkIsDark = dark <= data.length / 2;
  const isInk = (v: number) => (inkIsDark ? v <= threshold : v > threshold);
  const columnInk = new Uint8Array(width);
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (isInk(data[y * width + x])) {
        columnInk[x] = 1;
        if (y < top) top = y;
        bottom = y;
      }
    }
  }
  if (bottom < top) return null;
  const minRun = Math.max(2, minWidth * (bottom - top + 1));
  const gaps: Gap[] = [];
  const first = columnInk.indexOf(1);
  const last = columnInk.lastIndexOf(1);
  let runStart = -1;
  for (let x = first; x <= last; x++) {
    if (!columnInk[x]) {
      if (runStart < 0) runStart = x;
    } else if (runStart >= 0) {
      if (x - runStart >= minRun) gaps.push({ start: runStart, end: x - 1 });
      runStart = -1;
    }
  }
  return { left: first, right: last, top, bottom, gaps };
}

/**
 * `decoded` with a space between every two adjacent characters that have a gap between their
 * positions (`stepWidth` image columns per time step). Spaces the model read are kept.
 */
export function insertSpaces(decoded: Decoded, gaps: Gap[], stepWidth: number): Decoded {
  if (gaps.length === 0 || decoded.chars.length < 2) return decoded;
  const centre = (step: number) => (step + 0.5) * stepWidth;
  const chars: Decoded['chars'] = [decoded.chars[0]];
  for (let i = 1; i < decoded.chars.length; i++) {
    const before = decoded.chars[i - 1];
    const char = decoded.chars[i];
    if (before.char !== ' ' && char.char !== ' ') {
      const from = centre(before.step);
      const to = centre(char.step);
      const gap = gaps.find((g) => (g.start + g.end) / 2 > from && (g.start + g.end) / 2 < to);
      if (gap) chars.push({ char: ' ', step: (before.step + char.step) / 2, probability: 1 });
    }
    chars.push(char);
  }
  if (chars.length === decoded.chars.length) return decoded;
  return { ...decoded, text: chars.map((c) => c.char).join(''), chars };
}
