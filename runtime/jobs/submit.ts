import { createHash, randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import { RawJson, Reply, type AnyFunction, type InvocationEvent } from '../define.ts';
import { detectKind, MEDIA_TYPES } from '../documents/detect.ts';
import { pageSha256 } from '../documents/pages.ts';
import { inTransaction } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import { httpError } from '../errors.ts';
import { presentedKey } from '../http/api-keys.ts';
import type { EventInvoker } from '../http/pipeline.ts';
import { CHANNEL_JOB, CHANNEL_WAKE } from '../queue/listener.ts';
import { inTx } from '../queue/boss.ts';
import { checkCallbackUrl } from './callback-url.ts';
import { jobEvent, jobFields, jobJson, linksFor, type JobReader, type JobRow } from './job-json.ts';

// Durable acceptance: before the client hears 202, the document bytes, the job row and the
// queue entry are committed in one transaction, and idle consumers are woken by NOTIFY.

export interface JobInput {
  body: unknown;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
}

export function createSubmitter(
  deps: JobReader & { boss: PgBoss; config: Config; laneOf: (fn: AnyFunction, event: InvocationEvent) => string },
): EventInvoker {
  const { db, boss, config } = deps;

  return async (fn, event, meta) => {
    // Decided now, so options a function refuses (prepare) are refused while the client listens.
    const queue = deps.laneOf(fn, event);
    const body = (event.body ?? {}) as { callbackUrl?: string };
    const callbackUrl = body.callbackUrl ?? (event.query as Record<string, string>).callbackUrl;
    if (callbackUrl) checkCallbackUrl(callbackUrl, config.callbackAllowedHosts, config.callbackSecret);
    const supplied = meta.idempotencyKey?.trim() || null;
    if (supplied && supplied.length > 255) throw httpError('BAD_REQUEST', 'Idempotency-Key is longer than 255 characters.');
    // Keys are per API key: two clients choosing the same key must not receive each other's job.
    const caller = presentedKey(event.headers);
    const key = supplied && caller ? `${createHash('sha256').update(caller).digest('hex').slice(0, 16)}:${supplied}` : supplied;

    let document: { id: string; sha256: string; contentType: string } | null = null;
    if (event.document) {
      const kind = detectKind(event.document.bytes);
      // Refused at the door rather than failing later: the client is still listening now.
      if (!kind) throw httpError('UNSUPPORTED_MEDIA_TYPE', 'The document is not a PDF, PNG, JPEG or TIFF (judged by its content, not its declared type).');
      document = {
        id: randomUUID(),
        sha256: pageSha256(event.document.bytes),
        contentType: MEDIA_TYPES[kind],
      };
    }
    const input: JobInput = { body: event.body ?? null, params: event.params as Record<string, unknown>, query: event.query as Record<string, unknown> };

    const attempt = () =>
      inTransaction(db, async (client) => {
        if (key) {
          const existing = (await client.query(q.findJobByIdempotencyKey(key))).rows[0] as (JobRow & { fresh: boolean }) | undefined;
          if (existing?.fresh) return { existing };
          if (existing) await client.query(q.releaseIdempotencyKey(key));
        }
        let documentId: string | null = null;
        if (document && event.document) {
          documentId = (
            await client.query(
              q.upsertDocument({
                id: document.id,
                sha256: document.sha256,
                filename: event.document.filename ?? null,
                contentType: document.contentType,
                bytes: event.document.bytes.length,
              }),
            )
          ).rows[0].id;
          await client.query(q.storeDocumentContent(documentId!, event.document.bytes));
        }
        const jobId = randomUUID();
        const row = (
          await client.query(q.insertJob({ id: jobId, fn: fn.name, queue, input, documentId, idempotencyKey: key, callbackUrl: callbackUrl ?? null }))
        ).rows[0];
        const bossId = await boss.send(queue, { jobId }, inTx(client));
        if (!bossId) throw new Error('the queue refused the job');
        await client.query(q.setJobBossId(jobId, bossId));
        // Delivered at commit: consumers never wake for a job they cannot see yet. The job feed
        // (dashboard) hears of the job as it is queued, not only once a worker starts it.
        await client.query(q.notifyTwo(CHANNEL_WAKE, queue, CHANNEL_JOB, jobEvent({ ...row, error: null })));
        return { created: row as JobRow };
      });

    let outcome: { existing?: JobRow; created?: JobRow };
    try {
      outcome = await attempt();
    } catch (err) {
      // Two requests raced with one new key: the loser finds the winner's job.
      if ((err as { code?: string }).code !== '23505' || !key) throw err;
      outcome = await attempt();
    }
    if (outcome.existing) {
      const links = linksFor(event.headers, outcome.existing.id);
      return new Reply(200, new RawJson(await jobJson(deps, outcome.existing, links)), { 'idempotent-replayed': 'true' });
    }
    const row = outcome.created!;
    const links = linksFor(event.headers, row.id);
    return new Reply(202, jobFields({ ...row, error: null, output: null, pages_done: null, page_count: null, started_at: null, finished_at: null, result_id: null }, links), {
      location: links.statusUrl,
    });
  };
}
