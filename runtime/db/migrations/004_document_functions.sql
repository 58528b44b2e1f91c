-- Many document functions (ocr, expense, identity, ...) share one result cache: a result is keyed
-- by the document, the function, the function's options (canonical text) and the engine. The
-- options themselves are kept so a stored result can be served again with its own head fields.
ALTER TABLE results RENAME COLUMN features TO options_key;
ALTER TABLE results ADD COLUMN function text NOT NULL DEFAULT 'ocr';
ALTER TABLE results ADD COLUMN options jsonb;
-- Every word with its box, per page ([{page, words:[{text, confidence, bbox}]}]): the searchable PDF
-- and include=words read it; kept apart so the common response never carries it.
ALTER TABLE results ADD COLUMN words text;
UPDATE results SET options = jsonb_build_object('features', to_jsonb(string_to_array(NULLIF(options_key, ''), ',')))
 WHERE options IS NULL;
UPDATE results SET options = '{"features": []}' WHERE options->'features' = 'null'::jsonb;
ALTER TABLE results DROP CONSTRAINT results_document_id_features_engine_key;
ALTER TABLE results ADD CONSTRAINT results_document_function_options_engine UNIQUE (document_id, function, options_key, engine);
ALTER TABLE results ALTER COLUMN function DROP DEFAULT;

ALTER TABLE page_results RENAME COLUMN features TO options_key;
ALTER TABLE page_results ADD COLUMN function text NOT NULL DEFAULT 'ocr';
ALTER TABLE page_results DROP CONSTRAINT page_results_pkey;
ALTER TABLE page_results ADD PRIMARY KEY (sha256, function, options_key, engine);
ALTER TABLE page_results ALTER COLUMN function DROP DEFAULT;

-- Textract's quotas are per operation (DetectDocumentText, AnalyzeDocument, AnalyzeExpense,
-- AnalyzeID each have their own TPS), so the cluster-wide bucket becomes one row per operation.
-- Rows are created by the first process that paces an operation.
CREATE TABLE textract_quota (
  operation   text PRIMARY KEY,
  tokens      double precision NOT NULL,
  updated_at  timestamptz NOT NULL
);
DROP TABLE textract_rate;

-- Jobs wait in the queue of the Textract operation their first call uses, so each operation's
-- quota drains its own backlog and a burst for one never holds up another.
ALTER TABLE jobs ADD COLUMN queue text NOT NULL DEFAULT 'invoke';
