// What a scenario is handed: the shared emulator and database server, its own cleanup list and
// stop signal, and helpers that start a fresh service on a fresh database and run the load tester.
import type { ScenarioName } from './args.ts';
import type { Cleanup } from './cleanup.ts';
import { databaseName, type DatabaseServer } from './database.ts';
import type { EmulatorProcess } from './emulator.ts';
import { runLoad, type LoadOptions, type LoadResult } from '../loadtest/index.ts';
import { type RunningService, startService } from '../lib/launch-service.ts';
import { trackPid } from './cleanup.ts';
import type { BenchRow } from './table.ts';

export interface ScenarioContext {
  quick: boolean;
  /** The run's timestamp: database names and document salts. */
  stamp: string;
  emulator: EmulatorProcess;
  database: DatabaseServer;
  /** Scenario-scoped: the service and its database are stopped and dropped here, in any outcome. */
  cleanup: Cleanup;
  /** Aborted on Ctrl-C or when the scenario's time is up: stop starting work. */
  signal: AbortSignal;
  /** Problems that must fail the run (a crash, failed requests) even when rows were produced. */
  errors: string[];
  /** Raw measurements for the JSON file. */
  details: Record<string, unknown>;
  log(message: string): void;
}

export interface Scenario {
  name: ScenarioName;
  /** Other names this scenario also answers (memory is measured during sync-200). */
  covers?: ScenarioName[];
  /** Left out of a quick run of every scenario (CI's); still runs when named with --only. */
  notInQuickRun?: boolean;
  /** Hard limit; the run moves on (and fails) when a scenario exceeds it. */
  timeoutMs(quick: boolean): number;
  run(ctx: ScenarioContext): Promise<BenchRow[]>;
}

export interface ServiceSetup {
  workers: number;
  /** Emulator latency and quota for this scenario; ignored for the local engine. */
  latencyMs: number;
  tps: number;
  env?: Record<string, string>;
  /** A local OCR engine (OCR_ENGINE=paddle or tesseract) with no Textract endpoint. */
  localEngine?: 'paddle' | 'tesseract' | string;
}

/** A fresh database and a fresh service (both undone by ctx.cleanup), the emulator set and reset. */
export async function openService(ctx: ScenarioContext, name: string, setup: ServiceSetup): Promise<RunningService> {
  if (!setup.localEngine) {
    await ctx.emulator.configure({ latencyMs: setup.latencyMs, tps: setup.tps });
    await ctx.emulator.reset();
  }
  const db = await ctx.database.create(databaseName(name, ctx.stamp));
  ctx.cleanup.defer(`drop database of ${name}`, db.drop);
  const engineEnv: Record<string, string> = setup.localEngine
    ? { OCR_ENGINE: setup.localEngine, TEXTRACT_ENDPOINT: '', TEXTRACT_TPS: '0' }
    : { OCR_ENGINE: 'textract', TEXTRACT_ENDPOINT: ctx.emulator.url, TEXTRACT_TPS: String(setup.tps) };
  const started = performance.now();
  const service = await startService({ databaseUrl: db.url, workers: setup.workers, env: { ...engineEnv, ...setup.env }, trackPid });
  ctx.log(`service ready in ${((performance.now() - started) / 1000).toFixed(1)} s (${setup.workers} worker(s), pids ${service.workerPids().join(',')})`);
  ctx.cleanup.defer(`stop service of ${name}`, async () => {
    const code = await service.stop();
    if (service.logTail().trim()) ctx.details.serviceLog = service.logTail();
    if (service.restarts() > 0) ctx.errors.push(`${name}: ${service.restarts()} worker process(es) died and were replaced:\n${service.logTail()}`);
    if (code !== 0) ctx.errors.push(`${name}: the launcher exited with ${code}:\n${service.logTail()}`);
  });
  return service;
}

/** runLoad bound to the scenario's stop signal, with a progress line every 10 s. */
export async function load(ctx: ScenarioContext, label: string, options: Omit<LoadOptions, 'signal'>): Promise<LoadResult> {
  ctx.log(`${label}: starting`);
  const result = await runLoad({
    ...options,
    signal: ctx.signal,
    progressIntervalMs: 10_000,
    onProgress: (p) => {
      if (p.elapsedMs < 9_000) return;
      ctx.log(`${label}: ${p.done} done, ${p.failed} failed, ${p.inFlight} in flight, ${(p.elapsedMs / 1000).toFixed(0)} s`);
    },
  });
  const s = result.summary;
  ctx.log(`${label}: ${s.ok} ok, ${s.failed} failed in ${(s.durationMs / 1000).toFixed(1)} s`);
  if (s.failed > 0) {
    const groups = s.failures.map((g) => `${g.count}× ${g.status ?? '-'} ${g.errorCode ?? '-'}${g.jobFailed ? ' (job failed)' : ''}`);
    ctx.errors.push(`${label}: ${s.failed} of ${s.docs} requests failed: ${groups.join(', ')}`);
  }
  return result;
}

/** What the JSON keeps of a load result: everything but the per-request records. */
export function loadDetails(result: LoadResult): Omit<LoadResult, 'records'> {
  const { records: _records, ...rest } = result;
  return rest;
}

/** "3× 502 UPSTREAM_ERROR, 1× - CLIENT_TIMEOUT" for a row's notes. */
export function failureNote(result: LoadResult): string | null {
  const groups = result.summary.failures;
  if (groups.length === 0) return null;
  return `failures: ${groups.map((g) => `${g.count}× ${g.status ?? '-'} ${g.errorCode ?? '-'}`).join(', ')}`;
}

export { sleepUntil as sleep } from '../loadtest/run.ts';
