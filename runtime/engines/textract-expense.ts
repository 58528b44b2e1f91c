// AnalyzeExpense (invoices, receipts) → the contract's ExpenseResult parts for one page.
//
// Each ExpenseDocument is one invoice or receipt found on the page: SummaryFields (vendor, total,
// dates...), LineItemGroups (the item tables, one LineItem per row) and the page's text-detection
// Blocks. Like the other normalisers this never throws on a partial response: a field without a
// value, a group without items, a document without blocks are skipped, not fatal.

import type { AnalyzeExpenseResponse, ExpenseField as TextractExpenseField, LineItemGroup } from '@aws-sdk/client-textract';
import { countOr, distinctBlocks, weakestConfidence } from './textract-blocks.ts';
import { normalizeTextBlocks } from './textract-normalize.ts';
import type { ExpenseDocument, ExpenseField, ExpenseLineItemGroup, PageResult } from './types.ts';

export interface NormalizedExpense {
  /** In Textract's order; `index` is Textract's ExpenseIndex on this page (the caller renumbers across pages). */
  expenses: ExpenseDocument[];
  /** The page's lines and words, so text formats and searchable PDFs work for expense results. */
  page: PageResult;
}

/**
 * `output` is one AnalyzeExpense call on a single page; `page` is that page's number in the
 * original document, which every field carries (Textract's PageNumber counts pages of the call,
 * always 1 here).
 */
export function normalizeExpense(output: AnalyzeExpenseResponse, page: number): NormalizedExpense {
  const documents = output.ExpenseDocuments ?? [];
  const expenses = documents.map((document, position) => ({
    index: countOr(document.ExpenseIndex, position + 1),
    summary: readFields(document.SummaryFields, page),
    lineItemGroups: readLineItemGroups(document.LineItemGroups, page),
  }));
  return { expenses, page: normalizeTextBlocks(distinctBlocks(documents.map((d) => d.Blocks)), page) };
}

/**
 * Rows keep every field Textract typed, EXPENSE_ROW included: it is the row as printed, the one
 * place a row's untyped text (a SKU, a second description line) survives, and a client that maps
 * ITEM and PRICE passes over it by type. Rows and groups with nothing readable are left out.
 */
function readLineItemGroups(groups: readonly LineItemGroup[] | undefined, page: number): ExpenseLineItemGroup[] {
  const result: ExpenseLineItemGroup[] = [];
  (groups ?? []).forEach((group, position) => {
    const items = (group.LineItems ?? [])
      .map((item) => ({ fields: readFields(item.LineItemExpenseFields, page) }))
      .filter((item) => item.fields.length > 0);
    if (items.length > 0) result.push({ index: countOr(group.LineItemGroupIndex, position + 1), items });
  });
  return result;
}

function readFields(fields: readonly TextractExpenseField[] | undefined, page: number): ExpenseField[] {
  const result: ExpenseField[] = [];
  for (const field of fields ?? []) {
    const read = readField(field, page);
    if (read !== undefined) result.push(read);
  }
  return result;
}

/**
 * A field without a value has nothing to report and is skipped; an empty value ("") is kept, as
 * Textract gave it. Confidence is the weaker of Type (is this the TOTAL?) and ValueDetection (are
 * its characters right?): a field is only as right as its weaker half, as for form fields.
 * LabelDetection is left out of it: the label is often absent, and a misread label does not make
 * the value wrong.
 */
function readField(field: TextractExpenseField, page: number): ExpenseField | undefined {
  const value = field.ValueDetection?.Text;
  if (typeof value !== 'string') return undefined;
  const type = nonEmpty(field.Type?.Text) ?? 'OTHER';
  const label = nonEmpty(field.LabelDetection?.Text);
  const confidence = weakestConfidence([field.Type?.Confidence, field.ValueDetection?.Confidence]);
  // Built in API.md's key order (type, label?, value, ...), which JSON output keeps.
  const read: ExpenseField = label === undefined ? { type, value, confidence, page } : { type, label, value, confidence, page };
  const currency = nonEmpty(field.Currency?.Code);
  if (currency !== undefined) read.currency = currency;
  const groups = (field.GroupProperties ?? []).flatMap((group) => {
    const id = nonEmpty(group.Id);
    return id === undefined ? [] : [{ id, types: (group.Types ?? []).filter((t): t is string => nonEmpty(t) !== undefined) }];
  });
  if (groups.length > 0) read.groups = groups;
  return read;
}

function nonEmpty(text: string | undefined): string | undefined {
  return typeof text === 'string' && text !== '' ? text : undefined;
}
