// pdf.js (Apache-2.0) draws PDF pages for the local engines and opens the PDFs pdf-lib cannot
// (owner-encrypted, damaged). Loaded on first use: most documents sent to Textract never need it.

import { createRequire } from 'node:module';
import path from 'node:path';
import { unprocessable } from './errors.ts';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
export type PdfjsDocument = Awaited<ReturnType<Pdfjs['getDocument']>['promise']>;
type RenderParameters = Parameters<Awaited<ReturnType<PdfjsDocument['getPage']>>['render']>[0];

// Fonts, character maps and the JPEG 2000 / JBIG2 decoders come from the package itself:
// without these paths pdf.js would try to fetch them, and renders text in missing fonts as boxes.
const PACKAGE_DIR = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const asset = (folder: string) => path.join(PACKAGE_DIR, folder) + path.sep;

let loading: Promise<Pdfjs> | undefined;

function loadPdfjs(): Promise<Pdfjs> {
  loading ??= import('pdfjs-dist/legacy/build/pdf.mjs').then((pdfjs) => {
    // In Node pdf.js parses on the calling thread ("fake worker") with the module named here.
    pdfjs.GlobalWorkerOptions.workerSrc ||= asset('legacy/build') + 'pdf.worker.mjs';
    return pdfjs;
  });
  return loading;
}

/**
 * Opens a PDF with pdf.js. Refuses with 422 a PDF that needs a password to open, and one pdf.js
 * cannot read even after its own repair pass. Owner-only ("permissions") encryption opens.
 */
export async function openPdf(bytes: Uint8Array): Promise<PdfjsDocument> {
  const pdfjs = await loadPdfjs();
  const task = pdfjs.getDocument({
    // A copy: pdf.js transfers (detaches) the buffer it is given.
    data: Uint8Array.from(bytes),
    standardFontDataUrl: asset('standard_fonts'),
    cMapUrl: asset('cmaps'),
    cMapPacked: true,
    wasmUrl: asset('wasm'),
    iccUrl: asset('iccs'),
    isEvalSupported: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
    // Nothing is fetched: the whole document is in memory.
    disableAutoFetch: true,
    disableStream: true,
    stopAtErrors: false,
  });
  try {
    return await task.promise;
  } catch (error) {
    await task.destroy().catch(() => {});
    if ((error as { name?: string }).name === 'PasswordException') {
      throw unprocessable('The PDF is password-protected (encrypted); remove the password and send it again.', error);
    }
    throw unprocessable('The PDF could not be read: it is damaged or not really a PDF.', error);
  }
}

export interface RgbaImage {
  width: number;
  height: number;
  /** Unpremultiplied RGBA, row-major. */
  data: Uint8ClampedArray;
}

/**
 * Draws page `index` (0-based) on white at `scale` (pixels per point), as RGBA.
 * About 100–300 ms for a text page at 300 DPI, on the calling thread.
 */
export async function renderPdfPage(doc: PdfjsDocument, index: number, scale: number): Promise<RgbaImage> {
  const page = await doc.getPage(index + 1);
  try {
    const viewport = page.getViewport({ scale });
    const width = Math.max(1, Math.round(viewport.width));
    const height = Math.max(1, Math.round(viewport.height));
    // Loaded here, not at the top: its native module costs every worker memory, and only
    // local OCR and damaged or encrypted PDFs draw pages.
    const { createCanvas } = await import('@napi-rs/canvas');
    const canvas = createCanvas(width, height);
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
    // pdf.js is typed for the DOM; @napi-rs/canvas implements the same 2D context.
    await page.render({ canvas, canvasContext: context, viewport } as unknown as RenderParameters).promise;
    const { data } = context.getImageData(0, 0, width, height);
    return { width, height, data };
  } finally {
    page.cleanup();
  }
}

/** Page size in points as pdf.js sees it (crop box, rotation and UserUnit applied). */
export async function pdfjsPageSize(doc: PdfjsDocument, index: number): Promise<{ width: number; height: number }> {
  const page = await doc.getPage(index + 1);
  const { width, height } = page.getViewport({ scale: page.userUnit ?? 1 });
  return { width, height };
}

/** The 1-based numbers of the pages that already carry text (a digital PDF, or an earlier OCR layer). */
export async function pagesWithText(bytes: Uint8Array): Promise<Set<number>> {
  const doc = await openPdf(bytes);
  const found = new Set<number>();
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      try {
        const content = await page.getTextContent();
        if (content.items.some((item) => 'str' in item && item.str.trim() !== '')) found.add(n);
      } finally {
        page.cleanup();
      }
    }
  } finally {
    await doc.destroy();
  }
  return found;
}
