import type { TextractClient } from '@aws-sdk/client-textract';
import type { Static, TObject, TSchema } from 'typebox';
import type { Context, FunctionSpec } from '../define.ts';
import { defineFunction, HttpMethod } from '../define.ts';
import type { OcrEngine, PageInput, PageResult } from '../engines/types.ts';
import { documentOptionsSchema, type CommonOptions } from './options.ts';
import { runDocumentFunction } from './run.ts';

// A document function is one file in functions/: its options and result schemas, how to call the
// engine for a batch of pages, and how to merge the calls into its result. Everything else (the
// three input forms, type checks, page ranges and splitting, the cache, admission and the
// per-operation Textract quota, storage, jobs, pushes, callbacks, output formats) is the
// runtime's, which therefore never needs to know a function's option names.

/** What one engine call produced: the pages it covered (text and word boxes) and the function's own data. */
export interface CallOutput<X = unknown> {
  pages: PageResult[];
  data?: X;
}

export interface CallContext {
  signal: AbortSignal;
  log: Context['log'];
}

export interface TextractRunner<O, X> {
  /** Every Textract operation the function may call: each gets a quota bucket and a job queue. */
  operations: readonly string[];
  /** The operation one call (on these page numbers) uses, so it can be paced against that operation's quota. */
  operation(options: O, pages: readonly number[]): string;
  call(client: TextractClient, pages: PageInput[], options: O, ctx: CallContext): Promise<CallOutput<X>>;
}

export interface LocalRunner<O, X> {
  call(engine: OcrEngine, pages: PageInput[], options: O, ctx: CallContext): Promise<CallOutput<X>>;
}

export interface DocumentSpec<O = any, X = any> {
  /** The function's own options, validated beside the runtime's (filename, pages, format, ...). */
  options: TObject;
  /**
   * Puts options in canonical form (sorted, deduplicated, implied values filled in) so equal
   * requests share one cache entry; throws an HttpError for combinations the schema cannot express.
   */
  prepare(options: O): O;
  /** The options as cache-key text; equal keys MUST mean equal results. */
  cacheKey(options: O): string;
  /** Fields of the result head that come from the options (e.g. `features` of /ocr). */
  headFields?(options: O): Record<string, unknown>;
  /** Pages sent in one call: 1 for per-page APIs; AnalyzeID takes front and back together. */
  pagesPerCall?: number;
  /** Pages a document may have (after `pages=`) for this function; more is refused with 422. */
  maxPages?: number;
  textract?: TextractRunner<O, X>;
  local?: LocalRunner<O, X>;
  /** The result's own fields (beside the head) from every call's output, pages in document order. */
  merge(outputs: CallOutput<X>[], options: O): Record<string, unknown>;
  /** Human-readable structure of a stored result, for format=text|markdown|html|csv. */
  document?(result: Record<string, unknown>): unknown;
}

export interface DocumentFunctionInput<S extends TObject, X> {
  name: string;
  path: string;
  method?: HttpMethod;
  summary: string;
  /** The function's own options schema (an object schema; the runtime adds its common options). */
  options: S;
  /** The full result, for validation of what clients may rely on and for the OpenAPI document. */
  result: TSchema;
  prepare?(options: Static<S>): Static<S>;
  cacheKey(options: Static<S>): string;
  headFields?(options: Static<S>): Record<string, unknown>;
  pagesPerCall?: number;
  maxPages?: number;
  textract?: TextractRunner<Static<S>, X>;
  local?: LocalRunner<Static<S>, X>;
  merge(outputs: CallOutput<X>[], options: Static<S>): Record<string, unknown>;
  document?(result: Record<string, unknown>): unknown;
}

export type DocumentFunction = FunctionSpec & { document: DocumentSpec };

export function defineDocumentFunction<S extends TObject, X>(input: DocumentFunctionInput<S, X>): DocumentFunction {
  const spec: DocumentSpec<Static<S>, X> = {
    options: input.options,
    prepare: input.prepare ?? ((o) => o),
    cacheKey: input.cacheKey,
    headFields: input.headFields,
    pagesPerCall: input.pagesPerCall,
    maxPages: input.maxPages,
    textract: input.textract,
    local: input.local,
    merge: input.merge,
    document: input.document,
  };
  const body = documentOptionsSchema(input.options);
  const fn = defineFunction({
    name: input.name,
    method: input.method ?? 'POST',
    path: input.path,
    summary: input.summary,
    input: 'document',
    schema: { body, response: input.result },
    async handler(event, ctx) {
      return runDocumentFunction(input.name, spec, event.document, event.body as CommonOptions & Static<S>, event.headers, ctx);
    },
  });
  return Object.freeze({ ...fn, document: spec }) as DocumentFunction;
}

export function isDocumentFunction(fn: FunctionSpec<any, any>): fn is DocumentFunction {
  return (fn as Partial<DocumentFunction>).document !== undefined;
}
