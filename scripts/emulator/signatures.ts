// AnalyzeDocument SIGNATURES. The emulator cannot see ink, so it treats what is written after a
// signature label ("Signature: J. Smith", or a value set apart from "Customer Signature:") as the
// signature, as Textract reports a signed field; a page without such a label has none.
import { derivedConfidence, geometry, type Block } from './geometry.ts';
import { union, type PageLayout, type Word } from './layout.ts';

const SIGNATURE_LABEL = /(^|\s)(signature|signed|signed by|sign here|autograph)\s*:?$/i;

export function findSignatures(layout: PageLayout): Word[][] {
  return layout.keyValues
    .filter((pair) => SIGNATURE_LABEL.test(pair.keyWords.map((w) => w.text).join(' ')))
    .map((pair) => pair.valueWords);
}

export function signatureBlocks(layout: PageLayout, nextId: () => string, page: number): Block[] {
  // Handwriting reads less surely than print: Textract's signature confidences run lower too.
  return findSignatures(layout).map((words) => ({
    BlockType: 'SIGNATURE',
    Confidence: derivedConfidence(words, 12),
    Geometry: geometry(union(words.map((w) => w.box))),
    Id: nextId(),
    Page: page,
  }));
}
