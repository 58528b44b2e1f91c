// sync: POST /ocr (or another document function) with the raw document; success is 200 with its result.
import { type HttpContext, type Outcome, cachedFlag, call, clientErrorCode, failure, isOcrResult } from '../http.ts';
import type { LoadDocument } from '../types.ts';
import type { ModeClient } from './client.ts';

export async function sendSync(ctx: HttpContext, document: LoadDocument, requestId: string, signal: AbortSignal): Promise<Outcome> {
  try {
    const answer = await call(ctx, 'POST', ctx.route, requestId, signal, document);
    if (answer.status !== 200) return failure(answer.status, answer.errorCode ?? 'UNEXPECTED_STATUS', { retryAfter: answer.retryAfter });
    if (!isOcrResult(answer.json)) return failure(200, 'BAD_RESPONSE');
    return { ok: true, status: 200, errorCode: null, jobStatus: null, jobId: null, cached: cachedFlag(answer.json), retryAfter: null };
  } catch (err) {
    return failure(null, clientErrorCode(err, signal));
  }
}

export function syncClient(ctx: HttpContext): ModeClient {
  return {
    warm: async () => {},
    send: (document, requestId, signal) => sendSync(ctx, document, requestId, signal),
    reconnects: () => 0,
    close: async () => {},
  };
}
