import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import UTIF from 'utif2';
import { DocumentError } from '../../../runtime/documents/errors.ts';
import { buildSearchablePdf } from '../../../runtime/pdf-output/searchable-pdf.ts';
import { encodeGrayTiff } from '../../helpers/make-documents.ts';
import { bilevelOf, employmentPage, grayOf, readTiffFixture, textractorPage, type FixturePage } from '../../helpers/ocr-fixtures.ts';
import { imagePdf, pngOfGray } from '../../helpers/image-pdf.ts';
import { pdfImages, pdfInfo, pdfText, pdfWordBoxes, renderPdf } from '../../helpers/poppler.ts';
import { assertWordsAtTheirBoxes, assertWordsExtracted, meanDifference } from '../../helpers/text-layer-checks.ts';

const textractor = textractorPage();
const employment = employmentPage();

/** pdftotext finds ≥ 99 % of the page's words, each within 1 pt of its box. */
async function assertSearchablePage(pdf: Buffer, pageNumber: number, fixture: FixturePage): Promise<void> {
  const text = await pdfText(pdf, { first: pageNumber, last: pageNumber });
  assertWordsExtracted(
    text,
    fixture.words.map((w) => w.text),
  );
  const boxes = await pdfWordBoxes(pdf);
  assertWordsAtTheirBoxes(boxes[pageNumber - 1], fixture.words);
}

/** Gray level of every stored pixel of an image that pdfimages decoded. */
function storedGray(image: { rgba: Uint8Array }): Uint8Array {
  return Uint8Array.from({ length: image.rgba.length / 4 }, (_, i) => image.rgba[i * 4]);
}

/**
 * pdftoppm renders every page of `pdf` exactly as it renders the same pixels placed on a page by
 * pdf-lib: the text layer paints nothing and the image is shown whole, unmoved.
 */
async function assertRendersAs(pdf: Uint8Array, pages: { width: number; height: number; png: Uint8Array }[]): Promise<void> {
  const [ours, reference] = await Promise.all([renderPdf(pdf), imagePdf(pages).then((ref) => renderPdf(ref))]);
  assert.equal(ours.length, pages.length, 'pdftoppm rendered a different number of pages');
  ours.forEach((page, i) => assert.equal(meanDifference(page, reference[i]), 0, `page ${i + 1} renders differently`));
}

const bilevelPng = (page: FixturePage) => pngOfGray(page.width, page.height, bilevelOf(page));
const grayPng = (page: FixturePage) => pngOfGray(page.width, page.height, grayOf(page));

describe('buildSearchablePdf for images', () => {
  for (const [name, fixture] of [
    ['single-page-1.png', textractor],
    ['default_document_4.png', employment],
  ] as const) {
    it(`should make ${name} one page at its pixel size with Textract's words selectable where they are printed`, async () => {
      const pdf = await buildSearchablePdf(fixture.png, 'png', [{ page: 1, words: fixture.words }]);

      const info = await pdfInfo(pdf);
      assert.equal(info.pages, 1);
      assert.deepEqual([info.pageInfo[0].width, info.pageInfo[0].height], [fixture.width, fixture.height]);
      await assertSearchablePage(pdf, 1, fixture);
      const [image] = await pdfImages(pdf);
      assert.deepEqual(Buffer.from(image.rgba), Buffer.from(fixture.rgba), 'the stored pixels are not the PNG\'s');
      await assertRendersAs(pdf, [fixture]);
    });
  }

  it('should embed a JPEG as it is (the same bytes) under its words', async () => {
    const rgba = Buffer.from(textractor.rgba);
    const photo = jpeg.encode({ data: rgba, width: textractor.width, height: textractor.height }, 85).data;
    const pdf = await buildSearchablePdf(photo, 'jpeg', [{ page: 1, words: textractor.words }]);

    assert.ok(pdf.includes(photo), 'the JPEG stream is not the original bytes');
    const info = await pdfInfo(pdf);
    assert.deepEqual([info.pages, info.pageInfo[0].width, info.pageInfo[0].height], [1, textractor.width, textractor.height]);
    await assertSearchablePage(pdf, 1, textractor);
  });

  it('should give each page of a multi-page gray TIFF its own size, pixels and words', async () => {
    const tiff = encodeGrayTiff([
      { width: textractor.width, height: textractor.height, gray: grayOf(textractor) },
      { width: employment.width, height: employment.height, gray: grayOf(employment) },
    ]);
    const pdf = await buildSearchablePdf(tiff, 'tiff', [
      { page: 1, words: textractor.words },
      { page: 2, words: employment.words },
    ]);

    const info = await pdfInfo(pdf);
    assert.equal(info.pages, 2);
    assert.deepEqual(
      info.pageInfo.map((p) => [p.width, p.height]),
      [
        [textractor.width, textractor.height],
        [employment.width, employment.height],
      ],
    );
    await assertSearchablePage(pdf, 1, textractor);
    await assertSearchablePage(pdf, 2, employment);
    const images = await pdfImages(pdf);
    assert.deepEqual(
      images.map((image) => [image.color, image.bitsPerComponent]),
      [
        ['gray', 8],
        ['gray', 8],
      ],
    );
    assert.deepEqual(storedGray(images[0]), grayOf(textractor));
    assert.deepEqual(storedGray(images[1]), grayOf(employment));
    await assertRendersAs(pdf, [
      { ...textractor, png: grayPng(textractor) },
      { ...employment, png: grayPng(employment) },
    ]);
  });

  it('should decode a two-page CCITT Group 4 fax TIFF losslessly and lay the words over both pages', async () => {
    const pdf = await buildSearchablePdf(readTiffFixture('fax-g4.tif'), 'tiff', [
      { page: 1, words: textractor.words },
      { page: 2, words: employment.words },
    ]);

    const info = await pdfInfo(pdf);
    assert.deepEqual(
      info.pageInfo.map((p) => [p.width, p.height]),
      [
        [textractor.width, textractor.height],
        [employment.width, employment.height],
      ],
    );
    // Stored at 1 bit per pixel, pixel for pixel the fax pages.
    const images = await pdfImages(pdf);
    assert.deepEqual(
      images.map((image) => [image.color, image.bitsPerComponent]),
      [
        ['gray', 1],
        ['gray', 1],
      ],
    );
    assert.deepEqual(storedGray(images[0]), bilevelOf(textractor));
    assert.deepEqual(storedGray(images[1]), bilevelOf(employment));
    await assertRendersAs(pdf, [
      { ...textractor, png: bilevelPng(textractor) },
      { ...employment, png: bilevelPng(employment) },
    ]);
    await assertSearchablePage(pdf, 1, textractor);
    await assertSearchablePage(pdf, 2, employment);
  });

  for (const [file, fixture] of [
    ['fax-g3.tif', employment],
    ['fax-g3-2d.tif', textractor],
  ] as const) {
    it(`should decode ${file} (CCITT Group 3) losslessly`, async () => {
      const pdf = await buildSearchablePdf(readTiffFixture(file), 'tiff', [{ page: 1, words: fixture.words }]);
      const [image] = await pdfImages(pdf);
      assert.deepEqual(storedGray(image), bilevelOf(fixture));
      await assertRendersAs(pdf, [{ ...fixture, png: bilevelPng(fixture) }]);
      await assertSearchablePage(pdf, 1, fixture);
    });
  }

  it('should decode an RGB TIFF to the same pixels', async () => {
    const tiff = Buffer.from(UTIF.encodeImage(Buffer.from(employment.rgba), employment.width, employment.height));
    const pdf = await buildSearchablePdf(tiff, 'tiff', [{ page: 1, words: employment.words }]);

    const [image] = await pdfImages(pdf);
    assert.equal(image.color, 'rgb');
    assert.deepEqual(Buffer.from(image.rgba), Buffer.from(employment.rgba));
    await assertSearchablePage(pdf, 1, employment);
  });

  it('should keep a page that has no words in the list, without any text', async () => {
    const pdf = await buildSearchablePdf(readTiffFixture('fax-g4.tif'), 'tiff', [{ page: 2, words: employment.words }]);

    assert.equal((await pdfInfo(pdf)).pages, 2);
    assert.equal((await pdfText(pdf, { first: 1, last: 1 })).trim(), '');
    await assertSearchablePage(pdf, 2, employment);
    await assertRendersAs(pdf, [
      { ...textractor, png: bilevelPng(textractor) },
      { ...employment, png: bilevelPng(employment) },
    ]);
  });

  it('should keep transparency of a PNG as a soft mask', async () => {
    // Half the page transparent: shown over white it must render white, not black.
    const png = new PNG({ width: 40, height: 20 });
    for (let p = 0; p < 800; p++) png.data.set([0, 0, 0, p % 40 < 20 ? 255 : 0], p * 4);
    const pdf = await buildSearchablePdf(PNG.sync.write(png), 'png', []);
    const [rendered] = await renderPdf(pdf);
    assert.equal(rendered.gray[5], 0);
    assert.equal(rendered.gray[35], 255);
  });

  it('should refuse images that cannot be decoded with a 422 DocumentError', async () => {
    const truncatedPng = textractor.png.subarray(0, 2000);
    const brokenTiff = Buffer.from(readTiffFixture('fax-g4.tif'));
    brokenTiff.writeUInt32LE(0xfffffff0, 4); // first directory far past the end
    for (const [bytes, kind] of [
      [truncatedPng, 'png'],
      [brokenTiff, 'tiff'],
      [Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 'jpeg'],
    ] as const) {
      await assert.rejects(buildSearchablePdf(bytes, kind, []), (error: unknown) => {
        assert.ok(error instanceof DocumentError, `${kind}: ${String(error)}`);
        assert.equal(error.status, 422);
        assert.match(error.message, new RegExp(kind === 'png' ? 'PNG' : kind === 'tiff' ? 'TIFF' : 'JPEG'));
        return true;
      });
    }
  });
});
