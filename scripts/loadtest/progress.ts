// The live progress line: only on a terminal (a log file would fill with carriage returns), redrawn
// in place no more often than runLoad reports (every 250 ms).
import type { ProgressSnapshot } from './types.ts';

export function formatProgress(p: ProgressSnapshot): string {
  const done = p.targetDocs !== null ? `${p.done}/${p.targetDocs}` : String(p.done);
  const elapsed = (p.elapsedMs / 1000).toFixed(1);
  const time = p.targetMs !== null ? `${elapsed}/${(p.targetMs / 1000).toFixed(0)} s` : `${elapsed} s`;
  const parts = [
    `${done} done`,
    `${p.failed} failed`,
    `${p.docsPerMinute.toFixed(0)} docs/min`,
    `p95 ${p.p95Ms === null ? '-' : `${p.p95Ms.toFixed(0)} ms`}`,
    `${p.inFlight} in flight`,
  ];
  if (p.queued > 0) parts.push(`${p.queued} queued`);
  parts.push(time);
  return parts.join(' | ');
}

export interface ProgressLine {
  update(p: ProgressSnapshot): void;
  /** Erases the line so the summary starts on a clean one. */
  clear(): void;
}

export function progressLine(stream: NodeJS.WriteStream = process.stderr): ProgressLine | null {
  if (!stream.isTTY) return null;
  return {
    update(p) {
      const text = formatProgress(p);
      const width = stream.columns ? stream.columns - 1 : text.length;
      stream.write(`\r${text.slice(0, width)}\x1b[K`);
    },
    clear() {
      stream.write('\r\x1b[K');
    },
  };
}
