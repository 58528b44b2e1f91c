import { createHmac } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import * as q from '../db/queries.ts';
import type { Logger } from '../log.ts';
import { CALLBACK_QUEUE } from '../queue/boss.ts';
import { hostAllowed } from './callback-url.ts';
import { jobJson, type JobReader, type JobRow } from './job-json.ts';

// Final job states are POSTed to the job's callbackUrl. Deliveries are pg-boss jobs of their own,
// so they survive restarts and retry with backoff until the receiver answers 2xx.

const TIMEOUT_MS = 10_000;

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function startCallbackSender(deps: JobReader & { boss: PgBoss; config: Config; log: Logger }): Promise<void> {
  const { db, boss, config, log } = deps;
  await boss.work<{ jobId: string }>(CALLBACK_QUEUE, { pollingIntervalSeconds: 1, batchSize: 1 }, async (jobs) => {
    for (const delivery of jobs) {
      const row = (await db.query(q.findJob(delivery.data.jobId, null))).rows[0] as (JobRow & { callback_url: string | null }) | undefined;
      if (!row?.callback_url || !config.callbackSecret) continue;
      const url = new URL(row.callback_url);
      // The allow-list is checked again at send time: it may have shrunk since the job was accepted.
      if (!hostAllowed(url.hostname.toLowerCase(), config.callbackAllowedHosts)) {
        log.warn({ jobId: row.id, host: url.hostname }, 'callback host no longer allowed; not sent');
        continue;
      }
      const body = await jobJson(deps, row);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'x-dtat-signature': signBody(config.callbackSecret, body),
          'x-dtat-job-id': row.id,
          'user-agent': 'DTAT-OCR callback',
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (res.status < 200 || res.status >= 300) throw new Error(`callback answered ${res.status}`);
      log.info({ jobId: row.id, status: res.status }, 'callback delivered');
    }
  });
}
