// Reads the text of detected line boxes with PaddleOCR's recognition model (SVTR + CTC), and
// derives each word's box from the time steps at which its characters were read.

import type { GrayRaster } from '../../documents/raster.ts';
import { decodeCtc, type Decoded } from './ctc.ts';
import { resizeGray, type Rect } from '../../documents/resize.ts';
import { insertSpaces, lineInk, type LineInk } from './spaces.ts';

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

/**
 * Words split at spaces. Each word spans from the end of the gap before it to the start of the
 * gap after it (or the ink's ends), the gaps being matched to words by the time steps at which
 * the characters were read; vertically, the ink's extent. Pixels of the line image (`lineWidth`
 * × REC_HEIGHT), mapped back onto `box`.
 */
export function wordsOfLine(decoded: Decoded, box: Rect, lineWidth: number, stepWidth: number, ink: LineInk): RecognizedWord[] {
  const sx = box.width / lineWidth;
  const sy = box.height / REC_HEIGHT;
  const centre = (step: number) => (step + 0.5) * stepWidth;
  const groups: Decoded['chars'][] = [[]];
  for (const char of decoded.chars) {
    if (char.char !== ' ') groups.at(-1)!.push(char);
    else if (groups.at(-1)!.length > 0) groups.push([]);
  }
  const words = groups.filter((g) => g.length > 0);
  // The boundary between two words: the gap between them, or halfway when the model read a
  // space where the image has no gap wide enough.
  const boundary = (endOfWord: number, startOfNext: number): [number, number] => {
    const gap = ink.gaps.find((g) => (g.start + g.end) / 2 > endOfWord && (g.start + g.end) / 2 < startOfNext);
    if (gap) return [gap.start - 1, gap.end + 1];
    const middle = (endOfWord + startOfNext) / 2;
    return [middle, middle];
  };
  const edges = words.map(() => ({ left: ink.left, right: ink.right }));
  for (let i = 0; i + 1 < words.length; i++) {
    const [right, left] = boundary(centre(words[i].at(-1)!.step), centre(words[i + 1][0].step));
    edges[i].right = right;
    edges[i + 1].left = left;
  }
  return words.map((chars, i) => {
    const { left } = edges[i];
    const right = Math.max(left, edges[i].right);
    return {
      text: chars.map((c) => c.char).join(''),
      confidence: chars.reduce((sum, c) => sum + c.probability, 0) / chars.length,
      box: { x: box.x + left * sx, y: box.y + ink.top * sy, width: (right - left + 1) * sx, height: (ink.bottom - ink.top + 1) * sy },
    };
  });
}

/** The part of `box` its line image has ink in: detection boxes carry DB's unclip margin. */
function inkBox(box: Rect, lineWidth: number, ink: LineInk): Rect {
  const sx = box.width / lineWidth;
  const sy = box.height / REC_HEIGHT;
  return { x: box.x + ink.left * sx, y: box.y + ink.top * sy, width: (ink.right - ink.left + 1) * sx, height: (ink.bottom - ink.top + 1) * sy };
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
      const ink = lineInk(images[index], spaceGap > 0 ? spaceGap : Infinity);
      if (!ink || !decoded.text.trim()) return;
      if (spaceGap > 0) decoded = insertSpaces(decoded, ink.gaps, paddedWidth / steps);
      results[index] = {
        text: decoded.text,
        confidence: decoded.confidence,
        box: inkBox(boxes[index], images[index].width, ink),
        words: wordsOfLine(decoded, boxes[index], images[index].width, paddedWidth / steps, ink),
      };
    });
  }
  return results.filter((line): line is RecognizedLine => line !== null);
}
