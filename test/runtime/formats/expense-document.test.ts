import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { expenseDocument } from '../../../runtime/formats/expense-document.ts';
import { render } from '../../../runtime/formats/render.ts';
import { readMarkdown } from './read-markdown.ts';
import { storedExpenseResult } from './sample-results.ts';

describe('expenseDocument', () => {
  const doc = expenseDocument(storedExpenseResult());

  test('should give the line items a column per field type, then the summary, as CSV tables', () => {
    assert.deepEqual(parse(render(doc, 'csv', { table: 1 }).body), [
      ['ITEM', 'PRICE', 'QUANTITY'],
      ['Coffee, large', '$4.00', ''],
      ['Bagel "everything"', '$8.50', '2'],
    ]);
    assert.deepEqual(parse(render(doc, 'csv', { table: 2 }).body), [
      ['type', 'label', 'value', 'currency', 'groups', 'confidence', 'page'],
      ['VENDOR_NAME', '', 'Corner Café & Bakery', '', '', '99.1', '1'],
      ['ADDRESS', '', '12 Main St\nSpringfield', '', 'VENDOR', '97.5', '1'],
      ['TOTAL', 'Total:', '$12.50', 'USD', '', '98.2', '1'],
    ]);
    assert.throws(() => render(doc, 'csv', { table: 3 }), /2 tables/);
  });

  test('should read as TYPE: value lines in text', () => {
    const { body, contentType } = render(doc, 'text');

    assert.equal(contentType, 'text/plain; charset=utf-8');
    const lines = body.split('\n');
    for (const expected of ['VENDOR_NAME: Corner Café & Bakery', 'ADDRESS (VENDOR): 12 Main St', '  Springfield', 'TOTAL: $12.50', 'ITEM: Coffee, large', 'QUANTITY: 2']) {
      assert.ok(lines.includes(expected), `${expected} in\n${body}`);
    }
    // A line item has no QUANTITY: no empty "QUANTITY:" line for it.
    assert.ok(!lines.includes('QUANTITY: '));
  });

  test('should show the summary and the line items as markdown tables', () => {
    assert.deepEqual(readMarkdown(render(doc, 'markdown').body), [
      { type: 'heading', depth: 1, text: 'Expense 1' },
      { type: 'heading', depth: 2, text: 'Summary' },
      {
        type: 'table',
        header: ['Field', 'Value', 'Label'],
        rows: [['VENDOR_NAME', 'Corner Café & Bakery', ''], ['ADDRESS (VENDOR)', '12 Main St\nSpringfield', ''], ['TOTAL', '$12.50', 'Total:']],
      },
      { type: 'heading', depth: 2, text: 'Line items' },
      { type: 'table', header: ['ITEM', 'PRICE', 'QUANTITY'], rows: [['Coffee, large', '$4.00', ''], ['Bagel "everything"', '$8.50', '2']] },
    ]);
  });

  test('should give nothing for a result without expenses', () => {
    const empty = expenseDocument({ ...storedExpenseResult(), expenses: [] });

    assert.equal(render(empty, 'csv').body, '');
    assert.equal(render(empty, 'text').body, '');
    assert.equal(render(empty, 'markdown').body, '');
  });
});
