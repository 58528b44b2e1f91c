// The two HTTP adapters side by side in one run: the same sync-50, overhead and async-burst loads
// through a service on uWS and one on node:http + ws, so the table says what the portable
// adapter costs. Shorter than the headline scenarios; the rows of one metric sit together.
import { loadConfig } from '../../runtime/config.ts';
import { probeUws } from '../../runtime/http/choose-adapter.ts';
import { summarizeLatencies } from '../loadtest/index.ts';
import { load, loadDetails, openService, type Scenario, type ScenarioContext } from './context.ts';
import { pngVariants } from './documents.ts';
import { JobWatcher, now, Submitter } from './jobs.ts';
import { cpuMeter } from './procfs.ts';
import { littleBoundPerMinute, middleRate, perMinute, steadyWindow } from './rates.ts';
import { errorRow, THROUGHPUT_TARGET } from './rows.ts';
import { cpuNote, salt, TEXTRACT_LATENCY_MS } from './scenario-sync.ts';
import type { BenchRow } from './table.ts';

const ADAPTERS = ['uws', 'node'] as const;
type Adapter = (typeof ADAPTERS)[number];
const QUOTA_TPS = 10;

interface Measured {
  sync: BenchRow;
  overhead: BenchRow;
  accept: BenchRow;
  drain: BenchRow;
}

async function measure(ctx: ScenarioContext, adapter: Adapter): Promise<Measured> {
  const syncMs = ctx.quick ? 8_000 : 30_000;
  const overheadMs = ctx.quick ? 5_000 : 15_000;
  const jobs = ctx.quick ? 40 : 300;
  const tag = adapter === 'uws' ? 'U' : 'N';
  const env = { HTTP_ADAPTER: adapter };

  // sync-50 and overhead share one service (no quota); the emulator's latency changes between.
  const service = await openService(ctx, `adapters-${adapter}`, { workers: 4, latencyMs: TEXTRACT_LATENCY_MS, tps: 0, env });
  let cpu = cpuMeter(service.workerPids());
  const sync = await load(ctx, `${adapter} sync-50`, { url: service.url, mode: 'sync', concurrency: 50, durationMs: syncMs, documents: await pngVariants(100, salt(ctx, `${tag}S`)) });
  const syncCpu = cpu.read();
  const window = steadyWindow(sync.records, TEXTRACT_LATENCY_MS);

  await ctx.emulator.configure({ latencyMs: 0, tps: 0 });
  cpu = cpuMeter(service.workerPids());
  const over = await load(ctx, `${adapter} overhead`, { url: service.url, mode: 'sync', concurrency: 200, durationMs: overheadMs, documents: await pngVariants(100, salt(ctx, `${tag}O`)) });
  const overCpu = cpu.read();
  const overPerSecond = over.summary.ok / (over.summary.durationMs / 1000);

  // The async path on a service of its own, under the 10 TPS quota.
  const queued = await openService(ctx, `adapters-${adapter}-async`, { workers: 4, latencyMs: TEXTRACT_LATENCY_MS, tps: QUOTA_TPS, env });
  const submitter = new Submitter(queued.url, 50);
  const watcher = new JobWatcher(queued.url, 1);
  ctx.cleanup.defer(`close ${adapter} job clients`, async () => {
    await watcher.close();
    await submitter.close();
  });
  await watcher.open();
  cpu = cpuMeter(queued.workerPids());
  const provider = await pngVariants(100, salt(ctx, `${tag}A`));
  const subs = await submitter.burst(jobs, 50, provider, (s) => watcher.watch(s.jobId!), ctx.signal);
  const accepted = subs.filter((s) => s.acceptedAt !== null);
  const firstSent = Math.min(...subs.map((s) => s.sentAt));
  const submitMs = Math.max(...accepted.map((s) => s.acceptedAt!)) - firstSent;
  await watcher.waitAll(submitter, now() + (jobs / QUOTA_TPS) * 1500 + 60_000, ctx.signal);
  const asyncCpu = cpu.read();
  const finals = subs.map((s) => (s.jobId ? watcher.times(s.jobId) : undefined)).filter((t) => t?.status === 'succeeded' && t.finalAt !== null).map((t) => t!.finalAt!);
  const failedJobs = subs.length - finals.length;
  if (failedJobs > 0) ctx.errors.push(`adapters (${adapter}): ${failedJobs} of ${subs.length} jobs did not succeed`);
  const drain = middleRate(finals);
  const submitLatency = summarizeLatencies(accepted.map((s) => s.latencyMs));
  ctx.details[adapter] = { sync: loadDetails(sync), syncCpuMs: syncCpu, overhead: loadDetails(over), overheadCpuMs: overCpu, async: { jobs, accepted: accepted.length, submitMs, drain, cpuMs: asyncCpu } };

  const label = adapter === 'uws' ? 'uWS' : 'node:http + ws';
  const s = sync.summary;
  const o = over.summary;
  return {
    sync: {
      scenario: `adapters: sync-50, ${label}`,
      setup: `HTTP_ADAPTER=${adapter}, WORKERS=4, 50 sync clients, ${syncMs / 1000} s, Textract 2,400 ms, 100 KB PNG`,
      value: window?.perMinute ?? null,
      unit: 'docs/min',
      bound: littleBoundPerMinute(50, TEXTRACT_LATENCY_MS),
      boundNote: "Little's law 50 / 2.4 s",
      target: THROUGHPUT_TARGET,
      p50Ms: s.latencyMs?.p50 ?? null,
      p95Ms: s.latencyMs?.p95 ?? null,
      failures: s.failed,
      notes: ['steady state', cpuNote(syncCpu, s.ok)].filter((n): n is string => n !== null),
    },
    overhead: {
      scenario: `adapters: overhead, ${label}`,
      setup: `HTTP_ADAPTER=${adapter}, WORKERS=4, 200 clients, ${overheadMs / 1000} s, Textract 0 ms, 100 KB PNG`,
      value: overPerSecond,
      unit: 'docs/s',
      bound: null,
      p50Ms: o.latencyMs?.p50 ?? null,
      p95Ms: o.latencyMs?.p95 ?? null,
      failures: o.failed,
      notes: [cpuNote(overCpu, o.ok, '4 workers together')].filter((n): n is string => n !== null),
    },
    accept: {
      scenario: `adapters: async submit, ${label}`,
      setup: `HTTP_ADAPTER=${adapter}, ${jobs} × 100 KB PNG, POST /ocr/async 50 at a time`,
      value: perMinute(accepted.length, submitMs) / 60,
      unit: 'docs/s',
      bound: null,
      p50Ms: submitLatency?.p50 ?? null,
      p95Ms: submitLatency?.p95 ?? null,
      failures: subs.length - accepted.length,
      notes: ['p50/p95: the 202 latency'],
    },
    drain: {
      scenario: `adapters: async drain, ${label}`,
      setup: `HTTP_ADAPTER=${adapter}, TEXTRACT_TPS=10, emulator --tps 10, Textract 2,400 ms, ${jobs} jobs, WebSocket push`,
      value: drain?.perMinute ?? null,
      unit: 'docs/min',
      bound: QUOTA_TPS * 60,
      boundNote: 'the quota, 10 TPS',
      target: THROUGHPUT_TARGET,
      p50Ms: null,
      p95Ms: null,
      failures: failedJobs,
      notes: [drain ? `middle 80 % of completions: ${drain.ok} jobs` : 'too few completions for a rate', cpuNote(asyncCpu, finals.length)].filter(
        (n): n is string => n !== null,
      ),
    },
  };
}

export const adapters: Scenario = {
  name: 'adapters',
  timeoutMs: (quick) => (quick ? 240_000 : 600_000),
  async run(ctx) {
    const results = new Map<Adapter, Measured>();
    for (const adapter of ADAPTERS) {
      if (adapter === 'uws') {
        const probe = probeUws(loadConfig().uwsModule);
        if (!probe.loaded) {
          ctx.log(`uws: skipped, ${probe.reason}`);
          continue;
        }
      }
      results.set(adapter, await measure(ctx, adapter));
    }
    const rows: BenchRow[] = [];
    for (const metric of ['sync', 'overhead', 'accept', 'drain'] as const) {
      const uws = results.get('uws')?.[metric];
      const node = results.get('node')?.[metric];
      rows.push(uws ?? errorRow(`adapters: ${metric}, uWS`, '-', `not run: uWS cannot run on Node ${process.versions.node}`));
      // Where there is no bound of its own, the node row is held against the uWS row.
      if (node && uws && node.bound === null && uws.value !== null) rows.push({ ...node, bound: uws.value, boundNote: 'the uWS row above' });
      else if (node) rows.push(node);
    }
    return rows;
  },
};
