import { el, formatDuration, formatMs } from './api.js';
import { drawChart } from './chart.js';

// Renders /dashboard/data: the tiles, the two charts, the workers and Textract tables. Counters
// in the answer are cumulative, so rates come from the oldest and newest of the last few answers
// (about ten seconds), and a counter that went down (a worker replaced) counts from zero.

const WINDOW = 6;
const BUCKET_MS = 10_000;
const TIMELINE_MS = 10 * 60_000;

const $ = (id) => document.getElementById(id);
const text = (id, value) => {
  $(id).textContent = String(value);
};
const mb = (bytes) => `${Math.round(bytes / 1024 / 1024)} MB`;

function requestsOf(operation) {
  const r = operation.requests;
  return r.success + r.throttled + r.retried + r.failed;
}

export function createFigures() {
  const history = [];

  /** Per second over the answers kept, of `read(answer)`; null before there are two. */
  function rate(read) {
    if (history.length < 2) return null;
    const first = history[0];
    const last = history[history.length - 1];
    const seconds = (Date.parse(last.now) - Date.parse(first.now)) / 1000;
    if (seconds <= 0) return null;
    return Math.max(0, read(last) - read(first)) / seconds;
  }

  function tiles(data) {
    text('docs-per-minute', data.documents.perMinute);
    text('p50', data.documents.timeline.length || data.documents.p50Ms ? formatMs(data.documents.p50Ms) : '–');
    text('p95', data.documents.timeline.length || data.documents.p95Ms ? formatMs(data.documents.p95Ms) : '–');
    text('queued', data.queue.queued);
    text('running', data.queue.running);
    text('wait-p95', formatMs(data.queue.waitMs.p95));
    const throttled = data.textract.reduce((n, o) => n + o.requests.throttled, 0);
    text('throttles', throttled);
    const perSecond = rate((d) => d.textract.reduce((n, o) => n + requestsOf(o), 0));
    text('textract-rate', perSecond === null ? '–' : perSecond.toFixed(1));
    // The busiest operation's share of its quota: the one that would throttle first.
    const shares = data.textract
      .filter((o) => o.tps > 0)
      .map((o) => rate((d) => requestsOf(d.textract.find((x) => x.operation === o.operation) ?? o)) / o.tps);
    const use = shares.length && shares.every((s) => Number.isFinite(s)) ? Math.max(...shares) : null;
    text('quota-use', use === null ? '–' : `${Math.round(use * 100)} %`);
    $('quota-use').dataset.level = use === null ? 'none' : use > 0.9 ? 'high' : use > 0.6 ? 'mid' : 'low';
    text('workers-running', data.workers.running);
    text('workers-configured', data.workers.configured);
    text('restarts', data.workers.restarts);
    text('processes', data.cluster.filter((p) => p.alive).length);
  }

  function charts(data) {
    const to = Date.parse(data.now);
    const from = to - TIMELINE_MS;
    const byBucket = new Map(data.documents.timeline.map((b) => [Date.parse(b.at), b]));
    const throughput = [];
    for (let t = Math.ceil(from / BUCKET_MS) * BUCKET_MS; t <= to; t += BUCKET_MS) {
      throughput.push([t, (byBucket.get(t)?.documents ?? 0) * 6]);
    }
    drawChart($('throughput-chart'), {
      series: [{ name: 'documents / min', className: 'throughput', points: throughput }],
      from,
      to,
      gapMs: Infinity,
    });
    drawChart($('latency-chart'), {
      series: [
        { name: 'p50', className: 'p50', dots: true, points: data.documents.timeline.map((b) => [Date.parse(b.at), b.p50Ms]) },
        { name: 'p95', className: 'p95', dots: true, points: data.documents.timeline.map((b) => [Date.parse(b.at), b.p95Ms]) },
      ],
      from,
      to,
      gapMs: BUCKET_MS * 3,
      format: (v) => formatMs(v),
    });
  }

  function workers(data) {
    const local = new Map(data.workers.processes.map((p) => [p.workerId, p]));
    const rows = data.cluster.map((p) => {
      const mine = local.get(p.id);
      const tr = el('tr', undefined, { 'data-worker': p.id, 'data-alive': String(p.alive) });
      tr.append(
        el('td', p.id),
        el('td', p.host),
        el('td', formatDuration((Date.parse(data.now) - Date.parse(p.startedAt)) / 1000)),
        el('td', mine ? `${mine.eventLoopLagP99Ms} ms` : '–'),
        el('td', mine ? mb(mine.rssBytes) : '–'),
        el('td', mine ? mine.requestsInFlight + mine.engineCallsInFlight : '–'),
        el('td', p.running),
      );
      return tr;
    });
    $('workers').tBodies[0].replaceChildren(...rows);
  }

  function textract(data) {
    const rows = data.textract.map((o) => {
      const perSecond = rate((d) => requestsOf(d.textract.find((x) => x.operation === o.operation) ?? o));
      const tr = el('tr', undefined, { 'data-operation': o.operation });
      tr.append(
        el('td', o.operation),
        el('td', o.tps ? `${o.tps}/s` : 'none'),
        el('td', perSecond === null || !o.tps ? '–' : `${Math.round((perSecond / o.tps) * 100)} %`),
        el('td', o.requests.success),
        el('td', o.requests.throttled),
        el('td', o.requests.retried),
        el('td', o.requests.failed),
      );
      return tr;
    });
    $('textract').tBodies[0].replaceChildren(...rows);
  }

  return {
    update(data) {
      history.push(data);
      if (history.length > WINDOW) history.shift();
      text('instance', `${data.instance.engine} · v${data.instance.version} · answered by ${data.instance.worker}`);
      tiles(data);
      charts(data);
      workers(data);
      textract(data);
    },
  };
}
