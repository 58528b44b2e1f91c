import pg from 'pg';

// bigint counts (COUNT(*)) fit comfortably in a JS number for this service's tables.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(connectionString: string, max: number): Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, application_name: 'dtat-ocr' });
  // An idle client losing its connection must not take the process down; the next query reconnects.
  pool.on('error', () => {});
  // MUST: a client checked out of the pool (a transaction, a lock holder) has no pool listener
  // while it is out, and pg emits 'error' on it when the server goes away ("Connection terminated
  // unexpectedly"): without a listener of its own that event kills the process. The query in
  // progress fails with the same error, and the pool drops the client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    // A client whose connection failed is not queryable; pg-pool drops it instead of reusing it.
    client.release();
  }
}
