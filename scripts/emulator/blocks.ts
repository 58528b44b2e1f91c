// Turns a page layout into DetectDocumentText and AnalyzeDocument responses shaped like real ones
// (see shared/fixtures/textract beside the checkout): PAGE → LINE → WORD, then per feature TABLE → CELL,
// KEY/VALUE pairs, QUERY → QUERY_RESULT, SIGNATURE and LAYOUT_* blocks.
import { derivedConfidence, geometry, idFactory, minConfidence, round, type Block } from './geometry.ts';
import { union, type PageLayout } from './layout.ts';
import { layoutBlocks } from './layout-blocks.ts';
import { queryBlocks, type TextractQuery } from './queries.ts';
import { signatureBlocks } from './signatures.ts';
import { childrenOf, pageBlocks, textBlocks } from './text-blocks.ts';

export type { ApiName } from './apis.ts';
export type { TextractQuery } from './queries.ts';

/** The sync document APIs answer for one page, always page 1. */
const PAGE = 1;

export function buildResponse(
  sha256: string,
  layout: PageLayout,
  api: 'DetectDocumentText' | 'AnalyzeDocument',
  features: ReadonlySet<string>,
  queries: readonly TextractQuery[] = [],
): Record<string, unknown> {
  const nextId = idFactory(sha256);
  const text = textBlocks(layout, nextId, { page: PAGE });
  const { wordIds, pageChildren } = text;
  const extras: Block[] = [];
  const analyze = api === 'AnalyzeDocument';

  // Extras draw their ids in a fixed feature order, so asking for more features never changes
  // the ids of what a smaller set returned before them.
  if (analyze && features.has('TABLES') && layout.table) {
    const tableId = nextId();
    const cells: Block[] = layout.table.cells.map((cell) => ({
      BlockType: 'CELL',
      Confidence: derivedConfidence(cell.words, 5),
      RowIndex: cell.row,
      ColumnIndex: cell.column,
      RowSpan: 1,
      ColumnSpan: 1,
      Geometry: geometry(cell.box),
      Id: nextId(),
      ...childrenOf(cell.words, wordIds),
      ...(cell.row === 1 ? { EntityTypes: ['COLUMN_HEADER'] } : {}),
      Page: PAGE,
    }));
    extras.push({
      BlockType: 'TABLE',
      Confidence: round(minConfidence(layout.table.cells.flatMap((c) => c.words))),
      Geometry: geometry(layout.table.box),
      Id: tableId,
      Relationships: [{ Type: 'CHILD', Ids: cells.map((c) => c.Id) }],
      EntityTypes: ['STRUCTURED_TABLE'],
      Page: PAGE,
    }, ...cells);
    pageChildren.push(tableId);
  }

  if (analyze && features.has('FORMS')) {
    for (const pair of layout.keyValues) {
      const keyId = nextId();
      const valueId = nextId();
      const confidence = round(Math.min(minConfidence(pair.keyWords), minConfidence(pair.valueWords)) - 8);
      extras.push({
        BlockType: 'KEY_VALUE_SET',
        Confidence: confidence,
        Geometry: geometry(union(pair.keyWords.map((w) => w.box))),
        Id: keyId,
        Relationships: [{ Type: 'VALUE', Ids: [valueId] }, ...((childrenOf(pair.keyWords, wordIds).Relationships as Block[] | undefined) ?? [])],
        EntityTypes: ['KEY'],
        Page: PAGE,
      }, {
        BlockType: 'KEY_VALUE_SET',
        Confidence: confidence,
        Geometry: geometry(union(pair.valueWords.map((w) => w.box))),
        Id: valueId,
        ...childrenOf(pair.valueWords, wordIds),
        EntityTypes: ['VALUE'],
        Page: PAGE,
      });
      pageChildren.push(keyId, valueId);
    }
  }

  if (analyze && features.has('QUERIES')) {
    const answered = queryBlocks(layout, queries, nextId, PAGE);
    extras.push(...answered.blocks);
    pageChildren.push(...answered.pageChildren);
  }

  if (analyze && features.has('SIGNATURES')) {
    const signatures = signatureBlocks(layout, nextId, PAGE);
    extras.push(...signatures);
    pageChildren.push(...signatures.map((s) => s.Id as string));
  }

  if (analyze && features.has('LAYOUT')) {
    const laidOut = layoutBlocks(layout, text.lineIds, nextId, PAGE);
    extras.push(...laidOut.blocks);
    pageChildren.push(...laidOut.pageChildren);
  }

  return {
    DocumentMetadata: { Pages: 1 },
    Blocks: [...pageBlocks(text), ...extras],
    [analyze ? 'AnalyzeDocumentModelVersion' : 'DetectDocumentTextModelVersion']: '1.0',
  };
}
