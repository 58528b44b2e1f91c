// CLI: npm run loadtest -- --url http://host:8080 ... (see USAGE in args.ts). The library parts
// (runLoad, generateDocument, summarize, renderChart) are what the benchmark suite imports.
import { writeFile } from 'node:fs/promises';
import { ArgError, type CliOptions, USAGE, parseArgs } from './args.ts';
import { renderChart } from './chart.ts';
import { DocumentSourceError } from './documents.ts';
import { progressLine } from './progress.ts';
import { formatReport, judge } from './report.ts';
import { LoadOptionsError, runLoad } from './run.ts';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

function usageError(message: string): number {
  process.stderr.write(`loadtest: ${message}\n\n${USAGE}\n`);
  return EXIT_USAGE;
}

async function main(argv: string[]): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseArgs(argv);
  } catch (err) {
    if (err instanceof ArgError) return usageError(err.message);
    throw err;
  }
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }

  const progress = progressLine(process.stderr);
  const stop = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(EXIT_INTERRUPTED);
    stop.abort();
    progress?.clear();
    process.stderr.write('loadtest: stopping, waiting for documents in flight (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);

  let result;
  try {
    result = await runLoad({
      ...cli.load,
      signal: stop.signal,
      onProgress: progress ? (p) => progress.update(p) : undefined,
      progressIntervalMs: 250,
    });
  } catch (err) {
    if (err instanceof DocumentSourceError || err instanceof LoadOptionsError) return usageError(err.message);
    throw err;
  } finally {
    progress?.clear();
    process.off('SIGINT', onSigint);
  }

  const verdict = judge(result, { maxP95Ms: cli.maxP95Ms });
  if (cli.json) {
    const { records, ...rest } = result;
    // Records last, one per line: a 100 000-document file stays greppable and diffable.
    const head = JSON.stringify({ ...rest, verdict }, null, 2).replace(/\n}$/, '');
    const lines = records.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
    await writeFile(cli.json, `${head},\n  "records": [\n${lines}\n  ]\n}\n`);
    process.stderr.write(`loadtest: wrote ${cli.json}\n`);
  }
  if (cli.chart) {
    await writeFile(cli.chart, renderChart(result));
    process.stderr.write(`loadtest: wrote ${cli.chart}\n`);
  }
  process.stdout.write(formatReport(result, verdict));
  if (!verdict.pass) return EXIT_FAILED;
  return result.stoppedBy === 'signal' ? EXIT_INTERRUPTED : EXIT_OK;
}

process.exitCode = await main(process.argv.slice(2));
