import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import pg from 'pg';
import { makePng, makeTextPdf } from '../../scripts/emulator/fixtures.ts';
import { emulatedService } from '../helpers/emulated-service.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { pdfInfo, pdfText, renderPdf } from '../helpers/poppler.ts';
import { scannedPdf } from '../helpers/scanned-pdf.ts';

// GET /documents/:id/pdf end to end: documents OCRed through the emulator come back as PDFs whose
// text a PDF reader (poppler) finds, with the original pages, from stored bytes and words only.

const fixturePng = readFileSync(new URL('../fixtures/textract/single-page-1.png', import.meta.url));

function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function coverage(expected: string[], found: string[]): number {
  const bag = new Map<string, number>();
  for (const w of found) bag.set(w, (bag.get(w) ?? 0) + 1);
  let hit = 0;
  for (const w of expected) {
    const n = bag.get(w) ?? 0;
    if (n > 0) {
      hit++;
      bag.set(w, n - 1);
    }
  }
  return expected.length ? hit / expected.length : 1;
}

async function getPdf(url: string): Promise<{ status: number; body: Buffer; headers: Record<string, unknown>; json?: any }> {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body, headers: Object.fromEntries(res.headers), json: type.startsWith('application/json') ? JSON.parse(body.toString()) : undefined };
}

describe('searchable PDF', () => {
  const env = emulatedService();

  test('should give an image back as a one-page PDF at its pixel size whose text is the result', async () => {
    const png = makePng({ seed: 11, width: 300, height: 200, labels: ['Invoice number: 4711', 'Total due: 99.50 EUR', 'Straße München'] });
    const res = await postDocument(`${env.service.url}/ocr`, png, { 'content-type': 'image/png' });
    assert.equal(res.status, 200, res.text);
    const calls = env.emulator.stats().total;
    const pdf = await getPdf(`${env.service.url}/documents/${res.json.documentId}/pdf`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const info = await pdfInfo(pdf.body);
    assert.equal(info.pages, 1);
    assert.deepEqual([info.pageInfo[0]!.width, info.pageInfo[0]!.height], [300, 200]);
    assert.ok(coverage(words(res.json.text), words(await pdfText(pdf.body))) >= 0.99);
    assert.equal((await renderPdf(pdf.body)).length, 1, 'pdftoppm renders it');
    assert.equal(env.emulator.stats().total, calls, 'the PDF costs no Textract call');
  });

  test('should keep the pages of a scanned PDF, with a text layer on the pages that were processed', async () => {
    const doc = await scannedPdf([
      { width: 613, height: 757, png: fixturePng },
      { width: 613, height: 757, png: fixturePng, rotate: 90 },
      { width: 613, height: 757, png: fixturePng },
    ]);
    const bytes = Buffer.from(await doc.save());
    const accepted = await postDocument(`${env.service.url}/ocr/async?pages=1-2`, bytes, { 'content-type': 'application/pdf' });
    const job = await waitForJob(env.service.url, accepted.json.jobId);
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    const pdf = await getPdf(`${env.service.url}/documents/${job.documentId}/pdf`);
    assert.equal(pdf.status, 200);
    const original = await pdfInfo(bytes);
    const searchable = await pdfInfo(pdf.body);
    assert.equal(searchable.pages, 3);
    assert.deepEqual(searchable.pageInfo, original.pageInfo, 'sizes, boxes and rotation as they were');
    for (const [i, page] of job.result.pages.entries()) {
      const text = await pdfText(pdf.body, { first: page.page, last: page.page });
      const expected = words(page.lines.map((l: { text: string }) => l.text).join(' '));
      assert.ok(coverage(expected, words(text)) >= 0.99, `page ${page.page} (${i})`);
    }
    assert.equal((await pdfText(pdf.body, { first: 3, last: 3 })).trim(), '', 'page 3 was not processed, so it has no text');
    assert.equal((await renderPdf(pdf.body)).length, 3);
  });

  test('should leave pages that already have text as they are, so no word is found twice', async () => {
    const digital = await makeTextPdf([
      [{ text: 'Quarterly statement Zanzibar', x: 72, y: 700 }],
      [{ text: 'Appendix Kilimanjaro', x: 72, y: 700 }],
    ]);
    const res = await postDocument(`${env.service.url}/ocr`, digital, { 'content-type': 'application/pdf' });
    assert.equal(res.status, 200, res.text);
    const pdf = await getPdf(`${env.service.url}/documents/${res.json.documentId}/pdf`);
    assert.equal(pdf.status, 200);
    const text = await pdfText(pdf.body);
    assert.equal(text.match(/Zanzibar/g)?.length, 1, text);
    assert.equal(text.match(/Kilimanjaro/g)?.length, 1, text);
  });

  test('should answer 404 for an unknown document and 410 once the bytes are gone', async () => {
    const unknown = await getPdf(`${env.service.url}/documents/00000000-0000-4000-8000-000000000000/pdf`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'DOCUMENT_NOT_FOUND');

    const res = await postDocument(`${env.service.url}/expense`, makePng({ seed: 12, labels: ['Total: $5.00'] }), { 'content-type': 'image/png' });
    assert.equal(res.status, 200, res.text);
    assert.equal((await getPdf(`${env.service.url}/documents/${res.json.documentId}/pdf`)).status, 200, 'an expense result has words too');
    // What retention does after DOCUMENT_RETENTION_HOURS (tested in retention.test.ts).
    const client = new pg.Client({ connectionString: env.db.url });
    await client.connect();
    await client.query('DELETE FROM document_content WHERE document_id = $1', [res.json.documentId]);
    await client.end();
    const expired = await getPdf(`${env.service.url}/documents/${res.json.documentId}/pdf`);
    assert.equal(expired.status, 410);
    assert.equal(expired.json.error.code, 'DOCUMENT_EXPIRED');
    // Sending the document again stores its bytes again.
    await postDocument(`${env.service.url}/expense`, makePng({ seed: 12, labels: ['Total: $5.00'] }), { 'content-type': 'image/png' });
    assert.equal((await getPdf(`${env.service.url}/documents/${res.json.documentId}/pdf`)).status, 200);
    assert.equal((await httpRequest(`${env.service.url}/documents/${res.json.documentId}`)).status, 200, 'the result outlives the bytes');
  });
});
