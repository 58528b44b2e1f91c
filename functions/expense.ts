import { AnalyzeExpenseCommand, type AnalyzeExpenseCommandOutput } from '@aws-sdk/client-textract';
import Type from 'typebox';
import { defineDocumentFunction } from '../runtime/document-functions/define.ts';
import { sendTextract } from '../runtime/engines/textract.ts';
import { documentInput } from '../runtime/engines/textract-body.ts';
import { normalizeExpense } from '../runtime/engines/textract-expense.ts';
import type { ExpenseDocument } from '../runtime/engines/types.ts';
import { expenseDocument } from '../runtime/formats/expense-document.ts';
import type { ExpenseResultJson } from '../runtime/formats/result-types.ts';
import { resultHead } from '../schemas/common.ts';

// Invoices and receipts: Textract's AnalyzeExpense, page by page. Summary fields (vendor, dates,
// totals, tax) and line items, each with Textract's type, the label as printed, and the value.

const Field = Type.Object(
  {
    type: Type.String({ description: "Textract's Type.Text, e.g. TOTAL, VENDOR_NAME, INVOICE_RECEIPT_DATE, ITEM, PRICE." }),
    label: Type.Optional(Type.String({ description: 'The label as printed (LabelDetection.Text).' })),
    value: Type.String({ description: 'ValueDetection.Text; multi-line values keep their "\\n".' }),
    confidence: Type.Number({ description: '0..100' }),
    page: Type.Integer({ minimum: 1 }),
    currency: Type.Optional(Type.String({ description: 'ISO 4217 code, e.g. USD.' })),
    groups: Type.Optional(Type.Array(Type.Object({ id: Type.String(), types: Type.Array(Type.String()) }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);

export const ExpenseResult = Type.Object(
  {
    ...resultHead,
    expenses: Type.Array(
      Type.Object(
        {
          index: Type.Integer({ minimum: 1 }),
          summary: Type.Array(Field),
          lineItemGroups: Type.Array(
            Type.Object(
              { index: Type.Integer(), items: Type.Array(Type.Object({ fields: Type.Array(Field) }, { additionalProperties: false })) },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export default defineDocumentFunction({
  name: 'expense',
  path: '/expense',
  summary: 'Invoices and receipts (Textract AnalyzeExpense): vendor, dates, totals and tax, and the line items.',
  options: Type.Object({}, { additionalProperties: false }),
  result: ExpenseResult,
  cacheKey: () => '',
  textract: {
    operations: ['AnalyzeExpense'],
    operation: () => 'AnalyzeExpense',
    async call(client, [page], _options, ctx) {
      const output = await sendTextract<AnalyzeExpenseCommandOutput>(client, new AnalyzeExpenseCommand({ Document: documentInput(page!.bytes) }), {
        signal: ctx.signal,
        pages: [page!.page],
      });
      const { expenses, page: text } = normalizeExpense(output, page!.page);
      return { pages: [text], data: expenses };
    },
  },
  merge(outputs) {
    // Textract numbers the expense documents of each call from 1; the document's are numbered through.
    const expenses = outputs.flatMap((o) => (o.data as ExpenseDocument[] | undefined) ?? []).map((e, i) => ({ ...e, index: i + 1 }));
    return { expenses };
  },
  document: (result) => expenseDocument(result as unknown as ExpenseResultJson),
});
