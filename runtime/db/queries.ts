// Every SQL statement the service runs, as named functions returning a pg query config.
// Hot statements carry a `name` so each connection prepares them once.

export interface Query {
  name?: string;
  text: string;
  values: unknown[];
}

// ---- documents and results -------------------------------------------------------------------

export function findCachedResult(sha256: string, features: string, engine: string): Query {
  return {
    name: 'find-cached-result',
    text: `SELECT d.id AS document_id, d.page_count, r.payload, r.created_at
             FROM documents d JOIN results r ON r.document_id = d.id
            WHERE d.sha256 = $1 AND r.features = $2 AND r.engine = $3`,
    values: [sha256, features, engine],
  };
}

export function findPageResults(sha256s: string[], features: string, engine: string): Query {
  return {
    name: 'find-page-results',
    text: `SELECT sha256, payload FROM page_results WHERE sha256 = ANY($1) AND features = $2 AND engine = $3`,
    values: [sha256s, features, engine],
  };
}

/** Stores a document (once per content) and its result in one round trip; returns both ids. */
export function storeResult(doc: {
  id: string;
  sha256: string;
  filename: string | null;
  contentType: string;
  bytes: number;
  pageCount: number;
  resultId: string;
  features: string;
  engine: string;
  payload: string;
  durationMs: number;
}): Query {
  return {
    name: 'store-result',
    text: `WITH doc AS (
             INSERT INTO documents (id, sha256, filename, content_type, bytes, page_count)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (sha256) DO UPDATE SET page_count = EXCLUDED.page_count
             RETURNING id
           ), res AS (
             INSERT INTO results (id, document_id, features, engine, payload, duration_ms)
             SELECT $7, doc.id, $8, $9, $10, $11 FROM doc
             ON CONFLICT (document_id, features, engine)
               DO UPDATE SET payload = EXCLUDED.payload, duration_ms = EXCLUDED.duration_ms
             RETURNING id, created_at
           )
           SELECT doc.id AS document_id, res.id AS result_id, res.created_at FROM doc, res`,
    values: [doc.id, doc.sha256, doc.filename, doc.contentType, doc.bytes, doc.pageCount, doc.resultId, doc.features, doc.engine, doc.payload, doc.durationMs],
  };
}

export function storePageResults(rows: { sha256: string; payload: string }[], features: string, engine: string): Query {
  return {
    text: `INSERT INTO page_results (sha256, features, engine, payload)
           SELECT s, $3, $4, p FROM unnest($1::text[], $2::text[]) AS t(s, p)
           ON CONFLICT DO NOTHING`,
    values: [rows.map((r) => r.sha256), rows.map((r) => r.payload), features, engine],
  };
}

/** The newest result of a document (any feature set), with the document's metadata. */
export function findDocumentResult(documentId: string): Query {
  return {
    name: 'find-document-result',
    text: `SELECT d.id AS document_id, d.sha256, d.filename, d.content_type, d.bytes, d.page_count,
                  r.features, r.engine, r.payload, r.duration_ms, r.created_at
             FROM documents d JOIN results r ON r.document_id = d.id
            WHERE d.id = $1
            ORDER BY r.created_at DESC LIMIT 1`,
    values: [documentId],
  };
}

export function findResultById(resultId: string): Query {
  return {
    name: 'find-result-by-id',
    text: `SELECT d.id AS document_id, d.sha256, d.filename, d.content_type, d.bytes, d.page_count,
                  r.features, r.engine, r.payload, r.duration_ms, r.created_at
             FROM results r JOIN documents d ON d.id = r.document_id
            WHERE r.id = $1`,
    values: [resultId],
  };
}

export function ping(): Query {
  return { name: 'ping', text: 'SELECT 1', values: [] };
}
