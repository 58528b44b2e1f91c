// The end-of-run summary as a plain-text table, and the pass/fail verdict behind the exit code.
import type { FailureGroup, LatencySummary, LoadResult } from './types.ts';

export interface Verdict {
  pass: boolean;
  /** What failed, one phrase each: failed documents, the p95 gate. */
  reasons: string[];
  /** The report's last line: PASS or FAIL and why. */
  line: string;
}

export interface Gates {
  maxP95Ms?: number;
}

function ms(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

export function judge(result: LoadResult, gates: Gates = {}): Verdict {
  const { summary } = result;
  const reasons: string[] = [];
  if (summary.failed > 0) reasons.push(`${summary.failed} of ${summary.docs} documents failed`);
  if (summary.docs === 0) reasons.push('no document was sent');
  if (gates.maxP95Ms !== undefined) {
    const p95 = summary.latencyMs?.p95;
    if (p95 === undefined) reasons.push(`no ok document to measure p95 against --max-p95-ms ${gates.maxP95Ms}`);
    else if (p95 > gates.maxP95Ms) reasons.push(`p95 ${ms(p95)} ms is above --max-p95-ms ${gates.maxP95Ms}`);
  }
  const pass = reasons.length === 0;
  const p95 = summary.latencyMs ? `, p95 ${ms(summary.latencyMs.p95)} ms` : '';
  const interrupted = result.stoppedBy === 'signal' ? ' (interrupted)' : '';
  const line = pass
    ? `PASS: ${summary.ok} of ${summary.docs} documents ok${p95}${interrupted}`
    : `FAIL: ${reasons.join('; ')}${interrupted}`;
  return { pass, reasons, line };
}

function latencyLine(l: LatencySummary | null): string {
  if (!l) return '-';
  return `p50 ${ms(l.p50)}   p95 ${ms(l.p95)}   p99 ${ms(l.p99)}   max ${ms(l.max)}`;
}

function table(rows: [string, string][], indent = '  '): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}   ${v}`).join('\n');
}

function failureLabel(g: FailureGroup): [string, string] {
  const status = g.status === null ? '-' : String(g.status);
  return [status, `${g.errorCode ?? '-'}${g.jobFailed ? ' (job failed)' : ''}`];
}

function loadShape(result: LoadResult): string {
  if (result.rate) {
    const r = result.rate.perSecond;
    const rate = r >= 1 ? `${+r.toFixed(2)}/s` : `${+(r * 60).toFixed(2)}/min`;
    return `open loop, ${result.rate.arrivals} arrivals at ${rate}, at most ${result.concurrency} in flight`;
  }
  return `closed loop, concurrency ${result.concurrency}`;
}

function health(result: LoadResult): string {
  const h = result.health;
  if (!h) return 'not checked';
  if (h.status === null) return `unreachable (${h.error})`;
  const body = (h.body ?? {}) as Record<string, unknown>;
  const parts = ['version', 'engine', 'db', 'queue']
    .filter((k) => typeof body[k] === 'string')
    .map((k) => `${k} ${body[k]}`);
  return `${h.status} ${typeof body.status === 'string' ? body.status : ''}${parts.length ? ` (${parts.join(', ')})` : ''}`.trim();
}

export function formatReport(result: LoadResult, verdict: Verdict): string {
  const s = result.summary;
  const out: string[] = [];
  out.push(`DTAT-OCR load test: ${result.mode}, ${result.url}, ${result.startedAt}`);
  const head: [string, string][] = [
    ['service', `GET /health ${health(result)}`],
    ['load', loadShape(result)],
    ['documents', result.documents],
  ];
  if (result.features.length) head.push(['features', result.features.join(',')]);
  head.push(['stopped by', `${result.stoppedBy}${result.stoppedBy === 'bound' ? ' (safety bound)' : ''}`]);
  out.push(table(head, ''), '');

  const rows: [string, string][] = [
    ['docs', String(s.docs)],
    ['ok', String(s.ok)],
    ['failed', String(s.failed)],
    ['duration', `${(s.durationMs / 1000).toFixed(1)} s`],
    ['docs/min', s.docsPerMinute.toFixed(1)],
    ['latency ms', `${latencyLine(s.latencyMs)}   (ok documents, nearest-rank)`],
  ];
  if (s.failed > 0 && s.allLatencyMs) rows.push(['all latency ms', `${latencyLine(s.allLatencyMs)}   (ok and failed)`]);
  if (s.queuedMs) {
    rows.push(['queued ms', `p50 ${ms(s.queuedMs.p50)}   p95 ${ms(s.queuedMs.p95)}   max ${ms(s.queuedMs.max)}   (arrival to send: waiting for a free slot, preparing the document)`]);
  }
  if (result.notSent > 0) rows.push(['not sent', `${result.notSent} arrivals still queued when the run stopped`]);
  const retry = Object.entries(s.throttles.retryAfter)
    .map(([value, n]) => `Retry-After ${value} x${n}`)
    .join(', ');
  rows.push(['throttles', s.throttles.count === 0 ? '0' : `${s.throttles.count} (503 OVERLOADED; ${retry})`]);
  rows.push([
    'cache hits',
    s.cacheReported === 0 ? `n/a (${result.mode === 'async-ws' || result.mode === 'boomi' ? 'WebSocket events carry no result' : 'no result said'})` : `${s.cacheHits} of ${s.cacheReported} results`,
  ]);
  if (result.mode === 'async-ws' || result.wsReconnects > 0) rows.push(['ws reconnects', String(result.wsReconnects)]);
  out.push(table(rows));

  if (s.failures.length > 0) {
    out.push('', 'failures');
    const labels = s.failures.map(failureLabel);
    const sw = Math.max(6, ...labels.map(([st]) => st.length));
    const cw = Math.max(4, ...labels.map(([, c]) => c.length));
    out.push(`  ${'status'.padEnd(sw)}   ${'code'.padEnd(cw)}   count`);
    s.failures.forEach((g, i) => out.push(`  ${labels[i][0].padEnd(sw)}   ${labels[i][1].padEnd(cw)}   ${String(g.count).padStart(5)}`));
  }
  out.push('', verdict.line);
  return out.join('\n') + '\n';
}
