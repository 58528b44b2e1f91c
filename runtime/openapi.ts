import { ErrorResponse } from '../schemas/common.ts';
import { Job } from '../schemas/job.ts';
import { isDocumentFunction } from './document-functions/define.ts';
import type { Route } from './routes.ts';

// The OpenAPI document is generated from the same route table and typebox schemas that the
// runtime validates with, so the published contract cannot drift from the code. A document
// function's options are read from its schema: every one is a query parameter, a multipart text
// part and a JSON field, whatever the function.

const DOCUMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/tiff', 'application/octet-stream'];

// A document function's result and a stored result can be asked for in these (format=, Accept).
const FORMAT_TYPES = ['text/plain', 'text/markdown', 'text/html', 'text/csv'];

function rendersFormats(fn: Route['fn']): boolean {
  return isDocumentFunction(fn) || Boolean((fn.schema.query as { properties?: Record<string, unknown> } | undefined)?.properties?.format);
}

/**
 * In a query string or a multipart part an option is text: lists are comma-separated (or a JSON
 * array), structured values are JSON.
 */
function asText(schema: Record<string, unknown>): Record<string, unknown> {
  if (schema.type === 'array') {
    const items = schema.items as Record<string, unknown> | undefined;
    const structured = items?.type === 'object';
    return {
      type: 'string',
      description: `${schema.description ? `${schema.description} ` : ''}${structured ? 'A JSON array' : 'Comma-separated, or a JSON array'}${items && !structured ? ` of ${JSON.stringify(items)}` : ''}.`,
    };
  }
  if (schema.type === 'object') return { type: 'string', description: `${schema.description ?? ''} JSON.`.trim() };
  return schema;
}

/** A response schema names its media type when it is not JSON (the searchable PDF). */
function mediaOf(schema: unknown): Record<string, unknown> {
  const media = (schema as { contentMediaType?: string }).contentMediaType;
  return media ? { [media]: { schema: { type: 'string', format: 'binary' } } } : { 'application/json': { schema } };
}

const RATE_LIMITED = (queued: boolean) =>
  `RATE_LIMITED, with Retry-After: over RATE_LIMIT_PER_KEY${queued ? ', or the key has MAX_QUEUED_JOBS_PER_KEY jobs queued or running' : ''}`;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorResponse } },
});

export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const fn = route.fn;
    const parameters: unknown[] = [];
    const params = fn.schema.params as { properties?: Record<string, unknown> } | undefined;
    for (const [name, schema] of Object.entries(params?.properties ?? {})) {
      parameters.push({ name, in: 'path', required: true, schema });
    }
    const query = fn.schema.query as { properties?: Record<string, unknown> } | undefined;
    for (const [name, schema] of Object.entries(query?.properties ?? {})) {
      parameters.push({ name, in: 'query', schema });
    }
    const operation: Record<string, unknown> = {
      operationId: route.invocation === 'event' ? `${fn.name}Async` : fn.name,
      summary: route.invocation === 'event' ? `${fn.summary ?? fn.name} Queued: answers 202 with a Job.` : fn.summary,
      parameters,
      responses: {} as Record<string, unknown>,
    };
    const responses = operation.responses as Record<string, unknown>;
    if (fn.input === 'document') {
      const options = (fn.schema.body as { properties?: Record<string, Record<string, unknown>> } | undefined)?.properties ?? {};
      for (const [name, schema] of Object.entries(options)) {
        if (name === 'callbackUrl' && route.invocation !== 'event') continue;
        parameters.push({ name, in: 'query', schema: asText(schema) });
      }
      if (route.invocation === 'event') parameters.push({ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } });
      operation.requestBody = {
        required: true,
        content: {
          ...Object.fromEntries(DOCUMENT_TYPES.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: { file: { type: 'string', format: 'binary' }, ...Object.fromEntries(Object.entries(options).map(([n, sc]) => [n, asText(sc)])) },
              required: ['file'],
            },
          },
          'application/json': {
            schema: {
              type: 'object',
              properties: { document: { type: 'string', contentEncoding: 'base64', description: 'The document, base64-encoded.' }, ...options },
              required: ['document'],
              additionalProperties: false,
            },
          },
        },
      };
      responses['400'] = errorResponse('BAD_REQUEST or VALIDATION_FAILED');
      responses['413'] = errorResponse('PAYLOAD_TOO_LARGE');
      responses['415'] = errorResponse('UNSUPPORTED_MEDIA_TYPE');
    } else if (fn.input === 'json' && fn.schema.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: fn.schema.body } } };
    }
    if (route.invocation === 'event') {
      responses['202'] = { description: 'Accepted: the job is stored and queued.', content: { 'application/json': { schema: Job } } };
      responses['200'] = { description: 'The job first created with this Idempotency-Key.', content: { 'application/json': { schema: Job } } };
    } else {
      responses[String(fn.options?.status ?? 200)] = {
        description: 'OK',
        content: {
          ...mediaOf(fn.schema.response),
          ...(rendersFormats(fn) ? Object.fromEntries(FORMAT_TYPES.map((t) => [t, { schema: { type: 'string' } }])) : {}),
        },
      };
      if (fn.input === 'document') {
        responses['422'] = errorResponse('UNPROCESSABLE_DOCUMENT');
        responses['502'] = errorResponse('UPSTREAM_ERROR');
        responses['503'] = errorResponse('OVERLOADED (with Retry-After) or ENGINE_UNAVAILABLE');
        responses['504'] = errorResponse('TIMEOUT');
      }
    }
    if (params) responses['404'] = errorResponse('Not found');
    if (route.path.endsWith('/pdf')) responses['410'] = errorResponse('DOCUMENT_EXPIRED: the bytes are past DOCUMENT_RETENTION_HOURS');
    if (fn.options?.auth !== false) {
      operation.security = [{ apiKey: [] }, { bearer: [] }];
      responses['401'] = errorResponse('UNAUTHORIZED (when API_KEYS is set)');
      responses['429'] = errorResponse(RATE_LIMITED(route.invocation === 'event'));
    }
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  paths['/invoke/{function}'] = {
    post: {
      operationId: 'invoke',
      summary: 'Lambda-style invocation of any function by name; `x-invocation-type: Event` queues it (202 Job).',
      parameters: [
        { name: 'function', in: 'path', required: true, schema: { type: 'string', enum: [...new Set(routes.map((r) => r.fn.name))] } },
        { name: 'x-invocation-type', in: 'header', schema: { type: 'string', enum: ['RequestResponse', 'Event'] } },
      ],
      responses: {
        '200': { description: "The function's result." },
        '202': { description: 'Queued.', content: { 'application/json': { schema: Job } } },
        '401': errorResponse('UNAUTHORIZED (when API_KEYS is set; every function, /health included, needs the key here)'),
        '404': errorResponse('FUNCTION_NOT_FOUND'),
        '429': errorResponse(RATE_LIMITED(true)),
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'DTAT-OCR', version, description: 'Document OCR in front of Amazon Textract. WebSocket pushes at GET /ws.' },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
    paths,
  };
}
