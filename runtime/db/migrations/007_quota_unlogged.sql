-- The quota bucket is taken from on every Textract call, by every process. Logged, each take was a
-- write transaction whose commit waited for a WAL flush (an fsync) while still holding the row
-- lock, so the cluster's calls queued behind one fsync each. Unlogged, a take commits without a
-- flush. A crash of PostgreSQL empties the table; the first take after it recreates the row
-- empty (rate-bucket.ts), which only starts the bucket without burst, as a fresh cluster does.
ALTER TABLE textract_quota SET UNLOGGED;
