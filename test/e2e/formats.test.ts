import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { marked } from 'marked';
import { parse as parseHtml } from 'parse5';
import { emulatedService } from '../helpers/emulated-service.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { waitForJob } from '../helpers/jobs.ts';
import { tinyPng } from '../helpers/png.ts';

// Every output format of one result, over HTTP, from the stored result: counted on the emulator,
// no format costs a Textract call.

describe('output formats', () => {
  const env = emulatedService();
  let result: any;

  before(async () => {
    const res = await postDocument(`${env.service.url}/ocr?features=TABLES,FORMS`, tinyPng('formats'), { 'content-type': 'image/png' });
    assert.equal(res.status, 200, res.text);
    result = res.json;
    assert.ok(result.tables.length >= 1 && result.keyValues.length >= 1, 'the emulator answers a table and key-values');
  });

  const get = (path: string, headers: Record<string, string> = {}) => httpRequest(`${env.service.url}${path}`, { headers });

  test('should give markdown whose tables and text a markdown parser reads back', async () => {
    const calls = env.emulator.stats().total;
    const res = await get(`/documents/${result.documentId}?format=markdown`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/markdown/);
    const tokens = marked.lexer(res.text);
    const tables = tokens.filter((t) => t.type === 'table') as any[];
    const cells = tables.flatMap((t) => [t.header.map((h: any) => h.text), ...t.rows.map((r: any[]) => r.map((c) => c.text))]).flat();
    for (const cell of result.tables[0].rows.flat().filter(Boolean)) assert.ok(cells.includes(cell), `table cell ${cell}`);
    assert.ok(res.text.includes(result.pages[0].lines[0].text), 'the first line is there');
    assert.equal(env.emulator.stats().total, calls, 'no Textract call');
  });

  test('should give CSV that a CSV parser reads back as the table cells', async () => {
    const res = await get(`/documents/${result.documentId}?format=csv&table=1`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.deepEqual(parseCsv(res.text, { relax_column_count: true }), result.tables[0].rows);
    const missing = await get(`/documents/${result.documentId}?format=csv&table=${result.tables.length + 1}`);
    assert.equal(missing.status, 404);
  });

  test('should give self-contained HTML that an HTML parser reads, and plain text', async () => {
    const html = await get(`/documents/${result.documentId}?format=html`);
    assert.match(String(html.headers['content-type']), /^text\/html/);
    const errors: string[] = [];
    parseHtml(html.text, { onParseError: (e) => errors.push(e.code) });
    assert.deepEqual(errors, []);
    assert.ok(html.text.includes('<table'));
    assert.doesNotMatch(html.text, /<script|<link|src=/i);
    const text = await get(`/documents/${result.documentId}?format=text`);
    assert.equal(text.text, result.text);
  });

  test('should follow Accept when reading, and only an explicit type when submitting', async () => {
    const browser = await get(`/documents/${result.documentId}`, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    assert.match(String(browser.headers['content-type']), /^text\/html/);
    const markdown = await postDocument(`${env.service.url}/ocr`, tinyPng('formats'), { 'content-type': 'image/png', accept: 'text/markdown' });
    assert.match(String(markdown.headers['content-type']), /^text\/markdown/);
    const java = await postDocument(`${env.service.url}/ocr`, tinyPng('formats'), { 'content-type': 'image/png', accept: 'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2' });
    assert.match(String(java.headers['content-type']), /^application\/json/, "a client's default Accept keeps JSON");
    const posted = await postDocument(`${env.service.url}/ocr?features=TABLES,FORMS&format=csv`, tinyPng('formats'), { 'content-type': 'image/png' });
    assert.deepEqual(parseCsv(posted.text, { relax_column_count: true }).slice(0, result.tables[0].rows.length), result.tables[0].rows);
  });

  test('should render a succeeded job, and refuse a format while it is not done', async () => {
    const accepted = await postDocument(`${env.service.url}/ocr/async?features=TABLES`, tinyPng('job-format'), { 'content-type': 'image/png' });
    const job = await waitForJob(env.service.url, accepted.json.jobId);
    assert.equal(job.status, 'succeeded');
    const md = await get(`/ocr/jobs/${job.jobId}?format=markdown`);
    assert.equal(md.status, 200);
    assert.ok(marked.lexer(md.text).some((t) => t.type === 'table'));
    const words = await get(`/ocr/jobs/${job.jobId}?include=words`);
    assert.equal(words.json.status, 'succeeded');
    assert.ok(words.json.result.pages[0].words.length > 0);

    env.emulator.configure({ latencyMs: 3_000 });
    try {
      const slow = await postDocument(`${env.service.url}/ocr/async`, tinyPng('job-format-slow'), { 'content-type': 'image/png' });
      const early = await get(`/ocr/jobs/${slow.json.jobId}?format=text`);
      assert.equal(early.status, 409);
      assert.equal(early.json.error.code, 'JOB_NOT_SUCCEEDED');
    } finally {
      env.emulator.configure({ latencyMs: 10 });
    }
  });
});
