import { randomUUID } from 'node:crypto';
import type { Context, UploadedDocument } from '../define.ts';
import * as q from '../db/queries.ts';
import { detectKind, MEDIA_TYPES } from '../documents/detect.ts';
import { inspectDocument, pageSha256 as sha, splitPages } from '../documents/pages.ts';
import { TEXTRACT_NEEDED } from '../engines/select.ts';
import { httpError } from '../errors.ts';
import { ownerOf } from '../tenants.ts';
import { countCache } from '../metrics/instruments.ts';
import { callBatches, type Runner } from './calls.ts';
import type { CallOutput, DocumentSpec } from './define.ts';
import { ownOptions, type CommonOptions } from './options.ts';
import { pageRangesKey, parsePageRanges, selectPages } from './page-ranges.ts';
import { presentResult } from './present.ts';
import { bytesHeldFor, RECENT_TTL_MS, recentKey, recentResultsOf, type RecentResult } from './recent-results.ts';
import { resultJson, wordsJson } from './result-json.ts';

// One invocation of a document function, sync or queued: type check, cache lookup, document
// checks, page selection and split, engine calls through the admission gate, merge, store, and
// the answer in the format asked for.

export async function runDocumentFunction(
  name: string,
  spec: DocumentSpec,
  document: UploadedDocument | undefined,
  body: CommonOptions & Record<string, unknown>,
  headers: Record<string, string>,
  ctx: Context,
): Promise<unknown> {
  if (!document) throw httpError('BAD_REQUEST', 'The request carries no document.');
  const started = performance.now();
  const bytes = document.bytes;
  const kind = detectKind(bytes);
  if (!kind) {
    throw httpError('UNSUPPORTED_MEDIA_TYPE', 'The document is not a PDF, PNG, JPEG or TIFF (judged by its content, not its declared type).');
  }
  const runner = chooseRunner(name, spec, ctx);
  const options = spec.prepare(ownOptions(body));
  const ranges = parsePageRanges(body.pages);
  const key: q.ResultKey = {
    fn: name,
    optionsKey: spec.cacheKey(options) + (ranges ? `|pages=${pageRangesKey(ranges)}` : ''),
    engine: ctx.engineName,
  };
  const sha256 = document.sha256 ?? sha(bytes);
  const filename = body.filename ?? document.filename ?? null;
  const head = (documentId: string, pageCount: number, cached: boolean) => ({
    documentId,
    sha256,
    filename,
    contentType: MEDIA_TYPES[kind],
    bytes: bytes.length,
    pageCount,
    engine: ctx.engineName,
    ...spec.headFields?.(options),
    cached,
    durationMs: Math.round(performance.now() - started),
  });
  // Queued runs read bytes that were stored when the job was accepted; sync requests keep them
  // for DOCUMENT_RETENTION_HOURS so the searchable PDF can be made from them. With 0 hours a sync
  // request keeps none: writing them costs each document about as much CPU as its Textract call.
  const retain = ctx.invocation === 'sync' && ctx.config.documentRetentionHours > 0;

  // A named tenant's documents and results are recorded as its own, whoever made them first.
  const owner = ownerOf(ctx.tenant);
  const recordSight = async (documentId: string, resultId: string) =>
    owner === null ? true : (await ctx.db.query(q.recordTenantSight({ tenant: owner, documentId, filename, resultId }))).rows[0].first_sight as boolean;

  const recent = recentResultsOf(ctx.db);
  const recentKeyOf = recentKey(sha256, key);
  let known: RecentResult | undefined = recent.get(recentKeyOf);
  // Bytes this request must keep may be purged meanwhile only once they are older than the
  // retention period: near that moment the database says whether they are still there.
  if (known && retain && !bytesHeldFor(known, ctx.config.documentRetentionHours, RECENT_TTL_MS)) known = undefined;
  if (!known) {
    known = (await ctx.db.query(q.findCachedResult(sha256, key))).rows[0];
    if (known?.result_id) recent.remember(recentKeyOf, known);
  }
  countCache('result', known?.result_id ? 1 : 0, known?.result_id ? 0 : 1);
  if (known?.result_id) {
    if (retain && !known.content_at) {
      await ctx.db.query(q.storeDocumentContent(known.document_id, Buffer.from(bytes)));
      known.content_at = new Date();
    }
    // Another tenant's result costs no Textract call, but is not reported as cached: that would
    // tell this tenant someone else had sent the same document.
    const cached = owner === null || !(await recordSight(known.document_id, known.result_id));
    ctx.progress({ pagesDone: known.page_count, pageCount: known.page_count });
    const json = resultJson(head(known.document_id, known.page_count, cached), known.payload, known.created_at);
    const stored = { documentId: known.document_id, resultId: known.result_id, cached };
    return presentResult({ spec, json, stored, body, headers, ctx, accept: 'explicit' });
  }

  const { pageCount } = await inspectDocument(bytes, kind, { maxPages: ctx.config.maxPages });
  const selected = selectPages(ranges, pageCount);
  const wanted = selected?.length ?? pageCount;
  if (spec.maxPages !== undefined && wanted > spec.maxPages) {
    throw httpError(
      'UNPROCESSABLE_DOCUMENT',
      `"${name}" takes at most ${spec.maxPages} page${spec.maxPages === 1 ? '' : 's'}; the document has ${wanted}${selected ? ' selected' : ''}. Choose pages with pages=.`,
    );
  }
  const pages = await splitPages(bytes, kind, selected ?? undefined);
  const outputs: CallOutput[] = await callBatches(pages, pageCount, { spec, runner, options, key, ctx });
  const payload = JSON.stringify(spec.merge(outputs, options));
  const words = wordsJson(outputs);

  const row = (
    await ctx.db.query(
      q.storeResult({
        id: randomUUID(),
        sha256,
        filename,
        contentType: MEDIA_TYPES[kind],
        bytes: bytes.length,
        pageCount,
        content: retain && !known?.content_at ? bytes : null,
        resultId: randomUUID(),
        key,
        options,
        payload,
        words,
        durationMs: Math.round(performance.now() - started),
        tenant: owner,
        finish: ctx.jobEnd && ctx.jobId ? { ...ctx.jobEnd, jobId: ctx.jobId } : undefined,
      }),
    )
  ).rows[0];
  if (ctx.jobEnd && row.finished) ctx.jobEnd.finished = true;
  const json = resultJson(head(row.document_id, pageCount, false), payload, row.created_at);
  const stored = { documentId: row.document_id, resultId: row.result_id, cached: false };
  return presentResult({ spec, json, stored, body, headers, ctx, words, accept: 'explicit' });
}

function chooseRunner(name: string, spec: DocumentSpec, ctx: Context): Runner {
  if (ctx.textract) {
    if (spec.textract) return { kind: 'textract', textract: spec.textract, client: ctx.textract };
    throw httpError('UNPROCESSABLE_DOCUMENT', `"${name}" runs only on the local OCR engine, and this service runs on Amazon Textract.`);
  }
  if (ctx.localEngine) {
    if (spec.local) return { kind: 'local', local: spec.local, engine: ctx.localEngine };
    throw httpError('UNPROCESSABLE_DOCUMENT', `"${name}" needs Amazon Textract, and this service runs the local OCR engine: ${TEXTRACT_NEEDED}.`);
  }
  throw httpError('ENGINE_UNAVAILABLE', ctx.engineUnavailable ?? 'No OCR engine is configured.');
}
