// The async routes as both async modes use them: submit, read a job, turn a final state into an Outcome.
import { type HttpContext, type Outcome, cachedFlag, call, failure } from '../http.ts';
import type { LoadDocument } from '../types.ts';

export interface Submitted {
  jobId: string;
  status: number;
}

export const FINAL_STATES = new Set(['succeeded', 'failed']);

/** POST <route>/async: a 202 with a jobId, or the Outcome of a refused submission. Throws on network errors. */
export async function submitJob(
  ctx: HttpContext,
  document: LoadDocument,
  requestId: string,
  signal: AbortSignal,
): Promise<Submitted | Outcome> {
  const answer = await call(ctx, 'POST', `${ctx.route}/async`, requestId, signal, document);
  // 200 is the Idempotency-Key replay of an existing job; the load tester sends no key, but accept it.
  if (answer.status !== 202 && answer.status !== 200) {
    return failure(answer.status, answer.errorCode ?? 'UNEXPECTED_STATUS', { retryAfter: answer.retryAfter });
  }
  const jobId = (answer.json as { jobId?: unknown } | undefined)?.jobId;
  if (typeof jobId !== 'string' || jobId === '') return failure(answer.status, 'BAD_RESPONSE');
  return { jobId, status: answer.status };
}

export function jobPath(jobId: string): string {
  return `/ocr/jobs/${encodeURIComponent(jobId)}`;
}

interface JobState {
  status?: unknown;
  error?: { code?: unknown } | null;
  result?: unknown;
}

/**
 * The Outcome of a job in a final state, or null while it is queued or running. `status` is the
 * submission's HTTP status, so a failed job groups as "202 <its error code>".
 */
export function finalOutcome(submitStatus: number, jobId: string, job: unknown): Outcome | null {
  const state = (job ?? {}) as JobState;
  if (state.status === 'succeeded') {
    return { ok: true, status: submitStatus, errorCode: null, jobStatus: 'succeeded', jobId, cached: cachedFlag(state.result), retryAfter: null };
  }
  if (state.status === 'failed') {
    const code = typeof state.error?.code === 'string' ? state.error.code : 'JOB_FAILED';
    return { ok: false, status: submitStatus, errorCode: code, jobStatus: 'failed', jobId, cached: null, retryAfter: null };
  }
  return null;
}

/** One GET of the job: its final Outcome, null while unfinished, or a failure Outcome for a non-200. */
export async function readJob(
  ctx: HttpContext,
  submitted: Submitted,
  requestId: string,
  signal: AbortSignal,
): Promise<Outcome | null> {
  const answer = await call(ctx, 'GET', jobPath(submitted.jobId), requestId, signal);
  if (answer.status !== 200) {
    return failure(answer.status, answer.errorCode ?? 'UNEXPECTED_STATUS', { jobId: submitted.jobId, retryAfter: answer.retryAfter });
  }
  return finalOutcome(submitted.status, submitted.jobId, answer.json);
}
