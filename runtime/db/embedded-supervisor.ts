import type { Logger } from '../log.ts';
import type { EmbeddedDatabase } from './embedded.ts';

// The launcher's embedded PostgreSQL is supervised like a worker: when it dies it is started
// again, at once the first time and with growing delays when it keeps dying, and the log says so.
// Workers ride the outage out (requests answer 503 UNAVAILABLE, jobs wait) and reconnect.

const WINDOW_MS = 60_000;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;

export function superviseEmbedded(embedded: EmbeddedDatabase, log: Logger, stopping: () => boolean): void {
  let recent: number[] = [];
  const restart = (attempt: number) => {
    const now = Date.now();
    recent = recent.filter((t) => now - t < WINDOW_MS).concat(now);
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (recent.length - 1));
    setTimeout(async () => {
      if (stopping()) return;
      try {
        await embedded.start();
        log.warn({ attempt, pid: embedded.pid() }, 'embedded PostgreSQL restarted');
      } catch (err) {
        log.error({ err, attempt }, 'embedded PostgreSQL did not start; trying again');
        restart(attempt + 1);
      }
    }, delay);
    return delay;
  };
  embedded.onUnexpectedExit((code, signal) => {
    if (stopping()) return;
    const restartInMs = restart(1);
    log.error({ code, signal, restartInMs }, 'embedded PostgreSQL exited; restarting it');
  });
}
