import type { TokenBucket } from '../engines/gate.ts';
import type { Pool } from './pool.ts';
import * as q from './queries.ts';

/** One Textract operation's bucket, a row in PostgreSQL (textract_quota) shared by the cluster. */
export function pgTokenBucket(db: Pool, operation: string, perSecond: number, capacity: number): TokenBucket {
  return {
    async take() {
      const row = (await db.query(q.takeRateToken(operation, perSecond, capacity))).rows[0];
      // The row is created at boot; a missing one (dropped by hand) must not stop the service.
      if (!row) {
        await db.query(q.ensureQuotaRows([operation]));
        return { ok: false, level: 0 };
      }
      return { ok: row.ok, level: Number(row.before) };
    },
    async give() {
      await db.query(q.returnRateToken(operation, perSecond, capacity));
    },
  };
}
