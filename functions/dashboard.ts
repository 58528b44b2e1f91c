import Type from 'typebox';
import { dashboardPage } from '../runtime/dashboard-ui.ts';
import { defineFunction, RawBody, Reply } from '../runtime/define.ts';
import { PAGE_CSP } from '../runtime/static-files.ts';

export default defineFunction({
  name: 'dashboard',
  method: 'GET',
  path: '/dashboard',
  summary: 'The live dashboard: throughput, latency, queue, Textract quota, jobs and workers, and a drop zone to OCR a file (asks for the API key when one is needed).',
  schema: { response: Type.String({ contentMediaType: 'text/html' }) },
  // No key, like /docs: a browser cannot send one when it opens a page, and the page holds
  // nothing of this deployment's; it asks for the key before it reads any figure.
  options: { auth: false, queueable: false },
  async handler() {
    return new Reply(200, new RawBody(await dashboardPage(), 'text/html; charset=utf-8'), {
      'content-security-policy': PAGE_CSP,
      'cache-control': 'no-cache',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
  },
});
