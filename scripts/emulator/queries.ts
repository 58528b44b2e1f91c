// AnalyzeDocument QUERIES: a QUERY block per question asked of this page, answered (QUERY_RESULT
// through an ANSWER relationship) when the question names one of the page's `Key:` labels.
import { derivedConfidence, geometry, type Block } from './geometry.ts';
import { union, type KeyValue, type PageLayout } from './layout.ts';

export interface TextractQuery {
  Text: string;
  Alias?: string;
  Pages?: string[];
}

/** Textract's grammar for Query.Pages: a page, `*`, or a range of them such as `2-*`. */
const PAGE_SPEC = /^(\d+|\*)(-(\d+|\*))?$/;

export function validPageSpec(spec: unknown): boolean {
  if (typeof spec !== 'string' || !PAGE_SPEC.test(spec)) return false;
  return spec.split('-').every((part) => part === '*' || Number(part) >= 1);
}

/** Whether a query applies to `page`; Textract asks only page 1 when Pages is left out. */
export function queryCoversPage(query: TextractQuery, page: number): boolean {
  const specs = query.Pages ?? ['1'];
  return specs.some((spec) => {
    const [from, to = from] = spec.split('-');
    const low = from === '*' ? 1 : Number(from);
    const high = to === '*' ? Infinity : Number(to);
    return page >= low && page <= high;
  });
}

const keyText = (pair: KeyValue): string =>
  pair.keyWords.map((w) => w.text).join(' ').replace(/[:#\s]+$/, '').toLowerCase();

/** The pair whose label the question names; the longest label wins ("due date" over "date"). */
function answerFor(question: string, layout: PageLayout): KeyValue | null {
  const asked = question.toLowerCase();
  let best: KeyValue | null = null;
  for (const pair of layout.keyValues) {
    const key = keyText(pair);
    if (key && asked.includes(key) && (!best || key.length > keyText(best).length)) best = pair;
  }
  return best;
}

export function queryBlocks(layout: PageLayout, queries: readonly TextractQuery[], nextId: () => string, page: number): { blocks: Block[]; pageChildren: string[] } {
  const blocks: Block[] = [];
  const pageChildren: string[] = [];
  for (const query of queries) {
    if (!queryCoversPage(query, page)) continue;
    const queryId = nextId();
    const pair = answerFor(query.Text, layout);
    const answerId = pair ? nextId() : null;
    blocks.push({
      BlockType: 'QUERY',
      Id: queryId,
      // No ANSWER relationship is how Textract says it found nothing for a question.
      ...(answerId ? { Relationships: [{ Type: 'ANSWER', Ids: [answerId] }] } : {}),
      Query: {
        Text: query.Text,
        ...(query.Alias !== undefined ? { Alias: query.Alias } : {}),
        ...(query.Pages !== undefined ? { Pages: query.Pages } : {}),
      },
      Page: page,
    });
    pageChildren.push(queryId);
    if (pair && answerId) {
      blocks.push({
        BlockType: 'QUERY_RESULT',
        Confidence: derivedConfidence(pair.valueWords, 3),
        Text: pair.valueWords.map((w) => w.text).join(' '),
        Geometry: geometry(union(pair.valueWords.map((w) => w.box))),
        Id: answerId,
        Page: page,
      });
      pageChildren.push(answerId);
    }
  }
  return { blocks, pageChildren };
}
