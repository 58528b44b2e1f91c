import { createHash } from 'node:crypto';
import type { TextractClient } from '@aws-sdk/client-textract';
import type { Context } from '../define.ts';
import * as q from '../db/queries.ts';
import { pageSha256 } from '../documents/pages.ts';
import type { OcrEngine, PageInput } from '../engines/types.ts';
import { httpError } from '../errors.ts';
import { countCache } from '../metrics/instruments.ts';
import type { CallOutput, DocumentSpec, LocalRunner, TextractRunner } from './define.ts';

// The engine calls of one document: pages grouped into calls (one page each, or front and back
// together for AnalyzeID), each admitted through the process's slots and, on Textract, its
// operation's cluster-wide rate; sent concurrently and returned in page order.

export type Runner =
  | { kind: 'textract'; textract: TextractRunner<any, any>; client: TextractClient }
  | { kind: 'local'; local: LocalRunner<any, any>; engine: OcrEngine };

export interface CallPlan {
  spec: DocumentSpec;
  runner: Runner;
  options: unknown;
  key: q.ResultKey;
  ctx: Context;
}

export async function callBatches(pages: PageInput[], pageCount: number, plan: CallPlan): Promise<CallOutput[]> {
  const { spec, runner, options, ctx } = plan;
  const size = Math.max(1, spec.pagesPerCall ?? 1);
  const batches: PageInput[][] = [];
  for (let i = 0; i < pages.length; i += size) batches.push(pages.slice(i, i + size));
  const outputs: (CallOutput | undefined)[] = new Array(batches.length);

  // Calls of a multi-call document are cached on their own, keyed by the pages' content and
  // position, so a re-sent document with one changed page costs one call. The key of the
  // document's result holds the page selection; a call's does not need it.
  const callKey: q.ResultKey = { ...plan.key, optionsKey: plan.key.optionsKey.replace(/\|pages=[^|]*$/, '') };
  const batchShas = batches.length > 1 ? batches.map(batchSha) : [];
  if (batchShas.length) {
    const cached = new Map<string, string>((await ctx.db.query(q.findPageResults(batchShas, callKey))).rows.map((r) => [r.sha256, r.payload]));
    batchShas.forEach((s, i) => {
      const payload = cached.get(s);
      if (payload) outputs[i] = JSON.parse(payload) as CallOutput;
    });
    countCache('call', cached.size, batchShas.length - cached.size);
  }
  let done = outputs.reduce((n, o, i) => (o ? n + batches[i]!.length : n), 0);
  const total = pages.length;
  ctx.progress({ pagesDone: done, pageCount: total });

  const deadline = ctx.invocation === 'sync' ? Date.now() + ctx.config.syncTimeoutMs : undefined;
  // The calls stop when the request ends (client gone, shutdown), when a sync document runs past
  // its deadline, or when one call fails: one controller, released when the document is done.
  // (AbortSignal.timeout and AbortSignal.any would leave a 60 s timer and weakly held signals
  // behind every document, outliving it by a minute under load.)
  const stop = new AbortController();
  const callSignal = stop.signal;
  let timedOut = false;
  const onEnd = () => stop.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onEnd();
  else ctx.signal.addEventListener('abort', onEnd, { once: true });
  const timer = deadline
    ? setTimeout(() => {
        timedOut = true;
        stop.abort(new DOMException('The document ran past its deadline.', 'TimeoutError'));
      }, ctx.config.syncTimeoutMs)
    : undefined;
  const fresh: { sha256: string; payload: string }[] = [];

  try {
    await Promise.all(
      batches.map(async (batch, i) => {
        if (outputs[i]) return;
        try {
          const admission = { priority: ctx.invocation, deadline, signal: callSignal } as const;
          const release = await ctx.gate.slots.acquire(admission);
          try {
            const callCtx = { signal: callSignal, log: ctx.log };
            if (runner.kind === 'textract') {
              const operation = runner.textract.operation(options, batch.map((p) => p.page));
              if (!ctx.rateCredit?.take(operation)) await ctx.gate.rates.for(operation).acquire(admission);
              outputs[i] = await runner.textract.call(runner.client, batch, options, callCtx);
            } else {
              outputs[i] = await runner.local.call(runner.engine, batch, options, callCtx);
            }
          } finally {
            release();
          }
        } catch (err) {
          stop.abort();
          if (timedOut) {
            throw httpError('TIMEOUT', `The document took longer than SYNC_TIMEOUT_MS (${ctx.config.syncTimeoutMs} ms); use the /async route for large documents.`);
          }
          throw withPages(err, batch, pageCount);
        }
        if (batchShas.length) fresh.push({ sha256: batchShas[i]!, payload: JSON.stringify(outputs[i]) });
        done += batch.length;
        ctx.progress({ pagesDone: done, pageCount: total });
      }),
    ).catch(async (err) => {
      // Calls that did succeed are kept: a retry of the document pays only for the rest.
      if (fresh.length) await ctx.db.query(q.storePageResults(fresh, callKey)).catch(() => {});
      throw err;
    });
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onEnd);
  }
  if (fresh.length) await ctx.db.query(q.storePageResults(fresh, callKey));
  return outputs as CallOutput[];
}

function batchSha(batch: PageInput[]): string {
  if (batch.length === 1) return `${pageSha256(batch[0]!.bytes)}@${batch[0]!.page}`;
  const hash = createHash('sha256');
  for (const page of batch) hash.update(pageSha256(page.bytes)).update(`@${page.page};`);
  return hash.digest('hex');
}

function withPages(err: unknown, batch: PageInput[], pageCount: number): unknown {
  if (pageCount === 1 || !(err instanceof Error)) return err;
  const where = batch.length === 1 ? `Page ${batch[0]!.page}` : `Pages ${batch.map((p) => p.page).join(' and ')}`;
  if (!batch.some((p) => err.message.includes(`page ${p.page}`))) err.message = `${where} of ${pageCount}: ${err.message}`;
  return err;
}
