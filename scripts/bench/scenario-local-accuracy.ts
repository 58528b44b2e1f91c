// The local engine on real documents (issue 13): every document of the evaluation set posted to
// POST /ocr one at a time, the words found compared with the words Amazon Textract found in the
// same file. Per document: recall, precision, and the worker process's CPU time for the request
// and its child process (the recognising process). Also the worker's memory (PSS) idle and while reading.
// LOCAL_ENGINE=tesseract measures the other engine.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { MEDIA_TYPES } from '../../runtime/documents/detect.ts';
import { type Scenario, openService } from './context.ts';
import { proseDocument } from './documents.ts';
import { loadEvaluationSet, type EvaluationDocument } from './local-accuracy-set.ts';
import { memorySum, totalCpuMs, withChildren } from './procfs.ts';
import { errorRow } from './rows.ts';
import { salt } from './scenario-sync.ts';
import type { BenchRow } from './table.ts';
import { matchWords, sumMatches, type WordMatch } from './word-match.ts';

const PAGE_TIMEOUT_MS = 180_000;
/** Short, so the run sees the pool shrink and measures the memory given back. */
const IDLE_MS = 5_000;
const QUICK_SET = ['single-page-1.png', 'receipt.jpg', 'reading_order.pdf'];
/** The bar of issue 13. */
const TARGET = { recall: 0.9, precision: 0.9, worstRecall: 0.6 };

interface Measured {
  doc: EvaluationDocument;
  match: WordMatch;
  wallMs: number;
  cpuMs: number | null;
  pages: number;
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function post(url: string, doc: EvaluationDocument): Promise<{ status: number; body: any }> {
  const res = await request(`${url}/ocr?filename=${encodeURIComponent(doc.name)}`, {
    method: 'POST',
    headers: { 'content-type': MEDIA_TYPES[doc.kind] },
    body: doc.bytes,
    headersTimeout: PAGE_TIMEOUT_MS,
    bodyTimeout: PAGE_TIMEOUT_MS,
  });
  return { status: res.statusCode, body: await res.body.json().catch(() => null) };
}

export const localAccuracy: Scenario = {
  name: 'local-accuracy',
  timeoutMs: () => 900_000,
  async run(ctx) {
    const engine = process.env.LOCAL_ENGINE || 'paddle';
    // The quick run (CI) checks the path works on one document of each kind, not the figures.
    const docs = loadEvaluationSet(ctx.quick ? QUICK_SET : undefined);
    const setup = `OCR_ENGINE=${engine}, WORKERS=1, one request at a time; ${docs.length} real documents (test/fixtures/local-ocr) against Textract's WORD blocks`;
    const service = await openService(ctx, 'local-accuracy', { workers: 1, latencyMs: 0, tps: 0, localEngine: engine, env: { SYNC_TIMEOUT_MS: String(PAGE_TIMEOUT_MS), LOCAL_ENGINE_IDLE_MS: String(IDLE_MS) } });
    // The worker and the local engine's child process (paddle reads pages in one).
    const pids = () => withChildren(service.workerPids());
    const idleBefore = memorySum(pids()).pssMb;

    // Not counted: the first page loads the models (a generated page, so no real document's
    // result is cached by it).
    const prose = await proseDocument(salt(ctx, 'A'), 0);
    const warm = await post(service.url, { name: prose.filename, kind: 'pdf', bytes: prose.bytes, textractText: '' });
    if (warm.status !== 200) return [errorRow('local-accuracy', setup, `warm-up answered ${warm.status}: ${JSON.stringify(warm.body?.error ?? warm.body)}`, '% recall')];
    const idleLoaded = memorySum(pids()).pssMb;

    let peakPss = 0;
    const sampler = setInterval(() => (peakPss = Math.max(peakPss, memorySum(pids()).pssMb ?? 0)), 200);
    const measured: Measured[] = [];
    try {
      for (const doc of docs) {
        if (ctx.signal.aborted) break;
        const processes = pids();
        const cpuBefore = totalCpuMs(processes);
        const started = performance.now();
        const res = await post(service.url, doc);
        const wallMs = performance.now() - started;
        const cpuAfter = totalCpuMs(processes);
        if (res.status !== 200) {
          ctx.errors.push(`${doc.name}: ${res.status} ${JSON.stringify(res.body?.error ?? res.body)}`);
          continue;
        }
        const match = matchWords(doc.textractText, res.body.text);
        const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
        measured.push({ doc, match, wallMs, cpuMs, pages: res.body.pageCount });
        ctx.log(`${doc.name}: recall ${pct(match.recall)}, precision ${pct(match.precision)}, CPU ${cpuMs?.toFixed(0) ?? '-'} ms, wall ${wallMs.toFixed(0)} ms`);
      }
    } finally {
      clearInterval(sampler);
    }
    await sleep(IDLE_MS + 2_000, undefined, { signal: ctx.signal }).catch(() => {});
    const idleShrunk = memorySum(pids()).pssMb;
    const rows: BenchRow[] = measured.map(({ doc, match, wallMs, cpuMs }) => ({
      scenario: `local-accuracy: ${doc.name}`,
      setup: `${doc.kind.toUpperCase()}, ${match.expected} Textract words`,
      value: Math.round(match.recall * 1000) / 10,
      unit: '% recall',
      bound: null,
      p50Ms: null,
      p95Ms: null,
      failures: 0,
      checks: [{ label: `recall ≥ ${pct(TARGET.worstRecall)}`, ok: match.recall >= TARGET.worstRecall }],
      notes: [`precision ${pct(match.precision)}`, `CPU ${cpuMs?.toFixed(0) ?? '-'} ms`, `wall ${wallMs.toFixed(0)} ms`],
    }));
    const total = sumMatches(measured.map((m) => m.match));
    const cpu = measured.map((m) => m.cpuMs).filter((v): v is number => v !== null);
    // The speed bound is per A4/Letter page at 300 DPI: the PDFs, which the engine draws at 300 DPI.
    const pdfCpu = measured.filter((m) => m.doc.kind === 'pdf').map((m) => (m.cpuMs ?? 0) / m.pages);
    const worst = measured.reduce<Measured | null>((w, m) => (!w || m.match.recall < w.match.recall ? m : w), null);
    const ms = (v: number | null) => (v === null ? '-' : `${v.toFixed(0)} ms`);
    rows.push({
      scenario: 'local-accuracy: overall',
      setup,
      value: Math.round(total.recall * 1000) / 10,
      unit: '% recall',
      bound: null,
      p50Ms: percentile(measured.map((m) => m.wallMs), 0.5),
      p95Ms: percentile(measured.map((m) => m.wallMs), 0.95),
      failures: docs.length - measured.length,
      checks: [
        { label: `recall ≥ ${pct(TARGET.recall)}`, ok: total.recall >= TARGET.recall },
        { label: `precision ≥ ${pct(TARGET.precision)}`, ok: total.precision >= TARGET.precision },
        { label: `no document below ${pct(TARGET.worstRecall)} recall`, ok: (worst?.match.recall ?? 0) >= TARGET.worstRecall },
      ],
      notes: [
        `precision ${pct(total.precision)} (${total.matched} of ${total.found} words found; Textract ${total.expected})`,
        `worst recall ${worst ? `${pct(worst.match.recall)} (${worst.doc.name})` : '-'}`,
        `worker CPU per document p50 ${ms(percentile(cpu, 0.5))} / p95 ${ms(percentile(cpu, 0.95))}; per 300-DPI PDF page p50 ${ms(percentile(pdfCpu, 0.5))} / p95 ${ms(percentile(pdfCpu, 0.95))}`,
        `worker PSS: ${idleBefore?.toFixed(0) ?? '-'} MB before the first page, ${idleLoaded?.toFixed(0) ?? '-'} MB idle with the models loaded, ${peakPss.toFixed(0)} MB peak while reading, ${idleShrunk?.toFixed(0) ?? '-'} MB after the idle engine process ended`,
      ],
    });
    ctx.details.localAccuracy = measured.map((m) => ({ name: m.doc.name, ...m.match, wallMs: m.wallMs, cpuMs: m.cpuMs }));
    ctx.details.memoryPssMb = { idleBefore, idleLoaded, peakPss, idleShrunk };
    return rows;
  },
};
