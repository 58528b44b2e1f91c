// AnalyzeDocument QUERIES: each QUERY block is one asked question (its `Query` echoes the text and
// alias sent); its ANSWER relationships name the QUERY_RESULT blocks holding the answers found.

import type { Block } from '@aws-sdk/client-textract';
import { related, roundConfidence, type BlockIndex } from './textract-blocks.ts';
import type { QueryAnswer, QueryResult } from './types.ts';

/**
 * One entry per QUERY block, in the order of the blocks: Textract lists them in the order the
 * questions were asked. A question without an answer stays, with `answers: []`, so the caller
 * can tell "asked, nothing found" from "not asked". A QUERY without question text cannot be told
 * apart from any other and is skipped.
 */
export function readQueries(blocks: readonly Block[], index: BlockIndex, page: number): QueryResult[] {
  const queries: QueryResult[] = [];
  for (const block of blocks) {
    if (block.BlockType !== 'QUERY') continue;
    const text = block.Query?.Text;
    if (typeof text !== 'string' || text === '') continue;
    const query: QueryResult = { text, answers: readAnswers(block, index, page) };
    const alias = block.Query?.Alias;
    if (typeof alias === 'string' && alias !== '') query.alias = alias;
    queries.push(query);
  }
  return queries;
}

/**
 * Best confidence first, the order in which a caller takes "the" answer. An answer id listed twice
 * counts once; an answer without text says nothing and is skipped.
 */
function readAnswers(query: Block, index: BlockIndex, page: number): QueryAnswer[] {
  const results = new Set(related(query, 'ANSWER', index).filter((b) => b.BlockType === 'QUERY_RESULT'));
  const answers: QueryAnswer[] = [];
  for (const result of results) {
    if (typeof result.Text !== 'string' || result.Text === '') continue;
    answers.push({ text: result.Text, confidence: roundConfidence(result.Confidence), page });
  }
  // Array.prototype.sort is stable: equal confidences keep Textract's order.
  return answers.sort((a, b) => b.confidence - a.confidence);
}
