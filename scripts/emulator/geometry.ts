// Textract's Geometry and Id shapes, shared by every response the emulator builds.
import { createHash } from 'node:crypto';
import type { Box, Word } from './layout.ts';

export type Block = Record<string, unknown>;

export function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

export function geometry(b: Box): Block {
  const left = round(b.left), top = round(b.top), right = round(b.left + b.width), bottom = round(b.top + b.height);
  return {
    BoundingBox: { Width: round(b.width), Height: round(b.height), Left: left, Top: top },
    Polygon: [{ X: left, Y: top }, { X: right, Y: top }, { X: right, Y: bottom }, { X: left, Y: bottom }],
  };
}

/** UUID-shaped ids that depend only on the seed (a document's sha256) and the order they are drawn in. */
export function idFactory(seed: string): () => string {
  let n = 0;
  return () => {
    const h = createHash('sha1').update(seed).update(String(n++)).digest('hex');
    const variant = ((Number.parseInt(h[16], 16) & 3) | 8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
}

/** A derived element is as sure as its least sure word. */
export function minConfidence(words: readonly Word[], fallback = 95): number {
  return words.length ? Math.min(...words.map((w) => w.confidence)) : fallback;
}

/** Confidence of something derived from words, lowered by `penalty` and kept within 0..100. */
export function derivedConfidence(words: readonly Word[], penalty: number): number {
  return round(Math.max(0, Math.min(100, minConfidence(words) - penalty)));
}
