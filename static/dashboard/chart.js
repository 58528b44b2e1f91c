// A small SVG line chart: the dashboard needs two of them and nothing a charting library adds.
// Times are epoch ms; each series is drawn as a line broken where it has no point for longer
// than `gapMs` (a minute without documents has no latency).

const NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 170;
const PAD = { left: 56, right: 10, top: 10, bottom: 22 };

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** 1, 2, 5 × 10^n at or above `value`, so the axis reads in round numbers. */
function niceCeiling(value) {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * step).find((v) => v >= value);
}

/**
 * series: [{ name, className, points: [[timeMs, value], ...], dots? }]; draws them between `from` and
 * `to` (epoch ms) into `container`, replacing what was there.
 */
export function drawChart(container, { series, from, to, gapMs, format = (v) => String(v) }) {
  const width = Math.max(240, container.clientWidth || 480);
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const max = niceCeiling(Math.max(0, ...series.flatMap((s) => s.points.map(([, v]) => v))));
  const x = (t) => PAD.left + ((t - from) / (to - from)) * plotW;
  const y = (v) => PAD.top + plotH - (v / max) * plotH;

  const root = svg('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT, role: 'img' });
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    root.append(svg('line', { class: 'grid', x1: PAD.left, x2: width - PAD.right, y1: y(value), y2: y(value) }));
    root.append(svg('text', { class: 'axis', x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, format(value)));
  }
  const minutes = Math.round((to - from) / 60_000);
  root.append(svg('text', { class: 'axis', x: PAD.left, y: HEIGHT - 6 }, `−${minutes} min`));
  root.append(svg('text', { class: 'axis', x: width - PAD.right, y: HEIGHT - 6, 'text-anchor': 'end' }, 'now'));

  for (const s of series) {
    let d = '';
    let last = -Infinity;
    for (const [t, v] of s.points) {
      if (t < from || t > to) continue;
      d += `${d === '' || t - last > gapMs ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)} `;
      last = t;
    }
    const path = svg('path', { class: `line ${s.className}`, d: d || 'M0,0' });
    path.append(svg('title', {}, s.name));
    root.append(path);
    // A point between gaps draws no line: it needs a dot to be seen.
    if (s.dots) {
      for (const [t, v] of s.points) {
        if (t >= from && t <= to) root.append(svg('circle', { class: `dot ${s.className}`, cx: x(t).toFixed(1), cy: y(v).toFixed(1), r: 2.5 }));
      }
    }
  }
  container.replaceChildren(root);
}
