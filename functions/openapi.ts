import Type from 'typebox';
import { defineFunction, RawJson } from '../runtime/define.ts';
import { openApiDocument } from '../runtime/openapi.ts';
import { buildRoutes } from '../runtime/routes.ts';

let cached: string | undefined;

export default defineFunction({
  name: 'openapi',
  method: 'GET',
  path: '/openapi.json',
  summary: 'This service\'s OpenAPI 3.1 document, generated from the route table and schemas.',
  schema: { response: Type.Object({ openapi: Type.String() }) },
  // Needs the API key like every route but /health (API.md); GET /docs asks a browser user for it.
  options: { queueable: false },
  async handler(_event, ctx) {
    // Imported lazily: the route table imports this function.
    const { routes } = await import('../functions.config.ts');
    cached ??= JSON.stringify(openApiDocument(buildRoutes(routes), ctx.config.version));
    return new RawJson(cached);
  },
});
