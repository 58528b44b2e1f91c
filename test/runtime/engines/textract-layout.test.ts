import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Block, BlockType } from '@aws-sdk/client-textract';
import { normalizeBlocks } from '../../../runtime/engines/textract-normalize.ts';
import { assertInsidePage, box, cell, children, fixtureBlocks, holds, keyBlock, line, table, valueBlock, word } from '../../helpers/textract-blocks.ts';

const region = (type: string, id: string, childIds: string[], extra: Partial<Block> = {}): Block => ({
  BlockType: type as BlockType, Id: id, Confidence: 80, ...box(0.1, 0.1, 0.5, 0.1),
  Relationships: childIds.length > 0 ? [children(...childIds)] : undefined, ...extra,
});
const page = (childIds: string[]): Block => ({ BlockType: 'PAGE', Id: 'page', Relationships: [children(...childIds)] });
const lineOf = (id: string, text: string, wordIds: string[]): Block => line(id, text, { Relationships: [children(...wordIds)] });

describe('normalizeBlocks with LAYOUT on a real response', () => {
  const blocks = fixtureBlocks('test_document_to_html_single-page-1.png.json');

  test('should list the regions of the page in reading order with the lines each holds', () => {
    const result = normalizeBlocks(blocks, 1, { features: ['FORMS', 'TABLES', 'LAYOUT'] });

    assert.deepEqual(result.layout!.map((item) => [item.type, item.text]), [
      ['title', 'Textractor Test\nDocument'],
      ['section_header', 'Page (1)'],
      ['section_header', 'Key - Values'],
      ['text', 'Name of package: Textractor\nDate : 08/14/2022'],
      ['section_header', 'Table 1'],
      ['table', 'Cell 1\nCell 2\nCell 4\nCell 5\nCell 6\nCell 7\nCell 8\nCell 9\nCell 10\nCell 11\nCell 12\nCell 13\nCell 14\nCell 15'],
      ['section_header', 'Selection Element'],
      ['figure', ''],
      ['text', 'Selected Checkbox'],
      ['figure', ''],
      ['text', 'Un-Selected Checkbox'],
    ]);
    for (const item of result.layout!) assert.equal(item.page, 1);
  });

  test('should box each region around the lines it holds', () => {
    const result = normalizeBlocks(blocks, 4, { features: ['TABLES', 'LAYOUT'] });
    const lines = new Map(result.lines.map((l) => [l.text, l.bbox]));
    const layout = result.layout!;

    for (const item of layout) assertInsidePage(item.bbox, `${item.type} ${item.text}`);
    for (const item of layout) {
      for (const text of item.text.split('\n').filter(Boolean)) assert.ok(holds(item.bbox, lines.get(text)!), `${item.type} holds ${text}`);
    }
    // The table region and the TABLE Textract found are the same place on the page.
    const tableRegion = layout.find((item) => item.type === 'table')!;
    assert.ok(holds(tableRegion.bbox, result.tables[0].bbox!), JSON.stringify({ region: tableRegion.bbox, table: result.tables[0].bbox }));
    // The two figures are the checkboxes, left of their labels.
    const figures = layout.filter((item) => item.type === 'figure');
    assert.equal(figures.length, 2);
    assert.ok(figures[0].bbox.left + figures[0].bbox.width < lines.get('Selected Checkbox')!.left);
  });

  test('should keep the other features and leave layout out when LAYOUT was not asked for', () => {
    const result = normalizeBlocks(blocks, 1, { features: ['FORMS', 'TABLES'] });

    assert.equal('layout' in result, false);
    assert.equal(result.tables.length, 1);
    assert.equal(result.keyValues.find((kv) => kv.key === 'Name of package:')?.value, 'Textractor');
  });

  test('should give an empty list when LAYOUT was asked for on a response without layout', () => {
    assert.deepEqual(normalizeBlocks(fixtureBlocks('test_table.json'), 1, { features: ['LAYOUT'] }).layout, []);
  });
});

describe('normalizeBlocks with LAYOUT on odd responses', () => {
  test('should gather a list through its items once, and not list the items again', () => {
    const blocks: Block[] = [
      page(['title', 'list', 'item1', 'item2']),
      region('LAYOUT_TITLE', 'title', ['lt']),
      line('lt', 'Shopping'),
      region('LAYOUT_LIST', 'list', ['item1', 'item2']),
      region('LAYOUT_TEXT', 'item1', ['l1', 'l2']),
      region('LAYOUT_TEXT', 'item2', ['l3']),
      line('l1', '- flour, sugar'),
      line('l2', '  and eggs'),
      line('l3', '- milk'),
    ];

    assert.deepEqual(
      normalizeBlocks(blocks, 1, { features: ['LAYOUT'] }).layout!.map((item) => [item.type, item.text]),
      [
        ['title', 'Shopping'],
        ['list', '- flour, sugar\n  and eggs\n- milk'],
      ],
    );
  });

  test('should read the lines of a region that points at a TABLE or at form fields', () => {
    const blocks: Block[] = [
      page(['lt', 'lk']),
      region('LAYOUT_TABLE', 'lt', ['t']),
      table('t', ['c11', 'c12', 'c21', 'c22']),
      cell('c11', 1, 1, ['w1']),
      cell('c12', 1, 2, ['w2']),
      cell('c21', 2, 1, ['w3']),
      cell('c22', 2, 2, ['w4']),
      lineOf('row1', 'Item Price', ['w1', 'w2']),
      lineOf('row2', 'Tea 3.00', ['w3', 'w4']),
      word('w1', 'Item'), word('w2', 'Price'), word('w3', 'Tea'), word('w4', '3.00'),
      region('LAYOUT_KEY_VALUE', 'lk', ['k']),
      keyBlock('k', ['kw'], ['v']),
      valueBlock('v', ['vw']),
      lineOf('kvline', 'Total: 3.00', ['kw', 'vw']),
      word('kw', 'Total:'), word('vw', '3.00'),
    ];

    assert.deepEqual(
      normalizeBlocks(blocks, 1, { features: ['LAYOUT'] }).layout!.map((item) => [item.type, item.text]),
      [
        ['table', 'Item Price\nTea 3.00'],
        ['key_value', 'Total: 3.00'],
      ],
    );
  });

  test('should append regions the PAGE block does not list and skip layout types it does not know', () => {
    const blocks: Block[] = [
      page(['footer', 'gone']),
      region('LAYOUT_FOOTER', 'footer', ['lf']),
      line('lf', 'Page 1 of 2'),
      region('LAYOUT_HEADER', 'header', ['lh']),
      line('lh', 'ACME Corp'),
      region('LAYOUT_MARGIN_NOTE', 'note', ['ln']),
      line('ln', 'see overleaf'),
      region('LAYOUT_PAGE_NUMBER', 'number', ['absent'], { Geometry: undefined }),
    ];

    const layout = normalizeBlocks(blocks, 1, { features: ['LAYOUT'] }).layout!;
    assert.deepEqual(layout.map((item) => [item.type, item.text]), [
      ['footer', 'Page 1 of 2'],
      ['header', 'ACME Corp'],
      ['page_number', ''],
    ]);
    assert.deepEqual(layout[2].bbox, { left: 0, top: 0, width: 0, height: 0 });
  });

  test('should finish on regions whose relationships loop back on themselves', () => {
    const blocks: Block[] = [
      region('LAYOUT_TEXT', 'self', ['l1', 'self']),
      line('l1', 'looping paragraph'),
      region('LAYOUT_TABLE', 'lt', ['t']),
      table('t', ['c']),
      cell('c', 1, 1, ['w', 't']),
      lineOf('l2', 'cell text', ['w']),
      word('w', 'cell text'),
    ];

    assert.deepEqual(
      normalizeBlocks(blocks, 1, { features: ['LAYOUT'] }).layout!.map((item) => [item.type, item.text]),
      [
        ['text', 'looping paragraph'],
        ['table', 'cell text'],
      ],
    );
  });
});
