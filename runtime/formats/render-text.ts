import type { Block, OutputDocument } from './model.ts';

// Plain text. An OCR result's own `text` is what clients already read; results without one
// (expense, identity) read as "TYPE: value" lines, blocks apart by an empty line, pages by a
// form feed as in OCR text.

export function renderText(doc: OutputDocument): string {
  if (doc.text !== undefined) return doc.text;
  const pages: string[][] = [[]];
  for (const block of doc.blocks) {
    if (block.kind === 'page-break') {
      pages.push([]);
      continue;
    }
    const text = blockText(block);
    if (text !== '') pages[pages.length - 1].push(text);
  }
  const text = pages.map((blocks) => blocks.join('\n\n')).join('\f');
  return text === '' ? '' : `${text}\n`;
}

function blockText(block: Exclude<Block, { kind: 'page-break' }>): string {
  switch (block.kind) {
    case 'heading':
    case 'paragraph':
      return block.text;
    case 'list':
      return block.items.map((item, i) => `${block.ordered ? `${(block.start ?? 1) + i}.` : '-'} ${item}`).join('\n');
    case 'fields':
      return block.fields.map((f) => namedValue(f.name, f.value)).join('\n');
    case 'table':
      return tableText(block.rows, block.header);
  }
}

/**
 * A table with a header reads as records, "HEADER: cell" per line and an empty line between
 * rows: line items stay readable whatever their width. Without a header, rows of tab-separated
 * cells, which also paste into a spreadsheet.
 */
function tableText(rows: readonly (readonly string[])[], header: boolean): string {
  if (!header) return rows.map((row) => row.map((cell) => cell.replace(/\s*\n\s*/g, ' ')).join('\t')).join('\n');
  const [names = [], ...body] = rows;
  return body
    .map((row) => row.map((cell, i) => (cell === '' ? '' : namedValue(names[i], cell))).filter((line) => line !== '').join('\n'))
    .filter((record) => record !== '')
    .join('\n\n');
}

/** A multi-line value (an address) keeps its lines, indented so they read as part of the value. */
function namedValue(name: string, value: string): string {
  return `${name}: ${value.split('\n').join('\n  ')}`;
}
