import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from '../../../runtime/db/migrate.ts';
import { createPool, type Pool } from '../../../runtime/db/pool.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.ts';

// How the large columns are stored decides much of PostgreSQL's CPU per document.

let db: TestDatabase;
let pool: Pool;
before(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 2);
  await migrate(pool);
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

const attribute = async (table: string, column: string) =>
  (await pool.query(`SELECT attstorage, attcompression FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2`, [table, column])).rows[0];

test('should store document bytes out of line without trying to compress them', async () => {
  assert.equal((await attribute('document_content', 'content')).attstorage, 'e');
});

test('should compress results and words with lz4 where the server has it', async (t) => {
  const lz4 = await pool.query('CREATE TEMP TABLE lz4_probe (x text COMPRESSION lz4)').then(() => true, () => false);
  if (!lz4) return t.skip('this PostgreSQL is built without lz4');
  for (const [table, column] of [['results', 'payload'], ['results', 'words'], ['page_results', 'payload']]) {
    assert.equal((await attribute(table, column)).attcompression, 'l', `${table}.${column}`);
  }
  // A value large enough to be compressed is, with lz4.
  const { rows: [doc] } = await pool.query(
    `INSERT INTO documents (id, sha256, content_type, bytes) VALUES (gen_random_uuid(), 'lz4-probe', 'image/png', 1) RETURNING id`,
  );
  const payload = JSON.stringify({ text: 'word '.repeat(4000) });
  await pool.query(
    `INSERT INTO results (id, document_id, function, options_key, engine, payload, duration_ms)
     VALUES (gen_random_uuid(), $1, 'ocr', '', 'textract', $2, 1)`,
    [doc.id, payload],
  );
  const { rows: [stored] } = await pool.query(`SELECT pg_column_compression(payload) AS method, payload FROM results WHERE document_id = $1`, [doc.id]);
  assert.equal(stored.method, 'lz4');
  assert.equal(stored.payload, payload, 'and reads back as it was written');
});

test('should keep one index per way results are read, none overlapping', async () => {
  const { rows } = await pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'results' ORDER BY indexname`);
  const columns = rows.map((r) => (r.indexdef as string).replace(/^.*USING btree /, ''));
  assert.deepEqual(columns.sort(), ['(created_at)', '(document_id, function, options_key, engine)', '(id)']);
});
