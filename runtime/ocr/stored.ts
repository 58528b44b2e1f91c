import { resultJson } from './result-json.ts';

/** A result row (documents joined with results) as the OcrResult JSON clients get. */
export function storedResultJson(row: {
  document_id: string;
  sha256: string;
  filename: string | null;
  content_type: string;
  bytes: number;
  page_count: number;
  features: string;
  engine: string;
  payload: string;
  duration_ms: number;
  created_at: Date;
}, cached = true): string {
  return resultJson(
    {
      documentId: row.document_id,
      sha256: row.sha256,
      filename: row.filename,
      contentType: row.content_type,
      bytes: row.bytes,
      pageCount: row.page_count,
      engine: row.engine,
      features: row.features ? row.features.split(',') : [],
      cached,
      durationMs: row.duration_ms,
    },
    row.payload,
    row.created_at,
  );
}
