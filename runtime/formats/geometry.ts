import type { BBox } from '../engines/types.ts';

// Page geometry for placing tables, key-values and signatures among lines and layout blocks.
// Boxes are fractions of the page, so one page's boxes compare directly.

function area(box: BBox): number {
  return box.width * box.height;
}

function intersectionArea(a: BBox, b: BBox): number {
  const width = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const height = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return width > 0 && height > 0 ? width * height : 0;
}

/**
 * How much two boxes cover each other, 0..1: the shared area over the smaller box. Relative to
 * the smaller box so a table Textract outlines a little tighter than its layout block still
 * counts as fully inside it.
 */
export function overlap(a: BBox, b: BBox): number {
  const smaller = Math.min(area(a), area(b));
  return smaller > 0 ? intersectionArea(a, b) / smaller : 0;
}

/** The middle of `inner` lies in `outer`: a line belongs to the table (or region) it sits in. */
export function centreInside(inner: BBox, outer: BBox): boolean {
  const x = inner.left + inner.width / 2;
  const y = inner.top + inner.height / 2;
  return x >= outer.left && x <= outer.left + outer.width && y >= outer.top && y <= outer.top + outer.height;
}
