import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tableBlock } from '../../../runtime/formats/model.ts';
import { ocrDocument } from '../../../runtime/formats/ocr-document.ts';
import { render } from '../../../runtime/formats/render.ts';
import { TEXTRACTOR_PAGE_LAYOUT, policyPage, storedOcrResult, textractPage } from './sample-results.ts';

describe('renderText', () => {
  test("should give an OCR result's own text, pages apart by a form feed, headers and footers kept", () => {
    const policy = policyPage(2);
    const result = storedOcrResult([textractPage('test_table.json', 1), policy.page], ['TABLES', 'LAYOUT'], {
      layout: [...TEXTRACTOR_PAGE_LAYOUT, ...policy.layout],
    });

    const { body, contentType } = render(ocrDocument(result), 'text');

    assert.equal(contentType, 'text/plain; charset=utf-8');
    assert.equal(body, result.text);
    const [page1, page2] = body.split('\f');
    assert.ok(page1.startsWith('Textractor Test\nDocument\nPage (1)\n'));
    assert.ok(page2.startsWith('ACME Insurance - Policy 42\nCoverage\n'));
    assert.ok(page2.endsWith('Confidential\n2'));
  });

  test('should write other results as blocks apart by an empty line and pages by a form feed', () => {
    const body = render({
      blocks: [
        { kind: 'heading', level: 1, text: 'Title' },
        { kind: 'list', ordered: true, start: 4, items: ['four', 'five'] },
        { kind: 'page-break', page: 2 },
        tableBlock([['a', 'b'], ['1', '2\n3']], false),
      ],
      csvTables: [],
    }, 'text').body;

    assert.equal(body, 'Title\n\n4. four\n5. five\f' + 'a\tb\n1\t2 3\n');
  });
});
