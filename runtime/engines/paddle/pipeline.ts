// One page through PaddleOCR's two models: detect line boxes, then read each box.

import type { GrayRaster } from '../../documents/raster.ts';
import { boxesFromProbabilities, DETECT_DEFAULTS, detectionInput, type DetectOptions } from './detect.ts';
import { recognizeLines, type RecognizedLine, type RunRecognizer } from './recognize-lines.ts';
import type { Rect } from '../../documents/resize.ts';

export type RunDetector = (input: Float32Array, width: number, height: number) => Promise<Float32Array>;

export interface PipelineOptions extends DetectOptions {
  /** The detector sees the page with its longer side at most this many pixels. */
  maxSide: number;
  /**
   * Line height (pixels) the detector reads best at. A first pass at `maxSide` measures the
   * page's median line height; when it is far from this, the page is detected again at the scale
   * that brings it there (small text upscaled, large text shrunk), within `maxSide` × `maxUpscale`.
   * 0 disables the second pass.
   */
  targetLineHeight: number;
  /** Bound on the second pass's size, relative to `maxSide`. */
  maxUpscale: number;
  /** A blank run this wide (× the line's ink height) between two letters is a space; 0: off. */
  spaceGap: number;
}

// Chosen on the evaluation set (README, "Local OCR"): spaces put back at gaps of a quarter of the
// ink height took recall from 86 % to 91 %; the second detection pass for small or large text
// added about a point more. A first pass at 960 px (PaddleOCR's own default) reads as well as
// one at 1280 px and costs 20–30 % less CPU on dense pages, which mostly take the second pass.
export const PIPELINE_DEFAULTS: PipelineOptions = { ...DETECT_DEFAULTS, maxSide: 960, targetLineHeight: 24, maxUpscale: 2, spaceGap: 0.25 };

export interface PipelineTimings {
  detectMs: number;
  recognizeMs: number;
  detectPasses: number;
}

async function detect(raster: GrayRaster, scale: number, run: RunDetector, options: DetectOptions): Promise<Rect[]> {
  const { tensor, width, height } = detectionInput(raster, scale);
  const prob = await run(tensor, width, height);
  const sx = raster.width / width;
  const sy = raster.height / height;
  return boxesFromProbabilities(prob, width, height, options).map((b) => ({ x: b.x * sx, y: b.y * sy, width: b.width * sx, height: b.height * sy }));
}

/**
 * Boxes that overlap, side by side on one row, made one: the detector sometimes cuts a word in two
 * with overlapping boxes, and each would read the shared letters ("Textractor r Test").
 */
export function mergeOverlapping(boxes: Rect[]): Rect[] {
  const merged = [...boxes];
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < merged.length && !changed; i++) {
      for (let j = i + 1; j < merged.length && !changed; j++) {
        const a = merged[i];
        const b = merged[j];
        const across = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
        const down = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
        if (across <= 0 || down < 0.6 * Math.min(a.height, b.height)) continue;
        const x = Math.min(a.x, b.x);
        const y = Math.min(a.y, b.y);
        merged[i] = { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
        merged.splice(j, 1);
        changed = true;
      }
    }
  }
  return merged;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Rows top to bottom; boxes whose vertical centres are within half a line of each other form a row, left to right. */
export function rowsOf<T extends { box: Rect }>(items: T[]): T[][] {
  const sorted = [...items].sort((a, b) => a.box.y + a.box.height / 2 - (b.box.y + b.box.height / 2));
  const rows: T[][] = [];
  for (const item of sorted) {
    const centre = item.box.y + item.box.height / 2;
    const row = rows.at(-1);
    const last = row?.at(-1);
    if (row && last && Math.abs(centre - (last.box.y + last.box.height / 2)) < Math.min(item.box.height, last.box.height) / 2) row.push(item);
    else rows.push([item]);
  }
  return rows.map((row) => row.sort((a, b) => a.box.x - b.box.x));
}

/**
 * Lines in reading order. Neighbours in a row closer than `maxGap` × their height are one line:
 * the detector splits large type at its wide word gaps ("Textractor" "Test" "Document"), while
 * table cells and form labels stay apart, as Textract keeps them.
 */
export function joinLines(lines: RecognizedLine[], maxGap = 1): RecognizedLine[] {
  return rowsOf(lines).flatMap((row) => {
    const joined: RecognizedLine[] = [];
    for (const line of row) {
      const last = joined.at(-1);
      const gap = last ? line.box.x - (last.box.x + last.box.width) : Infinity;
      const height = last ? Math.min(last.box.height, line.box.height) : 0;
      if (!last || gap > maxGap * height || Math.abs(last.box.height - line.box.height) > height / 2) {
        joined.push(line);
        continue;
      }
      const top = Math.min(last.box.y, line.box.y);
      const right = Math.max(last.box.x + last.box.width, line.box.x + line.box.width);
      const bottom = Math.max(last.box.y + last.box.height, line.box.y + line.box.height);
      joined[joined.length - 1] = {
        text: `${last.text} ${line.text}`,
        confidence: (last.confidence * last.text.length + line.confidence * line.text.length) / (last.text.length + line.text.length),
        box: { x: last.box.x, y: top, width: right - last.box.x, height: bottom - top },
        words: [...last.words, ...line.words],
      };
    }
    return joined;
  });
}

export async function readPage(
  raster: GrayRaster,
  models: { detect: RunDetector; recognize: RunRecognizer; alphabet: string[]; mask?: Uint8Array },
  options: PipelineOptions = PIPELINE_DEFAULTS,
): Promise<{ lines: RecognizedLine[]; timings: PipelineTimings }> {
  const started = performance.now();
  const longest = Math.max(raster.width, raster.height);
  const firstScale = Math.min(1, options.maxSide / longest);
  let boxes = await detect(raster, firstScale, models.detect, options);
  let passes = 1;
  if (options.targetLineHeight > 0 && boxes.length > 0) {
    const lineHeight = median(boxes.map((b) => b.height)) * firstScale;
    const wanted = Math.min((firstScale * options.targetLineHeight) / lineHeight, (options.maxSide * options.maxUpscale) / longest);
    // Only when the change is worth a second pass.
    if (wanted > firstScale * 1.25 || wanted < firstScale * 0.7) {
      boxes = await detect(raster, wanted, models.detect, options);
      passes++;
    }
  }
  const detected = performance.now();
  const lines = await recognizeLines(raster, mergeOverlapping(boxes), models.recognize, models.alphabet, models.mask, options.spaceGap);
  return {
    lines: joinLines(lines),
    timings: { detectMs: detected - started, recognizeMs: performance.now() - detected, detectPasses: passes },
  };
}
