import type { KeyValue, LayoutItem, Table } from '../engines/types.ts';
import type { Block } from './model.ts';
import { centreInside, overlap } from './geometry.ts';
import { listFromLines } from './list-items.ts';
import { keyValueFields, ocrTable, withTablesAndSignatures, type PageContent, type Positioned } from './ocr-page.ts';

// A page with LAYOUT: Textract's blocks in its reading order, each as the structure it names.
//
// Page headers, footers and page numbers are left out, as docling leaves out page "furniture":
// they repeat on every page and would cut the text that runs from one page into the next. The
// `text` format (and the JSON) still has them. A figure contributes the text printed inside it,
// if any; an empty one (a picture, a checkbox) has nothing to show in text, so it is left out.

const FURNITURE = new Set<LayoutItem['type']>(['header', 'footer', 'page_number']);

export function layoutPage(content: PageContent): Block[] {
  const usedTables = new Set<Table>();
  const usedKeyValues = new Set<KeyValue>();
  const flow: Positioned[] = [];

  for (const item of content.layout) {
    if (FURNITURE.has(item.type)) continue;
    const block = layoutBlock(item, content, usedTables, usedKeyValues);
    if (block !== undefined) flow.push({ top: item.bbox.top, block });
  }

  const blocks = withTablesAndSignatures(flow, content.tables.filter((t) => !usedTables.has(t)), content.signatures);
  // Pairs Textract found outside any key_value region (it often calls a form's lines "text")
  // still come as a table, as they would without layout: FORMS was asked for to get them.
  const rest = content.keyValues.filter((kv) => !usedKeyValues.has(kv));
  if (rest.length > 0) blocks.push(keyValueFields(rest));
  return blocks;
}

function layoutBlock(item: LayoutItem, content: PageContent, usedTables: Set<Table>, usedKeyValues: Set<KeyValue>): Block | undefined {
  const text = item.text.trim();
  switch (item.type) {
    case 'title':
      return text === '' ? undefined : { kind: 'heading', level: 1, text: oneLine(text) };
    case 'section_header':
      return text === '' ? undefined : { kind: 'heading', level: 2, text: oneLine(text) };
    case 'list':
      return text === '' ? undefined : listFromLines(text);
    case 'table': {
      const table = matchingTable(item, content.tables, usedTables);
      if (table !== undefined) {
        usedTables.add(table);
        return ocrTable(table);
      }
      // TABLES was not asked for, or Textract found no grid there: the region's text is all there is.
      return paragraph(text);
    }
    case 'key_value': {
      const pairs = content.keyValues.filter((kv) => !usedKeyValues.has(kv) && kv.bbox !== undefined && centreInside(kv.bbox, item.bbox));
      if (pairs.length === 0) return paragraph(text);
      for (const kv of pairs) usedKeyValues.add(kv);
      return keyValueFields(pairs);
    }
    default:
      return paragraph(text);
  }
}

/**
 * The unused table of the page that covers the layout block most. A table without a box (stored
 * before tables carried one) is matched by order instead: Textract lists both in reading order.
 */
function matchingTable(item: LayoutItem, tables: readonly Table[], used: ReadonlySet<Table>): Table | undefined {
  let best = tables.find((t) => !used.has(t) && t.bbox === undefined);
  let bestOverlap = 0;
  for (const table of tables) {
    if (used.has(table) || table.bbox === undefined) continue;
    const covered = overlap(item.bbox, table.bbox);
    if (covered > bestOverlap) {
      best = table;
      bestOverlap = covered;
    }
  }
  return best;
}

function paragraph(text: string): Block | undefined {
  return text === '' ? undefined : { kind: 'paragraph', text };
}

/** A heading is one line in markdown; a title printed over two lines reads as one. */
function oneLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ');
}
