// Reading PDFs back the way a user's tools do: poppler's pdftotext, pdfinfo and pdftoppm
// (Debian package poppler-utils). An independent implementation, so a PDF that only our own
// code could read back would fail these checks.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';

const run = promisify(execFile);

async function withPdfFile<T>(pdf: Uint8Array, use: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dtat-poppler-'));
  try {
    const file = path.join(dir, 'in.pdf');
    await writeFile(file, pdf);
    return await use(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function poppler(tool: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(tool, args, { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${tool} is not installed: these tests need poppler-utils (apt-get install -y poppler-utils)`);
    }
    throw error;
  }
}

/** `pdftotext` output (UTF-8), of the whole document or of pages first..last. */
export function pdfText(pdf: Uint8Array, pages?: { first: number; last: number }): Promise<string> {
  const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
  return withPdfFile(pdf, (file) => poppler('pdftotext', ['-enc', 'UTF-8', '-cropbox', ...range, file, '-']));
}

export interface PdfPageInfo {
  width: number;
  height: number;
  rotation: number;
  mediaBox: number[];
  cropBox: number[];
}

/** Page count and, per page, size (points, CropBox before /Rotate), rotation and boxes, from `pdfinfo -box`. */
export async function pdfInfo(pdf: Uint8Array): Promise<{ pages: number; pageInfo: PdfPageInfo[] }> {
  return withPdfFile(pdf, async (file) => {
    const summary = await poppler('pdfinfo', [file]);
    const pages = Number(/^Pages:\s+(\d+)/m.exec(summary)?.[1]);
    const detail = await poppler('pdfinfo', ['-box', '-f', '1', '-l', String(pages), file]);
    const pageInfo: PdfPageInfo[] = [];
    for (let n = 1; n <= pages; n++) {
      const field = (name: string) => new RegExp(`^Page\\s+${n} ${name}:\\s+(.*)$`, 'm').exec(detail)?.[1] ?? '';
      const [width, height] = field('size').split(/\s+x\s+|\s+/).map(Number);
      const box = (name: string) => field(name).trim().split(/\s+/).map(Number);
      pageInfo.push({ width, height, rotation: Number(field('rot')), mediaBox: box('MediaBox'), cropBox: box('CropBox') });
    }
    return { pages, pageInfo };
  });
}

/** Link annotations with their URL, per page (`pdfinfo -url`). */
export async function pdfLinks(pdf: Uint8Array): Promise<{ page: number; url: string }[]> {
  const listing = await withPdfFile(pdf, (file) => poppler('pdfinfo', ['-url', file]));
  return [...listing.matchAll(/^\s*(\d+)\s+Annotation\s+(\S+)\s*$/gm)].map(([, page, url]) => ({ page: +page, url }));
}

export interface PdfWord {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export interface PdfWordPage {
  width: number;
  height: number;
  words: PdfWord[];
}

const unescapeXml = (text: string) =>
  text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name]!);

/**
 * Every word with its box in points from the top-left corner of the page as shown: the CropBox
 * turned by /Rotate (`pdftotext -cropbox -bbox`). `width` and `height` are those of the page as
 * shown too (pdftotext prints them unturned, so they are swapped here for pages turned by 90°).
 */
export async function pdfWordBoxes(pdf: Uint8Array): Promise<PdfWordPage[]> {
  const xhtml = await withPdfFile(pdf, (file) => poppler('pdftotext', ['-enc', 'UTF-8', '-cropbox', '-bbox', file, '-']));
  const { pageInfo } = await pdfInfo(pdf);
  const pages: PdfWordPage[] = [];
  for (const [, unturnedWidth, unturnedHeight, body] of xhtml.matchAll(/<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g)) {
    const turned = pageInfo[pages.length].rotation % 180 !== 0;
    const [width, height] = turned ? [unturnedHeight, unturnedWidth] : [unturnedWidth, unturnedHeight];
    const words = [...body.matchAll(/<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)<\/word>/g)].map(
      ([, xMin, yMin, xMax, yMax, text]) => ({ text: unescapeXml(text), xMin: +xMin, yMin: +yMin, xMax: +xMax, yMax: +yMax }),
    );
    pages.push({ width: +width, height: +height, words });
  }
  return pages;
}

export interface GrayImage {
  width: number;
  height: number;
  gray: Uint8Array;
}

/** Every page rendered by `pdftoppm -gray` at `dpi` (72: one pixel per point). */
export async function renderPdf(pdf: Uint8Array, dpi = 72): Promise<GrayImage[]> {
  return withPdfFile(pdf, async (file, dir) => {
    await poppler('pdftoppm', ['-gray', '-r', String(dpi), file, path.join(dir, 'page')]);
    const names = (await readdir(dir)).filter((name) => name.endsWith('.pgm')).sort();
    return Promise.all(names.map(async (name) => parsePgm(await readFile(path.join(dir, name)))));
  });
}

export interface EmbeddedImage {
  page: number;
  /** "image", or "smask" for the soft mask (alpha) of the image listed before it. */
  type: string;
  /** "gray", "rgb", ... as pdfimages names the color space. */
  color: string;
  bitsPerComponent: number;
  width: number;
  height: number;
  /** 8-bit RGBA as pdfimages decodes the stored samples: no rendering, no resampling. */
  rgba: Uint8Array;
}

/**
 * Every image stored in the PDF, decoded by `pdfimages -png` exactly as stored: the check that
 * an image went in losslessly (a rendering resamples and so cannot tell).
 */
export async function pdfImages(pdf: Uint8Array): Promise<EmbeddedImage[]> {
  return withPdfFile(pdf, async (file, dir) => {
    const list = await poppler('pdfimages', ['-list', file]);
    await poppler('pdfimages', ['-png', file, path.join(dir, 'image')]);
    const names = (await readdir(dir)).filter((name) => name.endsWith('.png')).sort();
    const rows = list.split('\n').slice(2).filter((line) => line.trim() !== '').map((line) => line.trim().split(/\s+/));
    assert.equal(names.length, rows.length, 'pdfimages wrote a file per listed image');
    return Promise.all(
      rows.map(async ([page, , type, width, height, color, , bpc], i) => {
        const png = PNG.sync.read(await readFile(path.join(dir, names[i])));
        return { page: +page, type, color, bitsPerComponent: +bpc, width: +width, height: +height, rgba: png.data };
      }),
    );
  });
}

function parsePgm(bytes: Buffer): GrayImage {
  // Binary PGM (P5): magic, width, height, maxval separated by whitespace, then one byte per pixel.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('pdftoppm did not write a binary PGM');
  const [all, width, height] = header;
  return { width: +width, height: +height, gray: bytes.subarray(all.length, all.length + +width * +height) };
}
