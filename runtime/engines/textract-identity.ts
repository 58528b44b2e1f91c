// AnalyzeID (driver licences, passports) → the contract's IdentityResult parts.
//
// One call takes one or two page images (an ID's front and back). Each IdentityDocument carries
// normalised fields (FIRST_NAME, DATE_OF_BIRTH...) and text-detection Blocks. Like the other
// normalisers this never throws on a partial response: what cannot be read is skipped.

import type { AnalyzeIDResponse, Block, IdentityDocumentField } from '@aws-sdk/client-textract';
import { countOr, indexById, related, weakestConfidence, type BlockIndex } from './textract-blocks.ts';
import { normalizeTextBlocks } from './textract-normalize.ts';
import type { IdentityDocument, IdentityField, PageResult } from './types.ts';

export interface NormalizedIdentity {
  /** In Textract's order, `index` being its DocumentIndex. */
  identityDocuments: IdentityDocument[];
  /** One per page sent, in the order sent, each with the lines and words read on it. */
  pages: PageResult[];
}

/**
 * `pages[i]` is the original document's number of the call's page i + 1 (its DocumentPages[i]).
 */
export function normalizeIdentity(output: AnalyzeIDResponse, pages: readonly number[]): NormalizedIdentity {
  const documents = output.IdentityDocuments ?? [];
  const identityDocuments = documents.map((document, position) => ({
    index: countOr(document.DocumentIndex, position + 1),
    fields: readFields(document.IdentityDocumentFields),
  }));
  const blocksPerPage = splitByPage(documents.map((d) => d.Blocks), pages.length);
  return { identityDocuments, pages: pages.map((page, i) => normalizeTextBlocks(blocksPerPage[i], page)) };
}

/**
 * A field without a type cannot be mapped and one without a value has nothing to say: both are
 * skipped. An empty value is kept: it is Textract saying, with confidence, that the ID has no such
 * entry (no middle name, no suffix). Confidence is the weaker of Type and ValueDetection, the rule
 * expense fields follow; real AnalyzeID responses give Type no confidence, so it is the value's.
 */
function readFields(fields: readonly IdentityDocumentField[] | undefined): IdentityField[] {
  const result: IdentityField[] = [];
  for (const field of fields ?? []) {
    const type = field.Type?.Text;
    const value = field.ValueDetection?.Text;
    if (typeof type !== 'string' || type === '' || typeof value !== 'string') continue;
    // Built in API.md's key order (type, value, normalizedValue?, valueType?, confidence), which JSON output keeps.
    const read = { type, value } as IdentityField;
    const normalized = field.ValueDetection?.NormalizedValue;
    if (typeof normalized?.Value === 'string' && normalized.Value !== '') read.normalizedValue = normalized.Value;
    // Passed on as Textract wrote it: real responses say "Date" where the SDK's enum says "DATE".
    const valueType: string | undefined = normalized?.ValueType;
    if (typeof valueType === 'string' && valueType !== '') read.valueType = valueType;
    read.confidence = weakestConfidence([field.Type?.Confidence, field.ValueDetection?.Confidence]);
    result.push(read);
  }
  return result;
}

/**
 * The blocks of each page sent. The `Page` field cannot say which: real AnalyzeID responses number
 * WORD blocks from 0 and give LINE and PAGE blocks none. So pages are told apart by their PAGE
 * blocks, in order (the first PAGE block is the first page sent, a surplus one joins the last
 * page), each owning the blocks it reaches through CHILD relationships. A block no PAGE reaches
 * stays with the page of its own document's first PAGE block, else the first page.
 */
function splitByPage(documentBlocks: readonly (readonly Block[] | undefined)[], pageCount: number): Block[][] {
  const perPage: Block[][] = Array.from({ length: pageCount }, () => []);
  if (pageCount === 0) return perPage;
  // Each id once, with the document it first came in: documents of one page may repeat its blocks.
  const seenIds = new Set<string>();
  const documents = documentBlocks.map((blocks) =>
    (blocks ?? []).filter((block) => {
      if (block.Id === undefined) return true;
      if (seenIds.has(block.Id)) return false;
      seenIds.add(block.Id);
      return true;
    }),
  );
  const index = indexById(documents.flat());
  const placed = new Set<Block>();
  const homePage: number[] = [];
  let pageBlocksSeen = 0;
  for (const blocks of documents) {
    let firstPage: number | undefined;
    for (const block of blocks) {
      if (block.BlockType !== 'PAGE' || placed.has(block)) continue;
      const page = Math.min(pageBlocksSeen++, pageCount - 1);
      firstPage ??= page;
      for (const owned of ownedBlocks(block, index, placed)) perPage[page].push(owned);
    }
    homePage.push(firstPage ?? 0);
  }
  documents.forEach((blocks, document) => {
    for (const block of blocks) {
      if (placed.has(block)) continue;
      placed.add(block);
      perPage[homePage[document]].push(block);
    }
  });
  return perPage;
}

/** The PAGE block and everything it reaches through CHILD, depth first, not yet owned by another page. */
function ownedBlocks(pageBlock: Block, index: BlockIndex, placed: Set<Block>): Block[] {
  const owned: Block[] = [];
  const stack: Block[] = [pageBlock];
  while (stack.length > 0) {
    const block = stack.pop()!;
    if (placed.has(block)) continue;
    placed.add(block);
    owned.push(block);
    const children = related(block, 'CHILD', index);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return owned;
}
