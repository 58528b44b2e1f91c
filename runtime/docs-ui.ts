import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PROJECT_ROOT } from './config.ts';

// The files behind GET /docs: Swagger UI from the installed swagger-ui-dist package (no CDN, so
// the page works on a network without internet access) and the page's own script and styles.
// Each file is read once, when the page is first asked for, and kept with its hash (which goes
// into the asset URLs, so browsers may cache them for a year) and a gzip copy (the bundle is
// 1.7 MB, 0.5 MB compressed).

export interface DocsAsset {
  body: Buffer;
  gzipped: Buffer;
  contentType: string;
  /** First 16 hex digits of the sha256 of `body`. */
  hash: string;
}

// MUST stay a fixed list: the asset route serves nothing else, so no request can name a path.
const FILES: Record<string, { dir: 'swagger-ui' | 'static'; contentType: string }> = {
  'swagger-ui.css': { dir: 'swagger-ui', contentType: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { dir: 'swagger-ui', contentType: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { dir: 'swagger-ui', contentType: 'image/png' },
  'docs.css': { dir: 'static', contentType: 'text/css; charset=utf-8' },
  'docs.js': { dir: 'static', contentType: 'text/javascript; charset=utf-8' },
};

/**
 * The page allows only this origin's scripts, styles and fetches, and nothing in frames: it shows
 * an API key field, so no other site may script it or frame it. `data:` images are Swagger UI's
 * icons, which its stylesheet inlines.
 */
export const DOCS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

let loading: Promise<Map<string, DocsAsset>> | undefined;

function loadAssets(): Promise<Map<string, DocsAsset>> {
  loading ??= (async () => {
    // Resolved here, not at import: a broken install may break this page, never the service.
    const dirs = {
      'swagger-ui': path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')),
      static: path.join(PROJECT_ROOT, 'static', 'docs'),
    };
    const entries = await Promise.all(
      Object.entries(FILES).map(async ([name, { dir, contentType }]) => {
        const body = await fs.readFile(path.join(dirs[dir], name));
        const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
        return [name, { body, gzipped: await promisify(gzip)(body), contentType, hash }] as const;
      }),
    );
    return new Map(entries);
  })();
  // A failed read is retried on the next request rather than remembered.
  loading.catch(() => (loading = undefined));
  return loading;
}

/** The asset named `name`, or undefined when it is not one of the page's files. */
export async function docsAsset(name: string): Promise<DocsAsset | undefined> {
  if (!Object.hasOwn(FILES, name)) return undefined;
  return (await loadAssets()).get(name);
}

/** The page: links to the assets by hash, and no inline script or style (see DOCS_PAGE_CSP). */
export async function docsPage(): Promise<string> {
  const assets = await loadAssets();
  const url = (name: string) => `/docs/${name}?v=${assets.get(name)!.hash}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DTAT-OCR API</title>
<link rel="stylesheet" href="${url('swagger-ui.css')}">
<link rel="stylesheet" href="${url('docs.css')}">
<link rel="icon" type="image/png" href="${url('favicon-32x32.png')}">
</head>
<body>
<form id="key-form" class="dtat-key" hidden>
<h1>DTAT-OCR API</h1>
<p>This service needs an API key to show its API description.</p>
<label for="api-key">API key</label>
<input id="api-key" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Show the API</button>
<p id="key-error" class="dtat-error" role="alert"></p>
</form>
<p id="load-error" class="dtat-error" role="alert" hidden></p>
<div id="swagger-ui"></div>
<script src="${url('swagger-ui-bundle.js')}"></script>
<script type="module" src="${url('docs.js')}"></script>
</body>
</html>
`;
}
