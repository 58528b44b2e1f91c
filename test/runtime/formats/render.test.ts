import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_TYPES, render } from '../../../runtime/formats/render.ts';
import { ocrDocument } from '../../../runtime/formats/ocr-document.ts';
import { storedOcrResult, textractPage } from './sample-results.ts';

describe('render', () => {
  test('should label each format with its media type in UTF-8', () => {
    const doc = ocrDocument(storedOcrResult([textractPage('test_table.json', 1)], ['TABLES']));

    assert.equal(render(doc, 'text').contentType, 'text/plain; charset=utf-8');
    assert.equal(render(doc, 'markdown').contentType, 'text/markdown; charset=utf-8');
    assert.equal(render(doc, 'html').contentType, 'text/html; charset=utf-8');
    assert.equal(render(doc, 'csv').contentType, 'text/csv; charset=utf-8');
    assert.equal(CONTENT_TYPES.json, 'application/json; charset=utf-8');
  });

  test('should ignore a table number for formats other than CSV', () => {
    const doc = ocrDocument(storedOcrResult([textractPage('test_table.json', 1)], ['TABLES']));

    assert.equal(render(doc, 'markdown', { table: 9 }).body, render(doc, 'markdown').body);
  });
});
