import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { sha8, tinyPng } from '../helpers/png.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// The dashboard as an engineer sees it during a demo: Debian's Chromium, headless, driven by
// playwright-core (no browser download). CHROMIUM_PATH overrides where it is; .ci/run installs it.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// Where the screenshot of each run goes (the README's is docs/dashboard.png, taken this way).
const SCREENSHOT = process.env.DASHBOARD_SCREENSHOT ?? path.join(PROJECT_ROOT, '.data', 'screenshots', 'dashboard.png');
const KEY = 'dashboard-test-key';
const auth = { 'x-api-key': KEY };

describe('GET /dashboard in Chromium', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let service: RunningService;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 600, tps: 10 });
    service = await startService({ databaseUrl: db.url, workers: 2, env: { API_KEYS: KEY, TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '10' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    // A script error or a request the page's policy blocked would show here.
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/401 \(Unauthorized\)/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
  });
  after(async () => {
    await browser?.close();
    await service?.stop('SIGKILL');
    await emulator?.close();
    await db?.drop();
  });

  test('should send / to the dashboard and ask for the API key before showing figures', async () => {
    const home = await httpRequest(`${service.url}/`);
    assert.equal(home.status, 302);
    assert.equal(home.headers.location, '/dashboard');
    await page.goto(`${service.url}/`);
    assert.equal(new URL(page.url()).pathname, '/dashboard');
    await page.locator('#key-form').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#board').isHidden(), 'no figures without a key');
    await page.fill('#api-key', 'wrong-key');
    await page.click('#key-form button');
    await page.locator('#key-error', { hasText: /not accept/ }).waitFor();
    await page.fill('#api-key', KEY);
    await page.click('#key-form button');
    await page.locator('#board').waitFor({ state: 'visible' });
    await page.locator('#workers-running', { hasText: /^2$/ }).waitFor();
    assert.equal(await page.textContent('#workers-configured'), '2');
    await page.locator('#connection[data-state="live"]').waitFor();
  });

  test('should show submitted jobs turn succeeded live, and the numbers move', async () => {
    assert.equal(await page.textContent('#docs-per-minute'), '0');
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await postDocument(`${service.url}/ocr/async`, tinyPng(`dashboard-job-${i}`), auth);
      assert.equal(res.status, 202);
      ids.push(res.json.jobId);
    }
    // Every job appears as it is queued, and turns succeeded once a worker of either process ran it.
    for (const id of ids) {
      await page.locator(`#jobs tr[data-job-id="${id}"] .badge[data-status="succeeded"]`).waitFor({ timeout: 30_000 });
    }
    await page.locator('#docs-per-minute', { hasText: /^([89]|\d\d+)$/ }).waitFor({ timeout: 15_000 });
    await page.locator('#p95', { hasText: /\d (ms|s)$/ }).waitFor({ timeout: 15_000 });
    const ok = await page.locator('#textract tr[data-operation="DetectDocumentText"] td').nth(3).textContent();
    assert.ok(Number(ok) >= 8, `DetectDocumentText ok: ${ok}`);
    const points = await page.locator('#throughput-chart path.throughput').getAttribute('d');
    assert.match(points!, /L/, 'the throughput chart has a line');
    assert.equal(await page.textContent('#throttles'), '0');
  });

  test('should OCR a dropped file and show its text, key-values, tables and markdown', async () => {
    const png = tinyPng('dropped-invoice');
    // What a browser hands the page when a file is dropped on it.
    const dataTransfer = await page.evaluateHandle((bytes) => {
      const transfer = new (globalThis as any).DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'invoice.png', { type: 'image/png' }));
      return transfer;
    }, [...png]);
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
    await page.locator('#ocr-status[data-state="done"]').waitFor({ timeout: 30_000 });
    assert.match((await page.textContent('#ocr-text'))!, new RegExp(`DOC-${sha8(png)}`));
    assert.ok((await page.locator('#ocr-key-values tbody tr').count()) > 0, 'key-values shown');
    await page.click('[data-tab="tables"]');
    assert.ok(await page.locator('#ocr-tables table.ocr-table').first().isVisible(), 'a table shown');
    await page.click('[data-tab="markdown"]');
    await page.locator('#ocr-markdown', { hasText: /DOC-/ }).waitFor();
    assert.match((await page.textContent('#ocr-markdown'))!, /\|/, 'markdown with a pipe table');
    await page.click('[data-tab="text"]');
  });

  test('should run with no script error or blocked request, and leave a screenshot', async () => {
    // One more poll, so the tiles show the dropped document too.
    await page.waitForTimeout(2_500);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const shot = fs.readFileSync(SCREENSHOT);
    assert.equal(shot.subarray(1, 4).toString(), 'PNG');
    assert.ok(shot.length > 20_000, `screenshot of ${shot.length} bytes`);
    assert.deepEqual(problems, []);
  });
});
