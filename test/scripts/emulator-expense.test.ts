import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AnalyzeExpenseCommand, type ExpenseField, type TextractClient } from '@aws-sdk/client-textract';
import { makePng, makeTextPdf } from '../../scripts/emulator/fixtures.ts';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { assertBlocksShapedLike, byId, childIds, clientFor, errorOf, fixture, keyPaths, rawCall } from './emulator-sdk.ts';

/** A receipt laid out in PDF points: a vendor at the top, labelled totals, a table of items. */
function receiptPdf(): Promise<Buffer> {
  return makeTextPdf([[
    { text: 'MEGA MARKET', x: 72, y: 740, size: 18 },
    { text: 'Invoice #: INV-0042', x: 72, y: 700 },
    { text: 'Date: 03/18/2024', x: 72, y: 684 },
    { text: 'Bill To: Jane Roe', x: 72, y: 668 },
    ...[['Description', 'Qty', 'Unit Price', 'Amount'], ['Widget', '2', '$3.00', '$6.00'], ['Gadget', '1', '$4.50', '$4.50']]
      .flatMap((row, r) => row.map((text, c) => ({ text, x: [72, 300, 380, 480][c], y: 630 - r * 16 }))),
    { text: 'Subtotal: $10.50', x: 72, y: 560 },
    { text: 'Tax: $0.84', x: 72, y: 544 },
    { text: 'Gratuity: EUR 1.00', x: 72, y: 528 },
    { text: 'Total: $11.34', x: 72, y: 512 },
    { text: 'Reference: ABC-9', x: 72, y: 496 },
  ]]);
}

const typed = (fields: readonly ExpenseField[], type: string): ExpenseField[] => fields.filter((f) => f.Type?.Text === type);
const one = (fields: readonly ExpenseField[], type: string): ExpenseField => {
  const found = typed(fields, type);
  assert.equal(found.length, 1, `one ${type} field, got ${found.length}`);
  return found[0];
};

describe('Textract emulator AnalyzeExpense through the real AWS SDK', () => {
  let emulator: EmulatorHandle;
  let client: TextractClient;
  let receipt: Buffer;
  before(async () => {
    emulator = await startEmulator();
    client = clientFor(emulator);
    receipt = await receiptPdf();
  });
  after(async () => {
    client.destroy();
    await emulator.close();
  });

  test('should type labelled summary fields, with currencies, and infer the vendor from the top line', async () => {
    const result = await client.send(new AnalyzeExpenseCommand({ Document: { Bytes: receipt } }));
    assert.equal(result.DocumentMetadata?.Pages, 1);
    assert.equal(result.ExpenseDocuments?.length, 1);
    const [expense] = result.ExpenseDocuments!;
    assert.equal(expense.ExpenseIndex, 1);
    const fields = expense.SummaryFields!;

    const vendor = one(fields, 'VENDOR_NAME');
    assert.equal(vendor.ValueDetection?.Text, 'MEGA MARKET');
    assert.equal(vendor.LabelDetection, undefined, 'an inferred vendor has no label');
    const vendorName = typed(fields, 'NAME').find((f) => f.GroupProperties?.[0].Types?.includes('VENDOR'));
    assert.equal(vendorName?.ValueDetection?.Text, 'MEGA MARKET');

    const expect: [string, string, string, string | undefined][] = [
      ['INVOICE_RECEIPT_ID', 'Invoice #', 'INV-0042', undefined],
      ['INVOICE_RECEIPT_DATE', 'Date', '03/18/2024', undefined],
      ['SUBTOTAL', 'Subtotal', '$10.50', 'USD'],
      ['TAX', 'Tax', '$0.84', 'USD'],
      ['GRATUITY', 'Gratuity', 'EUR 1.00', 'EUR'],
      ['TOTAL', 'Total', '$11.34', 'USD'],
      ['RECEIVER_NAME', 'Bill To', 'Jane Roe', undefined],
    ];
    for (const [type, label, value, currency] of expect) {
      const field = one(fields, type);
      assert.equal(field.LabelDetection?.Text, label, type);
      assert.equal(field.ValueDetection?.Text, value, type);
      assert.equal(field.Currency?.Code, currency, `${type} currency`);
      assert.equal(field.PageNumber, 1);
      assert.ok(field.Type!.Confidence! > 80 && field.ValueDetection!.Confidence! > 80);
      const labelBox = field.LabelDetection!.Geometry!.BoundingBox!;
      const valueBox = field.ValueDetection!.Geometry!.BoundingBox!;
      assert.ok(valueBox.Left! > labelBox.Left! + labelBox.Width! - 1e-6, `${type}: the value is right of its label`);
      assert.ok(Math.abs(valueBox.Top! - labelBox.Top!) < 0.01, `${type}: on the label's line`);
    }
    const other = one(fields, 'OTHER');
    assert.deepEqual([other.LabelDetection?.Text, other.ValueDetection?.Text, other.Currency], ['Reference', 'ABC-9', undefined]);
    const billTo = typed(fields, 'NAME').find((f) => f.GroupProperties?.[0].Types?.includes('RECEIVER_BILL_TO'));
    assert.equal(billTo?.ValueDetection?.Text, 'Jane Roe');
  });

  test('should read line items from the table, typed by its header, with the whole row as EXPENSE_ROW', async () => {
    const result = await client.send(new AnalyzeExpenseCommand({ Document: { Bytes: receipt } }));
    const groups = result.ExpenseDocuments![0].LineItemGroups!;
    assert.equal(groups.length, 1);
    assert.equal(groups[0].LineItemGroupIndex, 1);
    const rows = groups[0].LineItems!.map((item) => Object.fromEntries(item.LineItemExpenseFields!.map((f) => [f.Type!.Text!, f.ValueDetection!.Text!])));
    assert.deepEqual(rows, [
      { ITEM: 'Widget', QUANTITY: '2', UNIT_PRICE: '$3.00', PRICE: '$6.00', EXPENSE_ROW: 'Widget 2 $3.00 $6.00' },
      { ITEM: 'Gadget', QUANTITY: '1', UNIT_PRICE: '$4.50', PRICE: '$4.50', EXPENSE_ROW: 'Gadget 1 $4.50 $4.50' },
    ]);
    const fields = groups[0].LineItems![0].LineItemExpenseFields!;
    assert.deepEqual(fields.map((f) => f.LabelDetection?.Text), ['Description', 'Qty', 'Unit Price', 'Amount', undefined]);
    assert.equal(one(fields, 'PRICE').Currency, undefined, 'line items carry no currency, as in the real response');
    const row = one(fields, 'EXPENSE_ROW').ValueDetection!.Geometry!.BoundingBox!;
    const item = one(fields, 'ITEM').ValueDetection!.Geometry!.BoundingBox!;
    assert.ok(row.Left! <= item.Left! && row.Width! > item.Width!, 'the row spans its cells');
  });

  test('should group a labelled vendor with its address split into street, city, state and ZIP code', async () => {
    const png = makePng({ seed: 70, labels: ['Vendor: ACME Hardware', 'Address: 100 Market St, Bigtown, MA 02801', 'Total: $10.80'] });
    const fields = (await client.send(new AnalyzeExpenseCommand({ Document: { Bytes: png } }))).ExpenseDocuments![0].SummaryFields!;
    const vendorGroup = fields.filter((f) => f.GroupProperties?.some((g) => g.Types?.includes('VENDOR')));
    assert.deepEqual(
      Object.fromEntries(vendorGroup.map((f) => [f.Type!.Text!, f.ValueDetection!.Text!])),
      { NAME: 'ACME Hardware', ADDRESS: '100 Market St, Bigtown, MA 02801', STREET: '100 Market St', CITY: 'Bigtown', STATE: 'MA', ZIP_CODE: '02801' },
    );
    assert.equal(new Set(vendorGroup.map((f) => f.GroupProperties![0].Id)).size, 1, 'one vendor, one group id');
    assert.equal(one(fields, 'VENDOR_NAME').ValueDetection?.Text, 'ACME Hardware');
    assert.equal(one(fields, 'VENDOR_ADDRESS').LabelDetection?.Text, 'Address');
  });

  test('should return the page as PAGE, LINE and WORD blocks inside the expense document', async () => {
    const result = await client.send(new AnalyzeExpenseCommand({ Document: { Bytes: receipt } }));
    const blocks = result.ExpenseDocuments![0].Blocks!;
    assert.deepEqual(new Set(blocks.map((b) => b.BlockType)), new Set(['PAGE', 'LINE', 'WORD']));
    const ids = byId(blocks);
    const lines = childIds(blocks[0]).map((id) => ids.get(id)!);
    assert.ok(lines.every((l) => l.BlockType === 'LINE'));
    assert.equal(lines[0].Text, 'MEGA MARKET');
    assert.ok(lines.some((l) => l.Text === 'Total: $11.34'));
    assert.ok(blocks.filter((b) => b.BlockType === 'WORD').every((w) => w.Page === 1));
  });

  test('should answer the same bytes byte-identically, from another emulator too', async () => {
    const body = { Document: { Bytes: receipt.toString('base64') } };
    const other = await startEmulator();
    try {
      // A second emulator has an empty cache, so this compares two derivations, not one cached answer.
      assert.equal(await rawCall(other, 'AnalyzeExpense', body), await rawCall(emulator, 'AnalyzeExpense', body));
    } finally {
      await other.close();
    }
  });

  test('should refuse documents as the other APIs do', async () => {
    const twoPages = await makeTextPdf([[{ text: 'one', x: 72, y: 700 }], [{ text: 'two', x: 72, y: 700 }]]);
    assert.equal((await errorOf(client.send(new AnalyzeExpenseCommand({ Document: { Bytes: twoPages } })))).name, 'UnsupportedDocumentException');
    const bad = makePng({ text: { Comment: 'DTAT-EMULATOR:BAD_DOCUMENT' } });
    assert.equal((await errorOf(client.send(new AnalyzeExpenseCommand({ Document: { Bytes: bad } })))).name, 'BadDocumentException');
    assert.equal((await errorOf(client.send(new AnalyzeExpenseCommand({ Document: {} })))).name, 'InvalidParameterException');
  });

  test('should be shaped like a real AnalyzeExpense response', async () => {
    const png = makePng({ seed: 71, labels: ['Vendor: ACME Hardware', 'TEND: $5.00', 'ST#: 1477'] });
    const mine = [
      await client.send(new AnalyzeExpenseCommand({ Document: { Bytes: receipt } })),
      await client.send(new AnalyzeExpenseCommand({ Document: { Bytes: png } })),
    ];
    const real = fixture('test_analyze_expense_from_image.json');
    const paths = new Set(mine.flatMap((m) => [...keyPaths(m)]));
    // Textract labels a line item's fields with the column header when the table has one; the
    // fixture's receipt had none.
    const headerLabels = [...paths].filter((p) => p.includes('LineItemExpenseFields[].LabelDetection'));
    assert.deepEqual([...paths].filter((p) => !headerLabels.includes(p)).sort(), [...keyPaths(real)].sort());
    const realBlocks = (real.ExpenseDocuments as { Blocks: object[] }[])[0].Blocks;
    for (const m of mine) assertBlocksShapedLike(m.ExpenseDocuments![0].Blocks!, realBlocks, ['PAGE', 'LINE', 'WORD']);
  });
});
