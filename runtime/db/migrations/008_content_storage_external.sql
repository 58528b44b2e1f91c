-- Documents arrive compressed already (PNG and JPEG images, Flate streams in PDFs), so PostgreSQL's
-- attempt to pglz-compress each stored document costs CPU on every insert and rarely saves a byte.
-- EXTERNAL keeps the bytes out of line, uncompressed. Rows stored before this keep their form.
ALTER TABLE document_content ALTER COLUMN content SET STORAGE EXTERNAL;
