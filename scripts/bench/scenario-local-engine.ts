// OCR without Textract: the local engine (LOCAL_ENGINE, default paddle) in the one worker
// process, which gets every core (cores / WORKERS). Printed prose pages, two at a time: pages per
// minute on this machine.
import { request } from 'undici';
import type { LoadDocument } from '../loadtest/index.ts';
import { failureNote, load, loadDetails, openService, type Scenario } from './context.ts';
import { PROSE_WORDS, proseDocument } from './documents.ts';
import { cpuMeter, withChildren } from './procfs.ts';
import { errorRow } from './rows.ts';
import { cpuNote, salt } from './scenario-sync.ts';

const CONCURRENCY = 2;
const PAGE_TIMEOUT_MS = 180_000;

/** The service's own words for a refused page, which the load tester reduces to a code. */
async function firstError(url: string, document: LoadDocument): Promise<string> {
  try {
    const res = await request(`${url}/ocr?filename=${encodeURIComponent(document.filename)}`, {
      method: 'POST',
      headers: { 'content-type': document.contentType },
      body: document.bytes,
      headersTimeout: PAGE_TIMEOUT_MS,
      bodyTimeout: PAGE_TIMEOUT_MS,
    });
    const body = (await res.body.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    return `${res.statusCode} ${body?.error?.code ?? ''} ${body?.error?.message ?? ''}`.trim();
  } catch (err) {
    return `request failed: ${(err as Error).message}`;
  }
}

export const localEngine: Scenario = {
  name: 'local-engine',
  timeoutMs: (quick) => (quick ? 150_000 : 400_000),
  async run(ctx) {
    const pages = ctx.quick ? 2 : 8;
    const engine = process.env.LOCAL_ENGINE || 'paddle';
    const setup = `OCR_ENGINE=${engine}, WORKERS=1 (cores/WORKERS cores), ${CONCURRENCY} sync clients, ${pages} one-page PDFs of ~${PROSE_WORDS} words`;
    const service = await openService(ctx, 'local-engine', {
      workers: 1,
      latencyMs: 0,
      tps: 0,
      localEngine: engine,
      env: { SYNC_TIMEOUT_MS: String(PAGE_TIMEOUT_MS) },
    });
    const tag = salt(ctx, 'L');
    const documents = await Promise.all(Array.from({ length: pages + CONCURRENCY }, (_, i) => proseDocument(tag, i)));

    // One page per client first, not counted: the engine loads its models once.
    const warm = await load(ctx, 'warm-up', {
      url: service.url,
      mode: 'sync',
      concurrency: CONCURRENCY,
      docs: CONCURRENCY,
      timeoutMs: PAGE_TIMEOUT_MS,
      documents: (seq) => documents[seq],
    });
    if (warm.summary.ok === 0) {
      const why = await firstError(service.url, documents[0]);
      ctx.details.warmUp = loadDetails(warm);
      return [{ ...errorRow('local-engine', setup, `the ${engine} path failed: ${why}`, 'pages/min'), failures: warm.summary.failed }];
    }
    // The worker and the local engine's child process, started by the warm-up.
    const cpu = cpuMeter(withChildren(service.workerPids()));
    const result = await load(ctx, 'measured', {
      url: service.url,
      mode: 'sync',
      concurrency: CONCURRENCY,
      docs: pages,
      timeoutMs: PAGE_TIMEOUT_MS,
      documents: (seq) => documents[CONCURRENCY + seq],
    });
    const cpuMs = cpu.read();
    ctx.details.warmUp = loadDetails(warm);
    ctx.details.load = loadDetails(result);
    ctx.details.workerCpuMs = cpuMs;
    const s = result.summary;
    const failures = failureNote(result);
    const notes = [
      `warm-up (not counted): ${warm.summary.ok} pages, p50 ${warm.summary.latencyMs?.p50.toFixed(0) ?? '-'} ms`,
      ...(failures ? [failures, await firstError(service.url, documents[CONCURRENCY])] : []),
    ];
    const cpuText = cpuNote(cpuMs, s.ok);
    if (cpuText) notes.push(cpuText.replace('ms/doc', 'ms/page'));
    return [
      {
        scenario: 'local-engine',
        setup,
        value: s.docsPerMinute,
        unit: 'pages/min',
        bound: null,
        p50Ms: s.latencyMs?.p50 ?? null,
        p95Ms: s.latencyMs?.p95 ?? null,
        failures: s.failed,
        notes,
      },
    ];
  },
};
