import Type from 'typebox';
import { defineFunction } from '../runtime/define.ts';
import * as q from '../runtime/db/queries.ts';
import { isDocumentFunction } from '../runtime/document-functions/define.ts';
import { presentResult } from '../runtime/document-functions/present.ts';
import { storedResultJson, type StoredResultRow } from '../runtime/document-functions/stored.ts';
import { httpError } from '../runtime/errors.ts';
import { scopeOf } from '../runtime/tenants.ts';
import { DocumentParams } from '../schemas/ocr.ts';
import { presentationOptions, ResultQuery } from '../schemas/result-query.ts';

export default defineFunction({
  name: 'getDocument',
  method: 'GET',
  path: '/documents/:documentId',
  summary: "A stored result: the document's newest (of one function with ?function=), as JSON, text, markdown, HTML or CSV.",
  schema: {
    params: DocumentParams,
    query: Type.Object({ ...ResultQuery.properties, function: Type.Optional(Type.String({ maxLength: 64, description: 'e.g. ocr, expense, identity' })) }),
    response: Type.Unknown({ description: 'The result as its function answers it (OcrResult, ExpenseResult, IdentityResult).' }),
  },
  options: { queueable: false },
  async handler(event, ctx) {
    const row = (await ctx.db.query(q.findDocumentResult(event.params.documentId, event.query.function ?? null, scopeOf(ctx.tenant)))).rows[0] as StoredResultRow | undefined;
    if (!row) throw httpError('DOCUMENT_NOT_FOUND', 'No such document (or no result of that function for it).');
    const fn = ctx.functions.get(row.function);
    return presentResult({
      spec: fn && isDocumentFunction(fn) ? fn.document : undefined,
      json: storedResultJson(row, ctx.functions),
      stored: { documentId: row.document_id, resultId: row.result_id, cached: true },
      body: presentationOptions(event.query),
      headers: event.headers,
      ctx,
    });
  },
});
