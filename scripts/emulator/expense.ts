// AnalyzeExpense for one page: summary fields from the page's `Label: value` pairs (typed by what
// the label says), the vendor's name from the top line when no label names it (as Textract infers
// it from a receipt's header), and line items from the page's table, typed by its header row.
import { derivedConfidence, geometry, idFactory, type Block } from './geometry.ts';
import { addressParts } from './address.ts';
import { currencyOf, lineItemType, summaryType, type ExpenseGroup } from './expense-types.ts';
import { union, type Line, type PageLayout, type TableCell, type Word } from './layout.ts';
import { pageBlocks, textBlocks } from './text-blocks.ts';

const PAGE = 1;

const textOf = (words: readonly Word[]): string => words.map((w) => w.text).join(' ');

function detection(words: readonly Word[], penalty: number, text = textOf(words)): Block {
  return { Text: text, Geometry: geometry(union(words.map((w) => w.box))), Confidence: derivedConfidence(words, penalty) };
}

/** Type.Confidence: how sure the type is, which is surer for a label Textract knows than for OTHER. */
function typeOf(type: string, words: readonly Word[]): Block {
  return { Text: type, Confidence: derivedConfidence(words, type === 'OTHER' ? 4 : 0.5) };
}

/** A summary field (Currency where the amount names one) or, with `currency` false, a line-item field. */
function field(type: string, label: readonly Word[] | null, value: readonly Word[], extra: Block = {}, valueText?: string, currency = true): Block {
  const text = valueText ?? textOf(value);
  // The real response puts Currency on summary amounts only; its line-item prices carry none.
  const code = currency ? currencyOf(text) : null;
  return {
    Type: typeOf(type, [...(label ?? []), ...value]),
    // The label as printed, without the colon that only separates it from the value.
    ...(label ? { LabelDetection: detection(label, 0.5, textOf(label).replace(/\s*:$/, '')) } : {}),
    ValueDetection: detection(value, 1, text),
    PageNumber: PAGE,
    ...(code ? { Currency: { Code: code } } : {}),
    ...extra,
  };
}

const stripComma = (words: readonly Word[]): string => textOf(words).replace(/,$/, '');

function summaryFields(layout: PageLayout, nextId: () => string): Block[] {
  const groupIds = new Map<ExpenseGroup, string>();
  const groupOf = (group: ExpenseGroup): Block => {
    if (!groupIds.has(group)) groupIds.set(group, nextId());
    return { GroupProperties: [{ Types: [group], Id: groupIds.get(group)! }] };
  };
  const grouped: Block[] = [];
  const flat: Block[] = [];
  let vendorNamed = false;

  for (const pair of layout.keyValues) {
    const labelText = textOf(pair.keyWords);
    const known = summaryType(labelText);
    if (!known) {
      flat.push(field('OTHER', pair.keyWords, pair.valueWords));
      continue;
    }
    if (known.group) {
      if (known.group === 'VENDOR' && known.type === 'NAME') vendorNamed = true;
      grouped.push(field(known.type, pair.keyWords, pair.valueWords, groupOf(known.group)));
      if (known.type === 'ADDRESS') {
        for (const [part, words] of addressParts(pair.valueWords)) grouped.push(field(part, null, words, groupOf(known.group), stripComma(words)));
      }
      flat.push(field(known.flat!, pair.keyWords, pair.valueWords));
    } else {
      flat.push(field(known.type, pair.keyWords, pair.valueWords));
    }
  }

  if (!vendorNamed) {
    // A receipt rarely labels its vendor: Textract takes the name printed at the top.
    const formWords = new Set(layout.keyValues.flatMap((kv) => [...kv.keyWords, ...kv.valueWords]));
    const tableWords = new Set(layout.table?.cells.flatMap((c) => c.words) ?? []);
    const top = layout.lines.find((l: Line) => /[A-Za-z]/.test(l.text) && !l.words.some((w) => formWords.has(w) || tableWords.has(w)));
    if (top) {
      grouped.unshift(field('NAME', null, top.words, groupOf('VENDOR')));
      flat.unshift(field('VENDOR_NAME', null, top.words));
    }
  }
  return [...grouped, ...flat];
}

/** Columns without a header Textract knows: numbers without decimals are quantities, money is a price. */
function guessColumn(cells: readonly TableCell[], column: number, firstText: boolean): string | null {
  const values = cells.filter((c) => c.column === column).map((c) => textOf(c.words));
  if (values.every((v) => /^\d+$/.test(v))) return 'QUANTITY';
  if (values.every((v) => /\d[.,]\d{2}\b/.test(v))) return 'PRICE';
  return firstText ? 'ITEM' : null;
}

function lineItemGroups(layout: PageLayout): Block[] {
  const table = layout.table;
  if (!table) return [];
  const rows = new Map<number, TableCell[]>();
  for (const cell of table.cells) rows.set(cell.row, [...(rows.get(cell.row) ?? []), cell]);
  const header = rows.get(1)!;
  const headerTypes = header.map((cell) => lineItemType(textOf(cell.words)));
  const hasHeader = headerTypes.some((t) => t !== null);
  const bodyRows = [...rows.entries()].filter(([row]) => !hasHeader || row > 1).map(([, cells]) => cells);
  const bodyCells = bodyRows.flat();
  let sawText = false;
  const columnTypes = header.map((cell, i) => {
    if (hasHeader) return headerTypes[i] ?? 'OTHER';
    const guess = guessColumn(bodyCells, cell.column, !sawText);
    if (guess === 'ITEM') sawText = true;
    return guess;
  });

  const items = bodyRows.map((cells) => {
    const fields: Block[] = [];
    cells.forEach((cell, i) => {
      const type = columnTypes[i];
      if (!type) return;
      fields.push(field(type, hasHeader ? header[i].words : null, cell.words, {}, undefined, false));
    });
    const rowWords = cells.flatMap((c) => c.words);
    // Textract adds the whole row as EXPENSE_ROW, so nothing on it is lost to the typing.
    fields.push({
      Type: typeOf('EXPENSE_ROW', rowWords),
      ValueDetection: { Text: cells.map((c) => textOf(c.words)).join(' '), Geometry: geometry(union(cells.map((c) => c.box))), Confidence: derivedConfidence(rowWords, 1) },
      PageNumber: PAGE,
    });
    return { LineItemExpenseFields: fields };
  });
  return items.length ? [{ LineItemGroupIndex: 1, LineItems: items }] : [];
}

export function buildExpenseResponse(sha256: string, layout: PageLayout): Record<string, unknown> {
  // Same id stream as the document APIs, so the page's words keep their ids across APIs.
  const nextId = idFactory(sha256);
  const text = textBlocks(layout, nextId, { page: PAGE, pageOnWordsOnly: true });
  const blocks = pageBlocks(text);
  return {
    DocumentMetadata: { Pages: 1 },
    ExpenseDocuments: [{
      ExpenseIndex: 1,
      SummaryFields: summaryFields(layout, nextId),
      LineItemGroups: lineItemGroups(layout),
      Blocks: blocks,
    }],
  };
}

