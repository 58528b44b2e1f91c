import Type from 'typebox';
import { defineFunction, RawBody, Reply } from '../runtime/define.ts';

export default defineFunction({
  name: 'home',
  method: 'GET',
  path: '/',
  summary: 'Sends a browser to the live dashboard.',
  schema: { response: Type.String({ contentMediaType: 'text/plain' }) },
  options: { auth: false, queueable: false, status: 302 },
  async handler() {
    return new Reply(302, new RawBody('See /dashboard\n', 'text/plain; charset=utf-8'), { location: '/dashboard', 'cache-control': 'no-cache' });
  },
});
