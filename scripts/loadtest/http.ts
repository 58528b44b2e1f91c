// The HTTP side of every mode: one undici Agent per run (keep-alive, a connection per client), URLs
// built only from the operator's --url, and answers reduced to what a RequestRecord needs.
import { Agent, request } from 'undici';
import type { Feature, LoadDocument } from './types.ts';

export const LOADTEST_USER_AGENT = 'dtat-ocr-loadtest/1';

export interface HttpContext {
  /** The service's base: origin plus an optional path prefix, no trailing slash. */
  base: URL;
  /** The document function's path: /ocr, /expense, /identity. */
  route: string;
  agent: Agent;
  apiKey?: string;
  features: Feature[];
  /** Headers every request of this mode carries (User-Agent, Connection for boomi). */
  headers: Record<string, string>;
}

/** Outcome of one document, as a mode reports it; run.ts adds the timing. */
export interface Outcome {
  ok: boolean;
  status: number | null;
  errorCode: string | null;
  jobStatus: 'succeeded' | 'failed' | null;
  jobId: string | null;
  cached: boolean | null;
  retryAfter: string | null;
}

export interface Answer {
  status: number;
  json: unknown;
  errorCode: string | null;
  retryAfter: string | null;
}

export class BaseUrlError extends Error {}

/** Parses --url: http(s) only, no credentials, query or fragment; keeps a path prefix. */
export function parseBaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BaseUrlError(`not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new BaseUrlError(`must be http:// or https://, got ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new BaseUrlError('must not carry credentials (use --api-key)');
  if (parsed.search || parsed.hash) throw new BaseUrlError('must not carry a query string or fragment');
  return parsed;
}

/** The base's path prefix without its trailing slash ('' for a bare origin). */
function prefix(base: URL): string {
  return base.pathname.replace(/\/+$/, '');
}

export function routeUrl(base: URL, path: string, query: Record<string, string> = {}): string {
  const url = new URL(base.href);
  url.pathname = `${prefix(base)}${path}`;
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.href;
}

export function webSocketUrl(base: URL): string {
  const url = new URL(base.href);
  url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${prefix(base)}/ws`;
  return url.href;
}

export function authHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { 'x-api-key': apiKey } : {};
}

function header(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function errorCodeOf(json: unknown): string | null {
  if (json && typeof json === 'object' && 'error' in json) {
    const error = (json as { error: unknown }).error;
    if (error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string') {
      return (error as { code: string }).code;
    }
  }
  return null;
}

export async function call(
  ctx: HttpContext,
  method: 'GET' | 'POST',
  path: string,
  requestId: string,
  signal: AbortSignal,
  document?: LoadDocument,
): Promise<Answer> {
  const query: Record<string, string> = {};
  const headers: Record<string, string> = { ...ctx.headers, ...authHeaders(ctx.apiKey), 'x-request-id': requestId };
  if (document) {
    if (ctx.features.length > 0) query.features = ctx.features.join(',');
    query.filename = document.filename;
    headers['content-type'] = document.contentType;
  }
  const res = await request(routeUrl(ctx.base, path, query), {
    dispatcher: ctx.agent,
    method,
    headers,
    body: document?.bytes,
    signal,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return {
    status: res.statusCode,
    json,
    errorCode: res.statusCode >= 400 ? (errorCodeOf(json) ?? 'NO_ERROR_BODY') : null,
    retryAfter: header(res.headers['retry-after']),
  };
}

/** A client-side code for an exception: the deadline, a refused connection, a dropped socket. */
export function clientErrorCode(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'CLIENT_TIMEOUT';
  const code = (err as { code?: unknown })?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'CLIENT_TIMEOUT';
  if (code === 'UND_ERR_SOCKET') return 'SOCKET_CLOSED';
  const cause = (err as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof cause === 'string') return cause;
  return typeof code === 'string' ? code : 'CLIENT_ERROR';
}

export function failure(status: number | null, errorCode: string, extra: Partial<Outcome> = {}): Outcome {
  return { ok: false, status, errorCode, jobStatus: null, jobId: null, cached: null, retryAfter: null, ...extra };
}

export function cachedFlag(result: unknown): boolean | null {
  if (result && typeof result === 'object' && typeof (result as { cached?: unknown }).cached === 'boolean') {
    return (result as { cached: boolean }).cached;
  }
  return null;
}

export function isOcrResult(json: unknown): boolean {
  return !!json && typeof json === 'object' && typeof (json as { documentId?: unknown }).documentId === 'string';
}
