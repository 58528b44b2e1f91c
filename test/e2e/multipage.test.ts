import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { postDocument } from '../helpers/http.ts';
import { openJobSocket, waitForJob } from '../helpers/jobs.ts';
import { makeEncryptedPdf, makeMultiPageTiff, makeTextPdf } from '../helpers/make-documents.ts';
import { startService, type RunningService } from '../helpers/service.ts';

const pagesOf = (count: number, tag: string) => Array.from({ length: count }, (_, i) => [`Page ${i + 1} of ${count}`, `Reference ${tag}-${i + 1}`]);

describe('multi-page documents through Textract', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let service: RunningService;

  before(async () => {
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 300 });
    service = await startService({ databaseUrl: db.url, workers: 2, env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0' } });
  });
  after(async () => {
    await service?.stop();
    await emulator?.close();
    await db?.drop();
  });

  const post = (bytes: Uint8Array, path = '/ocr') => postDocument(`${service.url}${path}`, Buffer.from(bytes), { 'content-type': 'application/pdf' });

  test('should send each page of a 5-page PDF to Textract and return the pages in order', async () => {
    const before = emulator.stats().total;
    const res = await post(await makeTextPdf(pagesOf(5, 'first')));
    assert.equal(res.status, 200, res.text);
    assert.equal(emulator.stats().total - before, 5);
    assert.equal(res.json.pageCount, 5);
    assert.deepEqual(res.json.pages.map((p: any) => p.page), [1, 2, 3, 4, 5]);
    res.json.pages.forEach((p: any, i: number) => assert.equal(p.lines[0].text, `Page ${i + 1} of 5`));
    const textPages = res.json.text.split('\f');
    assert.equal(textPages.length, 5, 'a form feed between pages');
    assert.match(textPages[2], /^Page 3 of 5\nReference first-3/);
  });

  test('should pay for one page when a re-sent document has one page changed', async () => {
    const pages = pagesOf(5, 'second');
    assert.equal((await post(await makeTextPdf(pages))).status, 200);
    const before = emulator.stats().total;
    pages[3] = ['Page 4 of 5', 'Reference amended'];
    const res = await post(await makeTextPdf(pages));
    assert.equal(res.status, 200);
    assert.equal(res.json.cached, false);
    assert.equal(emulator.stats().total - before, 1);
    assert.match(res.json.text.split('\f')[3], /Reference amended/);
  });

  test('should carry keyValues and tables with their page', async () => {
    const pdf = await makeTextPdf([['Invoice Number: 1001'], ['Due Date: 2026-12-01']]);
    const res = await post(pdf, '/ocr?features=FORMS');
    assert.equal(res.status, 200, res.text);
    const byKey = Object.fromEntries(res.json.keyValues.map((kv: any) => [kv.key.replace(/:$/, ''), kv]));
    assert.equal(byKey['Invoice Number'].value, '1001');
    assert.equal(byKey['Invoice Number'].page, 1);
    assert.equal(byKey['Due Date'].page, 2);
  });

  test('should split a multi-page TIFF into pages', async () => {
    const tiff = await makeMultiPageTiff([['First page'], ['Second page'], ['Third page']], { dpi: 100 });
    const before = emulator.stats().total;
    const res = await postDocument(`${service.url}/ocr`, Buffer.from(tiff), { 'content-type': 'image/tiff' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.pageCount, 3);
    assert.equal(emulator.stats().total - before, 3);
  });

  test('should refuse a 101-page PDF before calling Textract', async () => {
    const before = emulator.stats().total;
    const res = await post(await makeTextPdf(Array.from({ length: 101 }, (_, i) => [`p${i}`])));
    assert.equal(res.status, 413);
    assert.equal(res.json.error.code, 'PAYLOAD_TOO_LARGE');
    assert.match(res.json.error.message, /100/);
    assert.equal(emulator.stats().total, before);
  });

  test('should refuse an encrypted PDF with the reason, before calling Textract', async () => {
    const before = emulator.stats().total;
    const res = await post(await makeEncryptedPdf());
    assert.equal(res.status, 422);
    assert.equal(res.json.error.code, 'UNPROCESSABLE_DOCUMENT');
    assert.match(res.json.error.message, /password|encrypt/i);
    assert.equal(emulator.stats().total, before);
  });

  test('should name the page that failed', async () => {
    const pdf = await makeTextPdf(pagesOf(4, 'broken'), { pageMarkers: [undefined, undefined, 'DTAT-EMULATOR:BAD_DOCUMENT'] });
    const res = await post(pdf);
    assert.equal(res.status, 422);
    assert.match(res.json.error.message, /page 3/i);
  });

  test('should report page progress of an async job to pollers and subscribers', async () => {
    emulator.configure({ latencyMs: 600 });
    try {
      const pdf = await makeTextPdf(pagesOf(6, 'progress'));
      const accepted = await post(pdf, '/ocr/async');
      assert.equal(accepted.status, 202);
      const socket = await openJobSocket(service.url, `?jobId=${accepted.json.jobId}`);
      try {
        const job = await waitForJob(service.url, accepted.json.jobId);
        assert.equal(job.status, 'succeeded');
        assert.equal(job.pageCount, 6);
        assert.equal(job.pagesDone, 6);
        assert.equal(job.result.pageCount, 6);
        const done = await socket.next((m) => m.type === 'job' && m.status === 'succeeded');
        assert.equal(done.pageCount, 6);
        assert.ok(socket.messages.some((m) => m.type === 'job' && m.status === 'running' && m.pageCount === 6), 'a progress push');
      } finally {
        socket.close();
      }
    } finally {
      emulator.configure({ latencyMs: 300 });
    }
  });
});
