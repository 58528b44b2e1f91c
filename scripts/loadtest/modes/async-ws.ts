// async-ws: POST /ocr/async, subscribe on the client's own WebSocket, wait for the final state.
// Subscribing after the job already finished is fine: the server answers it at once.
import { type HttpContext, type Outcome, authHeaders, clientErrorCode, failure, webSocketUrl } from '../http.ts';
import type { LoadDocument } from '../types.ts';
import type { ModeClient } from './client.ts';
import { JobSocket } from './job-socket.ts';
import { type Submitted, finalOutcome, readJob, submitJob } from './jobs.ts';

const FALLBACK_POLL_TIMEOUT_MS = 10_000;

export function asyncWsClient(ctx: HttpContext): ModeClient & { socket: JobSocket } {
  let polls = 0;
  // Fallback polls carry the document's request id, so server logs tie them to the submission.
  const requestIds = new Map<string, string>();
  const socket = new JobSocket(webSocketUrl(ctx.base), { ...ctx.headers, ...authHeaders(ctx.apiKey) }, async (jobId) => {
    const outcome = await readJob(
      ctx,
      { jobId, status: 202 },
      `${requestIds.get(jobId) ?? `lt-ws-${jobId}`}-r${++polls}`,
      AbortSignal.timeout(FALLBACK_POLL_TIMEOUT_MS),
    );
    if (!outcome?.jobStatus) return null;
    return { jobId, status: outcome.jobStatus, error: outcome.errorCode ? { code: outcome.errorCode } : undefined };
  });

  async function send(document: LoadDocument, requestId: string, signal: AbortSignal): Promise<Outcome> {
    try {
      await socket.open();
    } catch (err) {
      // Without a socket there is nothing to wait on: refuse before submitting rather than queue work.
      const status = /Unexpected server response: (\d+)/.exec(String((err as Error)?.message));
      return failure(status ? Number(status[1]) : null, 'WS_CONNECT_FAILED');
    }
    let submitted: Submitted | undefined;
    try {
      const answer = await submitJob(ctx, document, requestId, signal);
      if ('ok' in answer) return answer;
      submitted = answer;
      requestIds.set(submitted.jobId, requestId);
      const event = await socket.wait(submitted.jobId, signal);
      return finalOutcome(submitted.status, submitted.jobId, { status: event.status, error: event.error })!;
    } catch (err) {
      return failure(submitted?.status ?? null, clientErrorCode(err, signal), { jobId: submitted?.jobId ?? null });
    } finally {
      if (submitted) requestIds.delete(submitted.jobId);
    }
  }

  return {
    socket,
    warm: async () => {
      await socket.open().catch(() => {});
    },
    send,
    reconnects: () => socket.reconnects,
    close: () => socket.close(),
  };
}
