// A self-contained SVG of a run (no scripts, fonts or links, so it opens anywhere and can be
// attached to a report): throughput over time on top, latency over time below, sharing the x axis.
import type { LoadResult, SecondBucket } from './types.ts';

const WIDTH = 1000;
const HEIGHT = 700;
const LEFT = 80;
const RIGHT = 960;
const PANELS = [
  { top: 90, bottom: 330 },
  { top: 400, bottom: 630 },
];
const COLORS = { raw: '#9ecae1', smoothed: '#08519c', failed: '#d62728', p50: '#2ca02c', p95: '#ff7f0e', grid: '#e5e5e5', axis: '#333' };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Ticks at 1, 2 or 5 × 10^k covering 0..max, about `count` of them. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

function fmt(n: number): string {
  if (n >= 10_000) return `${+(n / 1000).toFixed(1)}k`;
  return String(+n.toFixed(n < 10 ? 2 : 0));
}

interface Scale {
  x: (s: number) => number;
  y: (v: number) => number;
  /** Where a bucket's point goes: the middle of its span (the last bucket ends with the run). */
  mid: (b: SecondBucket) => number;
}

/** A polyline through the points, broken where a value is missing. */
function linePath(series: SecondBucket[], value: (b: SecondBucket) => number | null, scale: Scale): string {
  const parts: string[] = [];
  let pen = false;
  for (const b of series) {
    const v = value(b);
    if (v === null) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? 'L' : 'M'}${scale.mid(b).toFixed(1)},${scale.y(v).toFixed(1)}`);
    pen = true;
  }
  return parts.join(' ');
}

function dots(series: SecondBucket[], value: (b: SecondBucket) => number | null, scale: Scale, color: string, cls: string): string {
  // Sparse series (short runs, gaps) would be invisible as lines alone.
  if (series.length > 90) return '';
  return series
    .filter((b) => value(b) !== null)
    .map((b) => `<circle class="${cls}" cx="${scale.mid(b).toFixed(1)}" cy="${scale.y(value(b)!).toFixed(1)}" r="2.5" fill="${color}"/>`)
    .join('');
}

function axes(top: number, bottom: number, xTicks: number[], yTicks: number[], scale: Scale, yLabel: string): string {
  const out: string[] = [];
  for (const t of yTicks) {
    const y = scale.y(t).toFixed(1);
    out.push(`<line class="grid" x1="${LEFT}" x2="${RIGHT}" y1="${y}" y2="${y}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${LEFT - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="${COLORS.axis}">${fmt(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = scale.x(t).toFixed(1);
    out.push(`<line class="tick" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}" stroke="${COLORS.axis}"/>`);
    out.push(`<text x="${x}" y="${bottom + 18}" text-anchor="middle" font-size="11" fill="${COLORS.axis}">${fmt(t)}</text>`);
  }
  out.push(`<path class="axis" d="M${LEFT},${top} V${bottom} H${RIGHT}" fill="none" stroke="${COLORS.axis}" stroke-width="1"/>`);
  const mid = (top + bottom) / 2;
  out.push(`<text x="22" y="${mid}" transform="rotate(-90 22 ${mid})" text-anchor="middle" font-size="12" fill="${COLORS.axis}">${esc(yLabel)}</text>`);
  return out.join('\n');
}

/** One row of swatches, right-aligned at `right`, above the plot where no line can run under it. */
function legend(right: number, y: number, items: { label: string; color: string; width: number }[]): string {
  // Helvetica at 11 px averages about 6 px a character; close enough to lay out without measuring.
  const widths = items.map((item) => 30 + item.label.length * 6 + 16);
  let x = right - widths.reduce((a, b) => a + b, 0);
  const out: string[] = [];
  items.forEach((item, i) => {
    out.push(`<line x1="${x}" x2="${x + 24}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="${item.width}"/>`);
    out.push(`<text x="${x + 30}" y="${y}" dominant-baseline="middle" font-size="11" fill="${COLORS.axis}">${esc(item.label)}</text>`);
    x += widths[i];
  });
  return `<g class="legend">${out.join('')}</g>`;
}

export function renderChart(result: LoadResult): string {
  const series = result.series;
  const s = result.summary;
  // The x axis ends where the run ended, so the lines span the panel; ticks stop before it.
  const last = series.length - 1;
  const xMax = Math.max(s.durationMs / 1000, last + 0.5, 1);
  const xTicks = niceTicks(xMax, 10).filter((t) => t <= xMax + 1e-9);
  const x = (sec: number) => LEFT + (sec / xMax) * (RIGHT - LEFT);
  const end = (b: SecondBucket) => (b.second === last ? xMax : b.second + 1);
  const mid = (b: SecondBucket) => x((b.second + end(b)) / 2);

  const [tp, lat] = PANELS;
  const maxRate = Math.max(1, ...series.map((b) => Math.max(b.docsPerMinute, b.docsPerMinuteSmoothed, b.failed * 60)));
  const rateTicks = niceTicks(maxRate * 1.05);
  const rateScale: Scale = { x, mid, y: (v) => tp.bottom - (v / rateTicks[rateTicks.length - 1]) * (tp.bottom - tp.top) };
  const maxLatency = Math.max(1, ...series.map((b) => b.p95Ms ?? 0));
  const latTicks = niceTicks(maxLatency * 1.05);
  const latScale: Scale = { x, mid, y: (v) => lat.bottom - (v / latTicks[latTicks.length - 1]) * (lat.bottom - lat.top) };

  const failedBars = series
    .filter((b) => b.failed > 0)
    .map((b) => {
      const y = rateScale.y(b.failed * 60);
      const width = Math.max(1, x(end(b)) - x(b.second) - 1);
      return `<rect class="failed" x="${x(b.second).toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${(tp.bottom - y).toFixed(1)}" fill="${COLORS.failed}" fill-opacity="0.6"/>`;
    })
    .join('');

  const date = result.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
  const load = result.rate ? `rate ${+result.rate.perSecond.toFixed(2)}/s (${result.rate.arrivals}), max ${result.concurrency} in flight` : `concurrency ${result.concurrency}`;
  const title = `DTAT-OCR load test: ${result.mode}, ${load}, ${date}`;
  const p95 = s.latencyMs ? `p95 ${fmt(s.latencyMs.p95)} ms` : 'no ok documents';
  const subtitle = `${result.url}  |  ${s.docs} docs, ${s.ok} ok, ${s.failed} failed  |  ${s.docsPerMinute.toFixed(1)} docs/min  |  ${p95}  |  ${(s.durationMs / 1000).toFixed(1)} s`;

  const throughputLegend = [
    { label: 'docs/min (5 s average)', color: COLORS.smoothed, width: 2.5 },
    { label: 'docs/min (each second)', color: COLORS.raw, width: 1.5 },
  ];
  if (failedBars) throughputLegend.push({ label: 'failed (per min rate)', color: COLORS.failed, width: 6 });

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif">
<title>${esc(title)}</title>
<desc>${esc(subtitle)}</desc>
<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>
<text x="${WIDTH / 2}" y="30" text-anchor="middle" font-size="17" font-weight="bold" fill="#111">${esc(title)}</text>
<text x="${WIDTH / 2}" y="52" text-anchor="middle" font-size="12" fill="#555">${esc(subtitle)}</text>
<g class="panel" id="throughput">
<text x="${LEFT}" y="${tp.top - 10}" font-size="13" font-weight="bold" fill="#111">Throughput</text>
${axes(tp.top, tp.bottom, xTicks, rateTicks, rateScale, 'docs / min')}
${failedBars}
<path id="throughput-raw" d="${linePath(series, (b) => b.docsPerMinute, rateScale)}" fill="none" stroke="${COLORS.raw}" stroke-width="1.5"/>
<path id="throughput-smoothed" d="${linePath(series, (b) => b.docsPerMinuteSmoothed, rateScale)}" fill="none" stroke="${COLORS.smoothed}" stroke-width="2.5" stroke-linejoin="round"/>
${legend(RIGHT, tp.top - 13, throughputLegend)}
</g>
<g class="panel" id="latency">
<text x="${LEFT}" y="${lat.top - 10}" font-size="13" font-weight="bold" fill="#111">Latency of ok documents, by completion second</text>
${axes(lat.top, lat.bottom, xTicks, latTicks, latScale, 'latency (ms)')}
<path id="latency-p95" d="${linePath(series, (b) => b.p95Ms, latScale)}" fill="none" stroke="${COLORS.p95}" stroke-width="2" stroke-linejoin="round"/>
<path id="latency-p50" d="${linePath(series, (b) => b.p50Ms, latScale)}" fill="none" stroke="${COLORS.p50}" stroke-width="2" stroke-linejoin="round"/>
${dots(series, (b) => b.p95Ms, latScale, COLORS.p95, 'p95')}
${dots(series, (b) => b.p50Ms, latScale, COLORS.p50, 'p50')}
${legend(RIGHT, lat.top - 13, [
  { label: 'p95', color: COLORS.p95, width: 2 },
  { label: 'p50', color: COLORS.p50, width: 2 },
])}
</g>
<text x="${(LEFT + RIGHT) / 2}" y="${HEIGHT - 20}" text-anchor="middle" font-size="12" fill="${COLORS.axis}">seconds since start</text>
</svg>
`;
}
