import type { Static, TSchema } from 'typebox';
import type { TextractClient } from '@aws-sdk/client-textract';
import type { Config } from './config.ts';
import type { Pool } from './db/pool.ts';
import type { JobEnd } from './db/queries.ts';
import type { OperationRates, Semaphore } from './engines/gate.ts';
import type { OcrEngine } from './engines/types.ts';
import type { AdapterName } from './http/adapter.ts';
import type { Logger } from './log.ts';
import type { Tenant } from './tenants.ts';

// A function is data: its name, route, schemas and handler. The runtime reads these to route,
// validate, document (OpenAPI) and invoke it, synchronously or from the queue.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** How the runtime turns a request body into `event.body` (and `event.document`). */
export type InputKind =
  | 'none'
  // JSON body validated against schema.body.
  | 'json'
  // A document in one of three forms (raw / multipart / base64 JSON); options go to event.body.
  | 'document';

export interface UploadedDocument {
  bytes: Buffer;
  filename?: string;
  /** The bytes' SHA-256 (hex), when the runtime knows it already: a queued job's document. */
  sha256?: string;
}

export interface FunctionSchemas {
  body?: TSchema;
  params?: TSchema;
  query?: TSchema;
  response: TSchema;
}

type StaticOr<T, Fallback> = T extends TSchema ? Static<T> : Fallback;

export interface InvocationEvent<S extends FunctionSchemas = FunctionSchemas> {
  body: StaticOr<S['body'], undefined>;
  params: StaticOr<S['params'], Record<string, string>>;
  query: StaticOr<S['query'], Record<string, string>>;
  headers: Record<string, string>;
  document?: UploadedDocument;
}

/** Progress reported by long-running handlers; queued runs relay it to pollers and subscribers. */
export type ProgressReporter = (progress: { pagesDone: number; pageCount: number }) => void;

export interface Services {
  config: Config;
  db: Pool;
  /** What documents run on: 'textract', the local engine's name, or 'none'. */
  engineName: string;
  /** Set when the service runs on Amazon Textract. */
  textract: TextractClient | null;
  /** Set when the service OCRs locally. */
  localEngine: OcrEngine | null;
  /** Why neither engine is available, in words for the client. */
  engineUnavailable?: string;
  /** Admission to the engine: in-flight cap, and each Textract operation's cluster-wide rate. */
  gate: { slots: Semaphore; rates: OperationRates };
  /** Every function of the route table, by name (stored results are rendered by their function). */
  functions: ReadonlyMap<string, FunctionSpec<any, any>>;
  queue: QueueApi | null;
  workerId: string;
  startedAt: number;
  inFlight: () => number;
  /** Which HTTP adapter serves this process. */
  httpAdapter: AdapterName;
}

export interface Context extends Services {
  log: Logger;
  requestId: string;
  /** Whose request (or queued job) this is: set by the pipeline after the key check, or from the job row. */
  tenant: Tenant;
  signal: AbortSignal;
  /** 'sync' when a client waits on the connection; 'event' when run from the queue. */
  invocation: 'sync' | 'event';
  jobId?: string;
  progress: ProgressReporter;
  /** Queued runs: the consumer paid the first Textract token (of the job's operation) before fetching the job. */
  rateCredit?: { take(operation: string): boolean };
  /**
   * Queued runs without a callback: where the job's end is recorded, so the statement that stores a
   * fresh result may end the job in the same commit (db/queries.ts storeResult); `finished` is set
   * when it did.
   */
  jobEnd?: JobEnd & { finished: boolean };
}

/** What the event path needs from the queue; implemented by runtime/queue. */
export interface QueueApi {
  health(): Promise<boolean>;
}

export interface FunctionOptions {
  /** Default true: the route needs an API key when API_KEYS is set. */
  auth?: boolean;
  /** Allowed as `x-invocation-type: Event` / queued. Default true for document functions. */
  queueable?: boolean;
  /** Success status, default 200. */
  status?: number;
}

export interface FunctionSpec<S extends FunctionSchemas = FunctionSchemas, R = unknown> {
  name: string;
  method: HttpMethod;
  path: string;
  summary?: string;
  input?: InputKind;
  schema: S;
  handler: (event: InvocationEvent<S>, ctx: Context) => Promise<R>;
  options?: FunctionOptions;
}

export type AnyFunction = FunctionSpec<any, any>;

export function defineFunction<const S extends FunctionSchemas, R>(spec: FunctionSpec<S, R>): FunctionSpec<S, R> {
  return Object.freeze(spec);
}

/**
 * A handler may return a response whose JSON is already serialised (a stored result), so large
 * payloads are not parsed and re-stringified on every cache hit.
 */
export class RawJson {
  constructor(
    readonly json: string,
    /** The stored result this JSON is, so a queued run can reference it without re-reading. */
    readonly stored?: StoredResultRef,
  ) {}
}

export interface StoredResultRef {
  documentId: string;
  resultId: string;
  cached: boolean;
}

/**
 * A body that is not JSON (markdown, HTML, CSV, a PDF, a page): sent as is with its content type.
 * Return it directly or inside a Reply.
 */
export class RawBody {
  constructor(
    readonly body: string | Buffer,
    readonly contentType: string,
  ) {}
}

/** A handler that must answer with a status other than its default (e.g. 200 for an existing job). */
export class Reply<T = unknown> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Record<string, string> = {},
  ) {}
}
