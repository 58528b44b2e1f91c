import { defineFunction } from '../runtime/define.ts';
import { httpError } from '../runtime/errors.ts';
import { recognizeDocument } from '../runtime/ocr/recognize.ts';
import { OcrOptions, OcrResult } from '../schemas/ocr.ts';

export default defineFunction({
  name: 'ocr',
  method: 'POST',
  path: '/ocr',
  summary: 'OCR a document (PDF, PNG, JPEG, TIFF): text, and form fields and tables when asked.',
  input: 'document',
  schema: { body: OcrOptions, response: OcrResult },
  async handler(event, ctx) {
    if (!event.document) throw httpError('BAD_REQUEST', 'The request carries no document.');
    return recognizeDocument(
      { bytes: event.document.bytes, filename: event.body.filename, features: event.body.features ?? [] },
      ctx,
    );
  },
});
