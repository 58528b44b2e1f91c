import type { GrayRaster } from '../../documents/raster.ts';
import { pageBox } from '../page-box.ts';
import type { BBox, PageResult } from '../types.ts';
import type { RecognizedLine } from './recognize-lines.ts';
import type { Rect } from '../../documents/resize.ts';

/** A box in raster pixels as fractions of the page, as Textract gives them. */
export function pageFraction(box: Rect, width: number, height: number): BBox {
  return pageBox(box.x / width, box.y / height, (box.x + box.width) / width, (box.y + box.height) / height);
}

const percent = (p: number) => Math.round(Math.min(1, Math.max(0, p)) * 10000) / 100;

export function toPageResult(page: number, raster: GrayRaster, lines: RecognizedLine[]): PageResult {
  const { width, height } = raster;
  return {
    page,
    width,
    height,
    lines: lines.map((line) => ({ text: line.text, confidence: percent(line.confidence), bbox: pageFraction(line.box, width, height) })),
    words: lines.flatMap((line) =>
      line.words.map((word) => ({ text: word.text, confidence: percent(word.confidence), bbox: pageFraction(word.box, width, height) })),
    ),
    keyValues: [],
    tables: [],
  };
}
