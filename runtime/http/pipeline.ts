import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import type { AnyFunction, Context, InvocationEvent, Services } from '../define.ts';
import { RawBody, RawJson, Reply } from '../define.ts';
import { errorBody, httpError, toHttpError, type HttpError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { methodLabel, requestRecorder, type RequestRecorder } from '../metrics/instruments.ts';
import { matchRoute, type Route } from '../routes.ts';
import { UNAUTHENTICATED, type Tenant } from '../tenants.ts';
import { compileCheck, type Check } from '../validate.ts';
import { presentedKey, type KeyRing } from './api-keys.ts';
import { parseDocumentRequest } from './document-input.ts';
import type { RequestRate } from './request-rate.ts';

// Everything between "a request arrived" and "this is the response", without uWS: the adapter
// feeds it plain values, so the whole request path is testable and the adapter stays thin.

export interface IncomingRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** performance.now() when the pipeline first saw the request; set by prepare, for the duration metric. */
  receivedAt?: number;
}

export interface OutgoingResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Runs a function as a queued event; provided by the job layer. */
export type EventInvoker = (fn: AnyFunction, event: InvocationEvent, meta: EventMeta) => Promise<Reply>;

export interface EventMeta {
  requestId: string;
  idempotencyKey?: string;
  tenant: Tenant;
}

interface CompiledFunction {
  fn: AnyFunction;
  body?: Check;
  params?: Check;
  query?: Check;
}

/** A request whose route is known and whose body (if any) is still to be read. */
export interface Prepared {
  requestId: string;
  request: IncomingRequest;
  bodyLimit: number;
  run(body: Buffer, signal: AbortSignal): Promise<OutgoingResponse>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const NO_OPTIONS = Type.Object({}, { additionalProperties: false });
const MAX_JSON_BODY = 1024 * 1024;

export interface PipelineOptions {
  routes: Route[];
  services: Services;
  log: Logger;
  /** Who a key belongs to; read on every request, so a reloaded ring takes effect at once. */
  keys: KeyRing;
  /** Per-tenant request rate (RATE_LIMIT_PER_KEY); null when unlimited. */
  requestRate?: RequestRate | null;
  invokeEvent?: EventInvoker;
}

export function createPipeline(options: PipelineOptions) {
  const { routes, services, log, keys } = options;
  const requestRate = options.requestRate ?? null;
  const config = services.config;
  const compiled = new Map<AnyFunction, CompiledFunction>();
  for (const route of routes) {
    if (compiled.has(route.fn)) continue;
    const s = route.fn.schema;
    compiled.set(route.fn, {
      fn: route.fn,
      body: s.body && compileCheck(s.body),
      params: s.params && compileCheck(s.params, { coerce: true }),
      query: s.query && compileCheck(s.query, { coerce: true }),
    });
  }
  const byName = new Map([...compiled.values()].map((c) => [c.fn.name, c]));
  // Metrics children bound per route at boot: recording a request allocates nothing.
  const recorders = new Map<Route, RequestRecorder>(routes.map((r) => [r, requestRecorder(r.method, r.path)]));
  const invokeRecorder = requestRecorder('POST', '/invoke/:function');
  const unmatched = new Map<string, RequestRecorder>();
  /** The route label of a request, for responses made before or without `resolve` (404, 405, 413). */
  const recorderFor = (request: IncomingRequest): RequestRecorder => {
    if (/^\/invoke\/[^/]+\/?$/.test(request.path) && request.method === 'POST') return invokeRecorder;
    const match = matchRoute(routes, request.method, request.path);
    if (match && 'route' in match) return recorders.get(match.route)!;
    const method = methodLabel(request.method);
    let recorder = unmatched.get(method);
    if (!recorder) unmatched.set(method, (recorder = requestRecorder(method, 'unmatched')));
    return recorder;
  };
  const recorded = (recorder: RequestRecorder, request: IncomingRequest, response: OutgoingResponse): OutgoingResponse => {
    recorder.record(response.status, request.receivedAt === undefined ? 0 : (performance.now() - request.receivedAt) / 1000);
    return response;
  };
  // base64 is 4/3 of the document; multipart adds boundaries and headers.
  const documentBodyLimit = Math.ceil((config.maxDocumentBytes * 4) / 3) + 64 * 1024;

  function respond(requestId: string, status: number, body: unknown, headers: Record<string, string> = {}): OutgoingResponse {
    if (body instanceof RawBody) {
      return { status, headers: { 'content-type': body.contentType, ...headers, 'x-request-id': requestId }, body: body.body };
    }
    const text = body instanceof RawJson ? body.json : JSON.stringify(body);
    return { status, headers: { 'content-type': JSON_TYPE, ...headers, 'x-request-id': requestId }, body: text };
  }

  function fail(requestId: string, err: unknown, request: IncomingRequest): OutgoingResponse {
    const error: HttpError = toHttpError(err);
    const entry = { requestId, method: request.method, path: request.path, status: error.status, code: error.code };
    if (error.status >= 500) log.error({ ...entry, err: error.cause ?? error }, error.message);
    else log.info(entry, error.message);
    return respond(requestId, error.status, errorBody(error, requestId), error.headers);
  }

  /** A route that needs no key (GET /health, /docs) reached by its own path; never through /invoke. */
  function isPublic(request: IncomingRequest): boolean {
    const match = matchRoute(routes, request.method, request.path);
    return match !== null && 'route' in match && match.route.fn.options?.auth === false;
  }

  /**
   * The key is checked before any routing work: without one, every path but the public routes is
   * 401 (unknown paths too, so routes cannot be probed), and nothing the client sent is decoded.
   */
  function authenticate(request: IncomingRequest): { tenant: Tenant; limited: boolean } {
    const tenant = keys.identify(presentedKey(request.headers));
    if (tenant === null) {
      if (isPublic(request)) return { tenant: UNAUTHENTICATED, limited: false };
      throw httpError('UNAUTHORIZED', 'A valid API key is required (x-api-key or Authorization: Bearer).', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    // Health checks and the docs page stay reachable whatever a client's rate.
    return { tenant, limited: requestRate !== null && !isPublic(request) };
  }

  function resolve(request: IncomingRequest): {
    target: CompiledFunction;
    params: Record<string, string>;
    invocation: 'sync' | 'event';
    recorder: RequestRecorder;
  } {
    const invoke = /^\/invoke\/([^/]+)\/?$/.exec(request.path);
    if (invoke) {
      if (request.method !== 'POST') throw httpError('METHOD_NOT_ALLOWED', 'Use POST to invoke a function.', { headers: { allow: 'POST' } });
      let name: string | undefined;
      try {
        name = decodeURIComponent(invoke[1]!);
      } catch {
        // Malformed escapes (%ff) name no function.
      }
      const target = name === undefined ? undefined : byName.get(name);
      // The name is not repeated: error messages never echo what the client sent.
      if (!target) throw httpError('FUNCTION_NOT_FOUND', 'No function by that name; GET /openapi.json lists them.');
      const type = (request.headers['x-invocation-type'] ?? 'RequestResponse').toLowerCase();
      if (type !== 'event' && type !== 'requestresponse') {
        throw httpError('BAD_REQUEST', 'x-invocation-type must be RequestResponse or Event.');
      }
      // Lambda-style invocation has no path: path parameters come from the query string.
      return { target, params: Object.fromEntries(request.query), invocation: type === 'event' ? 'event' : 'sync', recorder: invokeRecorder };
    }
    const match = matchRoute(routes, request.method, request.path);
    if (!match) throw httpError('NOT_FOUND', 'No route matches this method and path; GET /openapi.json lists them.');
    if ('allowed' in match) {
      throw httpError('METHOD_NOT_ALLOWED', 'This method is not allowed here; the Allow header lists those that are.', { headers: { allow: match.allowed.join(', ') } });
    }
    return { target: compiled.get(match.route.fn)!, params: match.params, invocation: match.route.invocation, recorder: recorders.get(match.route)! };
  }

  async function buildEvent(target: CompiledFunction, request: IncomingRequest, params: Record<string, string>, body: Buffer): Promise<InvocationEvent> {
    const event: InvocationEvent = {
      body: undefined,
      params: target.params ? target.params(params, 'path') : params,
      query: target.query ? target.query(Object.fromEntries(request.query), 'query') : Object.fromEntries(request.query),
      headers: request.headers,
    };
    const input = target.fn.input ?? 'none';
    if (input === 'document') {
      const parsed = await parseDocumentRequest(
        request.headers['content-type'] ?? '',
        body,
        request.query,
        config.maxDocumentBytes,
        target.fn.schema.body ?? NO_OPTIONS,
      );
      event.document = parsed.document;
      event.body = target.body ? target.body(parsed.options, 'body') : parsed.options;
    } else if (input === 'json') {
      let value: unknown = {};
      if (body.length > 0) {
        try {
          value = JSON.parse(body.toString('utf8'));
        } catch {
          throw httpError('BAD_REQUEST', 'The body is not valid JSON.');
        }
      }
      event.body = target.body ? target.body(value, 'body') : value;
    }
    return event;
  }

  function prepare(request: IncomingRequest): Prepared | OutgoingResponse {
    request.receivedAt = performance.now();
    let recorder: RequestRecorder | undefined;
    const supplied = request.headers['x-request-id'];
    const requestId = supplied && supplied.length <= 128 && /^[\x21-\x7e]+$/.test(supplied) ? supplied : randomUUID();
    try {
      const { tenant, limited } = authenticate(request);
      if (limited) {
        const decision = requestRate!.take(tenant.name);
        if (!decision.ok) {
          throw httpError('RATE_LIMITED', 'Too many requests for this API key; retry after the Retry-After seconds.', {
            headers: { 'retry-after': String(decision.retryAfterS) },
          });
        }
      }
      const resolved = resolve(request);
      const { target, params, invocation } = resolved;
      recorder = resolved.recorder;
      const input = target.fn.input ?? 'none';
      // A function without input ignores a stray body, but still never buffers a large one.
      const bodyLimit = input === 'document' ? documentBodyLimit : input === 'json' ? MAX_JSON_BODY : 64 * 1024;
      const handle = async (body: Buffer, signal: AbortSignal): Promise<OutgoingResponse> => {
        try {
          const event = await buildEvent(target, request, params, body);
          if (invocation === 'event') {
            if (!options.invokeEvent || target.fn.options?.queueable === false) {
              throw httpError('BAD_REQUEST', 'This function cannot be invoked as an event.');
            }
            const reply = await options.invokeEvent(target.fn, event, { requestId, idempotencyKey: request.headers['idempotency-key'], tenant });
            return respond(requestId, reply.status, reply.body, reply.headers);
          }
          const ctx: Context = {
            ...services,
            log: log.child({ requestId, tenant: tenant.name }),
            requestId,
            tenant,
            signal,
            invocation: 'sync',
            progress: () => {},
          };
          const result = await target.fn.handler(event, ctx);
          if (result instanceof Reply) return respond(requestId, result.status, result.body, result.headers);
          return respond(requestId, target.fn.options?.status ?? 200, result);
        } catch (err) {
          if (signal.aborted) {
            // The client hung up: nothing can be written, and it is not the service's fault.
            log.info({ requestId, method: request.method, path: request.path }, 'client closed the request');
            return respond(requestId, 499, { error: { code: 'CLIENT_CLOSED', message: 'The client closed the request.', requestId } });
          }
          return fail(requestId, err, request);
        }
      };
      return { requestId, request, bodyLimit, run: async (body, signal) => recorded(resolved.recorder, request, await handle(body, signal)) };
    } catch (err) {
      return recorded(recorder ?? recorderFor(request), request, fail(requestId, err, request));
    }
  }

  return {
    prepare,
    /** For the adapter's own errors (oversized or aborted bodies). */
    error: (requestId: string, err: unknown, request: IncomingRequest) => recorded(recorderFor(request), request, fail(requestId, err, request)),
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
