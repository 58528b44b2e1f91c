// The wire side of Textract's JSON 1.1 protocol: how answers and errors look, and which request
// parameters are acceptable.
import type { ServerResponse } from 'node:http';
import type { ApiName } from './apis.ts';
import { validPageSpec, type TextractQuery } from './queries.ts';

export const OPERATIONS: Readonly<Record<string, ApiName>> = {
  'Textract.DetectDocumentText': 'DetectDocumentText',
  'Textract.AnalyzeDocument': 'AnalyzeDocument',
  'Textract.AnalyzeExpense': 'AnalyzeExpense',
  'Textract.AnalyzeID': 'AnalyzeID',
};

/** Textract's sync limit on queries for one page. */
const MAX_QUERIES = 15;
/** AnalyzeID takes an ID's front and, optionally, its back. */
const MAX_ID_PAGES = 2;

const FEATURE_TYPES = new Set(['TABLES', 'FORMS', 'QUERIES', 'SIGNATURES', 'LAYOUT']);

export class TextractError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

export const invalidParameter = (message: string): TextractError =>
  new TextractError(400, 'InvalidParameterException', message);

/** Real Textract's messages, so logs read the same against the emulator and AWS. */
export const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  ProvisionedThroughputExceededException: 'Provisioned rate exceeded',
  ThrottlingException: 'Rate exceeded',
  InternalServerError: 'Internal server error',
};

export function sendJson(res: ServerResponse, status: number, body: Buffer, requestId: string, errorType?: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': body.length,
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(body);
}

export function sendError(res: ServerResponse, err: TextractError, requestId: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) if (!res.headersSent) res.setHeader(name, value);
  sendJson(res, err.status, Buffer.from(JSON.stringify({ __type: err.type, message: err.message })), requestId, err.type);
}

export interface ParsedRequest {
  /** Base64 document bytes: one, or for AnalyzeID one per page (front, back). */
  documents: string[];
  features: Set<string>;
  queries: TextractQuery[];
}

/** A `Document` parameter's base64 bytes, refused as Textract refuses it. */
function documentBytes(document: unknown, name: string): string {
  if (typeof document !== 'object' || document === null) throw invalidParameter(`${name} is required`);
  const { Bytes, S3Object } = document as Record<string, unknown>;
  if (S3Object !== undefined && Bytes === undefined) {
    throw new TextractError(400, 'InvalidS3ObjectException', 'The emulator has no S3: send Document.Bytes');
  }
  if (typeof Bytes !== 'string' || Bytes.length === 0) throw invalidParameter(`${name}.Bytes must be non-empty base64`);
  return Bytes;
}

function parseQueries(config: unknown): TextractQuery[] {
  const list = (config as { Queries?: unknown } | undefined)?.Queries;
  if (!Array.isArray(list) || list.length === 0) throw invalidParameter('QueriesConfig.Queries is required with QUERIES');
  if (list.length > MAX_QUERIES) throw invalidParameter(`At most ${MAX_QUERIES} queries are allowed per page`);
  return list.map((q) => {
    const { Text, Alias, Pages } = (q ?? {}) as Record<string, unknown>;
    if (typeof Text !== 'string' || Text.length === 0 || Text.length > 200) throw invalidParameter('Each query needs a Text of 1..200 characters');
    if (Alias !== undefined && (typeof Alias !== 'string' || Alias.length === 0 || Alias.length > 100)) throw invalidParameter('Query.Alias must be 1..100 characters');
    if (Pages !== undefined && (!Array.isArray(Pages) || Pages.length === 0 || !Pages.every(validPageSpec))) {
      throw invalidParameter('Query.Pages must list pages such as "1", "2-4" or "*"');
    }
    return { Text, ...(Alias !== undefined ? { Alias } : {}), ...(Pages !== undefined ? { Pages: Pages as string[] } : {}) };
  });
}

/** Checks a request body's parameters the way Textract does before it looks at the document. */
export function parseParameters(api: ApiName, body: unknown): ParsedRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TextractError(400, 'SerializationException', 'Request body must be a JSON object');
  }
  const { Document, DocumentPages, FeatureTypes, QueriesConfig } = body as Record<string, unknown>;

  if (api === 'AnalyzeID') {
    if (!Array.isArray(DocumentPages) || DocumentPages.length === 0) throw invalidParameter('DocumentPages must list the front (and optionally the back) of the ID');
    if (DocumentPages.length > MAX_ID_PAGES) {
      throw invalidParameter(`DocumentPages has ${DocumentPages.length} documents; AnalyzeID accepts at most ${MAX_ID_PAGES} (front and back)`);
    }
    return { documents: DocumentPages.map((page, i) => documentBytes(page, `DocumentPages[${i}]`)), features: new Set(), queries: [] };
  }

  const documents = [documentBytes(Document, 'Document')];
  const features = new Set<string>();
  let queries: TextractQuery[] = [];
  if (api === 'AnalyzeDocument') {
    if (!Array.isArray(FeatureTypes) || FeatureTypes.length === 0) {
      throw invalidParameter('FeatureTypes must list at least one of TABLES, FORMS, QUERIES, SIGNATURES, LAYOUT');
    }
    for (const f of FeatureTypes) {
      if (typeof f !== 'string' || !FEATURE_TYPES.has(f)) throw invalidParameter(`Invalid FeatureType: ${String(f)}`);
      features.add(f);
    }
    if (features.has('QUERIES')) queries = parseQueries(QueriesConfig);
  }
  return { documents, features, queries };
}
