import { ExpiringMap } from '../expiring-map.ts';

// A job accepted by the process that will run it (its consumer had room, so only it was woken)
// need not read back from PostgreSQL the bytes it has just written there: the claim is the same
// statement without the document, and the bytes come from here. Any other process, a retry, or a
// claim after the entry expired finds them in the machine's spool (spool.ts) or reads them from
// the database, so this only saves work and never holds the only copy.
//
// Bounded twice: by total bytes (a burst of large documents falls back to the database rather than
// growing the heap) and by age, on a timer (a job another process claimed leaves its entry behind,
// which must not stay for the idle process's lifetime).

// A job woken here is claimed within milliseconds when its process had room; 16 MiB holds a
// full engine's worth (64 slots) of 100 KB documents with room for larger ones.
export const HANDOFF_LIMITS = { maxBytes: 16 * 1024 * 1024, ttlMs: 5_000 };

export interface BytesHandoff {
  /** Keeps a job's document bytes for its claim here, if they fit. */
  put(jobId: string, bytes: Buffer): void;
  /** The bytes kept for a job, once; undefined when none are (or they expired). */
  take(jobId: string): Buffer | undefined;
  /** Bytes held now. */
  held(): number;
}

export function createBytesHandoff(options: { maxBytes: number; ttlMs: number; now?: () => number }): BytesHandoff {
  const now = options.now ?? Date.now;
  const entries = new ExpiringMap<Buffer>({
    ttlMs: options.ttlMs,
    maxSize: options.maxBytes,
    maxEntrySize: options.maxBytes,
    sizeOf: (bytes) => bytes.length,
    sweep: true,
  });
  return {
    put: (jobId, bytes) => entries.set(jobId, bytes, now()),
    take: (jobId) => entries.take(jobId, now()),
    held: () => entries.held,
  };
}
