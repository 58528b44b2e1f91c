import { randomUUID } from 'node:crypto';
import { RawJson, type Context } from '../define.ts';
import { detectKind, MEDIA_TYPES } from '../documents/detect.ts';
import { inspectDocument, pageSha256 as sha, splitPages } from '../documents/pages.ts';
import type { Feature, PageInput, PageResult } from '../engines/types.ts';
import { httpError } from '../errors.ts';
import * as q from '../db/queries.ts';
import { mergePages, resultJson } from './result-json.ts';

// The OCR function's work, engine-agnostic: cache check, page split, engine calls through the
// process's admission gate, merge, store. Sync and queued invocations run exactly this.

export interface RecognizeInput {
  bytes: Buffer;
  filename?: string;
  features: Feature[];
}

export async function recognizeDocument(input: RecognizeInput, ctx: Context): Promise<RawJson> {
  const started = performance.now();
  const kind = detectKind(input.bytes);
  if (!kind) {
    throw httpError('UNSUPPORTED_MEDIA_TYPE', 'The document is not a PDF, PNG, JPEG or TIFF (judged by its content, not its declared type).');
  }
  const engine = ctx.engine;
  if (!engine) throw httpError('ENGINE_UNAVAILABLE', ctx.engineUnavailable ?? 'No OCR engine is configured.');
  const features = [...new Set(input.features)].sort() as Feature[];
  const featureKey = features.join(',');
  const sha256 = sha(input.bytes);
  const head = (documentId: string, pageCount: number, cached: boolean) => ({
    documentId,
    sha256,
    filename: input.filename ?? null,
    contentType: MEDIA_TYPES[kind],
    bytes: input.bytes.length,
    pageCount,
    engine: engine.name,
    features,
    cached,
    durationMs: Math.round(performance.now() - started),
  });

  const hit = (await ctx.db.query(q.findCachedResult(sha256, featureKey, engine.name))).rows[0];
  if (hit) {
    ctx.progress({ pagesDone: hit.page_count, pageCount: hit.page_count });
    const json = resultJson(head(hit.document_id, hit.page_count, true), hit.payload, hit.created_at);
    return new RawJson(json, { documentId: hit.document_id, resultId: hit.result_id, cached: true });
  }

  const { pageCount } = await inspectDocument(input.bytes, kind, { maxPages: ctx.config.maxPages });
  const pages = await splitPages(input.bytes, kind);
  const results = await recognizePages(pages, features, featureKey, ctx);
  const payload = mergePages(results, features);

  const documentId = randomUUID();
  const stored = (
    await ctx.db.query(
      q.storeResult({
        id: documentId,
        sha256,
        filename: input.filename ?? null,
        contentType: MEDIA_TYPES[kind],
        bytes: input.bytes.length,
        pageCount: pages.length,
        resultId: randomUUID(),
        features: featureKey,
        engine: engine.name,
        payload,
        durationMs: Math.round(performance.now() - started),
      }),
    )
  ).rows[0];
  const json = resultJson(head(stored.document_id, pages.length, false), payload, stored.created_at);
  return new RawJson(json, { documentId: stored.document_id, resultId: stored.result_id, cached: false });
}

async function recognizePages(pages: PageInput[], features: Feature[], featureKey: string, ctx: Context): Promise<PageResult[]> {
  const engine = ctx.engine!;
  const results: (PageResult | undefined)[] = new Array(pages.length);
  const multi = pages.length > 1;
  // Multi-page documents are cached per page too, so one changed page costs one engine call.
  const pageShas = multi ? pages.map((p) => sha(p.bytes)) : [];
  if (multi) {
    const cached = new Map<string, string>(
      (await ctx.db.query(q.findPageResults(pageShas, featureKey, engine.name))).rows.map((r) => [r.sha256, r.payload]),
    );
    pages.forEach((p, i) => {
      const payload = cached.get(pageShas[i]!);
      if (payload) results[i] = { ...(JSON.parse(payload) as PageResult), page: p.page };
    });
  }
  let done = results.filter(Boolean).length;
  ctx.progress({ pagesDone: done, pageCount: pages.length });

  const deadline = ctx.invocation === 'sync' ? Date.now() + ctx.config.syncTimeoutMs : undefined;
  const signal = deadline ? AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.config.syncTimeoutMs)]) : ctx.signal;
  // One failing page fails the document: stop the rest instead of paying for them.
  const stop = new AbortController();
  const callSignal = AbortSignal.any([signal, stop.signal]);
  const fresh: { sha256: string; payload: string }[] = [];

  await Promise.all(
    pages.map(async (page, i) => {
      if (results[i]) return;
      try {
        const admission = { priority: ctx.invocation, deadline, signal: callSignal } as const;
        const release = await ctx.gate.slots.acquire(admission);
        try {
          if (engine.name === 'textract' && !ctx.rateCredit?.take()) await ctx.gate.rate.acquire(admission);
          results[i] = await engine.recognize(page, { features, signal: callSignal });
        } finally {
          release();
        }
      } catch (err) {
        stop.abort();
        if (signal.aborted && deadline && Date.now() >= deadline) {
          throw httpError('TIMEOUT', `OCR took longer than SYNC_TIMEOUT_MS (${ctx.config.syncTimeoutMs} ms); use POST /ocr/async for large documents.`);
        }
        throw withPage(err, page.page, pages.length);
      }
      if (multi) fresh.push({ sha256: pageShas[i]!, payload: JSON.stringify(results[i]) });
      ctx.progress({ pagesDone: ++done, pageCount: pages.length });
    }),
  ).catch(async (err) => {
    // Pages that did succeed are kept: a retry of the document pays only for the rest.
    if (fresh.length) await ctx.db.query(q.storePageResults(fresh, featureKey, engine.name)).catch(() => {});
    throw err;
  });
  if (fresh.length) await ctx.db.query(q.storePageResults(fresh, featureKey, engine.name));
  return results as PageResult[];
}

function withPage(err: unknown, page: number, pageCount: number): unknown {
  if (pageCount === 1 || !(err instanceof Error)) return err;
  if (!err.message.includes(`page ${page}`)) err.message = `Page ${page} of ${pageCount}: ${err.message}`;
  return err;
}
