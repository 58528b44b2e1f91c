// The real documents of the local engine's evaluation set (test/fixtures/local-ocr, sources in
// its README), with the words and boxes Amazon Textract found in them.
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import type { BBox } from '../../runtime/engines/types.ts';

export const REAL_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'local-ocr');

export function realDocument(name: string): Uint8Array {
  return fs.readFileSync(path.join(REAL_DIR, name));
}

export interface TextractBlock {
  BlockType: string;
  Text?: string;
  Geometry: { BoundingBox: { Left: number; Top: number; Width: number; Height: number } };
}

export function textractBlocks(name: string, type: 'WORD' | 'LINE'): { text: string; bbox: BBox }[] {
  const response = JSON.parse(gunzipSync(fs.readFileSync(path.join(REAL_DIR, `${name}.textract.json.gz`))).toString('utf8'));
  return (response.Blocks as TextractBlock[])
    .filter((b) => b.BlockType === type && b.Text)
    .map((b) => {
      const { Left, Top, Width, Height } = b.Geometry.BoundingBox;
      return { text: b.Text!, bbox: { left: Left, top: Top, width: Width, height: Height } };
    });
}

/** Intersection over union of two boxes. */
export function iou(a: BBox, b: BBox): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}
