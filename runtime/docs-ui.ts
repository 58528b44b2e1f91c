import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from './config.ts';
import { PAGE_CSP, staticFiles, type StaticFile } from './static-files.ts';

// The files behind GET /docs: Swagger UI from the installed swagger-ui-dist package (the bundle
// is 1.7 MB, 0.5 MB compressed) and the page's own script and styles.

export type DocsAsset = StaticFile;

const swaggerUi = () => path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const own = () => path.join(PROJECT_ROOT, 'static', 'docs');

const files = staticFiles({
  'swagger-ui.css': { dir: swaggerUi, contentType: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { dir: swaggerUi, contentType: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { dir: swaggerUi, contentType: 'image/png' },
  'docs.css': { dir: own, contentType: 'text/css; charset=utf-8' },
  'docs.js': { dir: own, contentType: 'text/javascript; charset=utf-8' },
});

/** `data:` images are Swagger UI's icons, which its stylesheet inlines. */
export const DOCS_PAGE_CSP = PAGE_CSP;

/** The asset named `name`, or undefined when it is not one of the page's files. */
export const docsAsset = (name: string): Promise<DocsAsset | undefined> => files.get(name);

/** The page: links to the assets by hash, and no inline script or style (see DOCS_PAGE_CSP). */
export async function docsPage(): Promise<string> {
  const [css, ownCss, icon, bundle, script] = await Promise.all(
    ['swagger-ui.css', 'docs.css', 'favicon-32x32.png', 'swagger-ui-bundle.js', 'docs.js'].map((name) => files.url('/docs', name)),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DTAT-OCR API</title>
<link rel="stylesheet" href="${css}">
<link rel="stylesheet" href="${ownCss}">
<link rel="icon" type="image/png" href="${icon}">
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
<script src="${bundle}"></script>
<script type="module" src="${script}"></script>
</body>
</html>
`;
}
