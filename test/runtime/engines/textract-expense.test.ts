import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzeExpenseResponse, Block, ExpenseField as TextractExpenseField } from '@aws-sdk/client-textract';
import { normalizeExpense } from '../../../runtime/engines/textract-expense.ts';
import { assertInsidePage, children, fixture, line, word } from '../../helpers/textract-blocks.ts';

const receipt = () => fixture<AnalyzeExpenseResponse>('test_analyze_expense_from_image.json');

const field = (type: string | undefined, value: string | undefined, extra: Partial<TextractExpenseField> = {}): TextractExpenseField => ({
  Type: type === undefined ? undefined : { Text: type, Confidence: 99 },
  ValueDetection: value === undefined ? undefined : { Text: value, Confidence: 95 },
  PageNumber: 1,
  ...extra,
});

describe('normalizeExpense on a real AnalyzeExpense response (a store receipt)', () => {
  test('should read the totals with their printed labels, values, currency and confidence', () => {
    const { expenses } = normalizeExpense(receipt(), 3);
    const byType = (type: string) => expenses[0].summary.filter((f) => f.type === type);

    assert.deepEqual(byType('TOTAL'), [{ type: 'TOTAL', label: 'TOTAL', value: '$1810.46', confidence: 99.93, page: 3, currency: 'USD' }]);
    assert.deepEqual(byType('SUBTOTAL'), [{ type: 'SUBTOTAL', label: 'SUBTOTAL', value: '$1699.96', confidence: 99.85, page: 3, currency: 'USD' }]);
    assert.deepEqual(byType('TAX'), [{ type: 'TAX', label: 'TAX', value: '$110.50', confidence: 99.92, page: 3, currency: 'USD' }]);
    assert.deepEqual(byType('AMOUNT_PAID'), [{ type: 'AMOUNT_PAID', label: 'TEND', value: '$1810.46', confidence: 99.68, page: 3, currency: 'USD' }]);
    // The date is printed without a label: the field has none, not an empty one.
    assert.deepEqual(byType('INVOICE_RECEIPT_DATE'), [
      { type: 'INVOICE_RECEIPT_DATE', value: '12/07/2019', confidence: 99.91, page: 3 },
      { type: 'INVOICE_RECEIPT_DATE', value: '12/07/2019', confidence: 99.79, page: 3 },
    ]);
  });

  test('should keep every summary field in Textract order, vendor names with their group', () => {
    const { expenses } = normalizeExpense(receipt(), 1);

    assert.equal(expenses.length, 1);
    assert.equal(expenses[0].index, 1);
    assert.equal(expenses[0].summary.length, 25);
    assert.deepEqual(expenses[0].summary.slice(0, 2), [
      { type: 'NAME', value: 'MEGA MARKET PLUS', confidence: 99.97, page: 1, groups: [{ id: 'cef10021-e3d2-4bb2-b3cb-f3ed414b68f4', types: ['VENDOR'] }] },
      { type: 'NAME', value: 'MEGA BIGBOK', confidence: 99.68, page: 1, groups: [{ id: '23608f30-060a-4cb4-b5a4-3fb33ec18eb1', types: ['VENDOR'] }] },
    ]);
    assert.deepEqual(
      expenses[0].summary.filter((f) => f.type === 'VENDOR_NAME' || f.type === 'VENDOR_PHONE').map((f) => [f.type, f.value]),
      [['VENDOR_NAME', 'MEGA MARKET PLUS'], ['VENDOR_NAME', 'MEGA BIGBOK'], ['VENDOR_PHONE', '800-532-2918']],
    );
  });

  test('should rate a field by its weaker half and keep labels printed over two lines', () => {
    const summary = normalizeExpense(receipt(), 1).expenses[0].summary;
    const other = new Map(summary.filter((f) => f.type === 'OTHER').map((f) => [f.label, f]));

    // Textract is sure this is a card number field (type 98.10) but not of the digits (value 80.16).
    assert.equal(other.get('ACCOUNT #')?.value, '**** VISA 3433');
    assert.equal(other.get('ACCOUNT #')?.confidence, 80.16);
    assert.equal(other.get('TRANS ID\n-')?.value, '2516267815C098E0');
    assert.equal(other.get('-\nPAYMENT SERVICE')?.value, 'E');
    assert.equal(other.get('# ITEMS SOLD')?.value, '4');
  });

  test('should read each bought item as a row of ITEM, PRICE and the whole printed row', () => {
    const groups = normalizeExpense(receipt(), 2).expenses[0].lineItemGroups;

    assert.equal(groups.length, 1);
    assert.equal(groups[0].index, 1);
    assert.deepEqual(
      groups[0].items.map((item) => item.fields.map((f) => [f.type, f.value])),
      [
        [['ITEM', 'LG FLATSCREEN 65'], ['PRICE', '$899.99 S'], ['EXPENSE_ROW', 'LG FLATSCREEN 65 $899.99 S']],
        [['ITEM', 'SONY VIAO I7 6938'], ['PRICE', '$689.99 S'], ['EXPENSE_ROW', 'SONY VIAO I7 6938 $689.99 S']],
        [['ITEM', '6FT HDMI CABLE BB'], ['PRICE', '$19.99 S'], ['EXPENSE_ROW', '6FT HDMI CABLE BB $19.99 S']],
        [['ITEM', 'APPLE TV V4'], ['PRICE', '$89.99 S'], ['EXPENSE_ROW', 'APPLE TV V4 $89.99 S']],
      ],
    );
    assert.deepEqual(groups[0].items[0].fields[0], { type: 'ITEM', value: 'LG FLATSCREEN 65', confidence: 99.96, page: 2 });
  });

  test('should give the receipt text as lines and words of the page', () => {
    const output = receipt();
    const { page } = normalizeExpense(output, 6);
    const wordBlocks = output.ExpenseDocuments![0].Blocks!.filter((b) => b.BlockType === 'WORD');

    assert.equal(page.page, 6);
    assert.equal(page.lines.length, 39);
    assert.deepEqual(page.lines.slice(0, 4).map((l) => l.text), ['MEGA BIGBOK', '800-532-2918', 'MEGA MARKET PLUS', 'CHICAGO, IL']);
    assert.equal(page.lines.at(-1)?.text, '***CUSTOMER COPY');
    assert.equal(page.words.length, wordBlocks.length);
    assert.equal(page.words.map((w) => w.text).join(' '), page.lines.map((l) => l.text).join(' '));
    for (const l of page.lines) assertInsidePage(l.bbox, l.text);
    assert.deepEqual(page.keyValues, []);
    assert.deepEqual(page.tables, []);
  });
});

describe('normalizeExpense on odd responses', () => {
  test('should return no expenses and an empty page for an empty response', () => {
    const empty = { page: 2, lines: [], words: [], keyValues: [], tables: [] };

    assert.deepEqual(normalizeExpense({}, 2), { expenses: [], page: empty });
    assert.deepEqual(normalizeExpense({ ExpenseDocuments: [{}] }, 2), {
      expenses: [{ index: 1, summary: [], lineItemGroups: [] }],
      page: empty,
    });
  });

  test('should skip fields without a value and fill in what Textract left out', () => {
    const output: AnalyzeExpenseResponse = {
      ExpenseDocuments: [
        {
          ExpenseIndex: 0,
          SummaryFields: [
            field('TOTAL', undefined, { LabelDetection: { Text: 'TOTAL', Confidence: 99 } }),
            field(undefined, 'untyped'),
            field('TAX', '', { LabelDetection: { Text: '' }, Currency: {}, GroupProperties: [] }),
            { Type: { Text: 'VENDOR_ADDRESS' }, ValueDetection: { Text: '1 Main St\nSpringfield' }, GroupProperties: [{ Types: ['VENDOR'] }, { Id: 'g', Types: undefined }] },
          ],
        },
      ],
    };

    assert.deepEqual(normalizeExpense(output, 1).expenses, [
      {
        index: 1,
        summary: [
          { type: 'OTHER', value: 'untyped', confidence: 95, page: 1 },
          { type: 'TAX', value: '', confidence: 95, page: 1 },
          { type: 'VENDOR_ADDRESS', value: '1 Main St\nSpringfield', confidence: 0, page: 1, groups: [{ id: 'g', types: [] }] },
        ],
        lineItemGroups: [],
      },
    ]);
  });

  test('should take the type confidence when Textract is less sure of the type than of the text', () => {
    const output: AnalyzeExpenseResponse = {
      ExpenseDocuments: [{ SummaryFields: [{ Type: { Text: 'DUE_DATE', Confidence: 51.237 }, ValueDetection: { Text: '2024-01-31', Confidence: 99.9 } }] }],
    };

    assert.equal(normalizeExpense(output, 1).expenses[0].summary[0].confidence, 51.24);
  });

  test('should leave out rows and tables with nothing readable and number tables by position when unnumbered', () => {
    const output: AnalyzeExpenseResponse = {
      ExpenseDocuments: [
        {
          ExpenseIndex: 2,
          LineItemGroups: [
            { LineItemGroupIndex: 1, LineItems: [{}, { LineItemExpenseFields: [field('ITEM', undefined)] }] },
            { LineItems: [{ LineItemExpenseFields: [field('ITEM', 'Tea')] }, { LineItemExpenseFields: [] }] },
            {},
          ],
        },
      ],
    };

    assert.deepEqual(normalizeExpense(output, 9).expenses, [
      { index: 2, summary: [], lineItemGroups: [{ index: 2, items: [{ fields: [{ type: 'ITEM', value: 'Tea', confidence: 95, page: 9 }] }] }] },
    ]);
  });

  test('should read the page text once when two receipts on one page carry the same blocks', () => {
    const blocks: Block[] = [
      { BlockType: 'PAGE', Id: 'p', Relationships: [children('l1', 'l2')] },
      line('l1', 'CAFE', { Relationships: [children('w1')] }),
      word('w1', 'CAFE'),
      line('l2', 'BAR', { Relationships: [children('w2')] }),
      word('w2', 'BAR'),
    ];
    const output: AnalyzeExpenseResponse = { ExpenseDocuments: [{ ExpenseIndex: 1, Blocks: blocks }, { ExpenseIndex: 2, Blocks: structuredClone(blocks) }] };

    const { expenses, page } = normalizeExpense(output, 1);
    assert.deepEqual(expenses.map((e) => e.index), [1, 2]);
    assert.deepEqual(page.lines.map((l) => l.text), ['CAFE', 'BAR']);
    assert.deepEqual(page.words.map((w) => w.text), ['CAFE', 'BAR']);
  });
});
