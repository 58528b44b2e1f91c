import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { wordAccuracy } from '../helpers/accuracy.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { makeTextPdf, makeTextPng, sampleSentences } from '../helpers/make-documents.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// With no AWS configuration at all, the service reads documents with its local engine.
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

  test('should name tesseract as the engine', async () => {
    const health = await httpRequest(`${service.url}/health`);
    assert.equal(health.json.engine, 'tesseract');
  });

  test('should read a PNG of printed text with at least 95% word accuracy', async (t) => {
    const sentences = sampleSentences(6);
    const png = await makeTextPng(sentences);
    const res = await postDocument(`${service.url}/ocr`, Buffer.from(png), { 'content-type': 'image/png' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.engine, 'tesseract');
    const accuracy = wordAccuracy(sentences.join(' '), res.json.text);
    t.diagnostic(`PNG word accuracy ${(accuracy * 100).toFixed(1)}%`);
    assert.ok(accuracy >= 0.95, `accuracy ${accuracy}: ${res.json.text}`);
    const line = res.json.pages[0].lines[0];
    assert.ok(line.bbox.left > 0 && line.bbox.left < 0.5 && line.bbox.width > 0.1 && line.bbox.width <= 1);
    assert.ok(line.confidence > 50);
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

  test('should answer 422 for features, which need Textract', async () => {
    const png = await makeTextPng(['Name: Jane']);
    const res = await postDocument(`${service.url}/ocr?features=FORMS`, Buffer.from(png), { 'content-type': 'image/png' });
    assert.equal(res.status, 422);
    assert.equal(res.json.error.code, 'UNPROCESSABLE_DOCUMENT');
    assert.match(res.json.error.message, /Textract/);
  });
});
