// AnalyzeDocument LAYOUT: LAYOUT_* blocks are the page's regions (title, paragraphs, lists,
// tables, figures...) in reading order. Each points at what it holds, usually LINE blocks; a
// LAYOUT_LIST points at LAYOUT_TEXT blocks (its items), and AWS documents that a region may also
// point at TABLE or KEY_VALUE_SET blocks.

import type { Block } from '@aws-sdk/client-textract';
import { inPageOrder, related, toBBox, type BlockIndex } from './textract-blocks.ts';
import type { LayoutItem, LayoutType } from './types.ts';

const LAYOUT_TYPES: ReadonlyMap<string, LayoutType> = new Map<string, LayoutType>([
  ['LAYOUT_TITLE', 'title'],
  ['LAYOUT_SECTION_HEADER', 'section_header'],
  ['LAYOUT_HEADER', 'header'],
  ['LAYOUT_FOOTER', 'footer'],
  ['LAYOUT_PAGE_NUMBER', 'page_number'],
  ['LAYOUT_TEXT', 'text'],
  ['LAYOUT_LIST', 'list'],
  ['LAYOUT_TABLE', 'table'],
  ['LAYOUT_FIGURE', 'figure'],
  ['LAYOUT_KEY_VALUE', 'key_value'],
]);

/**
 * A LAYOUT_* type the contract does not name (one AWS adds later) is skipped: an item typed as
 * something else would mislead the output formats, and its lines are still in `lines`.
 */
function layoutType(block: Block): LayoutType | undefined {
  return block.BlockType === undefined ? undefined : LAYOUT_TYPES.get(block.BlockType);
}

/**
 * One item per top-level layout block, in the PAGE block's order (Textract's reading order) with
 * unlisted ones appended. A layout block that another one holds (a list's items) is part of its
 * holder, not an item of its own, so its text is never given twice.
 */
export function readLayout(blocks: readonly Block[], index: BlockIndex, page: number): LayoutItem[] {
  const held = new Set<Block>();
  for (const block of blocks) {
    if (layoutType(block) === undefined) continue;
    for (const child of related(block, 'CHILD', index)) {
      if (child !== block && layoutType(child) !== undefined) held.add(child);
    }
  }
  const lineOfWord = linesByWord(blocks, index);
  const items: LayoutItem[] = [];
  for (const block of inPageOrder(blocks, index, (b) => layoutType(b) !== undefined && !held.has(b))) {
    items.push({
      page,
      type: layoutType(block)!,
      text: layoutText(block, index, lineOfWord),
      bbox: toBBox(block.Geometry?.BoundingBox),
    });
  }
  return items;
}

function linesByWord(blocks: readonly Block[], index: BlockIndex): Map<Block, Block> {
  const lineOfWord = new Map<Block, Block>();
  for (const block of blocks) {
    if (block.BlockType !== 'LINE') continue;
    for (const child of related(block, 'CHILD', index)) {
      if (child.BlockType === 'WORD' && !lineOfWord.has(child)) lineOfWord.set(child, block);
    }
  }
  return lineOfWord;
}

/**
 * The text of the LINE blocks the region holds, each once, "\n" between them. Lines are gathered
 * depth first through whatever the region points at: directly, through a list's LAYOUT_TEXT
 * items, or through a TABLE's cells or a form field's key and value, whose words are mapped back
 * to the lines they were printed on. The walk uses its own stack and a seen set, so neither a
 * cycle of ids nor a deep chain can hang or overflow it.
 */
function layoutText(region: Block, index: BlockIndex, lineOfWord: ReadonlyMap<Block, Block>): string {
  const lines = new Set<Block>();
  const seen = new Set<Block>([region]);
  const stack: Block[] = [];
  pushReversed(stack, childrenOf(region, index));
  while (stack.length > 0) {
    const block = stack.pop()!;
    if (seen.has(block)) continue;
    seen.add(block);
    if (block.BlockType === 'LINE') {
      lines.add(block);
    } else if (block.BlockType === 'WORD') {
      const line = lineOfWord.get(block);
      if (line !== undefined) lines.add(line);
    } else {
      pushReversed(stack, childrenOf(block, index));
    }
  }
  const texts: string[] = [];
  for (const line of lines) if (line.Text) texts.push(line.Text);
  return texts.join('\n');
}

/** Pushed last to first, so popping visits them in Textract's order. */
function pushReversed(stack: Block[], blocks: readonly Block[]): void {
  for (let i = blocks.length - 1; i >= 0; i--) stack.push(blocks[i]);
}

/** What a block holds: its children and, for a form key, its value. */
function childrenOf(block: Block, index: BlockIndex): Block[] {
  return [...related(block, 'CHILD', index), ...related(block, 'VALUE', index)];
}
