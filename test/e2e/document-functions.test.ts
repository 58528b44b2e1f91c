import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { marked } from 'marked';
import { makePng, makeTextPdf } from '../../scripts/emulator/fixtures.ts';
import { emulatedService } from '../helpers/emulated-service.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// /expense and /identity, and AnalyzeDocument's SIGNATURES and LAYOUT, end to end through the real
// SDK and the emulator: results, the cache across functions and formats, queued runs, and each
// Textract operation's own quota.

function receiptPdf(vendor = 'MEGA MARKET'): Promise<Buffer> {
  return makeTextPdf([[
    { text: vendor, x: 72, y: 740, size: 18 },
    { text: 'Invoice #: INV-0042', x: 72, y: 700 },
    { text: 'Date: 03/18/2024', x: 72, y: 684 },
    ...[['Description', 'Qty', 'Unit Price', 'Amount'], ['Widget, large', '2', '$3.00', '$6.00'], ['Gadget "Pro"', '1', '$4.50', '$4.50']]
      .flatMap((row, r) => row.map((text, c) => ({ text, x: [72, 300, 380, 480][c]!, y: 630 - r * 16 }))),
    { text: 'Subtotal: $10.50', x: 72, y: 560 },
    { text: 'Tax: $0.84', x: 72, y: 544 },
    { text: 'Total: $11.34', x: 72, y: 512 },
  ]]);
}

const idCard = (side: 'front' | 'back', seed: number) =>
  makePng({
    seed,
    width: 64,
    height: 40,
    labels: side === 'front' ? ['First Name: JANE', 'Last Name: DOE', 'DOB: 04/12/1990', 'DL No: D1234567', 'Exp: 04/12/2030'] : ['Class: C', 'Restrictions: NONE'],
  });

const field = (fields: { type: string; value: string }[], type: string) => fields.find((f) => f.type === type);

describe('document functions through Textract', () => {
  const env = emulatedService();
  const { url } = env;
  const apis = () => env.emulator.stats().apis;

  test('should read an invoice: summary fields with labels and currency, and the line items', async () => {
    const res = await postDocument(url('/expense?filename=receipt.pdf'), await receiptPdf(), { 'content-type': 'application/pdf' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.engine, 'textract');
    assert.equal(res.json.filename, 'receipt.pdf');
    assert.equal(res.json.pageCount, 1);
    assert.equal(res.json.features, undefined, 'features belong to /ocr');
    const [expense] = res.json.expenses;
    assert.equal(expense.index, 1);
    const total = field(expense.summary, 'TOTAL') as any;
    assert.equal(total.value, '$11.34');
    assert.match(total.label, /^Total:?$/);
    assert.equal(total.currency, 'USD');
    assert.equal(total.page, 1);
    assert.ok(total.confidence > 0 && total.confidence <= 100);
    assert.equal(field(expense.summary, 'INVOICE_RECEIPT_ID')!.value, 'INV-0042');
    const items = expense.lineItemGroups[0].items.map((i: any) => Object.fromEntries(i.fields.map((f: any) => [f.type, f.value])));
    assert.deepEqual(items.map((i: any) => [i.ITEM, i.QUANTITY, i.PRICE]), [['Widget, large', '2', '$6.00'], ['Gadget "Pro"', '1', '$4.50']]);
  });

  test('should keep one result per function for the same bytes, and call Textract once per function', async () => {
    const pdf = await receiptPdf('CACHE STORE');
    const before = apis();
    const ocr = await postDocument(url('/ocr'), pdf, { 'content-type': 'application/pdf' });
    const expense = await postDocument(url('/expense'), pdf, { 'content-type': 'application/pdf' });
    const again = await postDocument(url('/expense'), pdf, { 'content-type': 'application/pdf' });
    const after = apis();
    assert.equal(after.DetectDocumentText.calls - before.DetectDocumentText.calls, 1);
    assert.equal(after.AnalyzeExpense.calls - before.AnalyzeExpense.calls, 1, 'the second /expense is the cached result');
    assert.equal(ocr.json.documentId, expense.json.documentId, 'one document, two results');
    assert.ok(ocr.json.text && !ocr.json.expenses);
    assert.deepEqual(again.json.expenses, expense.json.expenses);
    assert.equal(again.json.cached, true);

    // Every format of the expense result, from the stored result: no Textract call at all.
    const id = expense.json.documentId;
    const calls = env.emulator.stats().total;
    const csv = await httpRequest(url(`/documents/${id}?function=expense&format=csv&table=1`));
    assert.equal(csv.status, 200, csv.text);
    const rows = parseCsv(csv.text) as string[][];
    assert.ok(rows.some((r) => r.includes('Widget, large') && r.includes('$6.00')), csv.text);
    assert.ok(rows.some((r) => r.includes('Gadget "Pro"')), 'quotes survive the round trip');
    const md = await httpRequest(url(`/documents/${id}?function=expense&format=markdown`));
    assert.ok(marked.lexer(md.text).some((t) => t.type === 'table'));
    for (const format of ['text', 'html']) {
      const res = await httpRequest(url(`/documents/${id}?function=expense&format=${format}`));
      assert.equal(res.status, 200);
      assert.ok(res.text.includes('$11.34'), format);
    }
    const newest = await httpRequest(url(`/documents/${id}`));
    assert.ok(newest.json.expenses, 'the newest result of the document is the expense one');
    assert.ok((await httpRequest(url(`/documents/${id}?function=ocr`))).json.text);
    assert.equal(env.emulator.stats().total, calls, 'formats cost no Textract call');
  });

  test('should read an identity document, front and back in one call, and refuse a third page', async () => {
    const front = idCard('front', 1);
    const res = await postDocument(url('/identity'), front, { 'content-type': 'image/png' });
    assert.equal(res.status, 200, res.text);
    const [doc] = res.json.identityDocuments;
    assert.equal(field(doc.fields, 'FIRST_NAME')!.value, 'JANE');
    assert.equal(field(doc.fields, 'LAST_NAME')!.value, 'DOE');
    const dob = field(doc.fields, 'DATE_OF_BIRTH') as any;
    assert.equal(dob.normalizedValue, '1990-04-12T00:00:00');
    assert.equal(dob.valueType, 'Date');
    assert.equal(field(doc.fields, 'SUFFIX')!.value, '', 'absent fields are there, empty, as Textract gives them');

    const pdf = await makeTextPdf([
      [{ text: 'First Name: JOHN', x: 72, y: 700 }, { text: 'Last Name: ROE', x: 72, y: 680 }],
      [{ text: 'Class: D', x: 72, y: 700 }],
      [{ text: 'Notes', x: 72, y: 700 }],
    ]);
    const before = apis().AnalyzeID.calls;
    const three = await postDocument(url('/identity'), pdf, { 'content-type': 'application/pdf' });
    assert.equal(three.status, 422);
    assert.match(three.json.error.message, /at most 2 pages.*pages=/);
    const two = await postDocument(url('/identity?pages=1-2'), pdf, { 'content-type': 'application/pdf' });
    assert.equal(two.status, 200, two.text);
    assert.equal(apis().AnalyzeID.calls - before, 1, 'front and back go in one call');
    assert.equal(two.json.identityDocuments.length, 2);
    assert.equal(field(two.json.identityDocuments[0].fields, 'FIRST_NAME')!.value, 'JOHN');
  });

  test('should find signatures and the layout, and write markdown headings from it', async () => {
    const pdf = await makeTextPdf([[
      { text: 'Service Agreement', x: 72, y: 740, size: 20 },
      { text: 'Terms', x: 72, y: 700, size: 14 },
      { text: 'The supplier delivers the goods within thirty days of the order.', x: 72, y: 680 },
      { text: 'Signature: J. Roe', x: 72, y: 600 },
    ]]);
    const res = await postDocument(url('/ocr?features=SIGNATURES,LAYOUT'), pdf, { 'content-type': 'application/pdf' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.signatures.length, 1);
    assert.equal(res.json.signatures[0].page, 1);
    const types = res.json.layout.map((l: any) => l.type);
    assert.equal(types[0], 'title');
    assert.equal(res.json.layout[0].text, 'Service Agreement');
    const md = await httpRequest(url(`/documents/${res.json.documentId}?format=markdown`));
    const headings = marked.lexer(md.text).filter((t) => t.type === 'heading') as any[];
    assert.deepEqual(headings[0] && [headings[0].depth, headings[0].text], [1, 'Service Agreement']);
  });

  test('should run /expense/async in its own queue and deliver the result', async () => {
    const accepted = await postDocument(url('/expense/async'), await receiptPdf('QUEUED SHOP'), { 'content-type': 'application/pdf' });
    assert.equal(accepted.status, 202, accepted.text);
    const job = await waitForJob(env.service.url, accepted.json.jobId);
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    assert.equal(job.function, 'expense');
    assert.equal(field(job.result.expenses[0].summary, 'VENDOR_NAME')!.value, 'QUEUED SHOP');
    const invoked = await httpRequest(url('/invoke/identity'), { method: 'POST', headers: { 'content-type': 'image/png' }, body: idCard('front', 2) });
    assert.equal(invoked.status, 200, invoked.text);
    assert.ok(invoked.json.identityDocuments);
  });
});

describe("each Textract operation's own quota", () => {
  // AnalyzeExpense is allowed 2 calls a second, DetectDocumentText 20: like an account's quotas.
  const quota = emulatedService({ emulator: { latencyMs: 20, expenseTps: 2, detectTps: 20 }, env: { TEXTRACT_TPS: '20', TEXTRACT_TPS_ANALYZE_EXPENSE: '2' } });

  test('should drain an expense backlog at its quota without holding up text detection, and never be throttled', async () => {
    const post = (path: string, bytes: Buffer) => postDocument(`${quota.service.url}${path}`, bytes, { 'content-type': 'image/png' });
    const expenseJobs = await Promise.all(Array.from({ length: 8 }, (_, i) => post('/expense/async', makePng({ seed: 100 + i })).then((r) => r.json.jobId)));
    const ocrJobs = await Promise.all(Array.from({ length: 8 }, (_, i) => post('/ocr/async', makePng({ seed: 200 + i })).then((r) => r.json.jobId)));
    const ocrDone = await Promise.all(ocrJobs.map((id) => waitForJob(quota.service.url, id, { timeoutMs: 60_000 })));
    const expenseDone = await Promise.all(expenseJobs.map((id) => waitForJob(quota.service.url, id, { timeoutMs: 60_000 })));
    assert.ok([...ocrDone, ...expenseDone].every((j) => j.status === 'succeeded'));
    const lastOcr = Math.max(...ocrDone.map((j) => Date.parse(j.finishedAt)));
    const lastExpense = Math.max(...expenseDone.map((j) => Date.parse(j.finishedAt)));
    assert.ok(lastOcr < lastExpense, 'text detection, submitted after the expense backlog, finished before it');
    const stats = quota.emulator.stats().apis;
    assert.equal(stats.AnalyzeExpense.throttled, 0, 'the expense quota held');
    assert.equal(stats.DetectDocumentText.throttled, 0);
  });
});

describe('document functions on the local engine', () => {
  let db: TestDatabase;
  let service: RunningService;

  before(async () => {
    db = await createTestDatabase();
    const env = { TEXTRACT_ENDPOINT: '', OCR_ENGINE: 'tesseract', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' };
    service = await startService({ databaseUrl: db.url, workers: 1, env });
  });
  after(async () => {
    await service?.stop();
    await db?.drop();
  });

  test('should answer 422 naming what to configure for functions that need Textract', async () => {
    for (const path of ['/expense', '/identity', '/expense/async']) {
      const res = await postDocument(`${service.url}${path}`, makePng({ seed: 7 }), { 'content-type': 'image/png' });
      if (path.endsWith('/async')) {
        assert.equal(res.status, 202);
        const job = await waitForJob(service.url, res.json.jobId);
        assert.equal(job.status, 'failed');
        assert.equal(job.error.code, 'UNPROCESSABLE_DOCUMENT');
        continue;
      }
      assert.equal(res.status, 422, `${path}: ${res.text}`);
      assert.equal(res.json.error.code, 'UNPROCESSABLE_DOCUMENT');
      assert.match(res.json.error.message, /needs Amazon Textract.*TEXTRACT_ENDPOINT/);
    }
  });
});
