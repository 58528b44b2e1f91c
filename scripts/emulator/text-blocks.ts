// PAGE, LINE and WORD blocks: what every Textract API returns for a page, whichever else it adds.
import { geometry, type Block } from './geometry.ts';
import type { Line, PageLayout, Word } from './layout.ts';

export interface TextBlocks {
  page: Block;
  lines: Block[];
  words: Block[];
  lineIds: Map<Line, string>;
  wordIds: Map<Word, string>;
  /** The PAGE block's CHILD list: the lines, then whatever the caller adds, in the order added. */
  pageChildren: string[];
}

export interface TextBlockOptions {
  /** Page number put on blocks. */
  page: number;
  /**
   * AnalyzeExpense and AnalyzeID put `Page` on WORD blocks only (see the fixtures in
   * shared/fixtures/textract); the document APIs of the emulator put it on every block.
   */
  pageOnWordsOnly?: boolean;
}

/**
 * Ids are drawn in a fixed order (page, lines, words) before anything else, so a word keeps its id
 * whichever API or features asked for it.
 */
export function textBlocks(layout: PageLayout, nextId: () => string, { page, pageOnWordsOnly = false }: TextBlockOptions): TextBlocks {
  const pageId = nextId();
  const lineIds = new Map(layout.lines.map((line) => [line, nextId()] as const));
  const wordIds = new Map<Word, string>();
  for (const line of layout.lines) for (const word of line.words) wordIds.set(word, nextId());
  const pageKey = pageOnWordsOnly ? {} : { Page: page };

  const lines: Block[] = layout.lines.map((line) => ({
    BlockType: 'LINE',
    Confidence: line.confidence,
    Text: line.text,
    Geometry: geometry(line.box),
    Id: lineIds.get(line)!,
    ...childrenOf(line.words, wordIds),
    ...pageKey,
  }));
  const words: Block[] = layout.lines.flatMap((line) => line.words.map((word) => ({
    BlockType: 'WORD',
    Confidence: word.confidence,
    Text: word.text,
    TextType: 'PRINTED',
    Geometry: geometry(word.box),
    Id: wordIds.get(word)!,
    Page: page,
  })));
  const pageBlock: Block = {
    BlockType: 'PAGE',
    Geometry: geometry({ left: 0, top: 0, width: 1, height: 1 }),
    Id: pageId,
    ...pageKey,
  };
  return { page: pageBlock, lines, words, lineIds, wordIds, pageChildren: [...lineIds.values()] };
}

/** Textract leaves Relationships out rather than sending an empty list. */
export function childrenOf(words: readonly Word[], wordIds: ReadonlyMap<Word, string>): Block {
  const ids = words.map((w) => wordIds.get(w)).filter((id): id is string => id !== undefined);
  return ids.length ? { Relationships: [{ Type: 'CHILD', Ids: ids }] } : {};
}

/** The page's blocks in Textract's order: PAGE (with its CHILD list), LINEs, WORDs. */
export function pageBlocks(text: TextBlocks): Block[] {
  // The relationship goes before `Page` so the key order matches Textract's.
  const { Page, ...page } = text.page;
  const withChildren = {
    ...page,
    ...(text.pageChildren.length ? { Relationships: [{ Type: 'CHILD', Ids: text.pageChildren }] } : {}),
    ...(Page === undefined ? {} : { Page }),
  };
  return [withChildren, ...text.lines, ...text.words];
}
