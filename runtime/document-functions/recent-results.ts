// Results this process has just served from the database, kept briefly in memory: a client that
// sends the same document again and again (a retrying integration, a batch with duplicates) is
// answered without a round trip to PostgreSQL, which on a small machine costs more CPU than the
// rest of the answer. Only documents already seen twice enter (a lookup that found a stored
// result), so a stream of unique documents leaves nothing here. A stored result never changes
// its meaning; whether the document's bytes are still held is judged from when they were stored
// (see bytesHeldFor).

import { ExpiringMap } from '../expiring-map.ts';

export const RECENT_TTL_MS = 30_000;
/** Payload characters held at most, per process. */
const MAX_CHARS = 8 * 1024 * 1024;

export interface RecentResult {
  document_id: string;
  page_count: number;
  result_id: string;
  payload: string;
  created_at: Date;
  /** When the document's bytes were stored; null when they are not held. */
  content_at: Date | null;
}

/**
 * Whether the bytes of `row` are certainly still held for the next `marginMs`: retention purges
 * only bytes older than its period, so bytes stored well within it cannot have gone.
 */
export function bytesHeldFor(row: RecentResult, retentionHours: number, marginMs: number, now = Date.now()): boolean {
  return row.content_at !== null && row.content_at.getTime() + retentionHours * 3_600_000 > now + marginMs;
}

export class RecentResults {
  private readonly entries: ExpiringMap<RecentResult>;

  constructor(ttlMs = RECENT_TTL_MS, maxChars = MAX_CHARS) {
    // One result over an eighth of the cap must not flush the rest.
    this.entries = new ExpiringMap({ ttlMs, maxSize: maxChars, maxEntrySize: maxChars / 8, sizeOf: (row) => row.payload.length });
  }

  get(key: string, now = Date.now()): RecentResult | undefined {
    return this.entries.get(key, now);
  }

  remember(key: string, row: RecentResult, now = Date.now()): void {
    this.entries.set(key, row, now);
  }

  get size(): number {
    return this.entries.size;
  }
}

const byPool = new WeakMap<object, RecentResults>();

/** This process's recent results from one database (a pool): tests with databases of their own never share them. */
export function recentResultsOf(db: object): RecentResults {
  let recent = byPool.get(db);
  if (!recent) byPool.set(db, (recent = new RecentResults()));
  return recent;
}

/** The key of one result: document content, function, canonical options and engine. */
export function recentKey(sha256: string, key: { fn: string; optionsKey: string; engine: string }): string {
  return `${sha256}\n${key.fn}\n${key.optionsKey}\n${key.engine}`;
}
