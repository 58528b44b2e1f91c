import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PDFDocument, PDFName, PDFDict, PDFArray } from 'pdf-lib';
import { PNG } from 'pngjs';
import type { OcrWord } from '../../../runtime/engines/types.ts';
import { buildSearchablePdf } from '../../../runtime/pdf-output/searchable-pdf.ts';
import { pdfInfo, pdfText, pdfWordBoxes, renderPdf } from '../../helpers/poppler.ts';
import { assertWordsAtTheirBoxes } from '../../helpers/text-layer-checks.ts';

/** A white PNG page, as a blank scan. */
function blankPng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(255);
  return PNG.sync.write(png);
}

/** Words laid out in rows of four across a page, each box 0.2 wide and 0.05 high. */
function grid(texts: readonly string[]): OcrWord[] {
  return texts.map((text, i) => ({
    text,
    confidence: 99,
    bbox: { left: 0.04 + (i % 4) * 0.24, top: 0.04 + Math.floor(i / 4) * 0.08, width: 0.2, height: 0.05 },
  }));
}

const tokens = (text: string) => text.split(/\s+/).filter(Boolean);

describe('text layer font', () => {
  it('should extract accented Latin, Greek and Cyrillic exactly and at their boxes', async () => {
    const texts = ['Café', 'naïve', 'Straße', 'Ångström', 'œuvre', 'Łódź', 'façade', 'Ærø', 'Việt', 'Ελλάδα', 'Привет', '€12,50', '«quoted»', 'l’été'];
    const words = grid(texts);
    const pdf = await buildSearchablePdf(blankPng(1200, 800), 'png', [{ page: 1, words }]);

    assert.deepEqual(tokens(await pdfText(pdf)).sort(), [...texts].sort());
    const [page] = await pdfWordBoxes(pdf);
    assertWordsAtTheirBoxes(page, words);
  });

  it('should extract characters the font lacks exactly, without disturbing the words around them', async () => {
    // Noto Sans has no CJK, emoji or mathematical alphanumerics: their invisible glyph is
    // .notdef, but each keeps its own code and ToUnicode entry.
    const texts = ['before', '中文', 'middle', '😀👍', '𝔸𝔹ℂ', 'ok中😀x', 'after'];
    const pdf = await buildSearchablePdf(blankPng(1200, 600), 'png', [{ page: 1, words: grid(texts) }]);

    assert.deepEqual(tokens(await pdfText(pdf)).sort(), [...texts].sort());
  });

  it('should drop control characters and replace lone surrogates rather than write them', async () => {
    const texts = ['tab\there', 'bell\u0007', 'nul\u0000x', '\ud800lone', 'c1\u0085y', '\u0001\u0002', 'fine'];
    const pdf = await buildSearchablePdf(blankPng(1200, 600), 'png', [{ page: 1, words: grid(texts) }]);

    // A word left empty is skipped; the rest extract as they should.
    assert.deepEqual(tokens(await pdfText(pdf)).sort(), ['tabhere', 'bell', 'nulx', '\ufffdlone', 'c1y', 'fine'].sort());
  });

  it('should embed a subset of Noto Sans holding only the glyphs used', async () => {
    const pdf = await buildSearchablePdf(blankPng(600, 300), 'png', [{ page: 1, words: grid(['Hello', 'wörld']) }]);
    const doc = await PDFDocument.load(pdf);
    const fonts = doc.getPage(0).node.Resources()!.lookup(PDFName.of('Font'), PDFDict);
    const type0 = fonts.lookup(fonts.keys()[0], PDFDict);
    assert.equal(type0.lookup(PDFName.of('Subtype'))?.toString(), '/Type0');
    const cidFont = type0.lookup(PDFName.of('DescendantFonts'), PDFArray).lookup(0, PDFDict);
    const descriptor = cidFont.lookup(PDFName.of('FontDescriptor'), PDFDict);
    // Subset name: six capitals, "+", the font's PostScript name (PDF 32000-1 §9.6.4).
    assert.match(descriptor.lookup(PDFName.of('FontName'))!.toString(), /^\/[A-Z]{6}\+NotoSans-Regular$/);
    const fontFile = descriptor.lookup(PDFName.of('FontFile2'));
    assert.ok(fontFile, 'the font program is embedded');
    // H, e, l, o, w, ö, r, d, space and .notdef: a few kB, not the 630 kB font.
    assert.ok(pdf.length < 20_000, `the PDF is ${pdf.length} bytes`);
  });

  it('should stay a valid PDF with more distinct characters than two-byte codes can hold', async () => {
    // 74,884 distinct CJK and Hangul characters. Of the 65,535 codes, one goes to the space
    // written after each word and one to U+FFFD, which the characters past the limit share.
    const ranges: [number, number][] = [
      [0x4e00, 0x9fff],
      [0xac00, 0xd7a3],
      [0x20000, 0x2a6df],
    ];
    const all = ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i)));
    const texts = Array.from({ length: Math.ceil(all.length / 500) }, (_, i) => all.slice(i * 500, (i + 1) * 500).join(''));
    const words = texts.map((text, i) => ({ text, confidence: 90, bbox: { left: 0.01, top: (i / texts.length) * 0.99, width: 0.98, height: 0.005 } }));
    const pdf = await buildSearchablePdf(blankPng(2000, 2000), 'png', [{ page: 1, words }]);

    assert.equal((await pdfInfo(pdf)).pages, 1);
    assert.equal((await renderPdf(pdf, 10)).length, 1);
    const extracted = [...tokens(await pdfText(pdf)).join('')];
    assert.equal(extracted.length, all.length);
    const replaced = extracted.filter((c) => c === '\ufffd').length;
    assert.equal(replaced, all.length - 65_533);
  });
});
