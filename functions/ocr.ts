import { defineDocumentFunction } from '../runtime/document-functions/define.ts';
import { analyzePage } from '../runtime/engines/textract.ts';
import type { Feature, PageResult, QueryInput, QueryResult } from '../runtime/engines/types.ts';
import { httpError } from '../runtime/errors.ts';
import { ocrDocument } from '../runtime/formats/ocr-document.ts';
import type { OcrResultJson } from '../runtime/formats/result-types.ts';
import { OcrOptions, OcrResult } from '../schemas/ocr.ts';

// Text, and with `features` form fields, tables, answers to questions, signatures and layout:
// Textract's DetectDocumentText / AnalyzeDocument, page by page; plain text on the local engine.

export default defineDocumentFunction({
  name: 'ocr',
  path: '/ocr',
  summary: 'OCR a document (PDF, PNG, JPEG, TIFF): text, and form fields, tables, query answers, signatures and layout when asked.',
  options: OcrOptions,
  result: OcrResult,
  prepare(options) {
    const queries = options.queries ?? [];
    const features = new Set(options.features ?? []);
    // Questions are only answered with QUERIES, so asking them implies it.
    if (queries.length) features.add('QUERIES');
    if (features.has('QUERIES') && !queries.length) {
      throw httpError('VALIDATION_FAILED', 'QUERIES needs "queries": the questions to answer.', {
        issues: [{ path: 'body.queries', message: 'at least one query is required with QUERIES' }],
      });
    }
    return { features: [...features].sort(), ...(queries.length ? { queries } : {}) };
  },
  cacheKey: (o) => (o.features ?? []).join(',') + (o.queries ? `|queries=${JSON.stringify(o.queries)}` : ''),
  headFields: (o) => ({ features: o.features ?? [] }),
  textract: {
    operations: ['DetectDocumentText', 'AnalyzeDocument'],
    operation: (o, [page]) => (pageFeatures(o, page!).length ? 'AnalyzeDocument' : 'DetectDocumentText'),
    async call(client, [page], o, ctx) {
      const features = pageFeatures(o, page!.page);
      const queries = (o.queries ?? []).filter((q) => askedOn(q, page!.page));
      return { pages: [await analyzePage(client, page!, { features, queries, signal: ctx.signal })] };
    },
  },
  local: {
    async call(engine, [page], o, ctx) {
      if (o.features?.length) {
        throw httpError(
          'UNPROCESSABLE_DOCUMENT',
          `features (${o.features.join(', ')}) need Amazon Textract; the local OCR engine reads text only. Send no features, or configure Textract.`,
        );
      }
      return { pages: [await engine.recognize(page!, { features: [], signal: ctx.signal })] };
    },
  },
  merge(outputs, o) {
    const pages = outputs.flatMap((out) => out.pages);
    return mergePages(pages, o.features ?? [], o.queries ?? []);
  },
  document: (result) => ocrDocument(result as unknown as OcrResultJson),
});

/** The features of one page's call: QUERIES only where one of the questions is asked. */
function pageFeatures(o: OcrOptions, page: number): Feature[] {
  const features = (o.features ?? []) as Feature[];
  if (!features.includes('QUERIES') || (o.queries ?? []).some((q) => askedOn(q, page))) return features;
  return features.filter((f) => f !== 'QUERIES');
}

/** Textract's query page syntax: "3", "2-4", "3-*", "*". Without pages, every processed page. */
function askedOn(query: QueryInput, page: number): boolean {
  if (!query.pages?.length) return true;
  return query.pages.some((spec) => {
    if (spec === '*') return true;
    const [from, to] = spec.split('-');
    const start = Number(from);
    if (to === undefined) return page === start;
    return page >= start && (to === '*' || page <= Number(to));
  });
}

/** {text, pages, keyValues?, tables?, queries?, signatures?, layout?} for pages in document order. */
function mergePages(pages: PageResult[], features: readonly string[], queries: readonly QueryInput[]): Record<string, unknown> {
  // A form feed between pages lets clients split the text back into pages.
  const text = pages.map((p) => p.lines.map((l) => l.text).join('\n')).join('\f');
  const result: Record<string, unknown> = {
    text,
    pages: pages.map((p) => ({ page: p.page, width: p.width, height: p.height, lines: p.lines })),
  };
  if (features.includes('FORMS')) result.keyValues = pages.flatMap((p) => p.keyValues);
  if (features.includes('TABLES')) result.tables = pages.flatMap((p) => p.tables);
  if (features.includes('QUERIES')) result.queries = mergeQueries(pages, queries);
  if (features.includes('SIGNATURES')) result.signatures = pages.flatMap((p) => p.signatures ?? []);
  if (features.includes('LAYOUT')) result.layout = pages.flatMap((p) => p.layout ?? []);
  return result;
}

/** Each question once, in the order asked, with the answers found on every page it was asked on. */
function mergeQueries(pages: PageResult[], queries: readonly QueryInput[]): QueryResult[] {
  return queries.map((q) => ({
    text: q.text,
    ...(q.alias ? { alias: q.alias } : {}),
    answers: pages.flatMap((p) => (p.queries ?? []).filter((r) => r.text === q.text && (r.alias ?? undefined) === (q.alias ?? undefined)).flatMap((r) => r.answers)),
  }));
}
