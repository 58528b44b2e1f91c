import { pino, type Logger } from 'pino';

export type { Logger };

// JSON lines on stdout: the launcher and log shippers read them as they are.
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: process.env.LOG_LEVEL ?? 'info',
    base: { pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
