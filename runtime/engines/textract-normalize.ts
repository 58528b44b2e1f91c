// Turns the Blocks of one DetectDocumentText / AnalyzeDocument response (a single-page document)
// into the engine-neutral PageResult. Runs on every page, so it indexes the blocks once and walks
// relationships through that index: no scan of the block list per block.
//
// Textract responses are trusted to be well-formed JSON but not to be complete: any field may be
// missing, an id may name a block that is not there. Nothing here throws on such input; what
// cannot be read is skipped, so the caller always gets the text that could be read.

import type { Block } from '@aws-sdk/client-textract';
import { boxOf, enclosingBox, indexById, inPageOrder, related, roundConfidence, toBBox, weakestConfidence, type BlockIndex } from './textract-blocks.ts';
import { readLayout } from './textract-layout.ts';
import { readQueries } from './textract-queries.ts';
import type { BBox, Feature, KeyValue, OcrLine, OcrWord, PageResult, Signature, Table } from './types.ts';

export interface NormalizeOptions {
  /**
   * The features the call asked for. `queries`, `signatures` and `layout` are arrays (maybe empty)
   * exactly when their feature was asked for, so "asked, nothing found" differs from "not asked".
   */
  features?: readonly Feature[];
}

/**
 * Stand for a ticked / unticked box inside text that also has words, so a cell such as
 * "[X] I agree" keeps both the answer and its label (the marks AWS's textractor uses in its
 * text linearisation examples).
 */
const SELECTED_MARK = '[X]';
const NOT_SELECTED_MARK = '[ ]';

/**
 * A table index above this cannot belong to a real one-page table; it would only make us allocate
 * a huge grid, so such cells are dropped.
 */
const MAX_TABLE_SIDE = 1000;

export function normalizeBlocks(blocks: readonly Block[], page: number, options: NormalizeOptions = {}): PageResult {
  const own = blocksOfOnePage(blocks);
  const index = indexById(own);
  // width/height stay unset: Textract reports only fractions of the page, the pixel size is known
  // to whoever rendered the page.
  const lineBlocks = inPageOrder(own, index, (b) => b.BlockType === 'LINE');
  const result: PageResult = {
    page,
    lines: readLines(lineBlocks),
    words: readWords(lineBlocks, own, index),
    keyValues: readKeyValues(own, index, page),
    tables: readTables(own, index, page),
  };
  const features = options.features ?? [];
  if (features.includes('QUERIES')) result.queries = readQueries(own, index, page);
  if (features.includes('SIGNATURES')) result.signatures = readSignatures(own, index, page);
  if (features.includes('LAYOUT')) result.layout = readLayout(own, index, page);
  return result;
}

/**
 * The lines and words of blocks already known to be one page's, with no forms or tables: the
 * text-detection blocks AnalyzeExpense and AnalyzeID return inside their documents, so text
 * formats and searchable PDFs work for their results too. Unlike normalizeBlocks it MUST NOT drop
 * blocks by their `Page`: AnalyzeID numbers its WORD blocks' Page from 0 and leaves its LINE and
 * PAGE blocks without one, so that filter would drop every word.
 */
export function normalizeTextBlocks(blocks: readonly Block[], page: number): PageResult {
  const index = indexById(blocks);
  const lineBlocks = inPageOrder(blocks, index, (b) => b.BlockType === 'LINE');
  return { page, lines: readLines(lineBlocks), words: readWords(lineBlocks, blocks, index), keyValues: [], tables: [] };
}

// ---------------------------------------------------------------------------------------------
// One page's blocks

/**
 * The response describes one page; blocks that say they belong to another page (a multi-page
 * response passed by mistake) are dropped, so lines of two pages are never interleaved. The page
 * kept is the one of the first PAGE block; sync responses often omit `Page`, which counts as it.
 */
function blocksOfOnePage(blocks: readonly Block[]): readonly Block[] {
  const pageBlock = blocks.find((b) => b.BlockType === 'PAGE');
  const keep = pageBlock?.Page ?? 1;
  if (blocks.every((b) => b.Page === undefined || b.Page === keep)) return blocks;
  return blocks.filter((b) => b.Page === undefined || b.Page === keep);
}

function isSelected(block: Block): boolean {
  // An unreadable status counts as not selected: never report a tick Textract did not see.
  return block.SelectionStatus === 'SELECTED';
}

/**
 * Text of a KEY, VALUE or CELL block: its WORD children joined by spaces. Content that is one
 * selection element and nothing else reads "SELECTED" / "NOT_SELECTED" (Textract's own status
 * words, what a mapping compares against); next to words it reads as a mark, "[X]" / "[ ]".
 */
function contentText(block: Block, index: BlockIndex): string {
  const parts: string[] = [];
  let loneSelection: Block | undefined;
  for (const child of related(block, 'CHILD', index)) {
    if (child.BlockType === 'WORD') {
      if (child.Text) parts.push(child.Text);
    } else if (child.BlockType === 'SELECTION_ELEMENT') {
      parts.push(isSelected(child) ? SELECTED_MARK : NOT_SELECTED_MARK);
      loneSelection = child;
    }
  }
  if (parts.length === 1 && loneSelection !== undefined) {
    return isSelected(loneSelection) ? 'SELECTED' : 'NOT_SELECTED';
  }
  return parts.join(' ').trim();
}

// ---------------------------------------------------------------------------------------------
// Lines

function readLines(lineBlocks: readonly Block[]): OcrLine[] {
  const lines: OcrLine[] = [];
  for (const block of lineBlocks) {
    if (!block.Text) continue;
    lines.push({
      text: block.Text,
      confidence: roundConfidence(block.Confidence),
      bbox: toBBox(block.Geometry?.BoundingBox),
    });
  }
  return lines;
}

/**
 * Words in the order of their lines (reading order), then any WORD no line lists, so a
 * searchable PDF carries every word Textract found exactly once.
 */
function readWords(lineBlocks: readonly Block[], blocks: readonly Block[], index: BlockIndex): OcrWord[] {
  const ordered = new Set<Block>();
  for (const line of lineBlocks) {
    for (const child of related(line, 'CHILD', index)) if (child.BlockType === 'WORD') ordered.add(child);
  }
  for (const block of blocks) if (block.BlockType === 'WORD') ordered.add(block);
  const words: OcrWord[] = [];
  for (const block of ordered) {
    if (!block.Text) continue;
    words.push({ text: block.Text, confidence: roundConfidence(block.Confidence), bbox: toBBox(block.Geometry?.BoundingBox) });
  }
  return words;
}

// ---------------------------------------------------------------------------------------------
// Signatures (SIGNATURES)

/** In reading order. A signature without geometry still says one was found, so it keeps a zero box. */
function readSignatures(blocks: readonly Block[], index: BlockIndex, page: number): Signature[] {
  return inPageOrder(blocks, index, (b) => b.BlockType === 'SIGNATURE').map((block) => ({
    page,
    confidence: roundConfidence(block.Confidence),
    bbox: toBBox(block.Geometry?.BoundingBox),
  }));
}

// ---------------------------------------------------------------------------------------------
// Key-value pairs (FORMS)

interface PositionedKeyValue {
  keyValue: KeyValue;
  box: BBox | undefined;
}

function readKeyValues(blocks: readonly Block[], index: BlockIndex, page: number): KeyValue[] {
  const found: PositionedKeyValue[] = [];
  for (const block of blocks) {
    if (block.BlockType !== 'KEY_VALUE_SET' || !block.EntityTypes?.includes('KEY')) continue;
    const keyValue = readKeyValue(block, index, page);
    if (keyValue.key === '' && keyValue.value === '') continue;
    found.push({ keyValue, box: boxOf(block) });
  }
  return inReadingOrder(found, (item) => item.box).map((item) => item.keyValue);
}

/**
 * The key is kept as printed ("Full Name:", colon included), only trimmed. Stripping punctuation
 * would be a guess (is "Date :" the key "Date"?), and the printed form is what a user sees on the
 * form and in `lines`, so a Boomi map keyed on it matches what the person building it reads.
 * Confidence is the weaker of key and value: the pair is only as right as its worse half.
 * The box holds key and value together (Textract boxes each half apart), so an output format can
 * place the pair among the lines it covers.
 */
function readKeyValue(keyBlock: Block, index: BlockIndex, page: number): KeyValue {
  const values: string[] = [];
  const confidences = [keyBlock.Confidence];
  const boxes: BBox[] = [];
  const keyBox = boxOf(keyBlock);
  if (keyBox !== undefined) boxes.push(keyBox);
  for (const valueBlock of related(keyBlock, 'VALUE', index)) {
    const text = contentText(valueBlock, index);
    if (text !== '') values.push(text);
    confidences.push(valueBlock.Confidence);
    const valueBox = boxOf(valueBlock);
    if (valueBox !== undefined) boxes.push(valueBox);
  }
  const keyValue: KeyValue = { key: contentText(keyBlock, index), value: values.join(' '), confidence: weakestConfidence(confidences), page };
  const bbox = enclosingBox(boxes);
  if (bbox !== undefined) keyValue.bbox = bbox;
  return keyValue;
}

/**
 * Sorts top to bottom, then left to right within a visual row. Boxes on one printed row differ in
 * `Top` by a few thousandths (a checkbox label sits lower than its neighbour), so a plain
 * (top, left) sort would shuffle a row; a box whose top is above the middle of the row's first
 * box belongs to that row. Items without a box keep their order, after the rest.
 */
function inReadingOrder<T>(items: readonly T[], placeOf: (item: T) => BBox | undefined): T[] {
  const placed = items.filter((item) => placeOf(item) !== undefined);
  const unplaced = items.filter((item) => placeOf(item) === undefined);
  placed.sort((a, b) => placeOf(a)!.top - placeOf(b)!.top);

  const ordered: T[] = [];
  let row: T[] = [];
  let rowLimit = -Infinity;
  const flushRow = (): void => {
    row.sort((a, b) => placeOf(a)!.left - placeOf(b)!.left);
    for (const item of row) ordered.push(item);
    row = [];
  };
  for (const item of placed) {
    const box = placeOf(item)!;
    if (box.top > rowLimit) {
      flushRow();
      rowLimit = box.top + box.height / 2;
    }
    row.push(item);
  }
  flushRow();
  return ordered.concat(unplaced);
}

// ---------------------------------------------------------------------------------------------
// Tables (TABLES)

function readTables(blocks: readonly Block[], index: BlockIndex, page: number): Table[] {
  const tables: Table[] = [];
  for (const block of blocks) {
    if (block.BlockType !== 'TABLE') continue;
    const rows = readTableRows(block, index);
    // A table without a single readable cell has nothing to map; leaving it out beats an empty grid.
    if (rows.length === 0) continue;
    const table: Table = { page, rows, confidence: roundConfidence(block.Confidence) };
    const bbox = boxOf(block);
    if (bbox !== undefined) table.bbox = bbox;
    tables.push(table);
  }
  return tables;
}

interface GridCell {
  row: number;
  column: number;
  block: Block;
}

function gridCell(block: Block): GridCell | undefined {
  const row = block.RowIndex;
  const column = block.ColumnIndex;
  if (!isTableIndex(row) || !isTableIndex(column)) return undefined;
  return { row, column, block };
}

function isTableIndex(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= MAX_TABLE_SIDE;
}

/**
 * A rectangular grid (every row as long as the widest, gaps ""), so a column index means the same
 * column in every row. TABLE_TITLE / TABLE_FOOTER are separate relationships and so never become rows.
 */
function readTableRows(table: Block, index: BlockIndex): string[][] {
  const cells: GridCell[] = [];
  for (const block of related(table, 'CHILD', index)) {
    const cell = block.BlockType === 'CELL' ? gridCell(block) : undefined;
    if (cell !== undefined) cells.push(cell);
  }
  if (cells.length === 0) return [];

  let rowCount = 0;
  let columnCount = 0;
  for (const cell of cells) {
    rowCount = Math.max(rowCount, cell.row);
    columnCount = Math.max(columnCount, cell.column);
  }
  const rows = Array.from({ length: rowCount }, () => new Array<string>(columnCount).fill(''));
  for (const cell of cells) {
    rows[cell.row - 1][cell.column - 1] = contentText(cell.block, index);
  }
  for (const merged of related(table, 'MERGED_CELL', index)) {
    applyMergedCell(rows, merged, index);
  }
  return rows;
}

/**
 * A merged cell's text goes once, in its top-left position, and the other positions it covers
 * read "". That is how the printed table reads (one "Cell 2", not two), it keeps every row the
 * same length so columns line up, and it matches the CELL blocks, which carry the text only where
 * it was printed. Textract may spread a merged cell's words over its CELLs (a label wrapped over
 * two rows), so their texts are gathered in row-major order first.
 */
function applyMergedCell(rows: string[][], merged: Block, index: BlockIndex): void {
  const parts: GridCell[] = [];
  for (const block of related(merged, 'CHILD', index)) {
    const cell = block.BlockType === 'CELL' ? gridCell(block) : undefined;
    // A part outside the grid was not placed, so there is nothing to move.
    if (cell !== undefined && cell.row <= rows.length && cell.column <= rows[0].length) parts.push(cell);
  }
  if (parts.length < 2) return;
  parts.sort((a, b) => a.row - b.row || a.column - b.column);

  const texts: string[] = [];
  for (const part of parts) {
    const text = rows[part.row - 1][part.column - 1];
    if (text !== '') texts.push(text);
    rows[part.row - 1][part.column - 1] = '';
  }
  const topLeft = parts[0];
  rows[topLeft.row - 1][topLeft.column - 1] = texts.join(' ');
}
