-- The dashboard reads the last minutes of results (throughput and processing time, sync and
-- queued alike) and the newest jobs every few seconds; without these, each read scans the table.
CREATE INDEX results_created_at ON results (created_at);
CREATE INDEX jobs_created_at ON jobs (created_at);
