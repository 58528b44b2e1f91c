-- The durable record of an event invocation. pg-boss holds the delivery (who runs it, retries);
-- this table holds what a client polls, so it outlives pg-boss's own archive and retention.
CREATE TABLE jobs (
  id               uuid PRIMARY KEY,
  function         text NOT NULL,
  status           text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  input            jsonb NOT NULL,
  document_id      uuid REFERENCES documents (id) ON DELETE SET NULL,
  result_id        uuid REFERENCES results (id) ON DELETE SET NULL,
  output           jsonb,
  error            jsonb,
  idempotency_key  text,
  callback_url     text,
  pages_done       integer,
  page_count       integer,
  worker_id        text,
  boss_id          uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz
);
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_unfinished ON jobs (status, created_at) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_finished_at ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- Live processes, for /queue/stats and for finding jobs whose process died.
CREATE TABLE workers (
  id          text PRIMARY KEY,
  host        text NOT NULL,
  pid         integer NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now()
);
