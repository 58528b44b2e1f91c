import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emulatedService } from '../helpers/emulated-service.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { makeTextPdf } from '../helpers/make-documents.ts';
import { tinyPng } from '../helpers/png.ts';

// The v1.1 options of /ocr end to end, through the real SDK and the emulator: queries, page
// ranges and words, in every submission form.

const invoice = (tag: string) => [
  [`Invoice ${tag}`, 'Invoice number: INV-2024-17', 'Total due: 1,234.56', 'Due date: 2024-07-01'],
  [`Terms ${tag}`, 'Payment within 30 days'],
  [`Appendix ${tag}`, 'Reference: APX-9'],
];

describe('/ocr v1.1 options', () => {
  const env = emulatedService();

  const { url } = env;
  const calls = () => env.emulator.stats().total;

  test('should answer questions asked as a JSON field, implying QUERIES', async () => {
    const pdf = await makeTextPdf(invoice('q-json').slice(0, 1));
    const res = await httpRequest(url('/ocr'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        document: Buffer.from(pdf).toString('base64'),
        queries: [{ text: 'What is the total due?', alias: 'TOTAL' }, { text: 'Who signed it?' }],
      }),
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.features, ['QUERIES']);
    assert.equal(res.json.queries.length, 2);
    assert.deepEqual(res.json.queries[0].alias, 'TOTAL');
    assert.equal(res.json.queries[0].answers[0].text, '1,234.56');
    assert.equal(res.json.queries[0].answers[0].page, 1);
    assert.deepEqual(res.json.queries[1].answers, [], 'a question with no answer is kept, with none');
    assert.equal(env.emulator.stats().apis.AnalyzeDocument.calls > 0, true);
  });

  test('should take queries as a query-string JSON array and refuse QUERIES without them', async () => {
    const pdf = Buffer.from(await makeTextPdf(invoice('q-query').slice(0, 1)));
    const queries = encodeURIComponent(JSON.stringify([{ text: 'What is the due date?' }]));
    const res = await postDocument(url(`/ocr?features=forms&queries=${queries}`), pdf, { 'content-type': 'application/pdf' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.features, ['FORMS', 'QUERIES']);
    assert.equal(res.json.queries[0].answers[0].text, '2024-07-01');
    assert.ok(res.json.keyValues.length >= 3);

    const missing = await postDocument(url('/ocr?features=QUERIES'), pdf, { 'content-type': 'application/pdf' });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.code, 'VALIDATION_FAILED');
    assert.equal(missing.json.error.issues[0].path, 'body.queries');

    const sixteen = encodeURIComponent(JSON.stringify(Array.from({ length: 16 }, (_, i) => ({ text: `Question ${i}?` }))));
    const tooMany = await postDocument(url(`/ocr?queries=${sixteen}`), pdf, { 'content-type': 'application/pdf' });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.error.issues[0].path, 'query.queries');
  });

  test('should send and bill only the pages asked for, keeping their numbers', async () => {
    const pdf = Buffer.from(await makeTextPdf(invoice('pages')));
    const before = calls();
    const res = await postDocument(url('/ocr?pages=2-3'), pdf, { 'content-type': 'application/pdf' });
    assert.equal(res.status, 200, res.text);
    assert.equal(calls() - before, 2, 'two pages, two calls');
    assert.equal(res.json.pageCount, 3, "pageCount stays the document's");
    assert.deepEqual(res.json.pages.map((p: { page: number }) => p.page), [2, 3]);
    assert.match(res.json.text, /^Terms pages/);

    // Page 1 alone is a new call; pages 2-3 again come from the cache.
    const first = await postDocument(url('/ocr?pages=1'), pdf, { 'content-type': 'application/pdf' });
    assert.deepEqual(first.json.pages.map((p: { page: number }) => p.page), [1]);
    const again = await postDocument(url('/ocr?pages=3,2'), pdf, { 'content-type': 'application/pdf' });
    assert.equal(again.json.cached, true, '"3,2" is the same selection as "2-3"');
    assert.equal(calls() - before, 3);

    const past = await postDocument(url('/ocr?pages=2-4'), pdf, { 'content-type': 'application/pdf' });
    assert.equal(past.status, 400);
    assert.equal(past.json.error.code, 'VALIDATION_FAILED');
    assert.match(past.json.error.message, /3 pages/);
    const bad = await postDocument(url('/ocr?pages=3-1'), pdf, { 'content-type': 'application/pdf' });
    assert.equal(bad.status, 400);
  });

  test('should ask a question only on the pages it names', async () => {
    const pdf = await makeTextPdf(invoice('q-pages'));
    const before = env.emulator.stats().apis;
    const res = await httpRequest(url('/ocr'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ document: Buffer.from(pdf).toString('base64'), queries: [{ text: 'What is the reference?', pages: ['3'] }] }),
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.queries[0].answers.map((a: { text: string; page: number }) => [a.text, a.page]), [['APX-9', 3]]);
    const after = env.emulator.stats().apis;
    assert.equal(after.AnalyzeDocument.calls - before.AnalyzeDocument.calls, 1, 'QUERIES only where asked');
    assert.equal(after.DetectDocumentText.calls - before.DetectDocumentText.calls, 2, 'text only elsewhere');
  });

  test('should give every page its words with include=words, on a fresh result and a cached one', async () => {
    const png = tinyPng('words');
    for (const attempt of ['fresh', 'cached']) {
      const res = await postDocument(url('/ocr?include=words'), png, { 'content-type': 'image/png' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.cached, attempt === 'cached');
      const words = res.json.pages[0].words;
      assert.ok(words.length >= res.json.pages[0].lines.length, attempt);
      assert.equal(words.map((w: { text: string }) => w.text).join(' '), res.json.pages[0].lines.map((l: { text: string }) => l.text).join(' '));
      for (const w of words) assert.ok(w.bbox.left >= 0 && w.bbox.left + w.bbox.width <= 1 && w.confidence > 0);
    }
    const plain = await postDocument(url('/ocr'), png, { 'content-type': 'image/png' });
    assert.equal(plain.json.pages[0].words, undefined, 'words only when asked for');
    const stored = await httpRequest(url(`/documents/${plain.json.documentId}?include=words`));
    assert.ok(stored.json.pages[0].words.length > 0);
  });

  test('should run the same options as a queued job', async () => {
    const pdf = Buffer.from(await makeTextPdf(invoice('async')));
    const queries = encodeURIComponent(JSON.stringify([{ text: 'What is the total due?' }]));
    const accepted = await postDocument(url(`/ocr/async?pages=1&queries=${queries}`), pdf, { 'content-type': 'application/pdf' });
    assert.equal(accepted.status, 202, accepted.text);
    const job = await waitForJob(env.service.url, accepted.json.jobId);
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    assert.deepEqual(job.result.pages.map((p: { page: number }) => p.page), [1]);
    assert.equal(job.result.queries[0].answers[0].text, '1,234.56');

    const refused = await postDocument(url('/ocr/async?features=QUERIES'), pdf, { 'content-type': 'application/pdf' });
    assert.equal(refused.status, 400, 'options the function refuses are refused before the 202');
  });
});
