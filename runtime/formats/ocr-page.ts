import type { KeyValue, LayoutItem, OcrLine, Signature, Table } from '../engines/types.ts';
import type { Block, Fields, Paragraph, TableBlock } from './model.ts';
import { tableBlock } from './model.ts';

// What the two ways of laying out one OCR page (by layout, by lines) share.

/** Everything of one page that can appear in its flow. */
export interface PageContent {
  page: number;
  lines: OcrLine[];
  layout: LayoutItem[];
  tables: Table[];
  keyValues: KeyValue[];
  signatures: Signature[];
}

/** A block with the top of what it came from, when known, so others can be slotted in by position. */
export interface Positioned {
  top?: number;
  block: Block;
}

/**
 * Inserts each extra before the first flow block that starts lower on the page, so a table or
 * signature the flow did not place still lands where it was printed rather than at the end.
 * Flow blocks without a position are passed over.
 */
export function placeByTop(flow: Positioned[], extras: { top: number; block: Block }[]): Block[] {
  const merged = [...flow];
  for (const extra of [...extras].sort((a, b) => a.top - b.top)) {
    const at = merged.findIndex((item) => item.top !== undefined && item.top > extra.top);
    merged.splice(at === -1 ? merged.length : at, 0, extra);
  }
  return merged.map((item) => item.block);
}

export function keyValueFields(keyValues: readonly KeyValue[]): Fields {
  return { kind: 'fields', headers: ['Key', 'Value'], fields: keyValues.map((kv) => ({ name: kv.key, value: kv.value })) };
}

/** A signature has no text; saying where one was found is what a reader of the page needs. */
export function signatureBlock(signature: Signature): { top: number; block: Paragraph } {
  return { top: signature.bbox.top, block: { kind: 'paragraph', text: 'Signature', emphasis: true } };
}

/**
 * The result does not say which rows are column headers, and a pipe table must have one: the
 * first row is taken as the header, as it is in nearly every printed table (and as textractor's
 * and docling's markdown do when unsure).
 */
export function ocrTable(table: Table): TableBlock {
  return tableBlock(table.rows, true);
}

/**
 * Adds the tables the flow did not place, and the signatures, where they were printed. Tables
 * without a box (results stored before tables carried one) cannot be placed and follow the
 * page's flow, so none is lost.
 */
export function withTablesAndSignatures(flow: Positioned[], tables: readonly Table[], signatures: readonly Signature[]): Block[] {
  const placeable = tables.filter((t) => t.bbox !== undefined).map((t) => ({ top: t.bbox!.top, block: ocrTable(t) }));
  const blocks = placeByTop(flow, [...placeable, ...signatures.map(signatureBlock)]);
  for (const table of tables) if (table.bbox === undefined) blocks.push(ocrTable(table));
  return blocks;
}
