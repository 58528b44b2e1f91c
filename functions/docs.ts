import Type from 'typebox';
import { defineFunction, RawBody, Reply } from '../runtime/define.ts';
import { DOCS_PAGE_CSP, docsPage } from '../runtime/docs-ui.ts';

export default defineFunction({
  name: 'docs',
  method: 'GET',
  path: '/docs',
  summary: 'API documentation: GET /openapi.json rendered by a bundled Swagger UI (asks for the API key when one is needed).',
  schema: { response: Type.String({ contentMediaType: 'text/html' }) },
  // No key: a browser cannot send one when it opens a page, and the page holds nothing of this
  // deployment's (no data, no routes): it asks for the key before it fetches /openapi.json.
  options: { auth: false, queueable: false },
  async handler() {
    return new Reply(200, new RawBody(await docsPage(), 'text/html; charset=utf-8'), {
      'content-security-policy': DOCS_PAGE_CSP,
      // The page names its assets by hash: it must be revalidated to pick up new ones.
      'cache-control': 'no-cache',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
  },
});
