// Turns a page layout into Textract Blocks shaped like real responses (see
// /work/shared/fixtures/textract): PAGE → LINE → WORD, then TABLE → CELL, then KEY/VALUE pairs.
import { createHash } from 'node:crypto';
import { union, type Box, type PageLayout, type Word } from './layout.ts';

export type ApiName = 'DetectDocumentText' | 'AnalyzeDocument';

export interface TextractQuery {
  Text: string;
  Alias?: string;
  Pages?: string[];
}

type Block = Record<string, unknown>;

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function geometry(b: Box): Block {
  const left = round(b.left), top = round(b.top), right = round(b.left + b.width), bottom = round(b.top + b.height);
  return {
    BoundingBox: { Width: round(b.width), Height: round(b.height), Left: left, Top: top },
    Polygon: [{ X: left, Y: top }, { X: right, Y: top }, { X: right, Y: bottom }, { X: left, Y: bottom }],
  };
}

/** UUID-shaped ids that depend only on the document and the block's position in the response. */
function idFactory(sha256: string): () => string {
  let n = 0;
  return () => {
    const h = createHash('sha1').update(sha256).update(String(n++)).digest('hex');
    const variant = ((Number.parseInt(h[16], 16) & 3) | 8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
}

function minConfidence(words: readonly Word[], fallback = 95): number {
  return words.length ? Math.min(...words.map((w) => w.confidence)) : fallback;
}

export function buildResponse(
  sha256: string,
  layout: PageLayout,
  api: ApiName,
  features: ReadonlySet<string>,
  queries: readonly TextractQuery[] = [],
): Record<string, unknown> {
  // Ids are drawn in a fixed order (page, lines, words, then extras) so a word keeps its id
  // whichever API or features asked for it.
  const nextId = idFactory(sha256);
  const pageId = nextId();
  const lineIds = layout.lines.map(() => nextId());
  const wordIds = new Map<Word, string>();
  for (const line of layout.lines) for (const word of line.words) wordIds.set(word, nextId());
  const idsOf = (words: readonly Word[]): string[] => words.map((w) => wordIds.get(w)!).filter(Boolean);
  const child = (words: readonly Word[]): Block[] => (words.length ? [{ Type: 'CHILD', Ids: idsOf(words) }] : []);
  // Textract leaves Relationships out rather than sending an empty list.
  const children = (words: readonly Word[]): Block => (words.length ? { Relationships: child(words) } : {});

  const lines: Block[] = layout.lines.map((line, i) => ({
    BlockType: 'LINE',
    Confidence: line.confidence,
    Text: line.text,
    Geometry: geometry(line.box),
    Id: lineIds[i],
    ...children(line.words),
    Page: 1,
  }));
  const words: Block[] = layout.lines.flatMap((line) => line.words.map((word) => ({
    BlockType: 'WORD',
    Confidence: word.confidence,
    Text: word.text,
    TextType: 'PRINTED',
    Geometry: geometry(word.box),
    Id: wordIds.get(word)!,
    Page: 1,
  })));

  const extras: Block[] = [];
  const pageChildren = [...lineIds];
  const analyze = api === 'AnalyzeDocument';

  if (analyze && features.has('TABLES') && layout.table) {
    const tableId = nextId();
    const cells: Block[] = layout.table.cells.map((cell) => ({
      BlockType: 'CELL',
      Confidence: round(minConfidence(cell.words) - 5),
      RowIndex: cell.row,
      ColumnIndex: cell.column,
      RowSpan: 1,
      ColumnSpan: 1,
      Geometry: geometry(cell.box),
      Id: nextId(),
      ...children(cell.words),
      ...(cell.row === 1 ? { EntityTypes: ['COLUMN_HEADER'] } : {}),
      Page: 1,
    }));
    extras.push({
      BlockType: 'TABLE',
      Confidence: round(minConfidence(layout.table.cells.flatMap((c) => c.words))),
      Geometry: geometry(layout.table.box),
      Id: tableId,
      Relationships: [{ Type: 'CHILD', Ids: cells.map((c) => c.Id) }],
      EntityTypes: ['STRUCTURED_TABLE'],
      Page: 1,
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
        Relationships: [{ Type: 'VALUE', Ids: [valueId] }, ...child(pair.keyWords)],
        EntityTypes: ['KEY'],
        Page: 1,
      }, {
        BlockType: 'KEY_VALUE_SET',
        Confidence: confidence,
        Geometry: geometry(union(pair.valueWords.map((w) => w.box))),
        Id: valueId,
        ...children(pair.valueWords),
        EntityTypes: ['VALUE'],
        Page: 1,
      });
      pageChildren.push(keyId, valueId);
    }
  }

  if (analyze && features.has('QUERIES')) {
    // A query is answered when it names one of the page's `Key:` labels; otherwise it gets no
    // ANSWER, which is how Textract reports a question it found nothing for.
    for (const query of queries) {
      const queryId = nextId();
      const asked = query.Text.toLowerCase();
      const pair = layout.keyValues.find((kv) => asked.includes(kv.keyWords.map((w) => w.text).join(' ').replace(/:$/, '').toLowerCase()));
      const answerId = pair ? nextId() : null;
      extras.push({
        BlockType: 'QUERY',
        Id: queryId,
        ...(answerId ? { Relationships: [{ Type: 'ANSWER', Ids: [answerId] }] } : {}),
        Query: { Text: query.Text, ...(query.Alias ? { Alias: query.Alias } : {}) },
        Page: 1,
      });
      if (pair && answerId) {
        extras.push({
          BlockType: 'QUERY_RESULT',
          Confidence: round(minConfidence(pair.valueWords) - 3),
          Text: pair.valueWords.map((w) => w.text).join(' '),
          Geometry: geometry(union(pair.valueWords.map((w) => w.box))),
          Id: answerId,
          Page: 1,
        });
      }
    }
  }

  const page: Block = {
    BlockType: 'PAGE',
    Geometry: geometry({ left: 0, top: 0, width: 1, height: 1 }),
    Id: pageId,
    ...(pageChildren.length ? { Relationships: [{ Type: 'CHILD', Ids: pageChildren }] } : {}),
    Page: 1,
  };
  return {
    DocumentMetadata: { Pages: 1 },
    Blocks: [page, ...lines, ...words, ...extras],
    [api === 'AnalyzeDocument' ? 'AnalyzeDocumentModelVersion' : 'DetectDocumentTextModelVersion']: '1.0',
  };
}
