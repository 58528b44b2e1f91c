import type { TokenBucket } from '../engines/gate.ts';
import type { Pool } from './pool.ts';
import * as q from './queries.ts';

/** The cluster's Textract token bucket, one row in PostgreSQL (migration 003). */
export function pgTokenBucket(db: Pool, perSecond: number, capacity: number): TokenBucket {
  return {
    async take() {
      const row = (await db.query(q.takeRateToken(perSecond, capacity))).rows[0];
      return { ok: row.ok, level: Number(row.before) };
    },
    async give() {
      await db.query(q.returnRateToken(perSecond, capacity));
    },
  };
}
