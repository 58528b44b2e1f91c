import type { ExpenseField, ExpenseLineItemGroup } from '../engines/types.ts';
import type { Block, Fields, OutputDocument } from './model.ts';
import { rectangular, tableBlock } from './model.ts';
import type { ExpenseResultJson } from './result-types.ts';

/**
 * Each expense (invoice, receipt) as its summary fields, then its line items, one table per
 * line-item group with a column per field type. CSV gives the line items first, since they are
 * what a spreadsheet is for, then the summary.
 */
export function expenseDocument(result: ExpenseResultJson): OutputDocument {
  const blocks: Block[] = [];
  const csvTables: string[][][] = [];
  for (const expense of result.expenses) {
    blocks.push({ kind: 'heading', level: 1, text: `Expense ${expense.index}` });
    if (expense.summary.length > 0) {
      blocks.push({ kind: 'heading', level: 2, text: 'Summary' }, summaryFields(expense.summary));
    }
    const groups = expense.lineItemGroups.filter((g) => g.items.length > 0);
    for (const group of groups) {
      const rows = lineItemRows(group);
      blocks.push(
        { kind: 'heading', level: 2, text: groups.length > 1 ? `Line items (group ${group.index})` : 'Line items' },
        tableBlock(rows, true),
      );
      csvTables.push(rows);
    }
    if (expense.summary.length > 0) csvTables.push(summaryRows(expense.summary));
  }
  return { title: result.filename ?? undefined, blocks, csvTables };
}

/**
 * Textract names a field twice when it belongs to several parties (the vendor's ADDRESS and the
 * receiver's), telling them apart only by group: the group goes into the name.
 */
function fieldName(field: ExpenseField): string {
  const groups = (field.groups ?? []).flatMap((g) => g.types);
  return groups.length > 0 ? `${field.type} (${groups.join(', ')})` : field.type;
}

function summaryFields(summary: readonly ExpenseField[]): Fields {
  const labelled = summary.some((f) => f.label !== undefined && f.label !== '');
  return {
    kind: 'fields',
    headers: labelled ? ['Field', 'Value', 'Label'] : ['Field', 'Value'],
    fields: summary.map((f) => ({ name: fieldName(f), value: f.value, note: labelled ? (f.label ?? '') : undefined })),
  };
}

function summaryRows(summary: readonly ExpenseField[]): string[][] {
  const header = ['type', 'label', 'value', 'currency', 'groups', 'confidence', 'page'];
  return [
    header,
    ...summary.map((f) => [
      f.type,
      f.label ?? '',
      f.value,
      f.currency ?? '',
      (f.groups ?? []).flatMap((g) => g.types).join(' '),
      String(f.confidence),
      String(f.page),
    ]),
  ];
}

/**
 * Header row: the field types in the order they first appear; then one row per item. An item
 * that has a type twice (two PRICE values) keeps both in its cell, one per line.
 */
function lineItemRows(group: ExpenseLineItemGroup): string[][] {
  const types: string[] = [];
  for (const item of group.items) for (const field of item.fields) if (!types.includes(field.type)) types.push(field.type);
  const rows = group.items.map((item) =>
    types.map((type) => item.fields.filter((f) => f.type === type).map((f) => f.value).join('\n')),
  );
  return rectangular([types, ...rows]);
}
