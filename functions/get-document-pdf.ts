import Type from 'typebox';
import { defineFunction, RawBody, Reply } from '../runtime/define.ts';
import * as q from '../runtime/db/queries.ts';
import { detectKind } from '../runtime/documents/detect.ts';
import { pagesWithText } from '../runtime/documents/pdfjs.ts';
import type { OcrWord } from '../runtime/engines/types.ts';
import { httpError } from '../runtime/errors.ts';
import { scopeOf } from '../runtime/tenants.ts';
import { DocumentParams } from '../schemas/ocr.ts';

// The original pages with an invisible, selectable text layer at each word's box (what OCRmyPDF
// makes), from the stored bytes and the words of the document's newest result: no engine call.
// Pages that already carry text are left as they are.

export default defineFunction({
  name: 'getDocumentPdf',
  method: 'GET',
  path: '/documents/:documentId/pdf',
  summary: 'A searchable PDF of the document: its pages with an invisible text layer; 410 once its bytes are past DOCUMENT_RETENTION_HOURS.',
  schema: { params: DocumentParams, response: Type.String({ contentMediaType: 'application/pdf' }) },
  options: { queueable: false },
  async handler(event, ctx) {
    const row = (await ctx.db.query(q.findDocumentForPdf(event.params.documentId, scopeOf(ctx.tenant)))).rows[0] as
      | { filename: string | null; content: Buffer | null; words: string | null }
      | undefined;
    if (!row) throw httpError('DOCUMENT_NOT_FOUND', 'No such document.');
    if (!row.words) throw httpError('DOCUMENT_NOT_FOUND', 'The document has no result yet; ask again once its job has succeeded.');
    if (!row.content) {
      throw httpError('DOCUMENT_EXPIRED', `The document's bytes were deleted after DOCUMENT_RETENTION_HOURS (${ctx.config.documentRetentionHours} h); send it again.`);
    }
    const kind = detectKind(row.content);
    if (!kind) throw httpError('UNPROCESSABLE_DOCUMENT', 'The stored document is not a PDF or an image.');
    let pages = JSON.parse(row.words) as { page: number; words: OcrWord[] }[];
    if (kind === 'pdf') {
      // As OCRmyPDF's --skip-text: a page that already has text (a digital PDF, an earlier OCR
      // layer) keeps it alone, or every word would be found and copied twice.
      const texted = await pagesWithText(row.content);
      pages = pages.filter((p) => !texted.has(p.page));
    }
    // Loaded on the first request: pdf-lib's writer, fontkit and the font would otherwise sit in
    // every worker from its start, though most deployments never ask for a searchable PDF.
    const { buildSearchablePdf } = await import('../runtime/pdf-output/searchable-pdf.ts');
    const pdf = await buildSearchablePdf(row.content, kind, pages);
    const name = (row.filename ?? 'document').replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[^\w.\- ]+/g, '_').slice(0, 100) || 'document';
    return new Reply(200, new RawBody(pdf, 'application/pdf'), { 'content-disposition': `inline; filename="${name}.pdf"` });
  },
});
