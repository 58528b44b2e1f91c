import type { TokenBucket } from '../engines/gate.ts';
import type { Pool } from './pool.ts';
import * as q from './queries.ts';

/** One Textract operation's bucket, a row in PostgreSQL (textract_quota) shared by the cluster. */
export function pgTokenBucket(db: Pool, operation: string, perSecond: number, capacity: number): TokenBucket {
  return {
    async take(count = 1) {
      const row = (await db.query(q.takeRateToken(operation, perSecond, capacity, count))).rows[0];
      // The row is created at boot; a missing one (dropped by hand, or a crash emptied the
      // unlogged table) must not stop the service.
      if (!row) {
        await db.query(q.ensureQuotaRows([operation]));
        return { ok: false, granted: 0, level: 0 };
      }
      return { ok: row.granted > 0, granted: row.granted, level: Number(row.before) };
    },
    async give(count = 1) {
      await db.query(q.returnRateToken(operation, perSecond, capacity, count));
    },
  };
}
