// Command line of `npm run bench`: which scenarios, full or quick. Mistakes are ArgErrors so the
// CLI exits 2 before it starts anything.

export const SCENARIOS = [
  'baseline',
  'sync-50',
  'sync-200',
  'async-burst',
  'boomi',
  'overhead',
  'memory',
  'pdf-20',
  'local-engine',
  'local-accuracy',
  'expense',
  'searchable-pdf',
  'adapters',
  'versus',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const USAGE = `Usage: npm run bench -- [--quick] [--only a,b] [--help]

Starts what it needs on free local ports (PostgreSQL unless DATABASE_URL is set, the Textract
emulator, the service per scenario), runs the scenarios, prints a markdown table and writes
bench/results/<timestamp>.json and .md.

  --quick        a short version of every scenario but versus (CI smoke; name versus with --only to run it)
  --only LIST    comma-separated scenario names: ${SCENARIOS.join(', ')}
                 (memory is measured during sync-200, so either one runs that service)
                 versus: the service against the FastAPI peer (shared/peers/fastapi-ocr, or
                 PEER_DIR) in alternating rounds; skipped with a note when the peer or its
                 Python packages are missing. VERSUS_ROUNDS (default 3), VERSUS_LOADS
                 (sparse,dense,async,cache), VERSUS_ENV="K=V ..." for the service;
                 VERSUS_AGAINST=<checkout> (and VERSUS_AGAINST_ENV) compares with another
                 checkout of the service instead of the peer, to measure one change alone
  -h, --help     print this help

Exit status: 0 when every component started and every request and job succeeded; 1 on an error
or a failed request/job; 2 bad arguments; 130 interrupted. Throughput, latency and memory below
their targets never fail the run: the table says "below target".`;

export class ArgError extends Error {}

export interface BenchArgs {
  help: boolean;
  quick: boolean;
  /** Null: every scenario. */
  only: ScenarioName[] | null;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { help: false, quick: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') args.help = true;
    else if (arg === '--quick') args.quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (value === undefined || value.trim() === '') throw new ArgError('--only needs a comma-separated list of scenarios');
      const names = value.split(',').map((s) => s.trim()).filter(Boolean);
      for (const name of names) {
        if (!(SCENARIOS as readonly string[]).includes(name)) {
          throw new ArgError(`unknown scenario "${name}"; known: ${SCENARIOS.join(', ')}`);
        }
      }
      args.only = [...new Set(names as ScenarioName[])];
    } else {
      throw new ArgError(`unknown argument "${arg}"`);
    }
  }
  return args;
}
