import path from 'node:path';
import { PROJECT_ROOT } from './config.ts';
import { staticFiles, type StaticFile } from './static-files.ts';

// GET /dashboard: the live page an engineer puts on the screen during a demo. Plain modules and
// a stylesheet from static/dashboard (the charts are drawn in SVG by chart.js: no library, no
// build step, nothing fetched from elsewhere). The page holds no data: it asks for the API key
// when the service needs one, then reads /dashboard/data, the job feed on /ws and /ocr.

const own = () => path.join(PROJECT_ROOT, 'static', 'dashboard');
const js = 'text/javascript; charset=utf-8';

const files = staticFiles({
  'dashboard.js': { dir: own, contentType: js },
  'api.js': { dir: own, contentType: js },
  'chart.js': { dir: own, contentType: js },
  'figures.js': { dir: own, contentType: js },
  'jobs.js': { dir: own, contentType: js },
  'ocr.js': { dir: own, contentType: js },
  'dashboard.css': { dir: own, contentType: 'text/css; charset=utf-8' },
});

export const dashboardAsset = (name: string): Promise<StaticFile | undefined> => files.get(name);

/** The page: no inline script or style (see PAGE_CSP); the modules import each other by name. */
export async function dashboardPage(): Promise<string> {
  const [css, script] = await Promise.all([files.url('/dashboard', 'dashboard.css'), files.url('/dashboard', 'dashboard.js')]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DTAT-OCR live</title>
<link rel="stylesheet" href="${css}">
<link rel="icon" href="data:,">
<script type="module" src="${script}"></script>
</head>
<body>
<header>
<h1>DTAT-OCR <span>live</span></h1>
<p id="instance" class="muted"></p>
<p id="connection" class="connection" data-state="connecting">connecting</p>
</header>
<form id="key-form" class="key-form" hidden>
<p>This service needs an API key to show its figures.</p>
<label for="api-key">API key</label>
<input id="api-key" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Show the dashboard</button>
<p id="key-error" class="error" role="alert"></p>
</form>
<main id="board" hidden>
<section class="tiles" aria-label="Figures">
<div class="tile"><h2>Documents / min</h2><p id="docs-per-minute" class="big">–</p><p class="muted">processed, every machine</p></div>
<div class="tile"><h2>Processing p50</h2><p id="p50" class="big">–</p><p class="muted">last 5 min</p></div>
<div class="tile"><h2>Processing p95</h2><p id="p95" class="big">–</p><p class="muted">last 5 min</p></div>
<div class="tile"><h2>Queue</h2><p class="big"><span id="queued">–</span> <small>queued</small></p><p class="muted"><span id="running">–</span> running · wait p95 <span id="wait-p95">–</span></p></div>
<div class="tile"><h2>Textract quota</h2><p id="quota-use" class="big">–</p><p class="muted"><span id="throttles">–</span> throttles · <span id="textract-rate">–</span> req/s</p></div>
<div class="tile"><h2>Workers</h2><p class="big"><span id="workers-running">–</span><small>/<span id="workers-configured">–</span></small></p><p class="muted"><span id="restarts">–</span> restarts · <span id="processes">–</span> processes in cluster</p></div>
</section>
<section class="charts">
<figure><figcaption>Throughput, documents / min (10 s buckets, last 10 min)</figcaption><div id="throughput-chart" class="chart"></div></figure>
<figure><figcaption>Processing time, ms: <span class="p50">p50</span> and <span class="p95">p95</span></figcaption><div id="latency-chart" class="chart"></div></figure>
</section>
<section class="lists">
<div class="panel"><h2>Recent jobs</h2>
<table id="jobs"><thead><tr><th>job</th><th>function</th><th>status</th><th>tries</th><th>took</th><th>worker</th><th>updated</th></tr></thead><tbody></tbody></table>
<p id="jobs-empty" class="muted">No jobs yet: POST /ocr/async to see them here.</p>
</div>
<div class="panel"><h2>Workers</h2>
<table id="workers"><thead><tr><th>process</th><th>host</th><th>up</th><th>lag p99</th><th>memory</th><th>in flight</th><th>jobs</th></tr></thead><tbody></tbody></table>
<h2>Textract by operation</h2>
<table id="textract"><thead><tr><th>operation</th><th>quota</th><th>used</th><th>ok</th><th>throttled</th><th>retried</th><th>failed</th></tr></thead><tbody></tbody></table>
</div>
</section>
<section class="ocr panel" aria-label="Try a document">
<h2>Try a document</h2>
<label id="drop-zone" class="drop-zone" for="file-input">
<strong>Drop a PDF or image here</strong> or click to choose one: it is OCR'd with TABLES and FORMS.
<input id="file-input" type="file" accept=".pdf,.png,.jpg,.jpeg,.tif,.tiff,application/pdf,image/png,image/jpeg,image/tiff">
</label>
<p id="ocr-status" class="muted" role="status"></p>
<div id="ocr-result" hidden>
<nav class="tabs" role="tablist">
<button type="button" role="tab" data-tab="text" aria-selected="true">Text</button>
<button type="button" role="tab" data-tab="key-values" aria-selected="false">Key-values</button>
<button type="button" role="tab" data-tab="tables" aria-selected="false">Tables</button>
<button type="button" role="tab" data-tab="markdown" aria-selected="false">Markdown</button>
</nav>
<pre id="ocr-text" data-panel="text"></pre>
<div data-panel="key-values" hidden><table id="ocr-key-values"><thead><tr><th>key</th><th>value</th><th>confidence</th></tr></thead><tbody></tbody></table></div>
<div id="ocr-tables" data-panel="tables" hidden></div>
<pre id="ocr-markdown" data-panel="markdown" hidden></pre>
</div>
</section>
</main>
</body>
</html>
`;
}
