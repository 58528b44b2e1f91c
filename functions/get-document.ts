import { defineFunction, RawJson } from '../runtime/define.ts';
import { httpError } from '../runtime/errors.ts';
import * as q from '../runtime/db/queries.ts';
import { storedResultJson } from '../runtime/ocr/stored.ts';
import { DocumentParams, OcrResult } from '../schemas/ocr.ts';

export default defineFunction({
  name: 'getDocument',
  method: 'GET',
  path: '/documents/:documentId',
  summary: "A stored OCR result: the document's newest result.",
  schema: { params: DocumentParams, response: OcrResult },
  options: { queueable: false },
  async handler(event, ctx) {
    const row = (await ctx.db.query(q.findDocumentResult(event.params.documentId))).rows[0];
    if (!row) throw httpError('DOCUMENT_NOT_FOUND', `No document ${event.params.documentId}.`);
    return new RawJson(storedResultJson(row));
  },
});
