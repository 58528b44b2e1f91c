import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Block } from '@aws-sdk/client-textract';
import { normalizeBlocks } from '../../../runtime/engines/textract-normalize.ts';
import { box, fixtureBlocks, line } from '../../helpers/textract-blocks.ts';

const query = (id: string, text: string | undefined, answerIds: string[], alias?: string): Block => ({
  BlockType: 'QUERY', Id: id, Query: text === undefined ? undefined : { Text: text, Alias: alias },
  Relationships: answerIds.length > 0 ? [{ Type: 'ANSWER', Ids: answerIds }] : undefined,
});
const answer = (id: string, text: string | undefined, confidence: number): Block => ({
  BlockType: 'QUERY_RESULT', Id: id, Text: text, Confidence: confidence, ...box(0.3, 0.4),
});

describe('normalizeBlocks with QUERIES on a real response', () => {
  // textractor asked, in this order: "What is the name of the package?", "What is the title of the document?"
  test('should answer each question in the order it was asked', () => {
    const result = normalizeBlocks(fixtureBlocks('test_queries_as_strings.json'), 2, { features: ['QUERIES'] });

    assert.deepEqual(result.queries, [
      { text: 'What is the name of the package?', answers: [{ text: 'Textractor', confidence: 92, page: 2 }] },
      { text: 'What is the title of the document?', answers: [{ text: 'Textractor Test Document', confidence: 87, page: 2 }] },
    ]);
  });

  test('should still read the page text of a QUERIES response', () => {
    const result = normalizeBlocks(fixtureBlocks('test_queries_as_strings.json'), 1, { features: ['QUERIES'] });

    assert.equal(result.lines.length, 24);
    assert.deepEqual(result.lines.slice(0, 3).map((l) => l.text), ['Textractor Test', 'Document', 'Page (1)']);
    assert.equal(result.words.length, 51);
  });

  test('should leave queries out when QUERIES was not asked for', () => {
    const blocks = fixtureBlocks('test_queries_as_strings.json');

    assert.equal('queries' in normalizeBlocks(blocks, 1), false);
    assert.equal('queries' in normalizeBlocks(blocks, 1, { features: ['TABLES', 'FORMS'] }), false);
  });

  test('should give an empty list when QUERIES was asked for on a response without queries', () => {
    const result = normalizeBlocks(fixtureBlocks('test_table.json'), 1, { features: ['QUERIES'] });

    assert.deepEqual(result.queries, []);
  });
});

describe('normalizeBlocks with QUERIES on odd responses', () => {
  test('should keep a question whose answer id points nowhere, with no answers', () => {
    const blocks = [query('q1', 'What is the total?', ['missing']), query('q2', 'Who signed?', [])];

    assert.deepEqual(normalizeBlocks(blocks, 1, { features: ['QUERIES'] }).queries, [
      { text: 'What is the total?', answers: [] },
      { text: 'Who signed?', answers: [] },
    ]);
  });

  test('should put the best answer first and keep the alias', () => {
    const blocks = [
      query('q', 'What is the date?', ['a1', 'a2', 'a3'], 'DATE'),
      answer('a1', '2022-08-14', 41.5),
      answer('a2', '08/14/2022', 93.456),
      answer('a3', '14 Aug', 41.5),
    ];

    assert.deepEqual(normalizeBlocks(blocks, 5, { features: ['QUERIES'] }).queries, [
      {
        text: 'What is the date?',
        alias: 'DATE',
        answers: [
          { text: '08/14/2022', confidence: 93.46, page: 5 },
          { text: '2022-08-14', confidence: 41.5, page: 5 },
          { text: '14 Aug', confidence: 41.5, page: 5 },
        ],
      },
    ]);
  });

  test('should skip a question without text, answers without text, and count a repeated answer once', () => {
    const blocks: Block[] = [
      query('nameless', undefined, ['a']),
      query('q', 'Name?', ['a', 'a', 'empty', 'textless', 'l'], ''),
      answer('a', 'Jane', 80),
      answer('empty', '', 99),
      answer('textless', undefined, 99),
      line('l', 'a LINE is not an answer'),
    ];

    assert.deepEqual(normalizeBlocks(blocks, 1, { features: ['QUERIES'] }).queries, [
      { text: 'Name?', answers: [{ text: 'Jane', confidence: 80, page: 1 }] },
    ]);
  });
});
