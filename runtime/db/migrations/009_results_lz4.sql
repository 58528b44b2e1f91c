-- A dense page's result is ~12 KB of JSON and its words ~50 KB: pglz compressing them cost
-- PostgreSQL ~0.8 ms of CPU per such document, lz4 ~0.25 ms, for about the same stored size.
-- Servers built without lz4 (--without-lz4) keep pglz; values stored before keep their form.
DO $$
BEGIN
  -- EXECUTE: a server older than 14 would refuse the syntax when the block is compiled.
  EXECUTE 'ALTER TABLE results ALTER COLUMN payload SET COMPRESSION lz4, ALTER COLUMN words SET COMPRESSION lz4';
  EXECUTE 'ALTER TABLE page_results ALTER COLUMN payload SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
  RAISE NOTICE 'lz4 compression is not available on this server; results keep pglz';
END $$;
