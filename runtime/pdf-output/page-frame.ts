import { PDFArray, PDFName, PDFNumber, type PDFPage } from 'pdf-lib';

/**
 * The page as a viewer (and an OCR engine) shows it: `width` × `height` points, y up from its
 * bottom-left corner, and the matrix that takes those coordinates to the page's user space, for
 * a `cm` operator. Word boxes, fractions of the shown page, are placed in this frame.
 */
export interface PageFrame {
  width: number;
  height: number;
  /** [a b c d e f] of `cm`: user = (a·x + c·y + e, b·x + d·y + f). */
  toUser: [number, number, number, number, number, number];
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

// What viewers (pdf.js, poppler) assume for a page without a usable MediaBox: US Letter.
const LETTER: Rect = { x0: 0, y0: 0, x1: 612, y1: 792 };

/** A frame for an image page of `width` × `height` points: user space is the frame. */
export function plainFrame(width: number, height: number): PageFrame {
  return { width, height, toUser: [1, 0, 0, 1, 0, 0] };
}

/**
 * The frame of a PDF page: its visible area is the CropBox clipped to the MediaBox (both
 * inheritable, corners in any order), turned clockwise by /Rotate (PDF 32000-1 §7.7.3.3 and
 * §14.11.2), as every renderer shows it. /UserUnit scales user space as a whole, so fractions of
 * the page are unaffected by it.
 */
export function pdfPageFrame(page: PDFPage): PageFrame {
  const media = readRect(page, 'MediaBox') ?? LETTER;
  const crop = readRect(page, 'CropBox');
  const box = crop ? intersect(crop, media) ?? media : media;
  const width = box.x1 - box.x0;
  const height = box.y1 - box.y0;
  switch (rotation(page)) {
    case 90:
      // The page's left edge is shown at the top: frame x runs up user y, frame y runs left along user x.
      return { width: height, height: width, toUser: [0, 1, -1, 0, box.x1, box.y0] };
    case 180:
      return { width, height, toUser: [-1, 0, 0, -1, box.x1, box.y1] };
    case 270:
      return { width: height, height: width, toUser: [0, -1, 1, 0, box.x0, box.y1] };
    default:
      return { width, height, toUser: [1, 0, 0, 1, box.x0, box.y0] };
  }
}

/** /Rotate as 0, 90, 180 or 270; values that are not multiples of 90 are invalid and read as 0. */
function rotation(page: PDFPage): number {
  let angle: number;
  try {
    angle = page.getRotation().angle;
  } catch {
    return 0; // /Rotate is not a number
  }
  if (!Number.isInteger(angle) || angle % 90 !== 0) return 0;
  return ((angle % 360) + 360) % 360;
}

function readRect(page: PDFPage, key: 'MediaBox' | 'CropBox'): Rect | null {
  let array: unknown;
  try {
    array = page.doc.context.lookup(page.node.getInheritableAttribute(PDFName.of(key)));
  } catch {
    return null;
  }
  if (!(array instanceof PDFArray) || array.size() !== 4) return null;
  const values: number[] = [];
  for (let i = 0; i < 4; i++) {
    const value = array.lookup(i);
    if (!(value instanceof PDFNumber) || !Number.isFinite(value.asNumber())) return null;
    values.push(value.asNumber());
  }
  const [ax, ay, bx, by] = values;
  const rect = { x0: Math.min(ax, bx), y0: Math.min(ay, by), x1: Math.max(ax, bx), y1: Math.max(ay, by) };
  return rect.x1 > rect.x0 && rect.y1 > rect.y0 ? rect : null;
}

function intersect(a: Rect, b: Rect): Rect | null {
  const rect = { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
  return rect.x1 > rect.x0 && rect.y1 > rect.y0 ? rect : null;
}
