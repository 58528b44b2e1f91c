// Synchronous POST /ocr under a closed loop: the old system's shape (baseline), 50 and 200
// concurrent clients against a 2.4 s Textract, and the workers' memory around the 200-client run.
import { loadDetails, load, openService, sleep, type Scenario, type ScenarioContext } from './context.ts';
import { pngVariants } from './documents.ts';
import { cpuMeter, memorySum, type MemorySum } from './procfs.ts';
import { littleBoundPerMinute } from './rates.ts';
import { closedLoopRows, THROUGHPUT_TARGET } from './rows.ts';
import type { BenchRow } from './table.ts';

export const TEXTRACT_LATENCY_MS = 2_400;
const IDLE_SETTLE_MS = 5_000;
const MEMORY_TARGET_MB = 240;

export function salt(ctx: ScenarioContext, tag: string): string {
  return `${tag}${ctx.stamp.replace(/\D/g, '').slice(-8)}`;
}

export function cpuNote(cpuMs: number | null, docs: number, who = 'workers'): string | null {
  if (cpuMs === null || docs === 0) return null;
  const perDoc = cpuMs / docs;
  return `${who} CPU ${perDoc >= 100 ? perDoc.toFixed(0) : perDoc.toFixed(2)} ms/doc`;
}

export const baseline: Scenario = {
  name: 'baseline',
  timeoutMs: (quick) => (quick ? 90_000 : 180_000),
  async run(ctx) {
    const docs = ctx.quick ? 2 : 12;
    const service = await openService(ctx, 'baseline', { workers: 1, latencyMs: TEXTRACT_LATENCY_MS, tps: 0 });
    const result = await load(ctx, 'load', {
      url: service.url,
      mode: 'sync',
      concurrency: 1,
      docs,
      documents: await pngVariants(100, salt(ctx, 'B')),
    });
    ctx.details.load = loadDetails(result);
    const s = result.summary;
    return [
      {
        scenario: 'baseline',
        setup: `WORKERS=1, 1 sync client, ${docs} docs, Textract 2,400 ms, no quota, 100 KB PNG`,
        value: s.docsPerMinute,
        unit: 'docs/min',
        bound: littleBoundPerMinute(1, TEXTRACT_LATENCY_MS),
        boundNote: '60 s / 2.4 s',
        target: THROUGHPUT_TARGET,
        p50Ms: s.latencyMs?.p50 ?? null,
        p95Ms: s.latencyMs?.p95 ?? null,
        failures: s.failed,
        notes: ["the old system's shape: one document at a time"],
      },
    ];
  },
};

export const sync50: Scenario = {
  name: 'sync-50',
  timeoutMs: (quick) => (quick ? 90_000 : 240_000),
  async run(ctx) {
    const clients = 50;
    const durationMs = ctx.quick ? 10_000 : 60_000;
    const service = await openService(ctx, 'sync-50', { workers: 4, latencyMs: TEXTRACT_LATENCY_MS, tps: 0 });
    const cpu = cpuMeter(service.workerPids());
    const result = await load(ctx, 'load', {
      url: service.url,
      mode: 'sync',
      concurrency: clients,
      durationMs,
      documents: await pngVariants(100, salt(ctx, 'S')),
    });
    const cpuMs = cpu.read();
    ctx.details.load = loadDetails(result);
    ctx.details.workerCpuMs = cpuMs;
    const note = cpuNote(cpuMs, result.summary.ok);
    return closedLoopRows('sync-50', `WORKERS=4, ${clients} sync clients, ${durationMs / 1000} s, Textract 2,400 ms, no quota, 100 KB PNG`, result, {
      skipMs: TEXTRACT_LATENCY_MS,
      bound: littleBoundPerMinute(clients, TEXTRACT_LATENCY_MS),
      boundNote: "Little's law 50 / 2.4 s",
      extraNotes: note ? [note] : [],
    });
  },
};

function memoryNotes(m: MemorySum): string[] {
  const each = m.perWorker.map((w) => (w.rssMb === null ? '-' : w.rssMb.toFixed(0))).join(' + ');
  return [`PSS ${m.pssMb === null ? '-' : m.pssMb.toFixed(0)} MB`, `RSS per worker ${each} MB`];
}

/** sync-200 also yields the memory rows: idle before its load, and at its end. */
export const sync200: Scenario = {
  name: 'sync-200',
  covers: ['memory'],
  timeoutMs: (quick) => (quick ? 120_000 : 300_000),
  async run(ctx) {
    const clients = 200;
    const durationMs = ctx.quick ? 8_000 : 60_000;
    const service = await openService(ctx, 'sync-200', {
      workers: 4,
      latencyMs: TEXTRACT_LATENCY_MS,
      tps: 0,
      // 200 connections spread unevenly over 4 processes by SO_REUSEPORT; 100 each never queues.
      env: { ENGINE_CONCURRENCY: '100' },
    });
    const documents = await pngVariants(1024, salt(ctx, 'M'));
    const settleMs = ctx.quick ? 3_000 : IDLE_SETTLE_MS;
    await sleep(settleMs, ctx.signal);
    const idle = memorySum(service.workerPids());
    const cpu = cpuMeter(service.workerPids());
    const result = await load(ctx, 'load', { url: service.url, mode: 'sync', concurrency: clients, durationMs, documents });
    const cpuMs = cpu.read();
    const end = memorySum(service.workerPids());
    ctx.details.load = loadDetails(result);
    ctx.details.workerCpuMs = cpuMs;
    ctx.details.memory = { idle, end };
    const note = cpuNote(cpuMs, result.summary.ok);
    const rows: BenchRow[] = closedLoopRows(
      'sync-200',
      `WORKERS=4, ENGINE_CONCURRENCY=100, ${clients} sync clients, ${durationMs / 1000} s, Textract 2,400 ms, no quota, 1 MB PNG`,
      result,
      {
        skipMs: TEXTRACT_LATENCY_MS,
        bound: littleBoundPerMinute(clients, TEXTRACT_LATENCY_MS),
        boundNote: "Little's law 200 / 2.4 s",
        extraNotes: note ? [note] : [],
      },
    );
    const memoryRow = (scenario: string, setup: string, m: MemorySum, withTarget: boolean): BenchRow => ({
      scenario,
      setup,
      value: m.rssMb,
      unit: 'MB RSS',
      bound: withTarget ? MEMORY_TARGET_MB : null,
      boundNote: withTarget ? 'target for 4 idle workers' : undefined,
      target: withTarget ? { ratio: 1, direction: 'at most' } : undefined,
      p50Ms: null,
      p95Ms: null,
      failures: 0,
      notes: memoryNotes(m),
    });
    rows.push(
      memoryRow('memory idle', `4 workers of the sync-200 service, ${settleMs / 1000} s after ready, sum`, idle, true),
      memoryRow('memory after sync-200', '4 workers at the end of sync-200, sum', end, false),
    );
    return rows;
  },
};
