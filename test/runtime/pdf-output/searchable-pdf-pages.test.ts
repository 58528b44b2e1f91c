import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PDFDict, PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { DocumentError } from '../../../runtime/documents/errors.ts';
import { buildSearchablePdf, type TextLayerPage } from '../../../runtime/pdf-output/searchable-pdf.ts';
import { imagePdf } from '../../helpers/image-pdf.ts';
import { makeTextPdf } from '../../helpers/make-documents.ts';
import { employmentPage, textractorPage, type FixturePage } from '../../helpers/ocr-fixtures.ts';
import { pdfInfo, pdfLinks, pdfText, pdfWordBoxes, renderPdf } from '../../helpers/poppler.ts';
import { inheritFromRoot, scannedPdf } from '../../helpers/scanned-pdf.ts';
import { assertWordsAtTheirBoxes, assertWordsExtracted, blockDifference, meanDifference } from '../../helpers/text-layer-checks.ts';

const textractor = textractorPage();
const employment = employmentPage();

/** Each listed page: pdftotext finds ≥ 99 % of its words, each within 1 pt of its box on the page as shown. */
async function assertSearchable(pdf: Uint8Array, pages: readonly { page: number; fixture: FixturePage }[]): Promise<void> {
  const boxes = await pdfWordBoxes(pdf);
  for (const { page, fixture } of pages) {
    assertWordsExtracted(
      await pdfText(pdf, { first: page, last: page }),
      fixture.words.map((w) => w.text),
    );
    assertWordsAtTheirBoxes(boxes[page - 1], fixture.words);
  }
}

/** Same page count, sizes, rotations and boxes (pdfinfo), and every page renders pixel for pixel the same (pdftoppm). */
async function assertPagesKept(original: Uint8Array, output: Uint8Array): Promise<void> {
  assert.deepEqual(await pdfInfo(output), await pdfInfo(original));
  const [before, after] = await Promise.all([renderPdf(original), renderPdf(output)]);
  assert.equal(after.length, before.length, 'pdftoppm rendered a different number of pages');
  after.forEach((page, i) => assert.equal(meanDifference(page, before[i]), 0, `page ${i + 1} looks different`));
}

const layer = (page: number, fixture: FixturePage): TextLayerPage => ({ page, words: fixture.words });

describe('buildSearchablePdf for PDFs', () => {
  it('should add the words to the listed pages of a multi-page PDF and keep every page as it was', async () => {
    const doc = await scannedPdf([textractor, employment]);
    // A third page of real text, not OCRed, and a link on the first page.
    const [textPage] = await doc.copyPages(await PDFDocument.load(await makeTextPdf([['Born digital, not scanned.']])), [0]);
    doc.addPage(textPage);
    const link = doc.context.obj({ Type: 'Annot', Subtype: 'Link', Rect: [10, 10, 200, 40], Border: [0, 0, 0] });
    link.set(PDFName.of('A'), doc.context.obj({ S: 'URI', URI: PDFString.of('https://example.com/kept') }));
    doc.getPage(0).node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(link)]));
    const original = await doc.save();

    const pdf = await buildSearchablePdf(original, 'pdf', [layer(1, textractor), layer(2, employment)]);

    await assertPagesKept(original, pdf);
    await assertSearchable(pdf, [
      { page: 1, fixture: textractor },
      { page: 2, fixture: employment },
    ]);
    assert.equal((await pdfText(pdf, { first: 3, last: 3 })).trim(), 'Born digital, not scanned.');
    assert.deepEqual(await pdfLinks(pdf), [{ page: 1, url: 'https://example.com/kept' }]);
  });

  it('should put the words where they are shown on pages turned by /Rotate 90, 180 and 270', async () => {
    const original = await (await scannedPdf([90, 180, 270].map((rotate) => ({ ...textractor, rotate: rotate as 90 | 180 | 270 })))).save();

    const pdf = await buildSearchablePdf(original, 'pdf', [layer(1, textractor), layer(2, textractor), layer(3, textractor)]);

    const info = await pdfInfo(pdf);
    assert.deepEqual(
      info.pageInfo.map((p) => p.rotation),
      [90, 180, 270],
    );
    await assertPagesKept(original, pdf);
    await assertSearchable(pdf, [1, 2, 3].map((page) => ({ page, fixture: textractor })));
    // The fixture is right: each page as shown is the upright image.
    const upright = (await renderPdf(await imagePdf([textractor])))[0];
    for (const page of await renderPdf(pdf)) assert.ok(blockDifference(page, upright) < 8, 'the scanned page does not show upright');
  });

  it('should place the words inside a CropBox that starts away from the MediaBox origin, also when turned and inherited', async () => {
    const cropped = { ...employment, cropAt: { x: 120, y: 80 } };
    const separate = await (await scannedPdf([cropped, { ...cropped, rotate: 90 }])).save();
    // The same crop and rotation given once on the page tree root for both pages.
    const inheritedDoc = await scannedPdf([
      { ...cropped, rotate: 270 },
      { ...cropped, rotate: 270 },
    ]);
    inheritFromRoot(inheritedDoc);
    const inherited = await inheritedDoc.save();

    for (const original of [separate, inherited]) {
      const pdf = await buildSearchablePdf(original, 'pdf', [layer(1, employment), layer(2, employment)]);
      await assertPagesKept(original, pdf);
      await assertSearchable(pdf, [
        { page: 1, fixture: employment },
        { page: 2, fixture: employment },
      ]);
    }
    const info = await pdfInfo(inherited);
    assert.deepEqual(info.pageInfo[0].cropBox, [120, 80, 120 + employment.height, 80 + employment.width]);
    assert.equal(info.pageInfo[0].rotation, 270);
  });

  it('should leave pages that share content and resources with a listed page without text', async () => {
    const doc = await scannedPdf([textractor, textractor]);
    const [first, second] = doc.getPages();
    second.node.set(PDFName.of('Contents'), first.node.get(PDFName.of('Contents'))!);
    const shared = doc.context.register(first.node.lookup(PDFName.of('Resources'), PDFDict));
    first.node.set(PDFName.of('Resources'), shared);
    second.node.set(PDFName.of('Resources'), shared);
    const original = await doc.save();

    const pdf = await buildSearchablePdf(original, 'pdf', [layer(1, textractor)]);

    await assertPagesKept(original, pdf);
    await assertSearchable(pdf, [{ page: 1, fixture: textractor }]);
    assert.equal((await pdfText(pdf, { first: 2, last: 2 })).trim(), '');
  });

  it('should give the same bytes for the same input, whatever the order of the pages listed', async () => {
    const original = await (await scannedPdf([textractor, employment])).save();
    const a = await buildSearchablePdf(original, 'pdf', [layer(1, textractor), layer(2, employment)]);
    const b = await buildSearchablePdf(original, 'pdf', [layer(2, employment), layer(1, textractor)]);
    assert.ok(a.equals(b));
    const png1 = await buildSearchablePdf(textractor.png, 'png', [layer(1, textractor)]);
    const png2 = await buildSearchablePdf(textractor.png, 'png', [layer(1, textractor)]);
    assert.ok(png1.equals(png2));
  });

  it('should refuse a PDF it cannot open with a 422 DocumentError that says why', async () => {
    const garbage = Buffer.from('%PDF-1.7\nthis is not a PDF body at all\n%%EOF\n');
    await assert.rejects(buildSearchablePdf(garbage, 'pdf', []), (error: unknown) => {
      assert.ok(error instanceof DocumentError);
      assert.equal(error.status, 422);
      assert.match(error.message, /could not be read/);
      return true;
    });

    // An /Encrypt dictionary in the trailer is what makes a PDF encrypted.
    const doc = await scannedPdf([employment]);
    doc.context.trailerInfo.Encrypt = doc.context.register(doc.context.obj({ Filter: 'Standard', V: 4, R: 4 }));
    const encrypted = await doc.save();
    await assert.rejects(buildSearchablePdf(encrypted, 'pdf', [layer(1, employment)]), (error: unknown) => {
      assert.ok(error instanceof DocumentError);
      assert.equal(error.status, 422);
      assert.match(error.message, /encrypted/);
      return true;
    });
  });

  it('should refuse page numbers the document does not have', async () => {
    const original = await (await scannedPdf([employment])).save();
    await assert.rejects(buildSearchablePdf(original, 'pdf', [layer(2, employment)]), RangeError);
    await assert.rejects(buildSearchablePdf(employment.png, 'png', [layer(0, employment)]), RangeError);
  });
});
