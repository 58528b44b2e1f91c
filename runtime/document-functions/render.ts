import type { RawBody } from '../define.ts';
import { httpError } from '../errors.ts';
import type { DocumentSpec } from './define.ts';
import type { OutputFormat } from './options.ts';

export function formatFromAccept(_accept: string | undefined): OutputFormat {
  return 'json';
}

export function renderResult(_spec: DocumentSpec | undefined, _result: Record<string, unknown>, format: OutputFormat, _options: { table?: number }): RawBody {
  throw httpError('BAD_REQUEST', `format=${format} is not available yet.`);
}
