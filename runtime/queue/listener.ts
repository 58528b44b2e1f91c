import pg from 'pg';
import type { Logger } from '../log.ts';

// One dedicated connection per process LISTENs for job events and queue wake-ups. NOTIFY is
// how a state change made by any process (or machine) on the database reaches this one.

export const CHANNEL_JOB = 'dtat_job';
export const CHANNEL_WAKE = 'dtat_wake';

export interface Listener {
  on(channel: string, handler: (payload: string) => void): void;
  close(): Promise<void>;
}

export function startListener(connectionString: string, channels: string[], log: Logger): Listener {
  const handlers = new Map<string, ((payload: string) => void)[]>();
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 250;

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString, application_name: 'dtat-ocr-listen' });
    c.on('notification', (msg) => {
      for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
    });
    // The connection can fail both ways at once (an error event while LISTEN is awaited): one retry.
    let retrying = false;
    const retry = (err: unknown, message: string) => {
      if (retrying) return;
      retrying = true;
      // Once per outage: every retry fails the same way until the database is back.
      if (retryMs === 250) log.warn({ err }, message);
      c.end().catch(() => {});
      if (client === c) client = null;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
    c.on('error', (err) => retry(err, 'listen connection lost; reconnecting'));
    try {
      await c.connect();
      for (const channel of channels) await c.query(`LISTEN ${channel}`);
      if (retrying) return;
      client = c;
      retryMs = 250;
      // Anything missed while disconnected is covered by the consumer's fallback poll.
      for (const handler of handlers.get(CHANNEL_WAKE) ?? []) handler('');
    } catch (err) {
      retry(err, 'listen connection failed; retrying');
    }
  };
  void connect();

  return {
    on(channel, handler) {
      handlers.set(channel, [...(handlers.get(channel) ?? []), handler]);
    },
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}
