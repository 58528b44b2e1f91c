// Command-line parsing: every mistake is an ArgError naming the flag, so the CLI can exit 2 with
// a message an operator can act on before any traffic is sent.
import { BaseUrlError, parseBaseUrl } from './http.ts';
import { DEFAULT_DOC_KB, DEFAULT_POLL_MS, DEFAULT_TIMEOUT_MS } from './run.ts';
import { DOC_TYPES, type DocType, FEATURES, type Feature, type LoadOptions, MAX_DOCS, MAX_DURATION_MS, MODES, type Mode } from './types.ts';

export const USAGE = `Usage: npm run loadtest -- --url http://host:8080 [options]

Sends documents to a DTAT-OCR deployment and reports throughput, latency and failures.

Target
  --url URL            the service's base URL (required); no request goes anywhere else
  --api-key KEY        sent as x-api-key (default: $LOADTEST_API_KEY, which keeps it out of ps)
Mode
  --mode MODE          sync | async-poll | async-ws | boomi (default sync)
                         sync        POST /ocr, 200 with the OcrResult
                         async-poll  POST /ocr/async, then GET /ocr/jobs/:id until final
                         async-ws    POST /ocr/async, then wait on the client's WebSocket /ws
                         boomi       as a Dell Boomi HTTP Client connector posts (raw body,
                                     keep-alive, Boomi User-Agent, 120 s read timeout)
  --poll-ms N          async-poll: interval between polls of a job, 10..60000 (default ${DEFAULT_POLL_MS})
  --threads N          boomi: threads, each posting one document after another (= --concurrency)
  --boomi-async        boomi: POST /ocr/async and wait on a WebSocket instead of POST /ocr
  --route PATH         the document function to load: /ocr (default), /expense or /identity
  --features LIST      comma-separated subset of ${FEATURES.join(',')} (default: text only)
  --timeout-ms N       per document, submit to final state, 1..3600000 (default ${DEFAULT_TIMEOUT_MS})
Load shape
  --concurrency N      closed loop: N clients, each sending its next document when its last one
                       finished (default 4); with --rate: the most documents in flight at once
  --docs N             stop after N documents (default 100 without --duration; at most 1,000,000)
  --duration D         stop starting documents after D: 90s, 5m, 1h, 500ms (at most 24h)
  --rate R             open loop: R arrivals per second (5, 5/s, 300/m), independent of completions;
                       arrivals that find --concurrency in flight wait, and that wait is reported
  --arrivals KIND      with --rate: poisson (default, random gaps) | fixed (even spacing)
Documents (generated ones are unique per document, so the service's cache never hits)
  --doc-type TYPE      png | jpeg | pdf | pdf-multi (default png)
  --doc-kb N           approximate size of a generated document in KiB, 1..10240 (default ${DEFAULT_DOC_KB})
  --pages N            pdf-multi: pages per document, 1..500 (default 3)
  --docs-dir DIR       send the files in DIR as they are, cycled, instead of generating
  --repeat             send the same document every time (to measure cache hits)
Output
  --json FILE          write the summary and every document's record as JSON
  --chart FILE         write an SVG chart: throughput and latency over time
  --max-p95-ms N       fail when the p95 latency of ok documents is above N ms
  -h, --help           print this help

A live progress line goes to stderr when it is a terminal; the summary goes to stdout. Latency is
send to answer (sync, boomi) or submit to final job state (async modes); percentiles are exact,
nearest-rank over every ok document (the value at rank ceil(p/100 x n)); docs/min is ok documents
per minute of wall time. Ctrl-C stops starting documents and waits for those in flight; a second
Ctrl-C quits at once.

Exit status: 0 every document ok; 1 a document failed or --max-p95-ms was exceeded (the last line
says which); 2 bad arguments; 130 interrupted.`;

export class ArgError extends Error {}

export interface CliOptions {
  help: boolean;
  load: LoadOptions;
  json?: string;
  chart?: string;
  maxP95Ms?: number;
}

type Kind = 'string' | 'int' | 'bool';
const FLAGS: Record<string, Kind> = {
  url: 'string',
  'api-key': 'string',
  mode: 'string',
  'poll-ms': 'int',
  threads: 'int',
  'boomi-async': 'bool',
  features: 'string',
  route: 'string',
  'timeout-ms': 'int',
  concurrency: 'int',
  docs: 'int',
  duration: 'string',
  rate: 'string',
  arrivals: 'string',
  'doc-type': 'string',
  'doc-kb': 'int',
  pages: 'int',
  'docs-dir': 'string',
  repeat: 'bool',
  json: 'string',
  chart: 'string',
  'max-p95-ms': 'int',
  help: 'bool',
};

function int(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new ArgError(`--${flag} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ArgError(`--${flag} must be from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${raw}`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!match) throw new ArgError(`--duration must look like 90s, 5m, 1h or 500ms, got "${raw}"`);
  const ms = Number(match[1]) * DURATION_UNITS[match[2] ?? 's'];
  if (!(ms > 0)) throw new ArgError('--duration must be above 0');
  if (ms > MAX_DURATION_MS) throw new ArgError(`--duration ${raw} is above the 24h safety bound`);
  return Math.round(ms);
}

export function parseRate(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(?:\/(s|m|min))?$/.exec(raw.trim());
  if (!match) throw new ArgError(`--rate must look like 5, 5/s or 300/m, got "${raw}"`);
  const perSecond = Number(match[1]) / (match[2] && match[2] !== 's' ? 60 : 1);
  if (!(perSecond > 0) || perSecond > 100_000) throw new ArgError(`--rate must be above 0 and at most 100000/s, got "${raw}"`);
  return perSecond;
}

function route(raw: string): string {
  if (!/^\/[a-z][a-z0-9-]{0,63}$/.test(raw)) throw new ArgError(`--route: "${raw}" is not a function path such as /ocr or /expense`);
  return raw;
}

function features(raw: string): Feature[] {
  const list = raw.split(',').map((f) => f.trim().toUpperCase()).filter(Boolean);
  for (const f of list) {
    if (!FEATURES.includes(f as Feature)) throw new ArgError(`--features: unknown feature "${f}"; use ${FEATURES.join(', ')}`);
  }
  return [...new Set(list)] as Feature[];
}

function oneOf<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  if (!allowed.includes(raw as T)) throw new ArgError(`--${flag} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** Reads `--flag value` and `--flag=value`; a flag given twice, an unknown flag or a stray word is an error. */
function tokenize(argv: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      values.set('help', 'true');
      continue;
    }
    if (!arg.startsWith('--')) throw new ArgError(`unexpected argument "${arg}" (flags start with --)`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = FLAGS[name];
    if (!kind) throw new ArgError(`unknown flag --${name}`);
    if (values.has(name)) throw new ArgError(`--${name} is given more than once`);
    if (kind === 'bool') {
      if (eq !== -1) throw new ArgError(`--${name} takes no value`);
      values.set(name, 'true');
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ArgError(`--${name} needs a value`);
      i++;
    }
    if (value === '') throw new ArgError(`--${name} needs a value`);
    values.set(name, value);
  }
  return values;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const v = tokenize(argv);
  const has = (name: string) => v.has(name);
  const get = (name: string) => v.get(name)!;
  const placeholder: LoadOptions = { url: '', mode: 'sync', concurrency: 1 };
  if (has('help')) return { help: true, load: placeholder };

  if (!has('url')) throw new ArgError('--url is required');
  try {
    parseBaseUrl(get('url'));
  } catch (err) {
    if (err instanceof BaseUrlError) throw new ArgError(`--url ${err.message}`);
    throw err;
  }

  const mode: Mode = has('mode') ? oneOf('mode', get('mode'), MODES) : 'sync';
  const only = (flag: string, allowed: Mode, hint = '') => {
    if (has(flag) && mode !== allowed) throw new ArgError(`--${flag} applies only to --mode ${allowed}${hint}`);
  };
  only('poll-ms', 'async-poll');
  only('threads', 'boomi', '; use --concurrency');
  only('boomi-async', 'boomi', '; use --mode async-ws');
  if (has('threads') && has('concurrency')) throw new ArgError('--threads and --concurrency mean the same in boomi mode; give one');

  const concurrency = has('threads')
    ? int('threads', get('threads'), 1, 10_000)
    : has('concurrency')
      ? int('concurrency', get('concurrency'), 1, 10_000)
      : 4;

  if (has('docs') && /^\d+$/.test(get('docs')) && Number(get('docs')) > MAX_DOCS) {
    throw new ArgError(`--docs ${get('docs')} is above the 1,000,000 safety bound`);
  }
  const docs = has('docs') ? int('docs', get('docs'), 1, MAX_DOCS) : undefined;
  const durationMs = has('duration') ? parseDuration(get('duration')) : undefined;

  if (has('arrivals') && !has('rate')) throw new ArgError('--arrivals needs --rate');
  const rate = has('rate')
    ? { perSecond: parseRate(get('rate')), arrivals: has('arrivals') ? oneOf('arrivals', get('arrivals'), ['poisson', 'fixed'] as const) : ('poisson' as const) }
    : undefined;

  let documents: LoadOptions['documents'];
  const repeat = has('repeat');
  if (has('docs-dir')) {
    for (const flag of ['doc-type', 'doc-kb', 'pages']) {
      if (has(flag)) throw new ArgError(`--${flag} describes generated documents; it cannot be used with --docs-dir`);
    }
    documents = { dir: get('docs-dir'), repeat };
  } else {
    const type: DocType = has('doc-type') ? oneOf('doc-type', get('doc-type'), DOC_TYPES) : 'png';
    if (has('pages') && type !== 'pdf-multi') throw new ArgError('--pages applies only to --doc-type pdf-multi');
    documents = {
      type,
      kb: has('doc-kb') ? int('doc-kb', get('doc-kb'), 1, 10_240) : DEFAULT_DOC_KB,
      pages: type === 'pdf-multi' ? (has('pages') ? int('pages', get('pages'), 1, 500) : 3) : undefined,
      repeat,
    };
  }

  const apiKey = has('api-key') ? get('api-key') : env.LOADTEST_API_KEY || undefined;
  return {
    help: false,
    load: {
      url: get('url'),
      mode,
      concurrency,
      docs,
      durationMs,
      rate,
      apiKey,
      timeoutMs: has('timeout-ms') ? int('timeout-ms', get('timeout-ms'), 1, 3_600_000) : DEFAULT_TIMEOUT_MS,
      features: has('features') ? features(get('features')) : [],
      route: has('route') ? route(get('route')) : '/ocr',
      pollMs: has('poll-ms') ? int('poll-ms', get('poll-ms'), 10, 60_000) : DEFAULT_POLL_MS,
      boomiAsync: has('boomi-async'),
      documents,
    },
    json: has('json') ? get('json') : undefined,
    chart: has('chart') ? get('chart') : undefined,
    maxP95Ms: has('max-p95-ms') ? int('max-p95-ms', get('max-p95-ms'), 1, 86_400_000) : undefined,
  };
}
