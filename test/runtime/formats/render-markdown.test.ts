import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputDocument } from '../../../runtime/formats/model.ts';
import { tableBlock } from '../../../runtime/formats/model.ts';
import { renderMarkdown } from '../../../runtime/formats/render-markdown.ts';
import { readMarkdown } from './read-markdown.ts';

const doc = (blocks: OutputDocument['blocks']): OutputDocument => ({ blocks, csvTables: [] });

describe('renderMarkdown', () => {
  test('should keep hostile recognised text as text in headings, paragraphs, lists and cells', () => {
    const hostile = ['<script>alert("x")</script>', '# not a heading', '1. not a list', '*stars* and _under_ `code`', '[link](http://x)', '&amp; & AT&T', '---', '> quote', 'a\\b'];
    const markdown = renderMarkdown(doc([
      ...hostile.map((text) => ({ kind: 'heading' as const, level: 2 as const, text })),
      ...hostile.map((text) => ({ kind: 'paragraph' as const, text })),
      { kind: 'list', ordered: false, items: hostile },
      tableBlock([['Cell'], ...hostile.map((text) => [text])], true),
    ]));

    assert.deepEqual(readMarkdown(markdown), [
      ...hostile.map((text) => ({ type: 'heading', depth: 2, text })),
      ...hostile.map((text) => ({ type: 'paragraph', text })),
      { type: 'list', ordered: false, items: hostile },
      { type: 'table', header: ['Cell'], rows: hostile.map((text) => [text]) },
    ]);
  });

  test('should escape pipes and keep line breaks inside table cells', () => {
    const rows = [['Name', 'Address | Notes'], ['A|B', '12 Main St\nSpringfield'], ['C', 'one\r\ntwo\rthree']];
    const markdown = renderMarkdown(doc([tableBlock(rows, true)]));

    assert.deepEqual(readMarkdown(markdown), [
      { type: 'table', header: ['Name', 'Address | Notes'], rows: [['A|B', '12 Main St\nSpringfield'], ['C', 'one\ntwo\nthree']] },
    ]);
  });

  test('should pad ragged rows and keep empty ones so every cell stays in its column', () => {
    const markdown = renderMarkdown(doc([tableBlock([['a', 'b'], ['c'], [], ['d', 'e', 'f']], true)]));

    assert.deepEqual(readMarkdown(markdown), [
      { type: 'table', header: ['a', 'b', ''], rows: [['c', '', ''], ['', '', ''], ['d', 'e', 'f']] },
    ]);
  });

  test('should give a table without a header an empty header row', () => {
    const markdown = renderMarkdown(doc([tableBlock([['1', '2'], ['3', '4']], false)]));

    assert.deepEqual(readMarkdown(markdown), [{ type: 'table', header: ['', ''], rows: [['1', '2'], ['3', '4']] }]);
  });

  test('should write fields as a table with a note column only when there is one', () => {
    const markdown = renderMarkdown(doc([
      { kind: 'fields', headers: ['Key', 'Value'], fields: [{ name: 'Full Name:', value: 'Jane Doe' }] },
      { kind: 'fields', headers: ['Field', 'Value', 'Label'], fields: [{ name: 'TOTAL', value: '$1', note: 'Total:' }, { name: 'TAX', value: '$0' }] },
    ]));

    assert.deepEqual(readMarkdown(markdown), [
      { type: 'table', header: ['Key', 'Value'], rows: [['Full Name:', 'Jane Doe']] },
      { type: 'table', header: ['Field', 'Value', 'Label'], rows: [['TOTAL', '$1', 'Total:'], ['TAX', '$0', '']] },
    ]);
  });

  test('should number an ordered list from where the printed one starts', () => {
    const markdown = renderMarkdown(doc([{ kind: 'list', ordered: true, start: 3, items: ['third', 'fourth'] }]));

    assert.deepEqual(readMarkdown(markdown), [{ type: 'list', ordered: true, start: 3, items: ['third', 'fourth'] }]);
  });

  test('should give an empty body for a document without content', () => {
    assert.equal(renderMarkdown(doc([])), '');
    assert.equal(renderMarkdown(doc([tableBlock([], true)])), '');
  });
});
