// CLI: npm run emulator -- --port 9400 --latency-ms 2400 --tps 10 --fail-rate 0
import { parseArgs } from 'node:util';
import { LATENCY_DISTS, type LatencyDist } from './latency.ts';
import { startEmulator, type EmulatorOptions } from './server.ts';

const USAGE = `Usage: npm run emulator -- [options]

A local Amazon Textract (DetectDocumentText, AnalyzeDocument with TABLES, FORMS, QUERIES, SIGNATURES and
LAYOUT, AnalyzeExpense, AnalyzeID) for tests and benchmarks.

  --port N               port to listen on; 0 picks a free one (default 9400)
  --host H               address to bind (default 127.0.0.1)
  --latency-ms MS        mean latency of each answered call (default 0)
  --latency-dist D       ${LATENCY_DISTS.join(' | ')} (default fixed)
  --latency-spread-ms MS half-width (uniform) or standard deviation (normal, lognormal); default mean/4
  --tps N                quota of each API (its own bucket, like Textract's TPS limits); 0 = unlimited (default 0)
  --detect-tps N         DetectDocumentText quota, overriding --tps
  --analyze-tps N        AnalyzeDocument quota, overriding --tps
  --expense-tps N        AnalyzeExpense quota, overriding --tps
  --id-tps N             AnalyzeID quota, overriding --tps
  --fail-rate R          0..1 fraction of calls failing with InternalServerError or ThrottlingException
  --seed N               seed for latencies and faults (default 1)
  --help                 show this text

Latency, faults and document markers (DTAT-EMULATOR:BAD_DOCUMENT | INTERNAL_ERROR | THROTTLE in the
bytes) apply to every API. Images have no text layer: they read as pseudo text led by DOC-<sha8>,
then one line per DTAT-LABEL[...] marker in the bytes.

Admin: GET /__stats (per API), POST /__reset, GET|POST /__config (JSON patch of the options).`;

function fail(message: string): never {
  process.stderr.write(`emulator: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function number(name: string, raw: string | undefined, check: (n: number) => boolean, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) fail(`--${name} must be ${what}, got "${raw}"`);
  return n;
}

function parse(argv: string[]): EmulatorOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'latency-ms': { type: 'string' },
        'latency-dist': { type: 'string' },
        'latency-spread-ms': { type: 'string' },
        tps: { type: 'string' },
        'detect-tps': { type: 'string' },
        'analyze-tps': { type: 'string' },
        'expense-tps': { type: 'string' },
        'id-tps': { type: 'string' },
        'fail-rate': { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const nonNegative = (n: number): boolean => n >= 0;
  const dist = values['latency-dist'] ?? 'fixed';
  if (!LATENCY_DISTS.includes(dist as LatencyDist)) fail(`--latency-dist must be one of ${LATENCY_DISTS.join(', ')}, got "${dist}"`);
  const meanMs = number('latency-ms', values['latency-ms'], nonNegative, 'a non-negative number') ?? 0;
  const spreadMs = number('latency-spread-ms', values['latency-spread-ms'], nonNegative, 'a non-negative number');
  return {
    port: number('port', values.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer 0..65535') ?? 9400,
    host: values.host ?? '127.0.0.1',
    latency: { dist: dist as LatencyDist, meanMs, ...(spreadMs === undefined ? {} : { spreadMs }) },
    tps: number('tps', values.tps, nonNegative, 'a non-negative number'),
    detectTps: number('detect-tps', values['detect-tps'], nonNegative, 'a non-negative number'),
    analyzeTps: number('analyze-tps', values['analyze-tps'], nonNegative, 'a non-negative number'),
    expenseTps: number('expense-tps', values['expense-tps'], nonNegative, 'a non-negative number'),
    idTps: number('id-tps', values['id-tps'], nonNegative, 'a non-negative number'),
    failRate: number('fail-rate', values['fail-rate'], (n) => n >= 0 && n <= 1, 'a number in 0..1'),
    seed: number('seed', values.seed, Number.isInteger, 'an integer'),
  };
}

const options = parse(process.argv.slice(2));
const emulator = await startEmulator(options).catch((err: Error) => fail(`cannot listen: ${err.message}`));
const { latency, tps, detectTps, analyzeTps, expenseTps, idTps, failRate, seed } = options;
process.stdout.write(`Textract emulator listening on ${emulator.url} ${JSON.stringify({ latency, tps, detectTps, analyzeTps, expenseTps, idTps, failRate, seed })}\n`);

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  emulator.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
