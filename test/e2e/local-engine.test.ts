import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import { loadEvaluationSet } from '../../scripts/bench/local-accuracy-set.ts';
import { matchWords } from '../../scripts/bench/word-match.ts';
import { wordAccuracy } from '../helpers/accuracy.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { makeEncryptedPdf, makeMultiPageTiff, makeTextJpeg, makeTextPdf, makeTextPng, sampleSentences } from '../helpers/make-documents.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// With no AWS configuration at all, the service reads documents with its local engine
// (PaddleOCR), through the launcher's bundled worker and its worker thread.
describe('local OCR engine (no AWS configuration)', () => {
  let db: TestDatabase;
  let service: RunningService;

  before(async () => {
    db = await createTestDatabase();
    const env: Record<string, string> = { TEXTRACT_ENDPOINT: '', OCR_ENGINE: 'auto', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
    service = await startService({ databaseUrl: db.url, workers: 1, env });
  });
  after(async () => {
    await service?.stop();
    await db?.drop();
  });

  test('should name paddle as the engine', async () => {
    const health = await httpRequest(`${service.url}/health`);
    assert.equal(health.json.engine, 'paddle');
  });

  test('should read a PNG of printed text with at least 95% word accuracy, with line boxes', async (t) => {
    const sentences = sampleSentences(6);
    const res = await postDocument(`${service.url}/ocr`, Buffer.from(await makeTextPng(sentences)), { 'content-type': 'image/png' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.engine, 'paddle');
    const accuracy = wordAccuracy(sentences.join(' '), res.json.text);
    t.diagnostic(`PNG word accuracy ${(accuracy * 100).toFixed(1)}%`);
    assert.ok(accuracy >= 0.95, `accuracy ${accuracy}: ${res.json.text}`);
    const line = res.json.pages[0].lines[0];
    // The text starts one inch from the left edge of a Letter page.
    assert.ok(Math.abs(line.bbox.left - 1 / 8.5) < 0.02, JSON.stringify(line.bbox));
    assert.ok(line.bbox.width > 0.3 && line.bbox.width <= 1 && line.confidence > 80);
  });

  test('should read a JPEG and a two-page TIFF', async () => {
    const jpegLines = sampleSentences(3, 2);
    const jpeg = await postDocument(`${service.url}/ocr`, Buffer.from(await makeTextJpeg(jpegLines, { dpi: 200 })), { 'content-type': 'image/jpeg' });
    assert.equal(jpeg.status, 200, jpeg.text);
    assert.ok(wordAccuracy(jpegLines.join(' '), jpeg.json.text) >= 0.95, jpeg.json.text);
    const pages = [sampleSentences(2, 5), sampleSentences(2, 7)];
    const tiff = await postDocument(`${service.url}/ocr`, Buffer.from(await makeMultiPageTiff(pages, { dpi: 200 })), { 'content-type': 'image/tiff' });
    assert.equal(tiff.status, 200, tiff.text);
    assert.equal(tiff.json.pageCount, 2);
    const texts = tiff.json.text.split('\f');
    pages.forEach((lines, i) => assert.ok(wordAccuracy(lines.join(' '), texts[i]) >= 0.95, `TIFF page ${i + 1}: ${texts[i]}`));
  });

  test('should read a 3-page PDF of printed text, page by page', async (t) => {
    const pages = [sampleSentences(4, 0), sampleSentences(4, 4), sampleSentences(4, 8)];
    const res = await postDocument(`${service.url}/ocr`, Buffer.from(await makeTextPdf(pages)), { 'content-type': 'application/pdf' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.pageCount, 3);
    const texts = res.json.text.split('\f');
    assert.equal(texts.length, 3);
    const accuracy = wordAccuracy(pages.flat().join(' '), texts.join(' '));
    t.diagnostic(`PDF word accuracy ${(accuracy * 100).toFixed(1)}%`);
    assert.ok(accuracy >= 0.95, `accuracy ${accuracy}`);
    pages.forEach((lines, i) => assert.ok(wordAccuracy(lines.join(' '), texts[i]) >= 0.9, `page ${i + 1} holds its own text`));
  });

  test('should read a PDF encrypted with an owner password only (its pages are drawn)', async () => {
    const pages = [sampleSentences(2, 1), sampleSentences(2, 3)];
    const res = await postDocument(`${service.url}/ocr`, Buffer.from(await makeEncryptedPdf({ userPassword: '', pages })), { 'content-type': 'application/pdf' });
    assert.equal(res.status, 200, res.text);
    const texts = res.json.text.split('\f');
    pages.forEach((lines, i) => assert.ok(wordAccuracy(lines.join(' '), texts[i]) >= 0.95, `page ${i + 1}: ${texts[i]}`));
  });

  test('should read a real digital page (single-page-1.png) line for line as Textract does', async () => {
    const [doc] = loadEvaluationSet(['single-page-1.png']);
    const bytes = fs.readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'local-ocr', 'single-page-1.png'));
    const res = await postDocument(`${service.url}/ocr`, bytes, { 'content-type': 'image/png' });
    assert.equal(res.status, 200, res.text);
    const match = matchWords(doc.textractText, res.json.text);
    assert.ok(match.recall >= 0.95 && match.precision >= 0.95, JSON.stringify(match));
    assert.match(res.json.text, /^Textractor Test\nDocument\nPage \(1\)\n/);
  });

  test('should answer 422 for features, which need Textract', async () => {
    const png = await makeTextPng(['Name: Jane']);
    const res = await postDocument(`${service.url}/ocr?features=FORMS`, Buffer.from(png), { 'content-type': 'image/png' });
    assert.equal(res.status, 422);
    assert.equal(res.json.error.code, 'UNPROCESSABLE_DOCUMENT');
    assert.match(res.json.error.message, /Textract/);
  });

  test('should answer 422 for a damaged image and keep serving', async () => {
    const png = Buffer.from(await makeTextPng(['Still here'], { pageSize: [300, 120] }));
    const broken = Buffer.concat([png.subarray(0, 40), Buffer.alloc(400, 0x41)]);
    const res = await postDocument(`${service.url}/ocr`, broken, { 'content-type': 'image/png' });
    assert.equal(res.status, 422, res.text);
    const ok = await postDocument(`${service.url}/ocr`, png, { 'content-type': 'image/png' });
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.json.text, /Still here/);
  });
});
