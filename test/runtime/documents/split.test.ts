import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as mupdf from 'mupdf';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { RENDERED_PAGE_DPI } from '../../../runtime/documents/pdf.ts';
import { openPdf, renderPdfPage } from '../../../runtime/documents/pdfjs.ts';
import { grayFromRgba } from '../../../runtime/documents/raster.ts';
import { detectKind } from '../../../runtime/documents/detect.ts';
import { inspectDocument, pageSha256, splitPages } from '../../../runtime/documents/pages.ts';
import {
  makeEncryptedPdf,
  makeLinkedPdf,
  makeMultiPageTiff,
  makeTextJpeg,
  makeTextPdf,
  makeTextPng,
} from '../../helpers/make-documents.ts';

function pdfPageTexts(bytes: Uint8Array): string[] {
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf');
  try {
    return Array.from({ length: doc.countPages() }, (_, i) => doc.loadPage(i).toStructuredText('').asText().trim());
  } finally {
    doc.destroy();
  }
}

function tiffPixels(bytes: Uint8Array, page = 0): { pages: number; width: number; height: number; pixels: Uint8Array } {
  const doc = mupdf.Document.openDocument(bytes, 'image/tiff');
  try {
    const pages = doc.countPages();
    const pixmap = doc.loadPage(page).toPixmap(mupdf.Matrix.scale(300 / 72, 300 / 72), mupdf.ColorSpace.DeviceGray, false);
    return { pages, width: pixmap.getWidth(), height: pixmap.getHeight(), pixels: Uint8Array.from(pixmap.getPixels()) };
  } finally {
    doc.destroy();
  }
}

/** The gray channel of a decoded gray PNG (pngjs gives RGBA). */
function grayOf(image: PNG): Buffer {
  const gray = Buffer.alloc(image.width * image.height);
  for (let i = 0; i < gray.length; i++) gray[i] = image.data[i * 4];
  return gray;
}

/** Page `index` of `pdf` drawn the way drawn pages are. */
async function drawnPage(pdf: Uint8Array, index: number) {
  const doc = await openPdf(pdf);
  try {
    const { width, height, data } = await renderPdfPage(doc, index, RENDERED_PAGE_DPI / 72);
    return grayFromRgba(data, width, height);
  } finally {
    await doc.destroy();
  }
}

describe('splitPages', () => {
  it('should split a 5-page PDF into 5 single-page PDFs in order', async () => {
    const pdf = await makeTextPdf(Array.from({ length: 5 }, (_, i) => [`This is page number ${i + 1}.`]));
    const pages = await splitPages(pdf, 'pdf');
    assert.deepEqual(pages.map((p) => p.page), [1, 2, 3, 4, 5]);
    pages.forEach((page, i) => {
      assert.equal(page.kind, 'pdf');
      assert.equal(detectKind(page.bytes), 'pdf');
      assert.deepEqual(pdfPageTexts(page.bytes), [`This is page number ${i + 1}.`]);
    });
  });

  it('should give byte-identical pages when the same PDF is split twice', async () => {
    const pdf = await makeTextPdf(Array.from({ length: 4 }, (_, i) => [`Page ${i + 1}`, 'Same text on every page.']));
    // Separate copies, so nothing parsed for one call is reused by the other.
    const first = await splitPages(Uint8Array.from(pdf), 'pdf');
    const second = await splitPages(Uint8Array.from(pdf), 'pdf');
    assert.deepEqual(second.map((p) => pageSha256(p.bytes)), first.map((p) => pageSha256(p.bytes)));
    // And pages with the same content are still told apart by their own bytes.
    assert.equal(new Set(first.map((p) => pageSha256(p.bytes))).size, 4);
  });

  it('should pass a single-page document through unchanged', async () => {
    const docs = {
      pdf: await makeTextPdf([['only page']]),
      png: await makeTextPng(['only page'], { pageSize: [200, 100] }),
      jpeg: await makeTextJpeg(['only page'], { pageSize: [200, 100] }),
      tiff: await makeMultiPageTiff([['only page']], { dpi: 72 }),
    } as const;
    for (const [kind, bytes] of Object.entries(docs) as [keyof typeof docs, Uint8Array][]) {
      const pages = await splitPages(bytes, kind);
      assert.equal(pages.length, 1);
      assert.equal(pages[0].bytes, bytes, `${kind} should be the same object, not a copy`);
      assert.deepEqual({ page: pages[0].page, kind: pages[0].kind }, { page: 1, kind });
    }
  });

  it('should split a multi-page TIFF into single-page TIFFs with the same pixels', async () => {
    const tiff = await makeMultiPageTiff([['First TIFF page'], ['Second TIFF page'], ['Third TIFF page']], { dpi: 150, marker: 'DTAT-LABEL[tiff]' });
    const pages = await splitPages(tiff, 'tiff');
    assert.deepEqual(pages.map((p) => [p.page, p.kind]), [[1, 'tiff'], [2, 'tiff'], [3, 'tiff']]);
    for (const [i, page] of pages.entries()) {
      assert.equal(detectKind(page.bytes), 'tiff');
      assert.deepEqual(await inspectDocument(page.bytes, 'tiff', { maxPages: 1 }), { pageCount: 1 });
      const source = tiffPixels(tiff, i);
      const single = tiffPixels(page.bytes);
      assert.equal(single.pages, 1);
      assert.deepEqual([single.width, single.height], [source.width, source.height]);
      assert.ok(Buffer.from(single.pixels).equals(Buffer.from(source.pixels)), `page ${i + 1} pixels differ`);
      assert.ok(Buffer.from(page.bytes).includes('DTAT-LABEL[tiff]'), 'the ImageDescription marker is kept');
    }
    const again = await splitPages(tiff, 'tiff');
    assert.deepEqual(again.map((p) => pageSha256(p.bytes)), pages.map((p) => pageSha256(p.bytes)));
  });

  it('should split an uncompressed TIFF too', async () => {
    const tiff = await makeMultiPageTiff([['one'], ['two']], { dpi: 72, compression: 'none' });
    const pages = await splitPages(tiff, 'tiff');
    assert.equal(pages.length, 2);
    assert.ok(Buffer.from(tiffPixels(pages[1].bytes).pixels).equals(Buffer.from(tiffPixels(tiff, 1).pixels)));
  });

  it('should keep page markers in the split pages', async () => {
    const pdf = await makeTextPdf([['a'], ['b'], ['c']], { marker: 'DTAT-EMULATOR:BAD_DOCUMENT', pageMarkers: [undefined, 'DTAT-LABEL[second]'] });
    const pages = (await splitPages(pdf, 'pdf')).map((p) => Buffer.from(p.bytes));
    assert.ok(pages.every((p) => p.includes('DTAT-EMULATOR:BAD_DOCUMENT')));
    assert.deepEqual(pages.map((p) => p.includes('DTAT-LABEL[second]')), [false, true, false]);
  });

  it('should not copy other pages into a page that links to them', async () => {
    const plain = await splitPages(await makeTextPdf(Array.from({ length: 20 }, (_, i) => [`Linked page ${i + 1}`])), 'pdf');
    const linked = await splitPages(await makeLinkedPdf(20), 'pdf');
    linked.forEach((page, i) => {
      assert.deepEqual(pdfPageTexts(page.bytes), [`Linked page ${i + 1}`]);
      // 20 link annotations cost a few hundred bytes; 19 copied pages would cost kilobytes.
      assert.ok(page.bytes.length < plain[i].bytes.length + 1500, `page ${i + 1} is ${page.bytes.length} bytes`);
    });
  });

  it('should split an owner-password PDF into images of its pages', async () => {
    const lines = [['Secret one'], ['Secret two']];
    const pdf = await makeEncryptedPdf({ userPassword: '', pages: lines });
    const pages = await splitPages(pdf, 'pdf');
    assert.deepEqual(pages.map((p) => [p.page, p.kind, detectKind(p.bytes)]), [[1, 'png', 'png'], [2, 'png', 'png']]);
    // Each image is its page as drawn from the same document without encryption.
    const plain = await makeTextPdf(lines);
    for (const [i, page] of pages.entries()) {
      const image = PNG.sync.read(Buffer.from(page.bytes));
      assert.deepEqual([image.width, image.height], [1700, 2200], '200 DPI Letter');
      assert.ok(grayOf(image).equals(Buffer.from((await drawnPage(plain, i)).data)), `page ${i + 1} differs from the unencrypted page`);
      assert.ok(!Buffer.from(page.bytes).includes('/Encrypt'));
    }
    const single = await splitPages(await makeEncryptedPdf({ userPassword: '' }), 'pdf');
    assert.equal(single[0].kind, 'png', 'a single encrypted page is not passed through');
    const again = await splitPages(pdf, 'pdf');
    assert.deepEqual(again.map((p) => pageSha256(p.bytes)), pages.map((p) => pageSha256(p.bytes)), 'drawn pages are deterministic');
  });

  it('should draw the pages of a damaged PDF that pdf-lib cannot parse but pdf.js repairs', async () => {
    const lines = [['Damaged page one'], ['Damaged page two']];
    const plain = Buffer.from(await (await PDFDocument.load(await makeTextPdf(lines))).save({ useObjectStreams: false }));
    // A page tree dictionary with stray brackets: pdf-lib gives up, pdf.js reconstructs it.
    const damaged = Buffer.from(plain.toString('latin1').replace('/Type /Pages', '/Type /Pages ]]'), 'latin1');
    await assert.rejects(async () => (await PDFDocument.load(damaged)).getPageCount());
    assert.deepEqual(await inspectDocument(damaged, 'pdf', { maxPages: 10 }), { pageCount: 2 });
    const pages = await splitPages(damaged, 'pdf');
    assert.deepEqual(pages.map((p) => p.kind), ['png', 'png']);
    for (const [i, page] of pages.entries()) {
      assert.ok(grayOf(PNG.sync.read(Buffer.from(page.bytes))).equals(Buffer.from((await drawnPage(plain, i)).data)), `page ${i + 1}`);
    }
  });

  it('should split a 100-page PDF quickly, parsing it once', async () => {
    const pdf = await makeTextPdf(Array.from({ length: 100 }, (_, i) => [`Page ${i + 1}`, 'A line of ordinary text on each page.']));
    const started = performance.now();
    await inspectDocument(pdf, 'pdf', { maxPages: 100 });
    const pages = await splitPages(pdf, 'pdf');
    const ms = performance.now() - started;
    assert.equal(pages.length, 100);
    assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
    assert.deepEqual(pdfPageTexts(pages[99].bytes), ['Page 100\nA line of ordinary text on each page.']);
  });
});

describe('pageSha256', () => {
  it('should be the hex SHA-256 of the bytes', () => {
    assert.equal(pageSha256(Buffer.from('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
