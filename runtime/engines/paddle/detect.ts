// Text detection with PaddleOCR's DB model: the model gives every pixel a probability of being
// inside (the shrunk core of) a text line; lines are the connected regions of that map, grown
// back by DB's "unclip" distance. Axis-aligned boxes: documents are upright (rotated pages are
// not handled here).

import type { GrayRaster } from '../../documents/raster.ts';
import { resizeGray, type Rect } from '../../documents/resize.ts';

export interface DetectOptions {
  /** Pixels above this probability belong to text. PaddleOCR's default 0.3. */
  threshold: number;
  /** A region whose mean probability is below this is dropped. PaddleOCR's default 0.6. */
  boxThreshold: number;
  /** How far a region is grown back: area × ratio / perimeter. PaddleOCR's default 1.5. */
  unclipRatio: number;
}

export const DETECT_DEFAULTS: DetectOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5 };

// ImageNet statistics, which PaddleOCR's detection model was trained with.
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** The detector's input: `raster` scaled by `scale`, sides rounded to multiples of 32, as NCHW floats. */
export function detectionInput(raster: GrayRaster, scale: number): { tensor: Float32Array; width: number; height: number } {
  const width = Math.max(32, Math.round((raster.width * scale) / 32) * 32);
  const height = Math.max(32, Math.round((raster.height * scale) / 32) * 32);
  const resized = resizeGray(raster, width, height);
  const plane = width * height;
  const tensor = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const offset = c * plane;
    const m = MEAN[c];
    const s = STD[c];
    for (let i = 0; i < plane; i++) tensor[offset + i] = (resized.data[i] / 255 - m) / s;
  }
  return { tensor, width, height };
}

/**
 * Boxes of text regions in the probability map (`width` × `height`), in map pixels, top to
 * bottom. Connected components over 4-neighbours, found with a scanline flood fill.
 */
export function boxesFromProbabilities(prob: Float32Array, width: number, height: number, options: DetectOptions = DETECT_DEFAULTS): (Rect & { score: number })[] {
  const label = new Int32Array(width * height);
  const boxes: (Rect & { score: number })[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < prob.length; start++) {
    if (label[start] !== 0 || prob[start] <= options.threshold) continue;
    next++;
    label[start] = next;
    stack.push(start);
    let minX = width, minY = height, maxX = 0, maxY = 0, sum = 0, count = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      sum += prob[i];
      count++;
      if (x > 0 && label[i - 1] === 0 && prob[i - 1] > options.threshold) (label[i - 1] = next), stack.push(i - 1);
      if (x < width - 1 && label[i + 1] === 0 && prob[i + 1] > options.threshold) (label[i + 1] = next), stack.push(i + 1);
      if (y > 0 && label[i - width] === 0 && prob[i - width] > options.threshold) (label[i - width] = next), stack.push(i - width);
      if (y < height - 1 && label[i + width] === 0 && prob[i + width] > options.threshold) (label[i + width] = next), stack.push(i + width);
    }
    const w = maxX - minX + 1;
    const h = maxY - minY + 1;
    const score = sum / count;
    if (Math.min(w, h) < 3 || score < options.boxThreshold) continue;
    const grow = (w * h * options.unclipRatio) / (2 * (w + h));
    const x = Math.max(0, minX - grow);
    const y = Math.max(0, minY - grow);
    boxes.push({
      x,
      y,
      width: Math.min(width, maxX + 1 + grow) - x,
      height: Math.min(height, maxY + 1 + grow) - y,
      score,
    });
  }
  return boxes;
}
