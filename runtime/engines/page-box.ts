import type { BBox } from './types.ts';

// Boxes are fractions of the page. Every engine builds them here, so they all keep their edges to
// millionths of the page (a thousandth of a pixel on an A4 scan at 300 dpi) and take width and
// height between those rounded edges. A width computed as the difference of two fractions carries
// float noise (0.11399999999999999) into every answer and every stored word, and each such number
// costs 17 digits to write, store and send where 6 say as much.

const UNITS = 1_000_000;

/** An edge in millionths of the page, on the page; what is not a number is the page's edge 0. */
function edge(fraction: number): number {
  return Math.round(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * UNITS);
}

/**
 * The box from (x0, y0) to (x1, y1), in fractions of the page. The edges are clamped to the page
 * rather than each field, so a box starting a little off the page keeps its far edge where it was
 * seen; left + width and top + height never pass 1, and an inverted box is empty, not negative.
 */
export function pageBox(x0: number, y0: number, x1: number, y1: number): BBox {
  const left = edge(x0);
  const top = edge(y0);
  const right = Math.max(left, edge(x1));
  const bottom = Math.max(top, edge(y1));
  return { left: left / UNITS, top: top / UNITS, width: (right - left) / UNITS, height: (bottom - top) / UNITS };
}
