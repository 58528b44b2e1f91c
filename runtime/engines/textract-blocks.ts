// Reading Textract Blocks: the id index, relationship walks, boxes and confidences that every
// Textract normaliser (AnalyzeDocument, AnalyzeExpense, AnalyzeID) needs.
//
// Textract responses are trusted to be well-formed JSON but not to be complete: any field may be
// missing, an id may name a block that is not there. Nothing here throws on such input.

import type { Block, BoundingBox, RelationshipType } from '@aws-sdk/client-textract';
import { pageBox } from './page-box.ts';
import type { BBox } from './types.ts';

export type BlockIndex = ReadonlyMap<string, Block>;

/** Empty-page bbox for blocks without Geometry: a valid box, so consumers need no null checks. */
const NO_BOX: BBox = { left: 0, top: 0, width: 0, height: 0 };

export function indexById(blocks: readonly Block[]): BlockIndex {
  const index = new Map<string, Block>();
  for (const block of blocks) {
    if (block.Id !== undefined) index.set(block.Id, block);
  }
  return index;
}

/** Blocks reached from `block` through relationships of `type`, in Textract's order; absent ids are skipped. */
export function related(block: Block, type: RelationshipType, index: BlockIndex): Block[] {
  const found: Block[] = [];
  for (const relationship of block.Relationships ?? []) {
    if (relationship.Type !== type) continue;
    for (const id of relationship.Ids ?? []) {
      const target = index.get(id);
      if (target !== undefined) found.push(target);
    }
  }
  return found;
}

/**
 * The blocks that `wanted` accepts, in reading order: the PAGE block's CHILD list is Textract's
 * reading order (columns, not just top to bottom). Blocks it does not list are appended in array
 * order, so nothing recognised is lost; each block appears once even if listed twice.
 */
export function inPageOrder(blocks: readonly Block[], index: BlockIndex, wanted: (block: Block) => boolean): Block[] {
  const pageBlock = blocks.find((b) => b.BlockType === 'PAGE');
  const listed = pageBlock === undefined ? [] : related(pageBlock, 'CHILD', index);
  const ordered = new Set<Block>();
  for (const block of listed) {
    if (wanted(block)) ordered.add(block);
  }
  for (const block of blocks) {
    if (wanted(block)) ordered.add(block);
  }
  return [...ordered];
}

/** Textract's 0..100 scale is kept; 2 decimals is more precision than the model has. */
export function roundConfidence(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value)) return 0;
  return Math.round(Math.min(100, Math.max(0, value)) * 100) / 100;
}

/** The weakest of the confidences Textract gave (missing ones ignored); 0 when it gave none. */
export function weakestConfidence(values: readonly (number | undefined)[]): number {
  const given = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  return roundConfidence(given.length === 0 ? undefined : Math.min(...given));
}

function finiteOr0(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

/** The box Textract gave (fractions of the page), on the page; a missing or broken field counts as 0. */
export function toBBox(box: BoundingBox | undefined): BBox {
  if (box === undefined) return { ...NO_BOX };
  const left = finiteOr0(box.Left);
  const top = finiteOr0(box.Top);
  return pageBox(left, top, left + finiteOr0(box.Width), top + finiteOr0(box.Height));
}

/** The block's box, or undefined when Textract gave it no geometry (so callers can leave bbox out). */
export function boxOf(block: Block): BBox | undefined {
  const box = block.Geometry?.BoundingBox;
  return box === undefined ? undefined : toBBox(box);
}

/** The smallest box holding all of `boxes`; undefined for none. */
export function enclosingBox(boxes: readonly BBox[]): BBox | undefined {
  if (boxes.length === 0) return undefined;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const box of boxes) {
    x0 = Math.min(x0, box.left);
    y0 = Math.min(y0, box.top);
    x1 = Math.max(x1, box.left + box.width);
    y1 = Math.max(y1, box.top + box.height);
  }
  return pageBox(x0, y0, x1, y1);
}

/**
 * The blocks of several lists (one per expense or identity document) with each id once, in
 * order: documents found on one page may each carry that page's blocks. Blocks without an id
 * cannot be told apart and are all kept.
 */
export function distinctBlocks(lists: readonly (readonly Block[] | undefined)[]): Block[] {
  const seen = new Set<string>();
  const blocks: Block[] = [];
  for (const list of lists) {
    for (const block of list ?? []) {
      if (block.Id !== undefined) {
        if (seen.has(block.Id)) continue;
        seen.add(block.Id);
      }
      blocks.push(block);
    }
  }
  return blocks;
}

/** Textract's 1-based numbering (ExpenseIndex, DocumentIndex...), or `fallback` when it is missing or not a count. */
export function countOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isInteger(value) && value >= 1 ? value : fallback;
}
