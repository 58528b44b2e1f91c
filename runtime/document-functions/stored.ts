import type { AnyFunction } from '../define.ts';
import { resultJson } from './result-json.ts';
import { isDocumentFunction } from './define.ts';

/** A result row (documents joined with results), as findDocumentResult and findResultById return it. */
export interface StoredResultRow {
  document_id: string;
  sha256: string;
  filename: string | null;
  content_type: string;
  bytes: number;
  page_count: number;
  result_id: string;
  function: string;
  options: Record<string, unknown> | null;
  engine: string;
  payload: string;
  duration_ms: number;
  created_at: Date;
}

/** A stored result as the JSON its function answers (OcrResult, ExpenseResult, ...). */
export function storedResultJson(row: StoredResultRow, functions: ReadonlyMap<string, AnyFunction>, cached = true): string {
  const fn = functions.get(row.function);
  const headFields = fn && isDocumentFunction(fn) ? fn.document.headFields?.(row.options ?? {}) : undefined;
  return resultJson(
    {
      documentId: row.document_id,
      sha256: row.sha256,
      filename: row.filename,
      contentType: row.content_type,
      bytes: row.bytes,
      pageCount: row.page_count,
      engine: row.engine,
      ...headFields,
      cached,
      durationMs: row.duration_ms,
    },
    row.payload,
    row.created_at,
  );
}
