// Reads the text of detected line boxes with PaddleOCR's recognition model (SVTR + CTC), and
// derives each word's box from the time steps at which its characters were read.

import type { GrayRaster } from '../../documents/raster.ts';
import { decodeCtc, type Decoded } from './ctc.ts';
import { resizeGray, type Rect } from '../../documents/resize.ts';
import { insertSpaces, wordGaps } from './spaces.ts';

/** The recogniser's input height, fixed by the model. */
export const REC_HEIGHT = 48;
/** Lines per model call: a batch pads to its widest line, so lines are batched by width (4 measured faster than 8, 16 or 32). */
const BATCH = 4;
/** Longer lines are squeezed: beyond this the attention layers cost more than they read. */
const MAX_REC_WIDTH = 3200;

export interface RecognizedWord {
  text: string;
  confidence: number;
  box: Rect;
}

export interface RecognizedLine {
  text: string;
  /** 0..1 */
  confidence: number;
  box: Rect;
  words: RecognizedWord[];
}

export type RunRecognizer = (input: Float32Array, batch: number, width: number) => Promise<{ probs: Float32Array; steps: number }>;

/** The crop of `box` resized to the model's height, as gray pixels. */
export function lineImage(raster: GrayRaster, box: Rect): GrayRaster {
  const width = Math.min(MAX_REC_WIDTH, Math.max(8, Math.round((REC_HEIGHT * box.width) / box.height)));
  return resizeGray(raster, width, REC_HEIGHT, box);
}

/** Words split at spaces, each boxed from the time steps of its first and last character. */
export function wordsOfLine(decoded: Decoded, box: Rect, lineWidth: number, paddedWidth: number, steps: number): RecognizedWord[] {
  // Input pixels per step, then line-box pixels per input pixel.
  const stepWidth = paddedWidth / steps;
  const toBox = box.width / lineWidth;
  const centre = (step: number) => (step + 0.5) * stepWidth * toBox;
  const letters = decoded.chars.filter((c) => c.char !== ' ').length;
  // Half a character to either side of the first and last character's step.
  const half = letters > 0 ? Math.min(box.width / letters, box.height) / 2 : 0;
  const words: RecognizedWord[] = [];
  let current: typeof decoded.chars = [];
  const flush = () => {
    if (current.length === 0) return;
    const left = Math.max(0, centre(current[0].step) - half);
    const right = Math.min(box.width, centre(current.at(-1)!.step) + half);
    words.push({
      text: current.map((c) => c.char).join(''),
      confidence: current.reduce((sum, c) => sum + c.probability, 0) / current.length,
      box: { x: box.x + left, y: box.y, width: Math.max(1, right - left), height: box.height },
    });
    current = [];
  };
  for (const char of decoded.chars) {
    if (char.char === ' ') flush();
    else current.push(char);
  }
  flush();
  return words;
}

/** Recognises every box; lines that read as nothing are left out. Output in the order of `boxes`. */
export async function recognizeLines(
  raster: GrayRaster,
  boxes: Rect[],
  run: RunRecognizer,
  alphabet: string[],
  mask?: Uint8Array,
  spaceGap = 0,
): Promise<RecognizedLine[]> {
  const images = boxes.map((box) => lineImage(raster, box));
  const order = images.map((_, i) => i).sort((a, b) => images[a].width - images[b].width);
  const results: (RecognizedLine | null)[] = new Array(boxes.length).fill(null);
  for (let start = 0; start < order.length; start += BATCH) {
    const members = order.slice(start, start + BATCH);
    const paddedWidth = Math.max(...members.map((i) => images[i].width));
    const plane = REC_HEIGHT * paddedWidth;
    // Zero after normalisation is mid-grey, what PaddleOCR pads with.
    const input = new Float32Array(members.length * 3 * plane);
    members.forEach((index, b) => {
      const image = images[index];
      for (let y = 0; y < REC_HEIGHT; y++) {
        for (let x = 0; x < image.width; x++) {
          const v = image.data[y * image.width + x] / 127.5 - 1;
          const at = b * 3 * plane + y * paddedWidth + x;
          input[at] = v;
          input[at + plane] = v;
          input[at + 2 * plane] = v;
        }
      }
    });
    const { probs, steps } = await run(input, members.length, paddedWidth);
    members.forEach((index, b) => {
      let decoded = decodeCtc(probs, b * steps * alphabet.length, steps, alphabet, mask);
      if (spaceGap > 0) decoded = insertSpaces(decoded, wordGaps(images[index], spaceGap), paddedWidth / steps);
      if (!decoded.text.trim()) return;
      results[index] = {
        text: decoded.text,
        confidence: decoded.confidence,
        box: boxes[index],
        words: wordsOfLine(decoded, boxes[index], images[index].width, paddedWidth, steps),
      };
    });
  }
  return results.filter((line): line is RecognizedLine => line !== null);
}
