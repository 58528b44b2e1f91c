// The v1.1 document functions: /expense under the sync-50 load, and how fast the service turns a
// stored result into a searchable PDF (pages per second, the text layer over the original pages).
import { readFileSync } from 'node:fs';
import { scannedPdf } from '../../test/helpers/scanned-pdf.ts';
import { loadDetails, load, openService, type Scenario } from './context.ts';
import { pngVariants } from './documents.ts';
import { cpuMeter } from './procfs.ts';
import { littleBoundPerMinute } from './rates.ts';
import { closedLoopRows } from './rows.ts';
import { cpuNote, salt, TEXTRACT_LATENCY_MS } from './scenario-sync.ts';

export const expense: Scenario = {
  name: 'expense',
  timeoutMs: (quick) => (quick ? 90_000 : 240_000),
  async run(ctx) {
    const clients = ctx.quick ? 20 : 50;
    const durationMs = ctx.quick ? 8_000 : 60_000;
    const service = await openService(ctx, 'expense', { workers: 4, latencyMs: TEXTRACT_LATENCY_MS, tps: 0 });
    const cpu = cpuMeter(service.workerPids());
    const result = await load(ctx, 'load', {
      url: service.url,
      mode: 'sync',
      route: '/expense',
      concurrency: clients,
      durationMs,
      documents: await pngVariants(100, salt(ctx, 'E')),
    });
    ctx.details.load = loadDetails(result);
    const note = cpuNote(cpu.read(), result.summary.ok);
    return closedLoopRows('expense', `POST /expense (AnalyzeExpense), WORKERS=4, ${clients} sync clients, ${durationMs / 1000} s, Textract 2,400 ms, no quota, 100 KB PNG`, result, {
      skipMs: TEXTRACT_LATENCY_MS,
      bound: littleBoundPerMinute(clients, TEXTRACT_LATENCY_MS),
      boundNote: `Little's law ${clients} / 2.4 s`,
      extraNotes: note ? [note] : [],
    });
  },
};

const PAGES = 10;
const FIXTURE = new URL('../../test/fixtures/textract/single-page-1.png', import.meta.url);

export const searchablePdf: Scenario = {
  name: 'searchable-pdf',
  timeoutMs: (quick) => (quick ? 90_000 : 180_000),
  async run(ctx) {
    const clients = 4;
    const durationMs = ctx.quick ? 5_000 : 30_000;
    const service = await openService(ctx, 'searchable-pdf', { workers: 4, latencyMs: 0, tps: 0 });
    // A scanned 10-page document (a 1226 × 1514 page image each), OCRed once; then its PDF asked for again and again.
    const png = readFileSync(FIXTURE);
    const pdf = Buffer.from(await (await scannedPdf(Array.from({ length: PAGES }, () => ({ width: 613, height: 757, png })))).save());
    const posted = await fetch(`${service.url}/ocr`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: pdf });
    if (posted.status !== 200) throw new Error(`POST /ocr answered ${posted.status}: ${await posted.text()}`);
    const { documentId } = (await posted.json()) as { documentId: string };
    const cpu = cpuMeter(service.workerPids());
    const latencies: number[] = [];
    let failures = 0;
    const started = performance.now();
    const until = started + durationMs;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until && !ctx.signal.aborted) {
          const t0 = performance.now();
          const res = await fetch(`${service.url}/documents/${documentId}/pdf`);
          const body = Buffer.from(await res.arrayBuffer());
          if (res.status !== 200 || body.subarray(0, 5).toString() !== '%PDF-') failures++;
          else latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = cpu.read();
    latencies.sort((a, b) => a - b);
    const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]! : null);
    if (failures) ctx.errors.push(`searchable-pdf: ${failures} PDF requests failed`);
    ctx.details.pdfs = latencies.length;
    return [
      {
        scenario: 'searchable PDF',
        setup: `GET /documents/:id/pdf of a scanned ${PAGES}-page PDF (${(pdf.length / 1e6).toFixed(1)} MB), ${clients} clients, ${durationMs / 1000} s, WORKERS=4`,
        value: (latencies.length * PAGES) / seconds,
        unit: 'pages/s',
        bound: null,
        p50Ms: at(0.5),
        p95Ms: at(0.95),
        failures,
        notes: [`${latencies.length} PDFs`, ...(cpuMs !== null && latencies.length ? [`workers CPU ${(cpuMs / (latencies.length * PAGES)).toFixed(1)} ms/page`] : [])],
      },
    ];
  },
};
