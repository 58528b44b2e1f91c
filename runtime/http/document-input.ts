import busboy from 'busboy';
import type { TSchema } from 'typebox';
import { httpError } from '../errors.ts';
import type { UploadedDocument } from '../define.ts';
import { normaliseJsonOptions, optionsFromText } from './option-values.ts';

// The three forms a document arrives in (API.md "Submitting a document"), reduced to one shape:
// the bytes plus the option fields, which the function's schema then validates. Which options
// exist, and how their text reads, comes from that schema alone.

export interface DocumentRequest {
  document: UploadedDocument;
  options: Record<string, unknown>;
}

const FILE_FIELDS = new Set(['file', 'document']);
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

export async function parseDocumentRequest(
  contentType: string,
  body: Buffer,
  query: URLSearchParams,
  maxDocumentBytes: number,
  optionsSchema: TSchema,
): Promise<DocumentRequest> {
  const fromQuery = optionsFromText(optionsSchema, collect(query), 'query');
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let parsed: DocumentRequest;
  if (type === 'application/json') parsed = parseJson(body, optionsSchema);
  else if (type === 'multipart/form-data') parsed = await parseMultipart(contentType, body, optionsSchema);
  else parsed = { document: { bytes: body }, options: {} };

  if (parsed.document.bytes.length === 0) {
    throw httpError('BAD_REQUEST', 'The request carries no document: send the file as the body, a multipart "file" part, or base64 in "document".');
  }
  if (parsed.document.bytes.length > maxDocumentBytes) {
    throw httpError('PAYLOAD_TOO_LARGE', `The document is ${parsed.document.bytes.length} bytes; the limit is ${maxDocumentBytes}.`);
  }
  const options = { ...fromQuery, ...parsed.options };
  if (typeof options.filename === 'string') parsed.document.filename = options.filename;
  return { document: parsed.document, options };
}

function collect(entries: Iterable<[string, string]>): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [name, value] of entries) {
    const list = values.get(name);
    if (list) list.push(value);
    else values.set(name, [value]);
  }
  return values;
}

function parseJson(body: Buffer, optionsSchema: TSchema): DocumentRequest {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw httpError('BAD_REQUEST', 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw httpError('VALIDATION_FAILED', 'The body must be a JSON object.', {
      issues: [{ path: 'body', message: 'must be an object' }],
    });
  }
  const { document, ...options } = value as Record<string, unknown>;
  if (typeof document !== 'string' || document.length === 0) {
    throw httpError('VALIDATION_FAILED', 'The body needs "document": the file as a base64 string.', {
      issues: [{ path: 'body.document', message: 'must be a non-empty base64 string' }],
    });
  }
  // Clients paste data URLs and wrapped base64; both are unambiguous, so accept them.
  const payload = document.replace(/^data:[^;,]*;base64,/, '').replace(/\s+/g, '');
  if (!BASE64.test(payload) || payload.length % 4 === 1) {
    throw httpError('BAD_REQUEST', '"document" is not valid base64.');
  }
  return { document: { bytes: Buffer.from(payload, 'base64') }, options: normaliseJsonOptions(optionsSchema, options) };
}

function parseMultipart(contentType: string, body: Buffer, optionsSchema: TSchema): Promise<DocumentRequest> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { files: 1, fields: 20, parts: 24 } });
    } catch {
      reject(httpError('BAD_REQUEST', 'The multipart body has no valid boundary.'));
      return;
    }
    const fields: [string, string][] = [];
    let filename: string | undefined;
    let document: UploadedDocument | undefined;
    let failed = false;
    const fail = (message: string) => {
      if (!failed) reject(httpError('BAD_REQUEST', message));
      failed = true;
    };
    parser.on('file', (name, stream, info) => {
      if (!FILE_FIELDS.has(name)) {
        stream.on('error', () => {});
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      // A truncated body errors the part's stream as well as the parser.
      stream.on('error', () => fail('The multipart body is malformed or truncated.'));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        document = { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
        filename ??= info.filename || undefined;
      });
    });
    parser.on('field', (name, value) => fields.push([name, value]));
    parser.on('error', () => fail('The multipart body is malformed.'));
    parser.on('partsLimit', () => fail('The multipart body has too many parts.'));
    parser.on('close', () => {
      if (failed) return;
      if (!document) {
        fail('The multipart body has no file part named "file" (or "document").');
        return;
      }
      try {
        const options = optionsFromText(optionsSchema, collect(fields), 'body');
        // The file part's own name is the filename unless a "filename" part says otherwise.
        if (filename !== undefined && options.filename === undefined) options.filename = filename;
        resolve({ document, options });
      } catch (err) {
        reject(err);
      }
    });
    parser.end(body);
  });
}
