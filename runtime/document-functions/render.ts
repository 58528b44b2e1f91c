import { RawBody } from '../define.ts';
import { httpError } from '../errors.ts';
import { formatFromAccept as negotiate } from '../formats/accept.ts';
import type { OutputDocument } from '../formats/model.ts';
import { render, type OutputFormat, type RenderFormat } from '../formats/render.ts';
import type { DocumentSpec } from './define.ts';

/**
 * The format an Accept header asks for. Reading a stored result (GET) negotiates fully, so a
 * browser gets HTML. A document submission (POST) switches only on one explicit type
 * (`Accept: text/markdown`): integration clients send default headers such as Java's
 * "text/html, image/gif, *; q=.2", and they must keep getting the JSON they parse. A header
 * that accepts none of the formats gets JSON too, the service's default.
 */
export function formatFromAccept(accept: string | undefined, mode: 'negotiate' | 'explicit'): OutputFormat {
  if (accept === undefined) return 'json';
  if (mode === 'explicit' && (accept.includes(',') || accept.includes('*'))) return 'json';
  return negotiate(accept) ?? 'json';
}

/** A stored result in a human format, through its function's document builder. */
export function renderResult(spec: DocumentSpec | undefined, result: Record<string, unknown>, format: RenderFormat, options: { table?: number }): RawBody {
  if (!spec?.document) throw httpError('BAD_REQUEST', `This result has no ${format} form; ask for JSON.`);
  const rendered = render(spec.document(result) as OutputDocument, format, options);
  return new RawBody(rendered.body, rendered.contentType);
}
