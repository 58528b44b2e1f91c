-- A document is its content: one row per distinct sha256, whoever sent it and however often.
CREATE TABLE documents (
  id            uuid PRIMARY KEY,
  sha256        text NOT NULL UNIQUE,
  filename      text,
  content_type  text NOT NULL,
  bytes         integer NOT NULL,
  page_count    integer,          -- known once the document has been read
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Bytes are kept only while a queued job needs them (and for the retention period after), so
-- the large column lives apart from the metadata that every request reads.
CREATE TABLE document_content (
  document_id   uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  content       bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- One result per document, feature set and engine. `payload` is the JSON text of
-- {text, pages, keyValues?, tables?}: stored as text so a cache hit is spliced into the response
-- without parsing and re-serialising hundreds of kilobytes.
CREATE TABLE results (
  id            uuid PRIMARY KEY,
  document_id   uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  features      text NOT NULL,
  engine        text NOT NULL,
  payload       text NOT NULL,
  duration_ms   integer NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (document_id, features, engine)
);
CREATE INDEX results_document_created ON results (document_id, created_at DESC);

-- Per-page results of multi-page documents, so a re-sent document with one changed page costs
-- one engine call.
CREATE TABLE page_results (
  sha256        text NOT NULL,
  features      text NOT NULL,
  engine        text NOT NULL,
  payload       text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sha256, features, engine)
);
