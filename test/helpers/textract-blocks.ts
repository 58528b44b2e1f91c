// Shared by the Textract normaliser suites: real responses, box checks, and synthetic blocks.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Block } from '@aws-sdk/client-textract';
import type { BBox } from '../../runtime/engines/types.ts';

/** A real Textract response from test/fixtures/textract (see its README for which is which). */
export function fixture<T>(name: string): T {
  const url = new URL(`../fixtures/textract/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

export function fixtureBlocks(name: string): Block[] {
  return fixture<{ Blocks: Block[] }>(name).Blocks;
}

/** Whether `inner` lies within `outer`, give or take `slack` (Textract's boxes of one thing differ by a pixel or two). */
export function holds(outer: BBox, inner: BBox, slack = 0.005): boolean {
  return (
    inner.left >= outer.left - slack &&
    inner.top >= outer.top - slack &&
    inner.left + inner.width <= outer.left + outer.width + slack &&
    inner.top + inner.height <= outer.top + outer.height + slack
  );
}

/** Boxes are computed from edges, so they carry float noise; a millionth of a page is nothing. */
export function assertBoxNear(actual: BBox | undefined, expected: BBox): void {
  assert.ok(actual !== undefined, 'no bbox');
  for (const side of ['left', 'top', 'width', 'height'] as const) {
    assert.ok(Math.abs(actual[side] - expected[side]) < 1e-6, `${side}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
  }
}

export function assertInsidePage(bbox: BBox, what: string): void {
  for (const value of [bbox.left, bbox.top, bbox.width, bbox.height]) {
    assert.ok(value >= 0 && value <= 1, `${what}: ${JSON.stringify(bbox)}`);
  }
  assert.ok(bbox.left + bbox.width <= 1 && bbox.top + bbox.height <= 1, `${what}: ${JSON.stringify(bbox)}`);
}

// Synthetic blocks: just the fields the normaliser reads, so each test shows the oddity it covers.
export const box = (left: number, top: number, width = 0.1, height = 0.02) => ({
  Geometry: { BoundingBox: { Left: left, Top: top, Width: width, Height: height } },
});
export const children = (...ids: string[]) => ({ Type: 'CHILD' as const, Ids: ids });
export const word = (id: string, text: string): Block => ({ BlockType: 'WORD', Id: id, Text: text, Confidence: 99 });
export const line = (id: string, text: string, extra: Partial<Block> = {}): Block => ({
  BlockType: 'LINE', Id: id, Text: text, Confidence: 99, ...box(0.1, 0.1), ...extra,
});
export const checkbox = (id: string, selected: boolean): Block => ({
  BlockType: 'SELECTION_ELEMENT', Id: id, SelectionStatus: selected ? 'SELECTED' : 'NOT_SELECTED', Confidence: 99,
});
export const keyBlock = (id: string, childIds: string[], valueIds: string[], extra: Partial<Block> = {}): Block => ({
  BlockType: 'KEY_VALUE_SET', EntityTypes: ['KEY'], Id: id, Confidence: 90,
  Relationships: [{ Type: 'VALUE', Ids: valueIds }, children(...childIds)], ...extra,
});
export const valueBlock = (id: string, childIds: string[], confidence = 90): Block => ({
  BlockType: 'KEY_VALUE_SET', EntityTypes: ['VALUE'], Id: id, Confidence: confidence,
  Relationships: [children(...childIds)],
});
export const cell = (id: string, row: number, column: number, childIds: string[] = []): Block => ({
  BlockType: 'CELL', Id: id, RowIndex: row, ColumnIndex: column, RowSpan: 1, ColumnSpan: 1, Confidence: 90,
  Relationships: childIds.length > 0 ? [children(...childIds)] : undefined,
});
export const table = (id: string, cellIds: string[], mergedIds: string[] = []): Block => ({
  BlockType: 'TABLE', Id: id, Confidence: 97.123,
  Relationships: [children(...cellIds), { Type: 'MERGED_CELL', Ids: mergedIds }],
});
