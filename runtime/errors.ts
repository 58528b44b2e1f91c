// The one error catalog. Codes are part of the public contract (API.md): clients branch on them,
// so a code never changes meaning once shipped.

export const ERROR_CODES = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  DOCUMENT_NOT_FOUND: 404,
  FUNCTION_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  JOB_NOT_SUCCEEDED: 409,
  DOCUMENT_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  UNPROCESSABLE_DOCUMENT: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  UPSTREAM_ERROR: 502,
  OVERLOADED: 503,
  ENGINE_UNAVAILABLE: 503,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface HttpErrorOptions {
  cause?: unknown;
  issues?: ValidationIssue[];
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues?: ValidationIssue[];
  readonly headers?: Record<string, string>;

  constructor(status: number, code: string, message: string, options: HttpErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.issues = options.issues;
    this.headers = options.headers;
  }
}

/** Builds an HttpError whose status comes from the catalog, so code and status never disagree. */
export function httpError(code: ErrorCode, message: string, options?: HttpErrorOptions): HttpError {
  return new HttpError(ERROR_CODES[code], code, message, options);
}

/** Anything thrown that is not an HttpError is a bug or an outage: 500, message withheld. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isStatusCoded(err)) return new HttpError(err.status, err.code, err.message, { cause: err });
  if (isDatabaseUnavailable(err)) {
    return new HttpError(503, 'UNAVAILABLE', 'The service cannot reach its database; retry shortly.', { cause: err, headers: { 'retry-after': '5' } });
  }
  return new HttpError(500, 'INTERNAL_ERROR', 'The service failed to handle the request.', { cause: err });
}

// Errors from lower layers (document checks) carry {status, code} without importing this module.
function isStatusCoded(err: unknown): err is Error & { status: number; code: string } {
  return (
    err instanceof Error &&
    typeof (err as { status?: unknown }).status === 'number' &&
    typeof (err as { code?: unknown }).code === 'string' &&
    (err as unknown as { code: string }).code in ERROR_CODES
  );
}

// Connection failures and PostgreSQL's "connection exception" / "operator intervention" classes:
// an outage the client should retry, not a bug in the request.
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof Error && /Connection terminated|timeout exceeded when trying to connect|is not queryable/.test(err.message)) return true;
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code) || /^(08|57P)/.test(code) || code === '3D000';
}

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; issues?: ValidationIssue[] };
}

export function errorBody(err: HttpError, requestId: string): ErrorBody {
  const body: ErrorBody = { error: { code: err.code, message: err.message, requestId } };
  if (err.issues?.length) body.error.issues = err.issues;
  return body;
}
