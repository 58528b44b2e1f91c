-- The Textract quota is per AWS account, so the token bucket that paces calls is shared by every
-- process of every machine on this database. One row; the rate and burst come from each
-- process's TEXTRACT_TPS (set it alike everywhere).
CREATE TABLE textract_rate (
  id          integer PRIMARY KEY CHECK (id = 1),
  tokens      double precision NOT NULL,
  updated_at  timestamptz NOT NULL
);
INSERT INTO textract_rate (id, tokens, updated_at) VALUES (1, 0, now());
