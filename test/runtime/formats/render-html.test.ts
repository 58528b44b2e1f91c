import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputDocument } from '../../../runtime/formats/model.ts';
import { tableBlock } from '../../../runtime/formats/model.ts';
import { ocrDocument } from '../../../runtime/formats/ocr-document.ts';
import { renderHtml } from '../../../runtime/formats/render-html.ts';
import { allElements, attribute, elements, readHtml, tableCells, textOf } from './read-html.ts';
import { TEXTRACTOR_PAGE_LAYOUT, policyPage, storedOcrResult, textractPage } from './sample-results.ts';

const HOSTILE = `<script>alert("x&y")</script> Tom & Jerry's "quote" <img src=x onerror=alert(1)>`;

describe('renderHtml', () => {
  test('should give a complete page with the same structure as the markdown', () => {
    const policy = policyPage(2);
    const result = storedOcrResult([textractPage('test_table.json', 1), policy.page], ['TABLES', 'FORMS', 'LAYOUT'], {
      layout: [...TEXTRACTOR_PAGE_LAYOUT, ...policy.layout],
    });
    const { document, errors } = readHtml(renderHtml(ocrDocument(result)));

    assert.deepEqual(errors, []);
    assert.equal(document.mode, 'no-quirks');
    assert.equal(textOf(elements(document, 'title')[0]), 'scan.pdf');
    assert.deepEqual(elements(document, 'h1').map(textOf), ['Textractor Test Document']);
    assert.deepEqual(elements(document, 'h2').map(textOf), ['Page (1)', 'Key - Values', 'Table 1', 'Selection Element', 'Coverage']);
    const [cellsTable, keyValues] = elements(document, 'table').map(tableCells);
    assert.deepEqual(cellsTable, {
      header: ['Cell 1', 'Cell 2', '', 'Cell 4', 'Cell 5'],
      rows: [['Cell 6', 'Cell 7', 'Cell 8', 'Cell 9', 'Cell 10'], ['Cell 11', 'Cell 12', 'Cell 13', 'Cell 14', 'Cell 15']],
    });
    assert.deepEqual(keyValues, { header: ['Key', 'Value'], rows: [['Policy number:', 'PN-0042'], ['Start date:', '01/02/2024']] });
    assert.deepEqual(elements(document, 'ul').flatMap((ul) => elements(ul, 'li')).map(textOf), ['Fire and smoke', 'Water damage from burst pipes', 'Theft']);
    assert.equal(elements(document, 'hr').filter((hr) => attribute(hr, 'class') === 'page-break').length, 1);
  });

  test('should load nothing from elsewhere and run nothing', () => {
    const { document } = readHtml(renderHtml(ocrDocument(storedOcrResult([textractPage('test-response.json', 1)], ['TABLES', 'FORMS']))));

    const charset = elements(document, 'meta').map((m) => attribute(m, 'charset')).filter(Boolean);
    assert.deepEqual(charset, ['utf-8']);
    for (const element of allElements(document)) {
      assert.ok(!['script', 'link', 'img', 'iframe', 'object', 'embed', 'base'].includes(element.tagName), element.tagName);
      for (const attr of element.attrs) {
        assert.ok(!['src', 'href', 'srcset', 'action'].includes(attr.name) && !attr.name.startsWith('on'), `${element.tagName} ${attr.name}`);
      }
    }
    const css = elements(document, 'style').map(textOf).join('');
    assert.ok(!/url\(|@import/i.test(css), css);
  });

  test('should keep hostile text as text in the title, headings, paragraphs, list items and cells', () => {
    const doc: OutputDocument = {
      title: HOSTILE,
      blocks: [
        { kind: 'heading', level: 1, text: HOSTILE },
        { kind: 'paragraph', text: HOSTILE },
        { kind: 'list', ordered: true, start: 2, items: [HOSTILE] },
        tableBlock([[HOSTILE, 'b'], ['multi\nline', HOSTILE]], true),
        { kind: 'fields', headers: ['Key', 'Value'], fields: [{ name: HOSTILE, value: HOSTILE }] },
      ],
      csvTables: [],
    };
    const { document, errors } = readHtml(renderHtml(doc));

    assert.deepEqual(errors, []);
    assert.equal(elements(document, 'script').length, 0);
    assert.equal(elements(document, 'img').length, 0);
    assert.equal(textOf(elements(document, 'title')[0]), HOSTILE);
    assert.equal(textOf(elements(document, 'h1')[0]), HOSTILE);
    assert.equal(textOf(elements(document, 'p')[0]), HOSTILE);
    assert.equal(textOf(elements(document, 'li')[0]), HOSTILE);
    assert.equal(attribute(elements(document, 'ol')[0], 'start'), '2');
    const [table, fields] = elements(document, 'table').map(tableCells);
    assert.deepEqual(table, { header: [HOSTILE, 'b'], rows: [['multi\nline', HOSTILE]] });
    assert.deepEqual(fields, { header: ['Key', 'Value'], rows: [[HOSTILE, HOSTILE]] });
  });

  test('should mark header cells as th only when the table has a header', () => {
    const { document } = readHtml(renderHtml({ blocks: [tableBlock([['1', '2'], ['3']], false)], csvTables: [] }));

    assert.deepEqual(tableCells(elements(document, 'table')[0]), { header: [], rows: [['1', '2'], ['3', '']] });
  });

  test('should give a valid empty page for a result with no text', () => {
    const { document, errors } = readHtml(renderHtml({ blocks: [], csvTables: [] }));

    assert.deepEqual(errors, []);
    assert.equal(textOf(elements(document, 'body')[0]).trim(), '');
    assert.equal(textOf(elements(document, 'title')[0]), 'Document');
  });
});
