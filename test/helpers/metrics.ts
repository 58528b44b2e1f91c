import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpRequest, type HttpReply } from './http.ts';

// GET /metrics read the way Prometheus tooling reads it: the text parsed by the Prometheus
// project's Python client (parse-metrics.py), then samples picked by name and labels.

// Debian's interpreter, where python3-prometheus-client lives (a `python3` earlier on PATH may be another one).
const PYTHON = process.env.METRICS_PARSER_PYTHON ?? '/usr/bin/python3';
const PARSER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'parse-metrics.py');

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number | string | null;
}

export interface Family {
  /** Without the _total of counters, as the parser names families. */
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';
  help: string;
  samples: MetricSample[];
}

export interface Scrape {
  reply: HttpReply;
  families: Family[];
  /** Samples named `name` (e.g. dtat_http_requests_total, ..._seconds_count) whose labels include `labels`. */
  samples(name: string, labels?: Record<string, string>): MetricSample[];
  /** The sum of those samples' values. */
  value(name: string, labels?: Record<string, string>): number;
}

export function parseMetrics(text: string): Family[] {
  const run = spawnSync(PYTHON, [PARSER], { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new Error(`cannot run ${PYTHON} (apt-get install python3-prometheus-client): ${run.error.message}`);
  if (run.status !== 0) throw new Error(`the Prometheus parser refused the text: ${run.stderr}`);
  return JSON.parse(run.stdout) as Family[];
}

export function readMetrics(reply: HttpReply): Scrape {
  const families = parseMetrics(reply.text);
  const all = families.flatMap((f) => f.samples);
  const samples = (name: string, labels: Record<string, string> = {}) =>
    all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return { reply, families, samples, value: (name, labels) => samples(name, labels).reduce((sum, s) => sum + Number(s.value), 0) };
}

export async function scrape(baseUrl: string, apiKey?: string): Promise<Scrape> {
  const reply = await httpRequest(`${baseUrl}/metrics`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
  if (reply.status !== 200) throw new Error(`/metrics answered ${reply.status}: ${reply.text}`);
  return readMetrics(reply);
}
