// What the service costs per document: Textract at 0 ms, so the only limit is CPU. The ceiling is
// the same emulator called directly through the same AWS SDK, at the same concurrency and length.
import { summarizeLatencies } from '../loadtest/index.ts';
import { load, loadDetails, openService, type Scenario } from './context.ts';
import { runDirectTextract } from './direct-textract.ts';
import { pngVariants } from './documents.ts';
import { cpuMeter } from './procfs.ts';
import { ratioTo } from './rates.ts';
import { cpuNote, salt } from './scenario-sync.ts';

const OVERHEAD_TARGET = 0.5;

function clientCpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

export const overhead: Scenario = {
  name: 'overhead',
  timeoutMs: (quick) => (quick ? 90_000 : 200_000),
  async run(ctx) {
    const clients = 200;
    const durationMs = ctx.quick ? 6_000 : 30_000;

    // The ceiling first, before the service exists, so that no idle worker takes from it.
    await ctx.emulator.configure({ latencyMs: 0, tps: 0 });
    await ctx.emulator.reset();
    const directDocs = await pngVariants(100, salt(ctx, 'D'));
    ctx.log(`direct SDK ceiling: ${clients} clients for ${durationMs / 1000} s`);
    let emulatorCpu = cpuMeter([ctx.emulator.pid]);
    let clientSince = process.cpuUsage();
    const direct = await runDirectTextract({ endpoint: ctx.emulator.url, concurrency: clients, durationMs, provider: directDocs, signal: ctx.signal });
    const directEmulatorMs = emulatorCpu.read();
    const directClientMs = clientCpuMs(clientSince);
    const directPerSecond = direct.ok / (direct.durationMs / 1000);
    const directLatency = summarizeLatencies(direct.latencies);
    ctx.log(`direct SDK ceiling: ${direct.ok} ok, ${direct.failed} failed, ${directPerSecond.toFixed(0)} docs/s`);
    if (direct.failed > 0) ctx.errors.push(`overhead ceiling: ${direct.failed} direct Textract calls failed: ${JSON.stringify(direct.errors)}`);

    const service = await openService(ctx, 'overhead', { workers: 4, latencyMs: 0, tps: 0 });
    const documents = await pngVariants(100, salt(ctx, 'O'));
    const workers = cpuMeter(service.workerPids());
    emulatorCpu = cpuMeter([ctx.emulator.pid]);
    clientSince = process.cpuUsage();
    const result = await load(ctx, 'through the service', { url: service.url, mode: 'sync', concurrency: clients, durationMs, documents });
    const workerMs = workers.read();
    const serviceEmulatorMs = emulatorCpu.read();
    const serviceClientMs = clientCpuMs(clientSince);
    const s = result.summary;
    const servicePerSecond = s.ok / (s.durationMs / 1000);

    ctx.details.direct = { ...direct, latencies: undefined, latencyMs: directLatency, perSecond: directPerSecond, emulatorCpuMs: directEmulatorMs, clientCpuMs: directClientMs };
    ctx.details.service = { load: loadDetails(result), perSecond: servicePerSecond, workerCpuMs: workerMs, emulatorCpuMs: serviceEmulatorMs, clientCpuMs: serviceClientMs };

    const shared = 'client, emulator, PostgreSQL and service share the cores';
    const setup = `${clients} concurrent clients, ${durationMs / 1000} s, Textract 0 ms, no quota, 100 KB PNG`;
    const perDoc = (ms: number | null, docs: number, who: string) => cpuNote(ms, docs, who);
    return [
      {
        scenario: 'overhead: direct SDK ceiling',
        setup: `${setup}; DetectDocumentText via @aws-sdk/client-textract, keep-alive, maxSockets ${clients}`,
        value: directPerSecond,
        unit: 'docs/s',
        bound: null,
        p50Ms: directLatency?.p50 ?? null,
        p95Ms: directLatency?.p95 ?? null,
        failures: direct.failed,
        notes: [perDoc(directEmulatorMs, direct.ok, 'emulator'), perDoc(directClientMs, direct.ok, 'client')].filter((n): n is string => n !== null),
      },
      {
        scenario: 'overhead: through the service (headline)',
        setup: `WORKERS=4, ${setup}, sync POST /ocr`,
        value: servicePerSecond,
        unit: 'docs/s',
        bound: directPerSecond,
        boundNote: 'the direct SDK ceiling above',
        target: { ratio: OVERHEAD_TARGET, direction: 'at least' },
        p50Ms: s.latencyMs?.p50 ?? null,
        p95Ms: s.latencyMs?.p95 ?? null,
        failures: s.failed,
        notes: [
          perDoc(workerMs, s.ok, '4 workers together'),
          perDoc(serviceEmulatorMs, s.ok, 'emulator'),
          perDoc(serviceClientMs, s.ok, 'client'),
          `ratio ${((ratioTo(servicePerSecond, directPerSecond) ?? 0) * 100).toFixed(0)} % on ${shared}`,
        ].filter((n): n is string => n !== null),
      },
    ];
  },
};
