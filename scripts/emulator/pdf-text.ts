// Reads a PDF the way Textract's sync APIs judge it, and pulls the real text lines (with their
// geometry) out of its text layer, so a PDF drawn by a test comes back saying what it says.
import type { Box, Line, Word } from './layout.ts';
import { union } from './layout.ts';
import type { Random } from './random.ts';

type Mupdf = typeof import('mupdf');
let mupdfModule: Promise<Mupdf> | null = null;

/** mupdf is WASM behind a top-level await: load it on the first PDF, not when the emulator starts. */
function loadMupdf(): Promise<Mupdf> {
  mupdfModule ??= import('mupdf');
  return mupdfModule;
}

export type PdfReading =
  | { ok: true; lines: Line[] }
  | { ok: false; error: 'UnsupportedDocumentException' | 'BadDocumentException'; message: string };

export async function readPdf(bytes: Buffer, random: Random): Promise<PdfReading> {
  const mupdf = await loadMupdf();
  let doc: InstanceType<Mupdf['Document']> | null = null;
  try {
    try {
      doc = mupdf.Document.openDocument(bytes, 'application/pdf');
    } catch {
      return { ok: false, error: 'BadDocumentException', message: 'Unable to parse the PDF document' };
    }
    const encryption = doc.getMetaData('encryption');
    if (doc.needsPassword() || (encryption && encryption !== 'None')) {
      return { ok: false, error: 'UnsupportedDocumentException', message: 'Encrypted PDF documents are not supported' };
    }
    const pages = doc.countPages();
    if (pages === 0) return { ok: false, error: 'BadDocumentException', message: 'The PDF document has no pages' };
    if (pages > 1) {
      return {
        ok: false,
        error: 'UnsupportedDocumentException',
        message: `Synchronous operations accept single-page documents; this PDF has ${pages} pages`,
      };
    }
    return { ok: true, lines: extractLines(doc.loadPage(0), random) };
  } catch (err) {
    return { ok: false, error: 'BadDocumentException', message: `Unable to read the PDF page: ${String(err)}` };
  } finally {
    doc?.destroy();
  }
}

type MupdfPage = ReturnType<InstanceType<Mupdf['Document']>['loadPage']>;

function extractLines(page: MupdfPage, random: Random): Line[] {
  const [x0, y0, x1, y1] = page.getBounds();
  const pageWidth = x1 - x0 || 1;
  const pageHeight = y1 - y0 || 1;
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  const toBox = (left: number, top: number, right: number, bottom: number): Box => ({
    left: clamp((left - x0) / pageWidth),
    top: clamp((top - y0) / pageHeight),
    width: clamp((right - left) / pageWidth),
    height: clamp((bottom - top) / pageHeight),
  });
  const confidence = (): number => Math.round((95 + random() * 4.9) * 1e4) / 1e4;

  const lines: Line[] = [];
  let words: Word[] = [];
  let text = '';
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const endWord = (): void => {
    if (text) words.push({ text, box: toBox(minX, minY, maxX, maxY), confidence: confidence() });
    text = '';
    minX = minY = Infinity;
    maxX = maxY = -Infinity;
  };
  const stext = page.toStructuredText('');
  try {
    stext.walk({
      beginLine() {
        words = [];
      },
      onChar(c, _origin, _font, _size, quad) {
        if (/\s/.test(c)) {
          endWord();
          return;
        }
        text += c;
        for (let i = 0; i < 8; i += 2) {
          minX = Math.min(minX, quad[i]);
          maxX = Math.max(maxX, quad[i]);
          minY = Math.min(minY, quad[i + 1]);
          maxY = Math.max(maxY, quad[i + 1]);
        }
      },
      endLine() {
        endWord();
        if (words.length === 0) return;
        lines.push({
          text: words.map((w) => w.text).join(' '),
          words,
          box: union(words.map((w) => w.box)),
          confidence: confidence(),
        });
      },
    });
  } finally {
    stext.destroy();
    page.destroy();
  }
  return lines;
}
