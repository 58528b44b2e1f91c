// async-poll: POST /ocr/async, then GET the job every pollMs until it is final. The latency is
// submit to the poll that saw the final state, so it is coarse by up to one poll interval; the
// per-document deadline (--timeout-ms) caps how long one job is polled.
import { setTimeout as sleep } from 'node:timers/promises';
import { type HttpContext, type Outcome, clientErrorCode, failure } from '../http.ts';
import type { LoadDocument } from '../types.ts';
import type { ModeClient } from './client.ts';
import { type Submitted, readJob, submitJob } from './jobs.ts';

export async function sendAsyncPoll(
  ctx: HttpContext,
  pollMs: number,
  document: LoadDocument,
  requestId: string,
  signal: AbortSignal,
): Promise<Outcome> {
  let submitted: Submitted | undefined;
  try {
    const answer = await submitJob(ctx, document, requestId, signal);
    if ('ok' in answer) return answer;
    submitted = answer;
    for (let poll = 1; ; poll++) {
      await sleep(pollMs, undefined, { signal });
      const outcome = await readJob(ctx, submitted, `${requestId}-p${poll}`, signal);
      if (outcome) return outcome;
    }
  } catch (err) {
    return failure(submitted?.status ?? null, clientErrorCode(err, signal), { jobId: submitted?.jobId ?? null });
  }
}

export function asyncPollClient(ctx: HttpContext, pollMs: number): ModeClient {
  return {
    warm: async () => {},
    send: (document, requestId, signal) => sendAsyncPoll(ctx, pollMs, document, requestId, signal),
    reconnects: () => 0,
    close: async () => {},
  };
}
