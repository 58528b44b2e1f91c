import { ErrorResponse } from '../schemas/common.ts';
import { OcrJsonBody } from '../schemas/ocr.ts';
import { Job } from '../schemas/job.ts';
import type { Route } from './routes.ts';

// The OpenAPI document is generated from the same route table and typebox schemas that the
// runtime validates with, so the published contract cannot drift from the code.

const DOCUMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/tiff', 'application/octet-stream'];

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
    const operation: Record<string, unknown> = {
      operationId: route.invocation === 'event' ? `${fn.name}Async` : fn.name,
      summary: route.invocation === 'event' ? `${fn.summary ?? fn.name} Queued: answers 202 with a Job.` : fn.summary,
      parameters,
      responses: {} as Record<string, unknown>,
    };
    const responses = operation.responses as Record<string, unknown>;
    if (fn.input === 'document') {
      parameters.push(
        { name: 'features', in: 'query', schema: { type: 'string', example: 'TABLES,FORMS' } },
        { name: 'filename', in: 'query', schema: { type: 'string' } },
      );
      if (route.invocation === 'event') {
        parameters.push(
          { name: 'callbackUrl', in: 'query', schema: { type: 'string', format: 'uri' } },
          { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } },
        );
      }
      operation.requestBody = {
        required: true,
        content: {
          ...Object.fromEntries(DOCUMENT_TYPES.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: {
                file: { type: 'string', format: 'binary' },
                features: { type: 'string' },
                filename: { type: 'string' },
                callbackUrl: { type: 'string', format: 'uri' },
              },
              required: ['file'],
            },
          },
          'application/json': { schema: OcrJsonBody },
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
      responses[String(fn.options?.status ?? 200)] = { description: 'OK', content: { 'application/json': { schema: fn.schema.response } } };
      if (fn.input === 'document') {
        responses['422'] = errorResponse('UNPROCESSABLE_DOCUMENT');
        responses['502'] = errorResponse('UPSTREAM_ERROR');
        responses['503'] = errorResponse('OVERLOADED (with Retry-After) or ENGINE_UNAVAILABLE');
        responses['504'] = errorResponse('TIMEOUT');
      }
    }
    if (params) responses['404'] = errorResponse('Not found');
    if (fn.options?.auth !== false) {
      operation.security = [{ apiKey: [] }, { bearer: [] }];
      responses['401'] = errorResponse('UNAUTHORIZED (when API_KEYS is set)');
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
        '404': errorResponse('FUNCTION_NOT_FOUND'),
      },
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
