import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import { RawJson, Reply, type AnyFunction, type InvocationEvent } from '../define.ts';
import { detectKind, MEDIA_TYPES } from '../documents/detect.ts';
import { pageSha256 } from '../documents/pages.ts';
import { inTransaction } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import { httpError } from '../errors.ts';
import type { EventInvoker } from '../http/pipeline.ts';
import { CHANNEL_JOB, CHANNEL_WAKE } from '../queue/listener.ts';
import { BOSS_SCHEMA } from '../queue/boss.ts';
import { ownerOf } from '../tenants.ts';
import { checkCallbackUrl } from './callback-url.ts';
import type { BytesHandoff } from './handoff.ts';
import type { JobSpool } from './spool.ts';
import { jobFields, jobJson, linksFor, type JobReader, type JobRow } from './job-json.ts';

// Durable acceptance: before the client hears 202, the document bytes, the job row and the
// queue entry are committed together (one statement), and idle consumers are woken by NOTIFY.

// A full queue frees up as jobs finish, which takes seconds; asking again sooner is wasted.
const QUEUE_FULL_RETRY_AFTER_S = 2;

export interface JobInput {
  body: unknown;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
}

export function createSubmitter(
  deps: JobReader & {
    config: Config;
    laneOf: (fn: AnyFunction, event: InvocationEvent) => string;
    /** Whether this process's consumer could start a job of the queue now, and its wake-up. */
    canStartHere?: (queue: string) => boolean;
    wakeHere?: (queue: string) => void;
    /** Where a job this process will start keeps its bytes for the claim. */
    handoff?: BytesHandoff;
    /** Where a job leaves its bytes for a claim by any process of this machine. */
    spool?: JobSpool | null;
  },
): EventInvoker {
  const { db, config } = deps;

  return async (fn, event, meta) => {
    // Decided now, so options a function refuses (prepare) are refused while the client listens.
    const queue = deps.laneOf(fn, event);
    const body = (event.body ?? {}) as { callbackUrl?: string };
    const callbackUrl = body.callbackUrl ?? (event.query as Record<string, string>).callbackUrl;
    if (callbackUrl) checkCallbackUrl(callbackUrl, config.callbackAllowedHosts, config.callbackSecret);
    const key = meta.idempotencyKey?.trim() || null;
    if (key && key.length > 255) throw httpError('BAD_REQUEST', 'Idempotency-Key is longer than 255 characters.');
    // Keys are per tenant: two clients choosing the same key never receive each other's job, and
    // a retry with the tenant's new key during a rotation still finds the first job.
    const owner = ownerOf(meta.tenant);

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

    // When this process can start the job itself it wakes only itself, after the commit: waking
    // every process for one job costs each of them a fetch that finds nothing.
    const wakeHere = deps.canStartHere?.(queue) ?? false;
    const jobId = randomUUID();
    // Left before the statement commits, so whichever process of this machine claims the job
    // finds them (even one woken here: a fetch takes the oldest job, which may be another
    // process's); removed again if no job comes of it.
    const spooled = event.document ? (deps.spool?.put(jobId, event.document.bytes) ?? false) : false;
    const submission = q.submitJob(
      {
        id: jobId,
        fn: fn.name,
        queue,
        bossId: randomUUID(),
        input,
        idempotencyKey: key,
        callbackUrl: callbackUrl ?? null,
        tenant: owner,
        document: document && event.document ? { ...document, filename: event.document.filename ?? null, content: event.document.bytes } : null,
      },
      { bossSchema: BOSS_SCHEMA, jobChannel: CHANNEL_JOB, wakeChannel: wakeHere ? null : CHANNEL_WAKE },
    );
    const created = (rows: unknown[]) => {
      if (!rows[0]) throw new Error(`the queue "${queue}" does not exist`);
      return { created: rows[0] as JobRow };
    };
    // One statement accepts the job; an idempotency key or a per-key cap needs a
    // look first, in the same transaction.
    const attempt = async (): Promise<{ existing?: JobRow; created?: JobRow }> => {
      if (!key && config.maxQueuedJobsPerKey <= 0) return created((await db.query(submission)).rows);
      return inTransaction(db, async (client) => {
        if (key) {
          const existing = (await client.query(q.findJobByIdempotencyKey(key, owner))).rows[0] as (JobRow & { fresh: boolean }) | undefined;
          if (existing?.fresh) return { existing };
          if (existing) await client.query(q.releaseIdempotencyKey(key, owner));
        }
        if (config.maxQueuedJobsPerKey > 0) {
          // Counted before this job's insert and without a lock: submissions of one tenant that
          // commit at the same moment may pass the cap by their number, never by a burst.
          const { active } = (await client.query(q.countActiveJobs(owner))).rows[0];
          if (active >= config.maxQueuedJobsPerKey) {
            throw httpError('RATE_LIMITED', `This API key has ${config.maxQueuedJobsPerKey} jobs queued or running, its limit; retry once some have finished.`, {
              headers: { 'retry-after': String(QUEUE_FULL_RETRY_AFTER_S) },
            });
          }
        }
        return created((await client.query(submission)).rows);
      });
    };

    let outcome: { existing?: JobRow; created?: JobRow } = {};
    try {
      outcome = await attempt();
    } catch (err) {
      // Two requests raced with one new key: the loser finds the winner's job.
      if ((err as { code?: string }).code !== '23505' || !key) throw err;
      outcome = await attempt();
    } finally {
      if (spooled && !outcome.created) deps.spool?.drop(jobId);
    }
    if (wakeHere) {
      if (outcome.created && event.document) deps.handoff?.put(outcome.created.id, event.document.bytes);
      deps.wakeHere?.(queue);
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
