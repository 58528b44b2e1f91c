import type PgBoss from 'pg-boss';
import type { AnyFunction, Context, InvocationEvent, Services } from '../define.ts';
import { RawJson, Reply } from '../define.ts';
import { inTransaction } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import { whenDatabaseAnswers } from '../db/retry.ts';
import { httpError, toHttpError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { BOSS_SCHEMA, CALLBACK_QUEUE, inTx } from '../queue/boss.ts';
import { CHANNEL_JOB } from '../queue/listener.ts';
import { tenantOf } from '../tenants.ts';
import { countJobClaim, observeJobRun, observeJobStart, type JobOutcome } from '../metrics/instruments.ts';
import { jobEvent, jobNotice } from './job-json.ts';
import type { BytesHandoff } from './handoff.ts';
import type { JobSpool } from './spool.ts';
import type { JobInput } from './submit.ts';

// Runs one delivered job: the same handler a synchronous request calls, with the same validated
// input. Outcomes: succeeded; failed for good (the document or input is at fault, or retries are
// used up); or back to queued for pg-boss to deliver again after its backoff.

export interface RunDeps {
  services: Services;
  boss: PgBoss;
  functions: Map<string, AnyFunction>;
  log: Logger;
  /** Aborted when the process must stop before the job could finish. */
  shutdown: AbortSignal;
  /** Bytes of jobs this process accepted, so their claim here need not read them back. */
  handoff?: BytesHandoff;
  /** Bytes of jobs any process of this machine accepted, for the same (see spool.ts). */
  spool?: JobSpool | null;
}

export async function runJob(job: q.ClaimedEntry, deps: RunDeps, credit?: Context['rateCredit']): Promise<void> {
  const { services, boss, log } = deps;
  const { db } = services;
  const jobId = job.data.jobId;
  // The job is ours (its claim committed) and its outcome will be: every write that records it
  // waits out a database outage rather than leave the job claimed and unrecorded.
  const record = <T>(what: string, task: () => Promise<T>) => whenDatabaseAnswers(task, { log: log.child({ jobId }), what, signal: deps.shutdown });
  const claimed = job.job;
  if (!claimed) {
    // Finished already (a duplicate delivery after a reclaim): just settle the queue entry.
    deps.handoff?.take(jobId);
    deps.spool?.drop(jobId);
    await record('job settle', () => boss.complete(job.name, job.id));
    return;
  }
  const { bytes: handed, from } = bytesAtHand(deps, jobId);
  const content =
    handed ?? (claimed.document_id ? ((await record('job document', () => db.query(q.documentContent(claimed.document_id!)))).rows[0]?.content as Buffer | undefined) : undefined);
  countJobClaim(from ?? (content ? 'database' : 'none'));
  const started = performance.now();
  if (claimed.attempts === 1) observeJobStart(claimed.function, claimed.waited_s);
  // The job's row, its queue entry and the notice to subscribers end in one statement; a callback
  // to send joins them in a transaction (the callback queue's entry exists exactly when the job
  // finished).
  const entry = { bossSchema: BOSS_SCHEMA, queue: job.name, bossId: job.id };
  // A fresh result may end the job in the statement that stores it; a callback to send needs the
  // transaction below, so such a job always ends here.
  const jobEnd = claimed.callback_url ? undefined : { ...entry, channel: CHANNEL_JOB, finished: false };
  const finish = (end: Omit<Parameters<typeof q.finishJob>[0], 'id'>) =>
    record(`job ${end.status === 'succeeded' ? 'success' : 'failure'}`, async () => {
      const statement = q.finishJob({ id: jobId, ...end }, entry, CHANNEL_JOB);
      if (!claimed.callback_url) return void (await db.query(statement));
      await inTransaction(db, async (client) => {
        const row = (await client.query(statement)).rows[0];
        if (row) await boss.send(CALLBACK_QUEUE, { jobId }, inTx(client));
      });
    });
  const tenant = tenantOf(claimed.tenant, services.config.adminTenants);
  const jobLog = log.child({ jobId, attempt: claimed.attempts, tenant: tenant.name });
  const ran = (outcome: JobOutcome) => observeJobRun(claimed.function, outcome, (performance.now() - started) / 1000);

  try {
    const fn = deps.functions.get(claimed.function);
    if (!fn) throw httpError('FUNCTION_NOT_FOUND', `No function named "${claimed.function}".`);
    const event = eventFor(fn, claimed.input as JobInput, content ?? null, claimed.document_sha256);
    const ctx: Context = {
      ...services,
      log: jobLog,
      requestId: jobId,
      // The job's owner, from its row: a queued run sees and records exactly what its submitter would.
      tenant,
      signal: deps.shutdown,
      invocation: 'event',
      jobId,
      progress: progressReporter(services, jobId, claimed.document_id, claimed.attempts, claimed.tenant),
      rateCredit: credit,
      jobEnd,
    };
    const result = await fn.handler(event, ctx);
    if (!jobEnd?.finished) {
      const outcome = describeOutput(result);
      await finish({ status: 'succeeded', documentId: outcome.documentId, resultId: outcome.resultId, output: outcome.output, error: null });
    }
    ran('succeeded');
    jobLog.debug('job succeeded');
  } catch (err) {
    const shuttingDown = deps.shutdown.aborted;
    const error = toHttpError(err);
    const final = !shuttingDown && (error.status < 500 || job.retryCount >= job.retryLimit);
    const summary = { code: error.code, message: error.message };
    ran(final ? 'failed' : 'retried');
    if (final) {
      if (error.status >= 500) jobLog.error({ err: error.cause ?? error, code: error.code }, 'job failed after retries');
      else jobLog.info({ code: error.code }, 'job failed');
      await finish({ status: 'failed', documentId: null, resultId: null, output: null, error: summary });
    } else {
      jobLog.warn({ code: error.code, retryCount: job.retryCount, shuttingDown }, 'job will be retried');
      await record('job retry', () =>
        inTransaction(db, async (client) => {
          await client.query(q.requeueJob(jobId, summary));
          await boss.fail(job.name, job.id, summary, inTx(client));
          await client.query(q.notify(CHANNEL_JOB, jobNotice(claimed.tenant, jobEvent({ ...claimed, id: jobId, status: 'queued', error: summary, started_at: null }))));
        }),
      );
    }
  }
}

/**
 * A job's bytes where this machine holds them: the accepting process's memory (its spool file then
 * goes too), else the spool; otherwise the claim reads them from the database.
 */
function bytesAtHand(deps: RunDeps, jobId: string): { bytes?: Buffer; from?: 'process' | 'spool' } {
  const kept = deps.handoff?.take(jobId);
  if (kept) {
    deps.spool?.drop(jobId);
    return { bytes: kept, from: 'process' };
  }
  const spooled = deps.spool?.take(jobId);
  return spooled ? { bytes: spooled, from: 'spool' } : {};
}

function eventFor(fn: AnyFunction, input: JobInput, content: Buffer | null, sha256: string | null): InvocationEvent {
  const event: InvocationEvent = { body: input.body as never, params: input.params as never, query: input.query as never, headers: {} };
  if (fn.input === 'document') {
    if (!content) throw httpError('UNPROCESSABLE_DOCUMENT', 'The document of this job is no longer stored (past DOCUMENT_RETENTION_HOURS).');
    event.document = { bytes: content, filename: (input.body as { filename?: string } | null)?.filename, sha256: sha256 ?? undefined };
  }
  return event;
}

/** Stored results (OCR) are referenced, not copied, into the job; other functions' output is stored. */
function describeOutput(result: unknown): { documentId: string | null; resultId: string | null; output: unknown } {
  const value = result instanceof Reply ? result.body : result;
  if (value instanceof RawJson && value.stored) {
    return { documentId: value.stored.documentId, resultId: value.stored.resultId, output: { cached: value.stored.cached } };
  }
  return { documentId: null, resultId: null, output: (value instanceof RawJson ? JSON.parse(value.json) : value) ?? null };
}

/** Progress goes to pollers (the row) and subscribers (NOTIFY), at most a few times a second. */
function progressReporter(services: Services, jobId: string, documentId: string | null, attempts: number, tenant: string | null): Context['progress'] {
  let last = 0;
  let lastDone = -1;
  return ({ pagesDone, pageCount }) => {
    const now = Date.now();
    if (pageCount <= 1 || pagesDone === lastDone || (now - last < 250 && pagesDone < pageCount)) return;
    last = now;
    lastDone = pagesDone;
    void services.db
      .query(q.jobProgress(jobId, pagesDone, pageCount))
      .then(() =>
        services.db.query(
          q.notify(CHANNEL_JOB, jobNotice(tenant, jobEvent({ id: jobId, status: 'running', document_id: documentId, error: null, attempts, pages_done: pagesDone, page_count: pageCount }))),
        ),
      )
      .catch(() => {});
  };
}
