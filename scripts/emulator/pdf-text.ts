// Reads a PDF the way Textract's sync APIs judge it, and pulls the real text lines (with their
// geometry) out of its text layer, so a PDF drawn by a test comes back saying what it says.
// pdf.js (Apache-2.0, its legacy build for Node) does the parsing; nothing is fetched at run time.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Box, Line, Word } from './layout.ts';
import { union } from './layout.ts';
import type { Random } from './random.ts';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;
type TextContent = Awaited<ReturnType<PdfPage['getTextContent']>>;
type TextItem = Extract<TextContent['items'][number], { str: string }>;

let pdfjsModule: Promise<PdfJs> | null = null;

/** pdf.js is a large module: load it on the first PDF, not when the emulator starts. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

/** Metrics of the 14 standard fonts ship in the package; pointing there keeps pdf.js off the network. */
const STANDARD_FONTS = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

export type PdfReading =
  | { ok: true; lines: Line[]; figures: Box[] }
  | { ok: false; error: 'UnsupportedDocumentException' | 'BadDocumentException'; message: string };

const ENCRYPTED = { ok: false, error: 'UnsupportedDocumentException', message: 'Encrypted PDF documents are not supported' } as const;

export async function readPdf(bytes: Buffer, random: Random): Promise<PdfReading> {
  const pdfjs = await loadPdfJs();
  let doc: PdfDocument;
  try {
    doc = await pdfjs.getDocument({
      // pdf.js takes ownership of (and detaches) the buffer it is given: pass a copy.
      data: new Uint8Array(bytes),
      standardFontDataUrl: STANDARD_FONTS,
      useSystemFonts: false,
      disableFontFace: true,
      isEvalSupported: false,
      verbosity: 0,
    }).promise;
  } catch (err) {
    if ((err as Error)?.name === 'PasswordException') return ENCRYPTED;
    return { ok: false, error: 'BadDocumentException', message: 'Unable to parse the PDF document' };
  }
  try {
    // Textract refuses encrypted PDFs even when they open without a password (owner-only).
    const { info } = await doc.getMetadata();
    if ((info as { EncryptFilterName?: string | null }).EncryptFilterName) return ENCRYPTED;
    if (doc.numPages === 0) return { ok: false, error: 'BadDocumentException', message: 'The PDF document has no pages' };
    if (doc.numPages > 1) {
      return {
        ok: false,
        error: 'UnsupportedDocumentException',
        message: `Synchronous operations accept single-page documents; this PDF has ${doc.numPages} pages`,
      };
    }
    const page = await doc.getPage(1);
    const lines = extractLines(page, await page.getTextContent(), random);
    const figures = await findFigures(page, pdfjs);
    return { ok: true, lines, figures };
  } catch (err) {
    return { ok: false, error: 'BadDocumentException', message: `Unable to read the PDF page: ${String(err)}` };
  } finally {
    await doc.destroy();
  }
}

type ToBox = (x0: number, y0: number, x1: number, y1: number) => Box;

/** Maps a rectangle in PDF user space to page fractions, honouring the crop box and /Rotate. */
function boxMapper(page: PdfPage): ToBox {
  const viewport = page.getViewport({ scale: 1 });
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  return (x0, y0, x1, y1) => {
    const corners = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]].map(([x, y]) => viewport.convertToViewportPoint(x, y) as number[]);
    const xs = corners.map((c) => c[0]);
    const ys = corners.map((c) => c[1]);
    const left = clamp(Math.min(...xs) / viewport.width);
    const top = clamp(Math.min(...ys) / viewport.height);
    return {
      left,
      top,
      width: clamp(Math.max(...xs) / viewport.width) - left,
      height: clamp(Math.max(...ys) / viewport.height) - top,
    };
  };
}

/**
 * pdf.js gives text runs (one per text-showing operator), not lines or words: runs on one baseline
 * that follow each other closely form a line, and a run's words get a share of its width by their
 * length (pdf.js reports no per-glyph positions; for proportional fonts this is close enough for
 * word boxes).
 */
function extractLines(page: PdfPage, content: TextContent, random: Random): Line[] {
  const toBox = boxMapper(page);
  const confidence = (): number => Math.round((95 + random() * 4.9) * 1e4) / 1e4;
  const lines: Line[] = [];
  let words: Word[] = [];
  let last: { baseline: number; end: number; size: number } | null = null;

  const endLine = (): void => {
    if (words.length > 0) {
      lines.push({ text: words.map((w) => w.text).join(' '), words, box: union(words.map((w) => w.box)), confidence: confidence() });
    }
    words = [];
    last = null;
  };

  for (const raw of content.items) {
    if (!('str' in raw)) continue;
    const item = raw as TextItem;
    const [a, b, c, d, x, y] = item.transform as number[];
    const size = Math.hypot(c, d) || Math.hypot(a, b) || 1;
    const runWidth = item.width;
    if (last && (Math.abs(y - last.baseline) > size * 0.3 || x - last.end > size * 1.5 || x < last.end - size)) endLine();
    if (item.str.trim() !== '') {
      const style = content.styles[item.fontName] as { ascent?: number; descent?: number } | undefined;
      const ascent = style?.ascent && style.ascent > 0 ? style.ascent : 0.8;
      const descent = style?.descent && style.descent < 0 ? style.descent : -0.2;
      const chars = item.str.length;
      // Token offsets within the run, so each word keeps its place even after several spaces.
      for (const match of item.str.matchAll(/\S+/g)) {
        const start = x + (runWidth * match.index!) / chars;
        const end = x + (runWidth * (match.index! + match[0].length)) / chars;
        words.push({ text: match[0], box: toBox(start, y + descent * size, end, y + ascent * size), confidence: confidence() });
      }
      last = { baseline: y, end: x + runWidth, size };
    }
    if (item.hasEOL) endLine();
  }
  endLine();
  return lines;
}

type Matrix = [number, number, number, number, number, number];

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

/**
 * Where the page paints images: the unit square under the current transformation matrix at each
 * image operator. These become LAYOUT_FIGURE blocks, as Textract reports pictures.
 */
async function findFigures(page: PdfPage, pdfjs: PdfJs): Promise<Box[]> {
  const { OPS } = pdfjs;
  const imageOps = new Set([OPS.paintImageXObject, OPS.paintInlineImageXObject, OPS.paintImageMaskXObject, OPS.paintImageXObjectRepeat]);
  const list = await page.getOperatorList();
  const toBox = boxMapper(page);
  const stack: Matrix[] = [];
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const figures: Box[] = [];
  for (let i = 0; i < list.fnArray.length; i++) {
    const op = list.fnArray[i];
    const args = list.argsArray[i] as unknown[];
    if (op === OPS.save) stack.push(ctm);
    else if (op === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (op === OPS.transform) ctm = multiply(ctm, args as Matrix);
    else if (op === OPS.paintFormXObjectBegin) {
      stack.push(ctm);
      const matrix = args[0] as Matrix | null;
      if (Array.isArray(matrix) && matrix.length === 6) ctm = multiply(ctm, matrix);
    } else if (op === OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
    else if (imageOps.has(op)) {
      const xs = [0, 1].flatMap((u) => [0, 1].map((v) => ctm[0] * u + ctm[2] * v + ctm[4]));
      const ys = [0, 1].flatMap((u) => [0, 1].map((v) => ctm[1] * u + ctm[3] * v + ctm[5]));
      const box = toBox(Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
      // Hairline images (rules, spacer pixels) are not figures.
      if (box.width > 0.02 && box.height > 0.02) figures.push(box);
    }
  }
  return figures;
}
