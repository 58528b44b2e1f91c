import type { OcrWord } from '../engines/types.ts';
import type { PageFrame } from './page-frame.ts';
import type { TextLayerFont } from './text-font.ts';

// The invisible text of one page as a content stream, the way OCRmyPDF and tesseract's PDF
// renderer draw theirs: render mode 3 (neither fill nor stroke), each word with its own font
// size and horizontal scaling so that the box a viewer computes for it (ascender to descender,
// advance width) is the word's box on the page. Selection highlights, search hits and
// `pdftotext -bbox` then land on the printed word.

/** Content stream operators (PDF 32000-1 §9) for `words` on a page with `frame`; "" when none can be placed. */
export function textLayerContent(words: readonly OcrWord[], frame: PageFrame, font: TextLayerFont, fontName: string): string {
  const emHeight = (font.ascent - font.descent) / 1000;
  const space = font.encode(' ');
  const ops: string[] = [];
  for (const word of words) {
    const { left, top, width, height } = word.bbox;
    if (![left, top, width, height].every(Number.isFinite) || width <= 0 || height <= 0) continue;
    const text = font.encode(word.text);
    if (text.hex === '') continue;
    const boxWidth = width * frame.width;
    const boxHeight = height * frame.height;
    const size = boxHeight / emHeight;
    const natural = (text.width / 1000) * size;
    const scaling = natural > 0 ? (100 * boxWidth) / natural : 100;
    const x = left * frame.width;
    const baseline = (1 - top - height) * frame.height - (font.descent / 1000) * size;
    // A space after every word, as tesseract's PDF renderer writes: word breaks are then in the
    // text itself, not left for each reader to guess from gaps, which OCR boxes that touch or
    // overlap would hide. It sits just past the word's box.
    ops.push(`/${fontName} ${num(size)} Tf ${num(scaling)} Tz 1 0 0 1 ${num(x)} ${num(baseline)} Tm <${text.hex}${space.hex}> Tj`);
  }
  if (ops.length === 0) return '';
  const [a, b, c, d, e, f] = frame.toUser;
  const identity = a === 1 && b === 0 && c === 0 && d === 1 && e === 0 && f === 0;
  // q/Q: the text state (Tz, Tr, font) MUST NOT leak into the page's own content that follows.
  return ['q', ...(identity ? [] : [`${[a, b, c, d, e, f].map(num).join(' ')} cm`]), 'BT', '3 Tr', ...ops, 'ET', 'Q', ''].join('\n');
}

/** Fixed-point with at most 3 decimals: compact, and the same number always prints the same. */
function num(value: number): string {
  const text = value.toFixed(3).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}
