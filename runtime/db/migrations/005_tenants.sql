-- Tenants are API key names. A document stays one row per content and a result one row per
-- (document, function, options, engine), shared by every tenant so that the same bytes cost one
-- Textract call; what each tenant may see is recorded here. Rows made without API keys (and
-- before this migration) have no tenant (NULL): only admins, and a service without keys, see them.
ALTER TABLE jobs ADD COLUMN tenant text;

-- Idempotency keys belong to a tenant, not to one of its keys, so they survive a key rotation.
DROP INDEX jobs_idempotency_key;
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (COALESCE(tenant, ''), idempotency_key) WHERE idempotency_key IS NOT NULL;

-- MAX_QUEUED_JOBS_PER_KEY counts a tenant's unfinished jobs at every submission.
CREATE INDEX jobs_tenant_unfinished ON jobs (tenant) WHERE status IN ('queued', 'running');

-- The documents a tenant has sent, with the filename it gave (another tenant's is never shown).
CREATE TABLE tenant_documents (
  tenant       text NOT NULL,
  document_id  uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  filename     text,
  first_seen   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, document_id)
);

-- The results a tenant has been answered with (made for it, or a cache hit): GET /documents/:id
-- shows only these, so one tenant cannot learn which functions another ran on a shared document.
CREATE TABLE tenant_results (
  tenant      text NOT NULL,
  result_id   uuid NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, result_id)
);
